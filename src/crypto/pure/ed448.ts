/**
 * Ed448 (RFC 8032 §5.2): pure Ed448 with an empty context, as TLS 1.3
 * (RFC 8446 §4.2.3) and X.509 (RFC 8410 §6) use it. Strict verification:
 * canonical point and scalar encodings, S < L (§5.2.7).
 *
 * The implementation (@noble/curves' ed448) is installed by
 * src/crypto/signatures-install.ts, which every entry but puretls/web loads
 * (puretls/web: `import 'puretls/web/signatures'`); until then Ed448 is
 * unsupported, never silently wrong.
 */
import type { PrivateKey, PublicKey } from '../provider.js';
import { TlsError } from '../../errors.js';

type Ed448PublicKey = Extract<PublicKey, { type: 'ed448' }>;
type Ed448PrivateKey = Extract<PrivateKey, { type: 'ed448' }>;

/** RFC 8032 §5.2.5/§5.2.6: 57-octet keys, 114-octet signatures. */
export const ED448_KEY_LENGTH = 57;
export const ED448_SIGNATURE_LENGTH = 114;

/** What puretls needs of Ed448 (the shape of @noble/curves' `ed448`). */
export interface Ed448Implementation {
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, opts: { zip215: boolean }): boolean;
  getPublicKey(secretKey: Uint8Array): Uint8Array;
}

let IMPL: Ed448Implementation | undefined;

export function installEd448(impl: Ed448Implementation): void {
  IMPL = impl;
}

export function ed448Installed(): boolean {
  return IMPL !== undefined;
}

/** The error for Ed448 in a puretls/web build without `puretls/web/signatures`. */
export const ED448_NOT_INSTALLED = "Ed448 is not part of puretls/web's default build: add `import 'puretls/web/signatures';` (or use puretls/core)";

function impl(): Ed448Implementation {
  if (!IMPL) throw new TlsError('internal_error', ED448_NOT_INSTALLED);
  return IMPL;
}

export function pureEd448Verify(key: Ed448PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  if (!IMPL || key.key.length !== ED448_KEY_LENGTH || signature.length !== ED448_SIGNATURE_LENGTH) return false;
  try {
    return IMPL.verify(signature, message, key.key, { zip215: false });
  } catch {
    return false;
  }
}

export function pureEd448Sign(key: Ed448PrivateKey, message: Uint8Array): Uint8Array {
  if (key.seed.length !== ED448_KEY_LENGTH) throw new TlsError('internal_error', 'Ed448 private key must be 57 bytes');
  return impl().sign(message, key.seed);
}

/** The public key of a 57-octet Ed448 private key (RFC 8032 §5.2.5). */
export function ed448PublicKey(seed: Uint8Array): Uint8Array {
  return impl().getPublicKey(seed);
}
