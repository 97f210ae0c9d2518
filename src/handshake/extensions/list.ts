/**
 * The Extension list, RFC 8446 §4.2: `Extension extensions<min..2^16-1>`,
 * each `{ ExtensionType extension_type; opaque extension_data<0..2^16-1> }`.
 * Parsing keeps the raw bodies (so a message re-encodes byte for byte);
 * typed views are decoded by the per-extension modules.
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { extensionTypeName } from '../messages/types.js';

export interface Extension {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * Read an extension list. RFC 8446 §4.2: "There MUST NOT be more than one
 * extension of the same type in a given extension block" — a duplicate is
 * illegal_parameter (as rustls and Go do). The number of extensions is
 * bounded only by the block length (at most 16383 in 2^16-1 bytes): a server
 * "MUST correctly ignore all unrecognized ... extensions" (§9.3), and
 * tlsfuzzer sends 4096 of them at once.
 */
export function readExtensions(r: Reader, min: number, max = 0xffff, field = 'extensions'): Extension[] {
  return r.block(2, min, max, field, (b) => {
    const out: Extension[] = [];
    const seen = new Set<number>();
    while (b.remaining > 0) {
      const type = b.u16();
      const data = b.vec16(0, 0xffff, extensionTypeName(type));
      if (seen.has(type)) {
        throw new TlsError('illegal_parameter', `duplicate extension ${extensionTypeName(type)}`);
      }
      seen.add(type);
      out.push({ type, data });
    }
    return out;
  });
}

export function writeExtensions(w: Writer, exts: readonly Extension[], min = 0, max = 0xffff): void {
  w.block(
    2,
    (w) => {
      for (const e of exts) w.u16(e.type).vec16(e.data);
    },
    min,
    max,
  );
}

export function findExtension(exts: readonly Extension[], type: number): Uint8Array | undefined {
  for (const e of exts) if (e.type === type) return e.data;
  return undefined;
}
