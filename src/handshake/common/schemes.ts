/**
 * TLS SignatureScheme codepoints as the handshake uses them (RFC 8446
 * §4.2.3): which SignatureAlgorithm each names, which keys it fits, and
 * whether TLS 1.3 allows it in CertificateVerify (rsa_pkcs1_* and SHA-1
 * schemes are for certificates only).
 */
import type { PrivateKey, PublicKey, SignatureAlgorithm } from '../../crypto/provider.js';
import type { SignatureSchemeName } from '../../connection/types.js';

export interface SchemeInfo {
  readonly code: number;
  readonly name: SignatureSchemeName;
  readonly algorithm: SignatureAlgorithm;
  /** Usable in a TLS 1.3 CertificateVerify. */
  readonly tls13: boolean;
  /** Key this scheme needs: rsa (rsaEncryption), rsa-pss (id-RSASSA-PSS), an EC curve or ed25519. */
  readonly key: 'rsa' | 'rsa-pss' | 'P-256' | 'P-384' | 'P-521' | 'ed25519' | 'rsa-any';
}

const pss = (hash: 'SHA-256' | 'SHA-384' | 'SHA-512', len: number): SignatureAlgorithm => ({ kind: 'rsa-pss', hash, saltLength: len });

export const SCHEMES: readonly SchemeInfo[] = [
  { code: 0x0403, name: 'ecdsa_secp256r1_sha256', algorithm: { kind: 'ecdsa', hash: 'SHA-256' }, tls13: true, key: 'P-256' },
  { code: 0x0503, name: 'ecdsa_secp384r1_sha384', algorithm: { kind: 'ecdsa', hash: 'SHA-384' }, tls13: true, key: 'P-384' },
  { code: 0x0603, name: 'ecdsa_secp521r1_sha512', algorithm: { kind: 'ecdsa', hash: 'SHA-512' }, tls13: true, key: 'P-521' },
  { code: 0x0807, name: 'ed25519', algorithm: { kind: 'ed25519' }, tls13: true, key: 'ed25519' },
  { code: 0x0804, name: 'rsa_pss_rsae_sha256', algorithm: pss('SHA-256', 32), tls13: true, key: 'rsa' },
  { code: 0x0805, name: 'rsa_pss_rsae_sha384', algorithm: pss('SHA-384', 48), tls13: true, key: 'rsa' },
  { code: 0x0806, name: 'rsa_pss_rsae_sha512', algorithm: pss('SHA-512', 64), tls13: true, key: 'rsa' },
  { code: 0x0809, name: 'rsa_pss_pss_sha256', algorithm: pss('SHA-256', 32), tls13: true, key: 'rsa-pss' },
  { code: 0x080a, name: 'rsa_pss_pss_sha384', algorithm: pss('SHA-384', 48), tls13: true, key: 'rsa-pss' },
  { code: 0x080b, name: 'rsa_pss_pss_sha512', algorithm: pss('SHA-512', 64), tls13: true, key: 'rsa-pss' },
  { code: 0x0401, name: 'rsa_pkcs1_sha256', algorithm: { kind: 'rsa-pkcs1', hash: 'SHA-256' }, tls13: false, key: 'rsa-any' },
  { code: 0x0501, name: 'rsa_pkcs1_sha384', algorithm: { kind: 'rsa-pkcs1', hash: 'SHA-384' }, tls13: false, key: 'rsa-any' },
  { code: 0x0601, name: 'rsa_pkcs1_sha512', algorithm: { kind: 'rsa-pkcs1', hash: 'SHA-512' }, tls13: false, key: 'rsa-any' },
];

const byCode = new Map(SCHEMES.map((s) => [s.code, s]));
const byName = new Map(SCHEMES.map((s) => [s.name as string, s]));

export const schemeByCode = (code: number): SchemeInfo | undefined => byCode.get(code);
export const schemeByName = (name: string): SchemeInfo | undefined => byName.get(name);

export function schemeName(code: number): string {
  return byCode.get(code)?.name ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/** Default order of schemes we accept in CertificateVerify (RFC 8446 §4.2.3). */
export const DEFAULT_SCHEMES: readonly SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ed25519',
  'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
  'ecdsa_secp521r1_sha512',
];

/** Certificate-only schemes we also advertise so that common chains (RSA PKCS#1 signed) verify. */
export const CERTIFICATE_ONLY_SCHEMES: readonly SignatureSchemeName[] = ['rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512'];

/** Does this key fit the scheme (RFC 8446 §4.2.3: rsae needs rsaEncryption, pss needs RSASSA-PSS keys). */
export function schemeFitsKey(s: SchemeInfo, key: PublicKey | PrivateKey): boolean {
  switch (key.type) {
    case 'rsa':
      if (s.key === 'rsa-any') return !key.pssOnly;
      return key.pssOnly ? s.key === 'rsa-pss' : s.key === 'rsa';
    case 'ec':
      return s.key === key.curve;
    case 'ed25519':
      return s.key === 'ed25519';
  }
}
