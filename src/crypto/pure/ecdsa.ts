/**
 * ECDSA (FIPS 186-5) over P-256/P-384/P-521 on @noble/curves. The caller
 * picks the hash (X.509 may pair SHA-384 with a P-256 key): we hash here and
 * call noble with prehash disabled. Signatures are DER; high-S signatures are
 * valid (neither TLS nor X.509 requires low-S), malformed DER is rejected.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { HashAlgorithm, PrivateKey, PublicKey } from '../provider.js';
import { TlsError } from '../../errors.js';
import { EC_CURVES, ecdsaDerToRaw, type EcCurveName } from '../ecdsa-der.js';
import { pureHash } from './hash.js';

type EcPublicKey = Extract<PublicKey, { type: 'ec' }>;
type EcPrivateKey = Extract<PrivateKey, { type: 'ec' }>;

export function nobleCurve(curve: EcCurveName): typeof p256 {
  switch (curve) {
    case 'P-256': return p256;
    case 'P-384': return p384;
    case 'P-521': return p521;
    default: throw new TlsError('internal_error', `unsupported curve ${String(curve)}`);
  }
}

export function pureEcdsaVerify(hash: HashAlgorithm, key: EcPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const raw = ecdsaDerToRaw(signature, key.curve);
  if (!raw) return false;
  try {
    const digest = pureHash(hash).digest(message);
    return nobleCurve(key.curve).verify(raw, digest, key.point, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

/** Deterministic ECDSA (RFC 6979), DER output. */
export function pureEcdsaSign(hash: HashAlgorithm, key: EcPrivateKey, message: Uint8Array): Uint8Array {
  if (key.d.length !== EC_CURVES[key.curve].byteLength) throw new TlsError('internal_error', `${key.curve} private key must be ${EC_CURVES[key.curve].byteLength} bytes`);
  const digest = pureHash(hash).digest(message);
  return nobleCurve(key.curve).sign(digest, key.d, { prehash: false, format: 'der' });
}
