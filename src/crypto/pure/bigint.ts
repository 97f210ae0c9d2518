/** bigint helpers for RSA: OS2IP/I2OSP (RFC 8017 §4), modular exponentiation and inverse. */
import { fromHex, toHex } from '../../util/bytes.js';

/** OS2IP: big-endian bytes → non-negative integer. */
export function os2ip(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + toHex(b));
}

/** I2OSP: integer → exactly `len` big-endian bytes; null if it does not fit ("integer too large"). */
export function i2osp(x: bigint, len: number): Uint8Array | null {
  if (x < 0n) return null;
  const hex = x.toString(16);
  if (hex.length > len * 2) return null;
  return fromHex(hex.padStart(len * 2, '0'));
}

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export function byteLength(x: bigint): number {
  return Math.ceil(bitLength(x) / 8);
}

/**
 * base^exp mod m for a PUBLIC exponent (RSA e, verification): 4-bit windows
 * over the exponent's hex digits, skipping zero digits. Its running time
 * depends on the exponent; never use it with a secret one (see modPowSecret).
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m <= 0n) throw new RangeError('modPow: modulus must be positive');
  if (m === 1n) return 0n;
  if (exp < 0n) throw new RangeError('modPow: negative exponent');
  let b = base % m;
  if (b < 0n) b += m;
  if (exp < 0x10000n) {
    let r = 1n;
    let e = exp;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % m;
      b = (b * b) % m;
      e >>= 1n;
    }
    return r;
  }
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * b) % m);
  const hex = exp.toString(16);
  let r = 1n;
  for (let i = 0; i < hex.length; i++) {
    if (i > 0) {
      r = (r * r) % m;
      r = (r * r) % m;
      r = (r * r) % m;
      r = (r * r) % m;
    }
    const d = parseInt(hex[i]!, 16);
    if (d !== 0) r = (r * table[d]!) % m;
  }
  return r;
}

/**
 * base^exp mod m for a SECRET exponent (RSA private-key operations).
 *
 * Fixed 4-bit windows over exactly ceil(expBits / 4) digits, where `expBits`
 * is a public bound (never exp's own length): every window does four
 * squarings and one multiplication whatever its digit. The multiplier is
 * picked by a masked scan of the whole 16-entry table (every entry is read,
 * each ANDed with an all-ones or all-zeros mask computed without a branch),
 * so no branch and no array index depends on the exponent. Table entries and
 * the accumulator are kept in [m, 2m) (1 is held as m + 1), so the size of
 * the operands does not reveal a zero digit or leading zeros either.
 *
 * Limit, stated honestly: JavaScript bigint arithmetic is not constant time
 * (operand-size-dependent multiplication and division, heap allocation), and
 * this code controls only its own control flow and memory access pattern.
 * RSA signing therefore also blinds the base and the exponent (rsa.ts), so
 * that what bigint leaks is about random values that change every operation.
 */
export function modPowSecret(base: bigint, exp: bigint, m: bigint, expBits: number): bigint {
  if (m <= 1n) throw new RangeError('modPowSecret: modulus must be > 1');
  if (exp < 0n) throw new RangeError('modPowSecret: negative exponent');
  if (!Number.isInteger(expBits) || expBits < 1) throw new RangeError('modPowSecret: expBits must be a positive integer');
  if (exp >> BigInt(expBits) !== 0n) throw new RangeError('modPowSecret: exponent longer than its declared bound');
  let b = base % m;
  if (b < 0n) b += m;
  // table[j] = b^j mod m, stored + m so every entry is in [m, 2m).
  const table: bigint[] = new Array<bigint>(16);
  table[0] = m + 1n;
  table[1] = b + m;
  for (let j = 2; j < 16; j++) table[j] = ((table[j - 1]! * b) % m) + m;
  const windows = Math.ceil(expBits / 4);
  let r = 0n;
  for (let i = windows - 1; i >= 0; i--) {
    const digit = Number((exp >> BigInt(4 * i)) & 0xfn);
    let sel = 0n;
    for (let j = 0; j < 16; j++) {
      // ((j ^ digit) - 1) >>> 31 is 1 exactly when j === digit (both in 0..15).
      const eq = (((j ^ digit) - 1) >>> 31) & 1;
      sel |= table[j]! & BigInt(-eq);
    }
    if (i === windows - 1) {
      r = sel; // the first window: the loop position is public
      continue;
    }
    r = ((r * r) % m) + m;
    r = ((r * r) % m) + m;
    r = ((r * r) % m) + m;
    r = ((r * r) % m) + m;
    r = ((r * sel) % m) + m;
  }
  return r - m; // r is in [m, 2m)
}

/** a^-1 mod m (extended Euclid), or null when gcd(a, m) != 1. */
export function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % m) + m) % m;
}
