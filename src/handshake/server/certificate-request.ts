/**
 * The extensions of the server's CertificateRequest (RFC 8446 §4.3.2), the
 * same in the handshake and after it (§4.6.2): signature_algorithms (the
 * schemes we accept in the client's CertificateVerify; "MUST be specified")
 * certificate_authorities when configured, and compress_certificate (RFC
 * 8879 §3: the algorithms we can decompress the client's chain with).
 */
import type { ResolvedServer } from '../config.js';
import type { Extension } from '../extensions/list.js';
import { encodeSignatureAlgorithms } from '../extensions/lists.js';
import { encodeCertificateAuthorities } from '../extensions/misc.js';
import { encodeCompressCertificate } from '../extensions/compress-certificate.js';

export function certificateRequestExtensions(c: ResolvedServer): Extension[] {
  const cr: Extension[] = [encodeSignatureAlgorithms(c.schemes.map((s) => s.code))];
  if (c.clientCertificateAuthorities.length > 0) cr.push(encodeCertificateAuthorities(c.clientCertificateAuthorities));
  if (c.certificateCompression.length > 0) cr.push(encodeCompressCertificate(c.certificateCompression.map((k) => k.algorithm)));
  return cr;
}
