/**
 * CertificateVerify, RFC 8446 §4.4.3:
 *   SignatureScheme algorithm; opaque signature<0..2^16-1>;
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';

export interface CertificateVerify {
  readonly type: 'certificate_verify';
  readonly scheme: number;
  readonly signature: Uint8Array;
}

export function decodeCertificateVerify(r: Reader): CertificateVerify {
  return { type: 'certificate_verify', scheme: r.u16(), signature: r.vec16(0, 0xffff, 'signature') };
}

export function encodeCertificateVerify(w: Writer, m: CertificateVerify): void {
  w.u16(m.scheme).vec16(m.signature);
}
