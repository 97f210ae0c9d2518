/**
 * ML-DSA keys in X.509 and PKCS#8 (RFC 9881). The public key is the raw
 * FIPS 204 encoding in subjectPublicKey; the private key is
 *
 *   ML-DSA-PrivateKey ::= CHOICE {
 *     seed [0] IMPLICIT OCTET STRING (SIZE (32)),
 *     expandedKey OCTET STRING,
 *     both SEQUENCE { seed OCTET STRING (SIZE (32)), expandedKey OCTET STRING } }
 *
 * (RFC 9881 §6). With `both`, the expanded key must be the one the seed
 * gives (§8: the consistency check).
 */
import type { MlDsaLevel, PrivateKey, PublicKey } from '../crypto/provider.js';
import { MLDSA_SEED_LENGTH, MLDSA_SIZES, mlDsaKeyFromSeed, mlDsaPublicKey } from '../crypto/pure/mldsa.js';
import { constantTimeEqual } from '../util/bytes.js';
import { DerReader, Tag, ctx } from './der.js';

/** The public key from an ML-DSA SubjectPublicKeyInfo's subjectPublicKey; `bad` builds the error (bad_certificate). */
export function mlDsaPublicKeyFromSpki(level: MlDsaLevel, keyBits: Uint8Array, spki: Uint8Array, bad: (m: string) => Error): PublicKey {
  if (keyBits.length !== MLDSA_SIZES[level].publicKey) throw bad(`ML-DSA-${level} key: ${keyBits.length} octets, not ${MLDSA_SIZES[level].publicKey}`);
  return { type: 'mldsa', level, key: keyBits, spki };
}

/** The PKCS#8 privateKey OCTET STRING's contents for an ML-DSA key; `fail` builds the error. */
export function mlDsaPrivateKey(level: MlDsaLevel, der: Uint8Array, fail: (m: string) => Error): PrivateKey {
  const r = new DerReader(der, 2);
  const sizes = MLDSA_SIZES[level];
  const tag = r.peekTag();
  let key: Extract<PrivateKey, { type: 'mldsa' }>;
  if (tag === ctx(0)) {
    const seed = r.read(ctx(0), 'ML-DSA seed').value;
    if (seed.length !== MLDSA_SEED_LENGTH) throw fail('ML-DSA seed must be 32 bytes');
    key = mlDsaKeyFromSeed(level, seed);
  } else if (tag === Tag.OCTET_STRING) {
    const expanded = r.octetString('ML-DSA expandedKey');
    if (expanded.length !== sizes.secretKey) throw fail(`ML-DSA-${level} expanded key must be ${sizes.secretKey} bytes`);
    key = { type: 'mldsa', level, secretKey: Uint8Array.from(expanded), key: mlDsaPublicKey(level, expanded) };
  } else if (tag === Tag.SEQUENCE) {
    const both = r.sequence('ML-DSA both');
    const seed = both.octetString('ML-DSA seed');
    const expanded = both.octetString('ML-DSA expandedKey');
    both.expectEnd('ML-DSA both');
    if (seed.length !== MLDSA_SEED_LENGTH) throw fail('ML-DSA seed must be 32 bytes');
    key = mlDsaKeyFromSeed(level, seed);
    if (!constantTimeEqual(key.secretKey, expanded)) throw fail('ML-DSA expanded key does not match its seed');
  } else {
    throw fail('ML-DSA private key: expected seed, expandedKey or both');
  }
  r.expectEnd('ML-DSA-PrivateKey');
  return key;
}
