/**
 * RSA signatures on bigint (RFC 8017): RSASSA-PSS (§8.1, EMSA-PSS §9.1) and
 * RSASSA-PKCS1-v1_5 (§8.2, EMSA-PKCS1-v1_5 §9.2), verify and sign.
 *
 * Verification is strict: the signature must be exactly k bytes and < n;
 * PKCS#1 v1.5 compares the whole re-encoded block (no DigestInfo parsing, so
 * no BER, missing-NULL or garbage leniency). Signing uses CRT with base
 * and exponent blinding (fresh random values every operation), a secret-
 * exponent modPow whose control flow and table accesses do not depend on
 * the exponent, and re-verifies the result before releasing it (a fault in
 * the CRT computation would otherwise leak a factor of n). bigint
 * arithmetic itself is not constant time; blinding keeps what it may leak
 * independent of the message and of the exponent bits.
 */
import { TlsError } from '../../errors.js';
import { bytesEqual, concatBytes, fromHex } from '../../util/bytes.js';
import type { HashAlgorithm, PrivateKey, PublicKey, RandomSource } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { pureHash } from './hash.js';
import { bitLength, i2osp, modInverse, modPow, modPowSecret, os2ip } from './bigint.js';

export type RsaPublicKey = Extract<PublicKey, { type: 'rsa' }>;
export type RsaPrivateKey = Extract<PrivateKey, { type: 'rsa' }>;

/** Modulus sizes accepted for verification (RFC 8448 uses RSA-1024). */
export const RSA_VERIFY_MIN_BITS = 1024;
export const RSA_VERIFY_MAX_BITS = 8192;

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1), with the NULL parameters. */
const DIGEST_INFO_PREFIX: Record<HashAlgorithm, Uint8Array> = {
  'SHA-256': fromHex('3031300d060960864801650304020105000420'),
  'SHA-384': fromHex('3041300d060960864801650304020205000430'),
  'SHA-512': fromHex('3051300d060960864801650304020305000440'),
};

/**
 * Whether a public key is one we verify with: 1024..8192-bit odd modulus,
 * odd exponent 3 <= e < n (Go's crypto/rsa and BoringSSL apply similar bounds).
 */
export function rsaPublicKeyAcceptable(key: { n: bigint; e: bigint }): boolean {
  const bits = bitLength(key.n);
  if (bits < RSA_VERIFY_MIN_BITS || bits > RSA_VERIFY_MAX_BITS) return false;
  if ((key.n & 1n) === 0n) return false;
  return key.e >= 3n && (key.e & 1n) === 1n && key.e < key.n;
}

/** RSAVP1 (RFC 8017 §5.2.2) with the §8.x.2 step 1 length check: m = s^e mod n, or null. */
function rsavp1(key: { n: bigint; e: bigint }, signature: Uint8Array): bigint | null {
  const k = Math.ceil(bitLength(key.n) / 8);
  if (signature.length !== k) return null;
  const s = os2ip(signature);
  if (s >= key.n) return null; // "signature representative out of range"
  return modPow(s, key.e, key.n);
}

/** MGF1 (RFC 8017 B.2.1). */
function mgf1(hash: HashAlgorithm, seed: Uint8Array, length: number): Uint8Array {
  const h = pureHash(hash);
  const out = new Uint8Array(length);
  const counter = new Uint8Array(4);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  for (let i = 0, off = 0; off < length; i++, off += h.outputLength) {
    counter[0] = i >>> 24; counter[1] = (i >>> 16) & 0xff; counter[2] = (i >>> 8) & 0xff; counter[3] = i & 0xff;
    input.set(counter, seed.length);
    const block = h.digest(input);
    out.set(block.subarray(0, Math.min(block.length, length - off)), off);
  }
  return out;
}

export interface PssParams {
  readonly hash: HashAlgorithm;
  readonly saltLength: number;
  readonly mgfHash?: HashAlgorithm;
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1). */
function emsaPssEncode(p: PssParams, message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array {
  const h = pureHash(p.hash);
  const hLen = h.outputLength;
  const emLen = Math.ceil(emBits / 8);
  const mHash = h.digest(message);
  if (emLen < hLen + p.saltLength + 2) throw new TlsError('internal_error', 'RSA-PSS: key too small for hash and salt length');
  const H = h.digest(concatBytes(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - p.saltLength - hLen - 2] = 0x01;
  db.set(salt, emLen - p.saltLength - hLen - 1);
  const mask = mgf1(p.mgfHash ?? p.hash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >>> (8 * emLen - emBits);
  return concatBytes(db, H, new Uint8Array([0xbc]));
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2): true for "consistent". */
function emsaPssVerify(p: PssParams, message: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const h = pureHash(p.hash);
  const hLen = h.outputLength;
  const sLen = p.saltLength;
  const emLen = em.length;
  if (sLen < 0 || emLen < hLen + sLen + 2) return false;
  if (em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >>> (8 * emLen - emBits);
  if ((maskedDb[0]! & ~topMask) !== 0) return false;
  const db = mgf1(p.mgfHash ?? p.hash, H, maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= maskedDb[i]!;
  db[0]! &= topMask;
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false;
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen);
  const H2 = h.digest(concatBytes(new Uint8Array(8), h.digest(message), salt));
  return bytesEqual(H, H2);
}

/** EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) into k bytes, or null if k is too small. */
function emsaPkcs1Encode(hash: HashAlgorithm, message: Uint8Array, k: number): Uint8Array | null {
  const t = concatBytes(DIGEST_INFO_PREFIX[hash], pureHash(hash).digest(message));
  if (k < t.length + 11) return null;
  const em = new Uint8Array(k).fill(0xff, 2, k - t.length - 1);
  em[0] = 0x00;
  em[1] = 0x01;
  em[k - t.length - 1] = 0x00;
  em.set(t, k - t.length);
  return em;
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2). Never throws. */
export function pureRsaPssVerify(p: PssParams, key: RsaPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!rsaPublicKeyAcceptable(key)) return false;
    const m = rsavp1(key, signature);
    if (m === null) return false;
    const emBits = bitLength(key.n) - 1;
    const em = i2osp(m, Math.ceil(emBits / 8));
    if (!em) return false;
    return emsaPssVerify(p, message, em, emBits);
  } catch {
    return false;
  }
}

/** RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2). Never throws. */
export function pureRsaPkcs1Verify(hash: HashAlgorithm, key: RsaPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.pssOnly || !rsaPublicKeyAcceptable(key)) return false;
    const k = signature.length;
    const m = rsavp1(key, signature);
    if (m === null) return false;
    const em = i2osp(m, k);
    const expected = emsaPkcs1Encode(hash, message, k);
    return em !== null && expected !== null && bytesEqual(em, expected);
  } catch {
    return false;
  }
}

function checkPrivateKey(key: RsaPrivateKey): void {
  if (key.p * key.q !== key.n || key.n < 3n || key.e < 3n) throw new TlsError('internal_error', 'RSA private key is inconsistent (n != p*q)');
  // The CRT values are reduced (RFC 8017 §3.2); the blinded exponent length bound relies on it.
  if (key.dp <= 0n || key.dp >= key.p || key.dq <= 0n || key.dq >= key.q || key.qi <= 0n || key.qi >= key.p) {
    throw new TlsError('internal_error', 'RSA private key is inconsistent (CRT values out of range)');
  }
}

/** Bits of the random multiple k in the blinded CRT exponents dp + k·(p−1). */
export const RSA_EXPONENT_BLINDING_BITS = 64;

/**
 * The random values that blind one private-key operation, fresh for each:
 * base blinding r (the exponentiation works on m·r^e, never on m itself) and
 * exponent blinding kp, kq (it uses dp + kp·(p−1) and dq + kq·(q−1), never
 * dp and dq themselves, which give the same result by Fermat's little
 * theorem). Each k has its top bit (bit 64) set and 64 random bits below it.
 */
export interface RsaBlinding {
  readonly r: bigint;
  readonly rInv: bigint;
  readonly kp: bigint;
  readonly kq: bigint;
}

/** A uniformly random base-blinding value r in [2, n-1], invertible mod n. */
function baseBlinding(n: bigint, random: RandomSource): { r: bigint; rInv: bigint } {
  const len = Math.ceil(bitLength(n) / 8) + 8; // 64 extra bits make the reduction bias negligible
  for (let i = 0; i < 64; i++) {
    const r = os2ip(random(len)) % n;
    if (r < 2n) continue;
    const rInv = modInverse(r, n);
    if (rInv !== null) return { r, rInv };
  }
  throw new TlsError('internal_error', 'RSA: could not draw a blinding factor');
}

function exponentBlinding(random: RandomSource): bigint {
  const bytes = random(RSA_EXPONENT_BLINDING_BITS / 8);
  if (bytes.length !== RSA_EXPONENT_BLINDING_BITS / 8) throw new TlsError('internal_error', 'RSA: random source returned a short blinding value');
  return (1n << BigInt(RSA_EXPONENT_BLINDING_BITS)) | os2ip(bytes);
}

/**
 * Draws the blinding for one operation. `random` is the system CSPRNG: not
 * the config's `random` (which tests make deterministic), because blinding
 * is only worth anything if the attacker cannot predict it. Exported so
 * tests can inject a source.
 */
export function drawRsaBlinding(key: RsaPrivateKey, random: RandomSource = secureRandomBytes): RsaBlinding {
  const { r, rInv } = baseBlinding(key.n, random);
  return { r, rInv, kp: exponentBlinding(random), kq: exponentBlinding(random) };
}

/** The blinded CRT exponents dp + kp·(p−1), dq + kq·(q−1) and their public length bounds. */
export function blindedCrtExponents(key: RsaPrivateKey, b: RsaBlinding): { ep: bigint; eq: bigint; epBits: number; eqBits: number } {
  const blindBits = RSA_EXPONENT_BLINDING_BITS + 1;
  return {
    ep: key.dp + b.kp * (key.p - 1n),
    eq: key.dq + b.kq * (key.q - 1n),
    epBits: bitLength(key.p) + blindBits,
    eqBits: bitLength(key.q) + blindBits,
  };
}

/**
 * RSASP1 (RFC 8017 §5.2.1) with CRT, base and exponent blinding and a
 * verify-after-sign fault check (a fault in one CRT half would otherwise
 * leak a factor of n: Boneh–DeMillo–Lipton). The exponentiations run
 * modPowSecret over a length bound that depends only on the public size of
 * p and q. Exported for tests; `random` is injectable for them.
 */
export function rsasp1(key: RsaPrivateKey, m: bigint, random: RandomSource = secureRandomBytes): bigint {
  checkPrivateKey(key);
  if (m < 0n || m >= key.n) throw new TlsError('internal_error', 'RSA: message representative out of range');
  return rsasp1Blinded(key, m, drawRsaBlinding(key, random));
}

/** RSASP1 with a given blinding (checked key, m in range). Exported for tests. */
export function rsasp1Blinded(key: RsaPrivateKey, m: bigint, blinding: RsaBlinding): bigint {
  const { n, e, p, q, qi } = key;
  const { ep, eq, epBits, eqBits } = blindedCrtExponents(key, blinding);
  const mb = (m * modPow(blinding.r, e, n)) % n;
  const m1 = modPowSecret(mb % p, ep, p, epBits);
  const m2 = modPowSecret(mb % q, eq, q, eqBits);
  // Garner's recombination without a sign test: m1 - (m2 mod p) + p is in (0, 2p).
  const h = (qi * (m1 - (m2 % p) + p)) % p;
  const sb = m2 + h * q;
  const s = (sb * blinding.rInv) % n;
  if (modPow(s, e, n) !== m) throw new TlsError('internal_error', 'RSA: signature failed its own verification (fault)');
  return s;
}

/** RSASSA-PSS-SIGN (RFC 8017 §8.1.1). `random` supplies the salt. */
export function pureRsaPssSign(p: PssParams, key: RsaPrivateKey, message: Uint8Array, random?: RandomSource): Uint8Array {
  const modBits = bitLength(key.n);
  const k = Math.ceil(modBits / 8);
  const salt = p.saltLength > 0 ? (random ?? secureRandomBytes)(p.saltLength) : new Uint8Array(0);
  if (salt.length !== p.saltLength) throw new TlsError('internal_error', 'RSA-PSS: random source returned a short salt');
  const em = emsaPssEncode(p, message, modBits - 1, salt);
  const s = i2osp(rsasp1(key, os2ip(em)), k);
  if (!s) throw new TlsError('internal_error', 'RSA: signature does not fit the modulus');
  return s;
}

/** RSASSA-PKCS1-V1_5-SIGN (RFC 8017 §8.2.1). */
export function pureRsaPkcs1Sign(hash: HashAlgorithm, key: RsaPrivateKey, message: Uint8Array): Uint8Array {
  const k = Math.ceil(bitLength(key.n) / 8);
  const em = emsaPkcs1Encode(hash, message, k);
  if (!em) throw new TlsError('internal_error', 'RSA PKCS#1 v1.5: key too small for the DigestInfo');
  const s = i2osp(rsasp1(key, os2ip(em)), k);
  if (!s) throw new TlsError('internal_error', 'RSA: signature does not fit the modulus');
  return s;
}
