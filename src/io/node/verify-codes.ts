/**
 * authorizationError as Node reports it: OpenSSL's X509_V_ERR_* names
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, …) and Node's
 * ERR_TLS_CERT_ALTNAME_INVALID for a name mismatch — mapped in this one
 * table from the codes of src/x509 (VerifyErrorCode) and of the
 * server-identity check.
 */
import { decodeCertificate } from '../../x509/certificate.js';
import { namesEqual } from '../../x509/name.js';

const NODE_CODE: Readonly<Record<string, string>> = {
  expired: 'CERT_HAS_EXPIRED',
  'not-yet-valid': 'CERT_NOT_YET_VALID',
  'bad-signature': 'CERT_SIGNATURE_FAILURE',
  'name-mismatch': 'ERR_TLS_CERT_ALTNAME_INVALID',
  'no-reference-name': 'ERR_TLS_CERT_ALTNAME_INVALID',
  'not-a-ca': 'INVALID_CA',
  'path-length': 'PATH_LENGTH_EXCEEDED',
  'key-usage': 'INVALID_PURPOSE',
  'ext-key-usage': 'INVALID_PURPOSE',
  'name-constraints': 'CERT_REJECTED',
  'unknown-critical-extension': 'CERT_REJECTED',
  'unsupported-algorithm': 'CERT_REJECTED',
  malformed: 'CERT_REJECTED',
  'too-complex': 'CERT_CHAIN_TOO_LONG',
  revoked: 'CERT_REVOKED',
  // unknown-issuer: depends on the chain sent, see unknownIssuerCode.
};

/** Whether a certificate names itself as its issuer (a root, or a self-signed leaf). */
function selfIssued(der: Uint8Array): boolean {
  try {
    const c = decodeCertificate(der);
    return namesEqual(c.issuer, c.subject);
  } catch {
    return false;
  }
}

/**
 * OpenSSL's names for "no trusted issuer": a self-signed leaf alone →
 * DEPTH_ZERO_SELF_SIGNED_CERT; a chain ending in a self-signed (untrusted)
 * root → SELF_SIGNED_CERT_IN_CHAIN; intermediates sent but none leads to a
 * trusted CA → UNABLE_TO_GET_ISSUER_CERT_LOCALLY; a leaf alone from an
 * unknown CA → UNABLE_TO_VERIFY_LEAF_SIGNATURE.
 */
function unknownIssuerCode(chain: readonly Uint8Array[]): string {
  if (chain.length === 0) return 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  if (chain.length === 1) return selfIssued(chain[0]!) ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  return selfIssued(chain[chain.length - 1]!) ? 'SELF_SIGNED_CERT_IN_CHAIN' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
}

/**
 * Node's authorizationError for a verification failure `code` (SessionInfo
 * .peerVerifyCode) on `chain` (as the peer sent it). Codes this table does not
 * know (a custom verifier's, or a checkServerIdentity error's own `code`)
 * are returned as they are; `message` stands in when there is no code (Node:
 * `err.code || err.message`).
 */
export function nodeAuthorizationError(code: string | undefined, message: string | undefined, chain: readonly Uint8Array[]): string {
  if (code === 'unknown-issuer') return unknownIssuerCode(chain);
  if (code === 'server-identity' || code === 'verifier-error') return message ?? code;
  if (code === undefined) return message ?? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  return NODE_CODE[code] ?? code;
}
