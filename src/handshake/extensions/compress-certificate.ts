/**
 * compress_certificate, RFC 8879 §3:
 *   struct { CertificateCompressionAlgorithm algorithms<2..2^8-2>; } CertificateCompressionAlgorithms;
 * Sent in ClientHello (for the server's certificate) and CertificateRequest
 * (for the client's).
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

export function encodeCompressCertificate(algorithms: readonly number[]): Extension {
  const w = new Writer(2 + 2 * algorithms.length);
  w.block(1, (w) => { for (const a of algorithms) w.u16(a); }, 2, 0xfe);
  return { type: ExtensionType.compress_certificate, data: w.finish() };
}

/** The peer's list: empty, odd or trailing bytes → decode_error (the <2..2^8-2> bounds); a repeated algorithm → illegal_parameter. */
export function decodeCompressCertificate(d: Uint8Array): number[] {
  const r = new Reader(d, 0, d.length, 'compress_certificate');
  const list = r.u16List(1, 2, 0xfe, 'algorithms');
  r.expectEnd();
  if (new Set(list).size !== list.length) throw new TlsError('illegal_parameter', 'compress_certificate lists an algorithm twice');
  return list;
}
