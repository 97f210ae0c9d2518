/**
 * The TLS SignatureScheme table (RFC 8446 §4.2.3): codepoint ↔ name ↔
 * SignatureAlgorithm ↔ the key the scheme needs.
 *
 * - rsa_pss_rsae_* need an rsaEncryption key, rsa_pss_pss_* an id-RSASSA-PSS
 *   (pssOnly) key; PSS salt length = hash length (RFC 8446 §4.2.3).
 * - ecdsa_secpXXXrY_shaZ fix both the curve and the hash.
 * - rsa_pkcs1_* are valid only in certificate signatures, never in a TLS 1.3
 *   CertificateVerify (RFC 8446 §4.4.3).
 * - mldsa44/65/87 (draft-ietf-tls-mldsa §2, IANA-registered 0x0904–0x0906):
 *   pure ML-DSA with an empty context; TLS 1.3 only. Never in our default
 *   offer (src/handshake/common/schemes.ts): a user opts in.
 * The shape matches src/handshake/common/schemes.ts `SchemeInfo`.
 */
import type { HashAlgorithm, PrivateKey, PublicKey, SignatureAlgorithm } from './provider.js';

/** A TLS SignatureScheme name as in RFC 8446 §4.2.3 (e.g. `ecdsa_secp256r1_sha256`). */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256' | 'ecdsa_secp384r1_sha384' | 'ecdsa_secp521r1_sha512'
  | 'rsa_pss_rsae_sha256' | 'rsa_pss_rsae_sha384' | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256' | 'rsa_pss_pss_sha384' | 'rsa_pss_pss_sha512'
  | 'ed25519' | 'ed448'
  | 'mldsa44' | 'mldsa65' | 'mldsa87'
  | 'rsa_pkcs1_sha256' | 'rsa_pkcs1_sha384' | 'rsa_pkcs1_sha512';

/**
 * The key a scheme needs: rsaEncryption, id-RSASSA-PSS, either RSA (PKCS#1
 * v1.5 certificate signatures: rsaEncryption only), a curve, Ed25519, Ed448,
 * or an ML-DSA key of that parameter set.
 */
export type SchemeKey = 'rsa' | 'rsa-pss' | 'rsa-any' | 'P-256' | 'P-384' | 'P-521' | 'ed25519' | 'ed448' | 'mldsa44' | 'mldsa65' | 'mldsa87';

export interface SignatureScheme {
  readonly code: number;
  readonly name: SignatureSchemeName;
  readonly algorithm: SignatureAlgorithm;
  /** Allowed in a TLS 1.3 CertificateVerify (RFC 8446 §4.4.3). */
  readonly tls13: boolean;
  readonly key: SchemeKey;
}

const HASH_LENGTH: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

const pss = (hash: HashAlgorithm): SignatureAlgorithm => ({ kind: 'rsa-pss', hash, saltLength: HASH_LENGTH[hash] });

/** In our preference order for signing: TLS 1.3 schemes first, certificate-only last. */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = Object.freeze([
  { code: 0x0403, name: 'ecdsa_secp256r1_sha256', algorithm: { kind: 'ecdsa', hash: 'SHA-256' }, tls13: true, key: 'P-256' },
  { code: 0x0503, name: 'ecdsa_secp384r1_sha384', algorithm: { kind: 'ecdsa', hash: 'SHA-384' }, tls13: true, key: 'P-384' },
  { code: 0x0603, name: 'ecdsa_secp521r1_sha512', algorithm: { kind: 'ecdsa', hash: 'SHA-512' }, tls13: true, key: 'P-521' },
  { code: 0x0807, name: 'ed25519', algorithm: { kind: 'ed25519' }, tls13: true, key: 'ed25519' },
  { code: 0x0808, name: 'ed448', algorithm: { kind: 'ed448' }, tls13: true, key: 'ed448' },
  { code: 0x0804, name: 'rsa_pss_rsae_sha256', algorithm: pss('SHA-256'), tls13: true, key: 'rsa' },
  { code: 0x0805, name: 'rsa_pss_rsae_sha384', algorithm: pss('SHA-384'), tls13: true, key: 'rsa' },
  { code: 0x0806, name: 'rsa_pss_rsae_sha512', algorithm: pss('SHA-512'), tls13: true, key: 'rsa' },
  { code: 0x0809, name: 'rsa_pss_pss_sha256', algorithm: pss('SHA-256'), tls13: true, key: 'rsa-pss' },
  { code: 0x080a, name: 'rsa_pss_pss_sha384', algorithm: pss('SHA-384'), tls13: true, key: 'rsa-pss' },
  { code: 0x080b, name: 'rsa_pss_pss_sha512', algorithm: pss('SHA-512'), tls13: true, key: 'rsa-pss' },
  { code: 0x0904, name: 'mldsa44', algorithm: { kind: 'mldsa', level: 44 }, tls13: true, key: 'mldsa44' },
  { code: 0x0905, name: 'mldsa65', algorithm: { kind: 'mldsa', level: 65 }, tls13: true, key: 'mldsa65' },
  { code: 0x0906, name: 'mldsa87', algorithm: { kind: 'mldsa', level: 87 }, tls13: true, key: 'mldsa87' },
  { code: 0x0401, name: 'rsa_pkcs1_sha256', algorithm: { kind: 'rsa-pkcs1', hash: 'SHA-256' }, tls13: false, key: 'rsa-any' },
  { code: 0x0501, name: 'rsa_pkcs1_sha384', algorithm: { kind: 'rsa-pkcs1', hash: 'SHA-384' }, tls13: false, key: 'rsa-any' },
  { code: 0x0601, name: 'rsa_pkcs1_sha512', algorithm: { kind: 'rsa-pkcs1', hash: 'SHA-512' }, tls13: false, key: 'rsa-any' },
] satisfies SignatureScheme[]);

const byCode = new Map<number, SignatureScheme>(SIGNATURE_SCHEMES.map((s) => [s.code, s]));
const byName = new Map<string, SignatureScheme>(SIGNATURE_SCHEMES.map((s) => [s.name, s]));

export function schemeByCode(code: number): SignatureScheme | undefined {
  return byCode.get(code);
}

export function schemeByName(name: string): SignatureScheme | undefined {
  return byName.get(name);
}

/** RFC 8446 §4.4.3: rsa_pkcs1_* (and unknown codepoints) are not allowed in CertificateVerify. */
export function isTls13SignatureScheme(scheme: SignatureScheme | number | string): boolean {
  const s = typeof scheme === 'number' ? byCode.get(scheme) : typeof scheme === 'string' ? byName.get(scheme) : scheme;
  return s?.tls13 === true;
}

function rsaBits(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * Can `key` produce/verify signatures under `scheme`? Key type (and curve)
 * must match; rsae needs rsaEncryption, pss a PSS-only key (RFC 8446 §4.2.3);
 * RSA-PSS also needs a modulus large enough for hash and salt (RFC 8017
 * §9.1.1: emLen >= 2·hLen + 2, so no rsa_pss_*_sha512 with RSA-1024).
 */
export function keyMatchesScheme(key: PublicKey | PrivateKey, scheme: SignatureScheme): boolean {
  switch (key.type) {
    case 'rsa': {
      if (scheme.key === 'rsa-any') return !key.pssOnly;
      if (scheme.key !== (key.pssOnly ? 'rsa-pss' : 'rsa')) return false;
      if (scheme.algorithm.kind !== 'rsa-pss') return false;
      const emLen = Math.ceil((rsaBits(key.n) - 1) / 8);
      return emLen >= HASH_LENGTH[scheme.algorithm.hash] + scheme.algorithm.saltLength + 2;
    }
    case 'ec':
      return scheme.key === key.curve;
    case 'ed25519':
      return scheme.key === 'ed25519';
    case 'ed448':
      return scheme.key === 'ed448';
    case 'mldsa':
      return scheme.key === `mldsa${key.level}`;
    default:
      return false;
  }
}

/** Every scheme `key` fits, in SIGNATURE_SCHEMES order (TLS 1.3 ones first; filter with isTls13SignatureScheme for CertificateVerify). */
export function schemesForKey(key: PublicKey | PrivateKey): SignatureScheme[] {
  return SIGNATURE_SCHEMES.filter((s) => keyMatchesScheme(key, s));
}
