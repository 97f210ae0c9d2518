/**
 * pre_shared_key and early_data, RFC 8446 §4.2.10–4.2.11:
 *   struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
 *   opaque PskBinderEntry<32..255>;
 *   struct { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; } OfferedPsks;
 *   ServerHello: uint16 selected_identity;
 *   early_data: empty in ClientHello/EncryptedExtensions, uint32 max_early_data_size in NewSessionTicket.
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

export interface PskIdentity {
  readonly identity: Uint8Array;
  readonly obfuscatedTicketAge: number;
}

export interface OfferedPsks {
  readonly identities: readonly PskIdentity[];
  readonly binders: readonly Uint8Array[];
}

export function decodeOfferedPsks(d: Uint8Array): OfferedPsks {
  const r = new Reader(d, 0, d.length, 'pre_shared_key');
  const identities = r.block(2, 7, 0xffff, 'identities', (l) => {
    const out: PskIdentity[] = [];
    while (l.remaining > 0) out.push({ identity: l.vec16(1, 0xffff, 'identity'), obfuscatedTicketAge: l.u32() });
    return out;
  });
  const binders = r.block(2, 33, 0xffff, 'binders', (l) => {
    const out: Uint8Array[] = [];
    while (l.remaining > 0) out.push(l.vec8(32, 255, 'PskBinderEntry'));
    return out;
  });
  r.expectEnd();
  // RFC 8446 §4.2.11: one binder per identity.
  if (identities.length !== binders.length) throw new TlsError('illegal_parameter', 'pre_shared_key: identities and binders differ in number');
  return { identities, binders };
}

export function encodeOfferedPsks(psks: OfferedPsks): Extension {
  const w = new Writer(128);
  w.block(2, (w) => { for (const p of psks.identities) w.vec16(p.identity, 1, 0xffff).u32(p.obfuscatedTicketAge); }, 7, 0xffff);
  w.block(2, (w) => { for (const b of psks.binders) w.vec8(b, 32, 255); }, 33, 0xffff);
  return { type: ExtensionType.pre_shared_key, data: w.finish() };
}

export function decodeSelectedIdentity(d: Uint8Array): number {
  const r = new Reader(d, 0, d.length, 'pre_shared_key');
  const v = r.u16();
  r.expectEnd();
  return v;
}

export function encodeSelectedIdentity(i: number): Extension {
  return { type: ExtensionType.pre_shared_key, data: new Writer(2).u16(i).finish() };
}

/** early_data in ClientHello/EncryptedExtensions: empty. */
export function decodeEarlyDataEmpty(d: Uint8Array): void {
  if (d.length !== 0) throw new TlsError('decode_error', 'early_data: body must be empty');
}

/** early_data in NewSessionTicket: uint32 max_early_data_size. */
export function decodeMaxEarlyDataSize(d: Uint8Array): number {
  const r = new Reader(d, 0, d.length, 'early_data');
  const v = r.u32();
  r.expectEnd();
  return v;
}

export function encodeEarlyDataEmpty(): Extension {
  return { type: ExtensionType.early_data, data: new Uint8Array(0) };
}

export function encodeMaxEarlyDataSize(n: number): Extension {
  return { type: ExtensionType.early_data, data: new Writer(4).u32(n).finish() };
}
