/**
 * Small extension bodies:
 *   cookie:                  opaque cookie<1..2^16-1>                           (RFC 8446 §4.2.2)
 *   certificate_authorities: DistinguishedName authorities<3..2^16-1>,
 *                            opaque DistinguishedName<1..2^16-1>              (§4.2.4)
 *   empty bodies (post_handshake_auth, server_name ack, early_data).
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

export function decodeCookie(d: Uint8Array): Uint8Array {
  const r = new Reader(d, 0, d.length, 'cookie');
  const c = r.vec16(1, 0xffff, 'cookie');
  r.expectEnd();
  return c;
}

export function encodeCookie(cookie: Uint8Array): Extension {
  return { type: ExtensionType.cookie, data: new Writer(cookie.length + 2).vec16(cookie, 1, 0xffff).finish() };
}

export function decodeCertificateAuthorities(d: Uint8Array): Uint8Array[] {
  const r = new Reader(d, 0, d.length, 'certificate_authorities');
  const out = r.block(2, 3, 0xffff, 'authorities', (l) => {
    const names: Uint8Array[] = [];
    while (l.remaining > 0) names.push(l.vec16(1, 0xffff, 'DistinguishedName'));
    return names;
  });
  r.expectEnd();
  return out;
}

export function encodeCertificateAuthorities(names: readonly Uint8Array[]): Extension {
  const w = new Writer(256);
  w.block(2, (w) => { for (const n of names) w.vec16(n, 1, 0xffff); }, 3, 0xffff);
  return { type: ExtensionType.certificate_authorities, data: w.finish() };
}

export function expectEmpty(d: Uint8Array, what: string): void {
  if (d.length !== 0) throw new TlsError('decode_error', `${what}: body must be empty`);
}

export function emptyExtension(type: number): Extension {
  return { type, data: new Uint8Array(0) };
}
