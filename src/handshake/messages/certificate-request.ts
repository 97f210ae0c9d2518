/**
 * CertificateRequest, RFC 8446 §4.3.2:
 *   opaque certificate_request_context<0..2^8-1>;
 *   Extension extensions<2..2^16-1>;
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';
import { readExtensions, writeExtensions, type Extension } from '../extensions/list.js';

export interface CertificateRequest {
  readonly type: 'certificate_request';
  readonly context: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function decodeCertificateRequest(r: Reader): CertificateRequest {
  const context = r.vec8(0, 0xff, 'certificate_request_context');
  return { type: 'certificate_request', context, extensions: readExtensions(r, 2) };
}

export function encodeCertificateRequest(w: Writer, m: CertificateRequest): void {
  w.vec8(m.context, 0, 0xff);
  writeExtensions(w, m.extensions, 2);
}
