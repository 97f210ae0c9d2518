/**
 * Which extension may appear in which message: the table of RFC 8446 §4.2.
 *
 * "If an implementation receives an extension which it recognizes and which
 * is not specified for the message in which it appears, it MUST abort the
 * handshake with an illegal_parameter alert." Unrecognized extensions are
 * ignored where the RFC says so (ClientHello, CertificateRequest,
 * NewSessionTicket); in ServerHello, HelloRetryRequest, EncryptedExtensions
 * and Certificate a client checks every extension against what it offered
 * (`checkSolicited`): "Upon receiving such an extension, an endpoint MUST
 * abort the handshake with an unsupported_extension alert."
 */
import { TlsError } from '../../errors.js';
import { ExtensionType as E, extensionTypeName } from '../messages/types.js';
import type { Extension } from './list.js';

/** CH ClientHello, SH ServerHello, HRR HelloRetryRequest, EE EncryptedExtensions, CR CertificateRequest, CT Certificate, NST NewSessionTicket. */
export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CR' | 'CT' | 'NST';

const TABLE = new Map<number, readonly ExtensionContext[]>([
  [E.server_name, ['CH', 'EE']],
  [E.max_fragment_length, ['CH', 'EE']],
  [E.status_request, ['CH', 'CR', 'CT']],
  [E.supported_groups, ['CH', 'EE']],
  [E.signature_algorithms, ['CH', 'CR']],
  [E.use_srtp, ['CH', 'EE']],
  [E.heartbeat, ['CH', 'EE']],
  [E.application_layer_protocol_negotiation, ['CH', 'EE']],
  [E.signed_certificate_timestamp, ['CH', 'CR', 'CT']],
  [E.client_certificate_type, ['CH', 'EE']],
  [E.server_certificate_type, ['CH', 'EE']],
  [E.padding, ['CH']],
  [E.record_size_limit, ['CH', 'EE']], // RFC 8449 §4
  [E.compress_certificate, ['CH', 'CR']], // RFC 8879 §3
  [E.key_share, ['CH', 'SH', 'HRR']],
  [E.pre_shared_key, ['CH', 'SH']],
  [E.psk_key_exchange_modes, ['CH']],
  [E.early_data, ['CH', 'EE', 'NST']],
  [E.cookie, ['CH', 'HRR']],
  [E.supported_versions, ['CH', 'SH', 'HRR']],
  [E.certificate_authorities, ['CH', 'CR']],
  [E.oid_filters, ['CR']],
  [E.post_handshake_auth, ['CH']],
  [E.signature_algorithms_cert, ['CH', 'CR']],
]);

/** True when the §4.2 table names this extension type (we "recognize" it). */
export function isTls13Extension(type: number): boolean {
  return TABLE.has(type);
}

/** Throws illegal_parameter for a recognized extension not allowed in `ctx` (RFC 8446 §4.2). */
export function checkAllowed(exts: readonly Extension[], ctx: ExtensionContext): void {
  for (const e of exts) {
    const allowed = TABLE.get(e.type);
    if (allowed && !allowed.includes(ctx)) {
      throw new TlsError('illegal_parameter', `extension ${extensionTypeName(e.type)} is not allowed in ${ctx}`);
    }
  }
  // RFC 8446 §4.2.11: pre_shared_key "MUST be the last extension in the ClientHello".
  if (ctx === 'CH') {
    const i = exts.findIndex((e) => e.type === E.pre_shared_key);
    if (i >= 0 && i !== exts.length - 1) {
      throw new TlsError('illegal_parameter', 'pre_shared_key is not the last extension in ClientHello');
    }
  }
}

/**
 * RFC 8446 §4.2: a response extension the client did not request (other than
 * cookie in HelloRetryRequest) → unsupported_extension.
 */
export function checkSolicited(exts: readonly Extension[], offered: ReadonlySet<number>, ctx: ExtensionContext): void {
  for (const e of exts) {
    if (ctx === 'HRR' && e.type === E.cookie) continue;
    if (!offered.has(e.type)) {
      throw new TlsError('unsupported_extension', `${ctx} carries ${extensionTypeName(e.type)} which was not offered`);
    }
  }
}
