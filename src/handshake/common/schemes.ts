/**
 * TLS SignatureScheme codepoints as the handshake uses them (RFC 8446
 * §4.2.3): which SignatureAlgorithm each names, which keys it fits, and
 * whether TLS 1.3 allows it in CertificateVerify (rsa_pkcs1_* and SHA-1
 * schemes are for certificates only).
 */
import type { PrivateKey, PublicKey } from '../../crypto/provider.js';
import {
  keyMatchesScheme, schemeByCode, schemeByName, SIGNATURE_SCHEMES, type SignatureScheme, type SignatureSchemeName,
} from '../../crypto/schemes.js';

/** The shared SignatureScheme table lives in src/crypto/schemes.ts. */
export type SchemeInfo = SignatureScheme;
export const SCHEMES = SIGNATURE_SCHEMES;
export { schemeByCode, schemeByName };

export function schemeName(code: number): string {
  return schemeByCode(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/**
 * Default order of schemes we accept in CertificateVerify (RFC 8446 §4.2.3).
 * The ML-DSA schemes (mldsa44/65/87) are opt-in: list them in
 * `signatureSchemes` to offer and accept them.
 */
export const DEFAULT_SCHEMES: readonly SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ed25519',
  'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
  'ecdsa_secp521r1_sha512', 'ed448',
];

/** Certificate-only schemes we also advertise so that common chains (RSA PKCS#1 signed) verify. */
export const CERTIFICATE_ONLY_SCHEMES: readonly SignatureSchemeName[] = ['rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512'];

/** Does this key fit the scheme (RFC 8446 §4.2.3: rsae needs rsaEncryption, pss needs RSASSA-PSS keys). */
export function schemeFitsKey(s: SchemeInfo, key: PublicKey | PrivateKey): boolean {
  return keyMatchesScheme(key, s);
}
