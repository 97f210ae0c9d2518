/**
 * Does a private key belong to a certificate? Checked when a configuration is
 * made (a server's or a client's certificate, `puretls serve`), so that a
 * mismatched pair is refused at once — as Node's tls.createSecureContext()
 * refuses it with OpenSSL's "key values mismatch" — instead of every later
 * handshake failing with a misleading decrypt_error at the peer.
 *
 * The comparison is of public keys: the one in the certificate's
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) against the one the private key
 * determines (RSA: n and e; EC: the point d·G; Ed25519/Ed448: the public
 * key derived from the private key, RFC 8032 §5.1.5/§5.2.5; ML-DSA: the
 * public key derived from the seed or the expanded key, FIPS 204 §6.1). Public values only: nothing
 * here needs to be constant-time.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { PrivateKey, PublicKey } from '../crypto/provider.js';
import { bytesEqual } from '../util/bytes.js';
import { certificatePublicKey } from './keys.js';
import { ed448PublicKey } from '../crypto/pure/ed448.js';
import { mlDsaPublicKey } from '../crypto/pure/mldsa.js';

/** Thrown when a private key does not belong to its certificate. */
export class KeyMismatchError extends Error {
  override readonly name = 'KeyMismatchError';
  /** Node reports this case as OpenSSL's X509_R_KEY_VALUES_MISMATCH. */
  readonly code = 'ERR_PURETLS_KEY_MISMATCH';
}

const curveOf = (c: 'P-256' | 'P-384' | 'P-521') => (c === 'P-256' ? p256 : c === 'P-384' ? p384 : p521);

/** Whether `pub` (from a certificate) is the public half of `key`. */
export function publicKeyMatches(pub: PublicKey, key: PrivateKey): boolean {
  switch (key.type) {
    case 'rsa':
      return pub.type === 'rsa' && pub.n === key.n && pub.e === key.e;
    case 'ec': {
      if (pub.type !== 'ec' || pub.curve !== key.curve) return false;
      // The certificate may carry a compressed point; compare points, not encodings.
      // The private key's own `point` may come from anywhere: derive it from d.
      const c = curveOf(key.curve);
      return c.Point.fromBytes(c.getPublicKey(key.d, false)).equals(c.Point.fromBytes(pub.point));
    }
    case 'ed25519':
      return pub.type === 'ed25519' && bytesEqual(pub.key, ed25519.getPublicKey(key.seed));
    case 'ed448':
      return pub.type === 'ed448' && bytesEqual(pub.key, ed448PublicKey(key.seed));
    case 'mldsa':
      return pub.type === 'mldsa' && pub.level === key.level && bytesEqual(pub.key, mlDsaPublicKey(key.level, key.secretKey));
  }
}

/**
 * Throw a KeyMismatchError ("key values mismatch", as Node says) unless
 * `key` is the private key of the certificate `certDer` (DER, the leaf of a
 * chain). `what` names the option in the message (e.g. "cert/key").
 */
export function assertKeyMatchesCertificate(certDer: Uint8Array, key: PrivateKey, what = 'cert/key'): void {
  const pub = certificatePublicKey(certDer);
  if (!publicKeyMatches(pub, key)) {
    throw new KeyMismatchError(
      `${what}: key values mismatch: the private key (${describe(key)}) does not belong to the certificate (${describe(pub)})`,
    );
  }
}

function describe(k: PublicKey | PrivateKey): string {
  switch (k.type) {
    case 'rsa': return `RSA ${k.n.toString(2).length} bits`;
    case 'ec': return `EC ${k.curve}`;
    case 'ed25519': return 'Ed25519';
    case 'ed448': return 'Ed448';
    case 'mldsa': return `ML-DSA-${k.level}`;
  }
}
