/**
 * CompressedCertificate, RFC 8879 §4:
 *   struct { CertificateCompressionAlgorithm algorithm; uint24 uncompressed_length;
 *            opaque compressed_certificate_message<1..2^24-1>; } CompressedCertificate;
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';

export interface CompressedCertificate {
  readonly type: 'compressed_certificate';
  readonly algorithm: number;
  readonly uncompressedLength: number;
  readonly data: Uint8Array;
}

export function decodeCompressedCertificate(r: Reader): CompressedCertificate {
  const algorithm = r.u16();
  const uncompressedLength = r.u24();
  const data = r.vec24(1, 0xffffff, 'compressed_certificate_message');
  return { type: 'compressed_certificate', algorithm, uncompressedLength, data };
}

export function encodeCompressedCertificate(w: Writer, m: CompressedCertificate): void {
  w.u16(m.algorithm);
  w.u24(m.uncompressedLength);
  w.vec24(m.data, 1, 0xffffff);
}
