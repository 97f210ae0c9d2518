/**
 * Signature dispatch for the pure provider: SignatureAlgorithm × key type.
 * `verify` answers false (never throws) for a wrong signature or when the key
 * does not fit the algorithm (ECDSA with an RSA key, PKCS#1 with a PSS-only key,
 * ML-DSA-65 with an ML-DSA-44 key).
 */
import { TlsError } from '../../errors.js';
import type { PrivateKey, PublicKey, RandomSource, SignatureAlgorithm } from '../provider.js';
import { pureEcdsaSign, pureEcdsaVerify } from './ecdsa.js';
import { pureEd25519Sign, pureEd25519Verify } from './eddsa.js';
import { pureEd448Sign, pureEd448Verify } from './ed448.js';
import { pureMlDsaSign, pureMlDsaVerify } from './mldsa.js';
import { pureRsaPkcs1Sign, pureRsaPkcs1Verify, pureRsaPssSign, pureRsaPssVerify } from './rsa.js';

/** Whether `key` can be used with `alg` at all (type match; PKCS#1 v1.5 never with a PSS-only key). */
export function keyFitsAlgorithm(alg: SignatureAlgorithm, key: PublicKey | PrivateKey): boolean {
  switch (alg.kind) {
    case 'ecdsa': return key.type === 'ec';
    case 'ed25519': return key.type === 'ed25519';
    case 'ed448': return key.type === 'ed448';
    case 'mldsa': return key.type === 'mldsa' && key.level === alg.level;
    case 'rsa-pss': return key.type === 'rsa';
    case 'rsa-pkcs1': return key.type === 'rsa' && !key.pssOnly;
    default: return false;
  }
}

export function pureVerify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!keyFitsAlgorithm(alg, key)) return false;
    switch (alg.kind) {
      case 'ecdsa': return key.type === 'ec' && pureEcdsaVerify(alg.hash, key, message, signature);
      case 'ed25519': return key.type === 'ed25519' && pureEd25519Verify(key, message, signature);
      case 'ed448': return key.type === 'ed448' && pureEd448Verify(key, message, signature);
      case 'mldsa': return key.type === 'mldsa' && pureMlDsaVerify(alg.level, key, message, signature);
      case 'rsa-pss': return key.type === 'rsa' && pureRsaPssVerify(alg, key, message, signature);
      case 'rsa-pkcs1': return key.type === 'rsa' && pureRsaPkcs1Verify(alg.hash, key, message, signature);
      default: return false;
    }
  } catch {
    return false;
  }
}

export function pureSign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random?: RandomSource): Uint8Array {
  if (!keyFitsAlgorithm(alg, key)) throw new TlsError('internal_error', `cannot sign ${alg.kind} with a ${key.type}${key.type === 'rsa' && key.pssOnly ? ' (PSS-only)' : ''} key`);
  switch (alg.kind) {
    case 'ecdsa': if (key.type === 'ec') return pureEcdsaSign(alg.hash, key, message); break;
    case 'ed25519': if (key.type === 'ed25519') return pureEd25519Sign(key, message); break;
    case 'ed448': if (key.type === 'ed448') return pureEd448Sign(key, message); break;
    case 'mldsa': if (key.type === 'mldsa') return pureMlDsaSign(alg.level, key, message, random); break;
    case 'rsa-pss': if (key.type === 'rsa') return pureRsaPssSign(alg, key, message, random); break;
    case 'rsa-pkcs1': if (key.type === 'rsa') return pureRsaPkcs1Sign(alg.hash, key, message); break;
  }
  throw new TlsError('internal_error', 'unsupported signature algorithm');
}
