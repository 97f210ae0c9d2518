/**
 * ML-DSA (FIPS 204) on @noble/post-quantum: the pure variant (Algorithms 2
 * and 3, not HashML-DSA) with an empty context string, as TLS 1.3
 * (draft-ietf-tls-mldsa §3) and X.509 (RFC 9881 §3) use it. Keys and
 * signatures are the raw FIPS 204 encodings; lengths are checked first.
 *
 * The implementation (~4 kB gzip) is installed by src/crypto/signatures-install.ts,
 * which every entry but puretls/web loads (puretls/web: `import
 * 'puretls/web/signatures'`). Until then ML-DSA keys and signature algorithms
 * are unsupported (unsupported_certificate, a configuration error naming
 * the option), never silently wrong.
 */
import type { MlDsaLevel, PrivateKey, PublicKey, RandomSource } from '../provider.js';
import { TlsError } from '../../errors.js';

/** What puretls needs of one ML-DSA parameter set (the shape of @noble/post-quantum's ml_dsa44/65/87). */
export interface MlDsaImplementation {
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  getPublicKey(secretKey: Uint8Array): Uint8Array;
  sign(message: Uint8Array, secretKey: Uint8Array, opts?: { extraEntropy?: Uint8Array }): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

let IMPL: Readonly<Record<MlDsaLevel, MlDsaImplementation>> | undefined;

/** Install the ML-DSA implementation (done by src/crypto/signatures-install.ts). */
export function installMlDsa(impl: Readonly<Record<MlDsaLevel, MlDsaImplementation>>): void {
  IMPL = impl;
}

/** Whether ML-DSA is available (installed by every entry but bare puretls/web). */
export function mlDsaInstalled(): boolean {
  return IMPL !== undefined;
}

/** The error for using ML-DSA in a puretls/web build without `puretls/web/signatures`. */
export const MLDSA_NOT_INSTALLED = "ML-DSA is not part of puretls/web's default build: add `import 'puretls/web/signatures';` (or use puretls/core)";

function impl(level: MlDsaLevel): MlDsaImplementation {
  if (!IMPL) throw new TlsError('internal_error', MLDSA_NOT_INSTALLED);
  return IMPL[level];
}

type MlDsaPublicKey = Extract<PublicKey, { type: 'mldsa' }>;
type MlDsaPrivateKey = Extract<PrivateKey, { type: 'mldsa' }>;

/** FIPS 204 Table 2: public key, secret key and signature sizes in octets. */
export const MLDSA_SIZES: Record<MlDsaLevel, { publicKey: number; secretKey: number; signature: number }> = {
  44: { publicKey: 1312, secretKey: 2560, signature: 2420 },
  65: { publicKey: 1952, secretKey: 4032, signature: 3309 },
  87: { publicKey: 2592, secretKey: 4896, signature: 4627 },
};

/** FIPS 204 §3.6.3 / RFC 9881 §6: the private key seed ξ is 32 octets. */
export const MLDSA_SEED_LENGTH = 32;

export function pureMlDsaVerify(level: MlDsaLevel, key: MlDsaPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (key.level !== level) return false;
  const sizes = MLDSA_SIZES[level];
  if (key.key.length !== sizes.publicKey || signature.length !== sizes.signature) return false;
  if (!IMPL) return false;
  try {
    return IMPL[level].verify(signature, message, key.key);
  } catch {
    return false;
  }
}

/**
 * Hedged signing (FIPS 204 §3.4): 32 random octets from `random` when the
 * caller injects it (reproducible tests), else from the library's CSPRNG.
 */
export function pureMlDsaSign(level: MlDsaLevel, key: MlDsaPrivateKey, message: Uint8Array, random?: RandomSource): Uint8Array {
  if (key.level !== level || key.secretKey.length !== MLDSA_SIZES[level].secretKey) {
    throw new TlsError('internal_error', `ML-DSA-${level} signing needs an ML-DSA-${level} private key`);
  }
  const m = impl(level);
  return random ? m.sign(message, key.secretKey, { extraEntropy: random(32) }) : m.sign(message, key.secretKey);
}

/** Expand a 32-octet seed into a key pair (FIPS 204 Algorithm 6, ML-DSA.KeyGen_internal). */
export function mlDsaKeyFromSeed(level: MlDsaLevel, seed: Uint8Array): MlDsaPrivateKey {
  if (seed.length !== MLDSA_SEED_LENGTH) throw new TlsError('internal_error', 'ML-DSA seed must be 32 bytes');
  const { secretKey, publicKey } = impl(level).keygen(seed);
  return { type: 'mldsa', level, seed: Uint8Array.from(seed), secretKey, key: publicKey };
}

/** The public key of an expanded ML-DSA secret key (FIPS 204 §6.1: derived from ρ and t). */
export function mlDsaPublicKey(level: MlDsaLevel, secretKey: Uint8Array): Uint8Array {
  return impl(level).getPublicKey(secretKey);
}
