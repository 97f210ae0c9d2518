/**
 * ML-DSA (FIPS 204) on @noble/post-quantum: the pure variant (Algorithms 2
 * and 3, not HashML-DSA) with an empty context string, as TLS 1.3
 * (draft-ietf-tls-mldsa §3) and X.509 (RFC 9881 §3) use it. Keys and
 * signatures are the raw FIPS 204 encodings; lengths are checked first.
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { MlDsaLevel, PrivateKey, PublicKey, RandomSource } from '../provider.js';
import { TlsError } from '../../errors.js';

type MlDsaPublicKey = Extract<PublicKey, { type: 'mldsa' }>;
type MlDsaPrivateKey = Extract<PrivateKey, { type: 'mldsa' }>;

const IMPL = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const;

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
  return random ? IMPL[level].sign(message, key.secretKey, { extraEntropy: random(32) }) : IMPL[level].sign(message, key.secretKey);
}

/** Expand a 32-octet seed into a key pair (FIPS 204 Algorithm 6, ML-DSA.KeyGen_internal). */
export function mlDsaKeyFromSeed(level: MlDsaLevel, seed: Uint8Array): MlDsaPrivateKey {
  if (seed.length !== MLDSA_SEED_LENGTH) throw new TlsError('internal_error', 'ML-DSA seed must be 32 bytes');
  const { secretKey, publicKey } = IMPL[level].keygen(seed);
  return { type: 'mldsa', level, seed: Uint8Array.from(seed), secretKey, key: publicKey };
}

/** The public key of an expanded ML-DSA secret key (FIPS 204 §6.1: derived from ρ and t). */
export function mlDsaPublicKey(level: MlDsaLevel, secretKey: Uint8Array): Uint8Array {
  return IMPL[level].getPublicKey(secretKey);
}
