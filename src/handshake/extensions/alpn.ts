/**
 * application_layer_protocol_negotiation, RFC 7301 §3.1:
 *   opaque ProtocolName<1..2^8-1>;
 *   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
 * The server's answer "MUST contain exactly one ProtocolName".
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { fromUtf8, utf8 } from '../../util/bytes.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

/** Protocol names are kept as latin1-safe strings (each byte one UTF-8 decoded char for ASCII names). */
export function decodeAlpn(d: Uint8Array): Uint8Array[] {
  const r = new Reader(d, 0, d.length, 'alpn');
  const names = r.block(2, 2, 0xffff, 'protocol_name_list', (l) => {
    const out: Uint8Array[] = [];
    while (l.remaining > 0) out.push(l.vec8(1, 0xff, 'ProtocolName'));
    return out;
  });
  r.expectEnd();
  return names;
}

export function encodeAlpn(names: readonly Uint8Array[]): Extension {
  const w = new Writer(64);
  w.block(2, (w) => { for (const n of names) w.vec8(n, 1, 0xff); }, 2, 0xffff);
  return { type: ExtensionType.application_layer_protocol_negotiation, data: w.finish() };
}

/** The server's ALPN answer: exactly one name. */
export function decodeAlpnSelected(d: Uint8Array): Uint8Array {
  const names = decodeAlpn(d);
  if (names.length !== 1) throw new TlsError('decode_error', 'alpn: server must select exactly one protocol');
  return names[0]!;
}

export const alpnName = (b: Uint8Array): string => fromUtf8(b);
export const alpnBytes = (s: string): Uint8Array => utf8(s);
