/**
 * key_share, RFC 8446 §4.2.8:
 *   struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 *   ClientHello:       KeyShareEntry client_shares<0..2^16-1>;
 *   HelloRetryRequest: NamedGroup selected_group;
 *   ServerHello:       KeyShareEntry server_share;
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { checkKeyShareEntry } from '../../crypto/group-rules.js';
import { TlsError } from '../../errors.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

export interface KeyShareEntry {
  readonly group: number;
  readonly keyExchange: Uint8Array;
}

/** One KeyShareEntry; its length is checked against the group (§4.2.8.2): illegal_parameter, not decode_error, for a known group. */
function readEntry(r: Reader, sender: 'client' | 'server'): KeyShareEntry {
  const group = r.u16();
  const keyExchange = r.vec16(0, 0xffff, 'key_exchange');
  checkKeyShareEntry(group, keyExchange, sender);
  return { group, keyExchange };
}

export function decodeKeyShareClient(d: Uint8Array): KeyShareEntry[] {
  const r = new Reader(d, 0, d.length, 'key_share');
  const shares = r.block(2, 0, 0xffff, 'client_shares', (l) => {
    const out: KeyShareEntry[] = [];
    const seen = new Set<number>(); // a Set: a peer may send thousands of entries
    while (l.remaining > 0) {
      const e = readEntry(l, 'client');
      // RFC 8446 §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group."
      if (seen.has(e.group)) throw new TlsError('illegal_parameter', 'key_share: two shares for one group');
      seen.add(e.group);
      out.push(e);
    }
    return out;
  });
  r.expectEnd();
  return shares;
}

export function encodeKeyShareClient(shares: readonly KeyShareEntry[]): Extension {
  const w = new Writer(64);
  w.block(2, (w) => { for (const s of shares) w.u16(s.group).vec16(s.keyExchange, 1, 0xffff); });
  return { type: ExtensionType.key_share, data: w.finish() };
}

export function decodeKeyShareServer(d: Uint8Array): KeyShareEntry {
  const r = new Reader(d, 0, d.length, 'key_share');
  const e = readEntry(r, 'server');
  r.expectEnd();
  return e;
}

export function encodeKeyShareServer(share: KeyShareEntry): Extension {
  const w = new Writer(share.keyExchange.length + 4);
  w.u16(share.group).vec16(share.keyExchange, 1, 0xffff);
  return { type: ExtensionType.key_share, data: w.finish() };
}

export function decodeKeyShareHrr(d: Uint8Array): number {
  const r = new Reader(d, 0, d.length, 'key_share');
  const g = r.u16();
  r.expectEnd();
  return g;
}

export function encodeKeyShareHrr(group: number): Extension {
  return { type: ExtensionType.key_share, data: new Writer(2).u16(group).finish() };
}
