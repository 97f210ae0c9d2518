/**
 * RSA private-key operations in the pure provider: the secret-exponent
 * modPow agrees with a plain bigint reference, every operation draws fresh
 * base and exponent blinding (injectable randomness), blinding never changes
 * the result, and signatures still verify with node:crypto.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { verify as nodeVerify, constants, randomBytes } from 'node:crypto';
import type { PrivateKey, RandomSource } from '../../src/crypto/provider.js';
import { modPowSecret, modPow, bitLength, os2ip } from '../../src/crypto/pure/bigint.js';
import {
  RSA_EXPONENT_BLINDING_BITS, blindedCrtExponents, drawRsaBlinding, pureRsaPkcs1Sign, pureRsaPssSign, rsasp1, rsasp1Blinded,
} from '../../src/crypto/pure/rsa.js';
import { generateKeys } from './helpers.js';

type RsaPriv = Extract<PrivateKey, { type: 'rsa' }>;
let key: RsaPriv;
let node: ReturnType<typeof generateKeys>['node'];
const msg = new TextEncoder().encode('TLS 1.3, server CertificateVerify\0 payload');

beforeAll(() => {
  const k = generateKeys('rsa', 2048);
  key = k.priv as RsaPriv;
  node = k.node;
});

/** Textbook right-to-left square and multiply: the reference. */
function referencePow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r % m;
}

const rnd = (bytes: number) => os2ip(Uint8Array.from(randomBytes(bytes)));

/** A random source that records what it handed out. */
function recording(): { source: RandomSource; draws: Uint8Array[] } {
  const draws: Uint8Array[] = [];
  return { draws, source: (n) => { const b = Uint8Array.from(randomBytes(n)); draws.push(b); return b; } };
}

describe('modPowSecret', () => {
  it('equals the bigint reference for random inputs and edge cases', () => {
    for (let i = 0; i < 60; i++) {
      const m = rnd(8 + (i % 40)) | 1n | (1n << 60n);
      const bits = 1 + (i * 37) % 300;
      const e = rnd(Math.ceil(bits / 8)) & ((1n << BigInt(bits)) - 1n);
      const b = rnd(70);
      expect(modPowSecret(b, e, m, bits)).toBe(referencePow(b, e, m));
      // A looser public bound (leading zero windows) gives the same result.
      expect(modPowSecret(b, e, m, bits + 13)).toBe(referencePow(b, e, m));
    }
    const m = (1n << 127n) - 1n;
    for (const [b, e] of [[0n, 5n], [1n, 12345n], [m - 1n, 3n], [m - 1n, 4n], [7n, 0n], [m + 5n, 1n], [-3n, 3n]] as const) {
      expect(modPowSecret(b, e, m, 16)).toBe(referencePow(((b % m) + m) % m, e, m));
    }
    const e = (1n << 200n) - 1n; // all-ones exponent
    expect(modPowSecret(3n, e, m, 200)).toBe(modPow(3n, e, m));
  });

  it('refuses an exponent longer than its declared bound (the bound is what keeps the window count public)', () => {
    expect(() => modPowSecret(2n, 1n << 20n, 101n, 20)).toThrow(RangeError);
    expect(() => modPowSecret(2n, 5n, 1n, 8)).toThrow(RangeError);
    expect(() => modPowSecret(2n, -1n, 101n, 8)).toThrow(RangeError);
  });
});

describe('RSA blinding', () => {
  it('draws fresh base and exponent blinding from the injected source on every operation', () => {
    const rec = recording();
    const m = rnd(200) % key.n;
    const s1 = rsasp1(key, m, rec.source);
    const afterFirst = rec.draws.length;
    const s2 = rsasp1(key, m, rec.source);
    expect(afterFirst).toBeGreaterThanOrEqual(3); // r, kp, kq
    expect(rec.draws.length).toBe(2 * afterFirst);
    const first = rec.draws.slice(0, afterFirst).map((d) => Buffer.from(d).toString('hex'));
    const second = rec.draws.slice(afterFirst).map((d) => Buffer.from(d).toString('hex'));
    expect(second).not.toEqual(first);
    // Same signature either way, and it is m^d mod n.
    expect(s1).toBe(s2);
    expect(s1).toBe(referencePow(m, key.d, key.n));
  });

  it('blinded exponents differ per draw, are ≥ 64 bits above the CRT exponent, and stay ≡ dp mod p−1', () => {
    const a = drawRsaBlinding(key);
    const b = drawRsaBlinding(key);
    expect(a.r).not.toBe(b.r);
    expect(a.kp).not.toBe(b.kp);
    expect(a.kq).not.toBe(b.kq);
    for (const bl of [a, b]) {
      expect(bitLength(bl.kp)).toBe(RSA_EXPONENT_BLINDING_BITS + 1);
      expect(bitLength(bl.kq)).toBe(RSA_EXPONENT_BLINDING_BITS + 1);
      expect((bl.r * bl.rInv) % key.n).toBe(1n);
      const x = blindedCrtExponents(key, bl);
      expect(x.ep).not.toBe(key.dp);
      expect(x.ep % (key.p - 1n)).toBe(key.dp);
      expect(x.eq % (key.q - 1n)).toBe(key.dq);
      expect(bitLength(x.ep)).toBeLessThanOrEqual(x.epBits);
      expect(bitLength(x.ep)).toBeGreaterThan(bitLength(key.p) + RSA_EXPONENT_BLINDING_BITS - 2);
    }
    const m = rnd(200) % key.n;
    expect(rsasp1Blinded(key, m, a)).toBe(rsasp1Blinded(key, m, b));
  });

  it('a constant random source is still refused or harmless: blinding from a source that returns zeros cannot proceed', () => {
    const zeros: RandomSource = (n) => new Uint8Array(n);
    expect(() => rsasp1(key, 5n, zeros)).toThrow(/blinding/);
  });

  it('signatures made with blinding verify with node:crypto (PKCS#1 v1.5 and PSS)', () => {
    for (let i = 0; i < 4; i++) {
      const m = Uint8Array.from(randomBytes(50 + i));
      const s = pureRsaPkcs1Sign('SHA-256', key, m);
      expect(nodeVerify('sha256', m, { key: node.publicKey, padding: constants.RSA_PKCS1_PADDING }, s)).toBe(true);
      const p = pureRsaPssSign({ hash: 'SHA-384', saltLength: 48 }, key, m);
      expect(nodeVerify('sha384', m, { key: node.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, p)).toBe(true);
    }
  });

  it('keeps the verify-after-sign fault check with blinding on', () => {
    const faulty = { ...key, dp: key.dp ^ 2n };
    expect(() => pureRsaPkcs1Sign('SHA-256', faulty, msg)).toThrow(/fault/);
  });

  it('refuses a key whose CRT values are not reduced', () => {
    expect(() => pureRsaPkcs1Sign('SHA-256', { ...key, dp: key.dp + (key.p - 1n) }, msg)).toThrow(/CRT values/);
  });
});
