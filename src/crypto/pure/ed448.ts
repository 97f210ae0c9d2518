/**
 * Ed448 (RFC 8032 §5.2) on @noble/curves: pure Ed448 with an empty context,
 * as TLS 1.3 (RFC 8446 §4.2.3) and X.509 (RFC 8410 §6) use it. Strict
 * verification: canonical point and scalar encodings, S < L (§5.2.7).
 */
import { ed448 } from '@noble/curves/ed448.js';
import type { PrivateKey, PublicKey } from '../provider.js';
import { TlsError } from '../../errors.js';

type Ed448PublicKey = Extract<PublicKey, { type: 'ed448' }>;
type Ed448PrivateKey = Extract<PrivateKey, { type: 'ed448' }>;

/** RFC 8032 §5.2.5/§5.2.6: 57-octet keys, 114-octet signatures. */
export const ED448_KEY_LENGTH = 57;
export const ED448_SIGNATURE_LENGTH = 114;

export function pureEd448Verify(key: Ed448PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (key.key.length !== ED448_KEY_LENGTH || signature.length !== ED448_SIGNATURE_LENGTH) return false;
  try {
    return ed448.verify(signature, message, key.key, { zip215: false });
  } catch {
    return false;
  }
}

export function pureEd448Sign(key: Ed448PrivateKey, message: Uint8Array): Uint8Array {
  if (key.seed.length !== ED448_KEY_LENGTH) throw new TlsError('internal_error', 'Ed448 private key must be 57 bytes');
  return ed448.sign(message, key.seed);
}

/** The public key of a 57-octet Ed448 private key (RFC 8032 §5.2.5). */
export function ed448PublicKey(seed: Uint8Array): Uint8Array {
  return ed448.getPublicKey(seed);
}
