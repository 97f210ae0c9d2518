/**
 * Ed25519 (RFC 8032 §5.1) on @noble/curves, strict RFC 8032 verification
 * (canonical encodings, S < L; not the permissive ZIP-215 rules).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { PrivateKey, PublicKey } from '../provider.js';
import { TlsError } from '../../errors.js';

type EdPublicKey = Extract<PublicKey, { type: 'ed25519' }>;
type EdPrivateKey = Extract<PrivateKey, { type: 'ed25519' }>;

export function pureEd25519Verify(key: EdPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (key.key.length !== 32 || signature.length !== 64) return false;
  try {
    return ed25519.verify(signature, message, key.key, { zip215: false });
  } catch {
    return false;
  }
}

export function pureEd25519Sign(key: EdPrivateKey, message: Uint8Array): Uint8Array {
  if (key.seed.length !== 32) throw new TlsError('internal_error', 'Ed25519 private key seed must be 32 bytes');
  return ed25519.sign(message, key.seed);
}
