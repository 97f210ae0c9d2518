/**
 * Receiving the peer's Certificate (RFC 8446 §4.4.2), or the
 * CompressedCertificate that stands for it (RFC 8879 §4), in either role and
 * after the handshake (§4.6.2): the message checks common to all three, in
 * this order. What an empty chain means is the caller's (decode_error from a
 * server, §4.4.2.4; a client's choice to decline), as is checking the chain
 * (peer-certificate.ts) and the transcript (it keeps the message as sent).
 */
import { TlsError } from '../../errors.js';
import { constantTimeEqual } from '../../util/bytes.js';
import { decompressCertificate, type CertificateCompressor } from '../compression.js';
import { checkAllowed, checkSolicited } from '../extensions/allowed.js';
import type { Certificate } from '../messages/certificate.js';
import type { CompressedCertificate } from '../messages/compressed-certificate.js';
import { ExtensionType } from '../messages/types.js';

/** The certificate_request_context of the handshake's Certificate messages (§4.3.2, §4.4.2). */
export const HANDSHAKE_CONTEXT: Uint8Array = new Uint8Array(0);

export interface ExpectedCertificate {
  /** Who sent it. */
  readonly peer: 'server' | 'client';
  /** The certificate_request_context it must echo: empty in the handshake, the CertificateRequest's after it. */
  readonly context: Uint8Array;
  /** Extension types we sent (ClientHello, or our CertificateRequest): entries may only answer these. */
  readonly solicited: ReadonlySet<number>;
  /** Our certificate compression algorithms (offered if `solicited` has compress_certificate). */
  readonly compression: readonly CertificateCompressor[];
  readonly maxMessageSize: number;
}

/** The peer's chain as sent (leaf first; possibly empty). */
export function receiveCertificate(received: Certificate | CompressedCertificate, expected: ExpectedCertificate): Uint8Array[] {
  // RFC 8879 §4: a CompressedCertificate stands for the Certificate if our ClientHello or
  // CertificateRequest offered compress_certificate (decompressCertificate: unexpected_message
  // if not, illegal_parameter for an algorithm we did not offer, bad_certificate when it does
  // not decompress to its uncompressed_length).
  const offered = expected.solicited.has(ExtensionType.compress_certificate) ? expected.compression : undefined;
  const m = received.type === 'certificate' ? received : decompressCertificate(received, offered, expected.maxMessageSize);
  // §4.4.2: "In the case of server authentication, this field SHALL be zero length"; a client's
  // echoes the CertificateRequest's (empty in the handshake, §4.3.2). Otherwise illegal_parameter.
  if (!constantTimeEqual(m.context, expected.context)) {
    throw new TlsError('illegal_parameter', `${expected.peer} Certificate: certificate_request_context does not match${expected.context.length ? ' the outstanding CertificateRequest' : ' (must be empty)'}`);
  }
  // §4.4.2: entry extensions must be allowed in Certificate (illegal_parameter) and answer ones
  // we sent (unsupported_extension), as checkAllowed and checkSolicited decide.
  for (const e of m.entries) {
    checkAllowed(e.extensions, 'CT');
    checkSolicited(e.extensions, expected.solicited, 'CT');
  }
  return m.entries.map((e) => e.data);
}
