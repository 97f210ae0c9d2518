import { describe, it, expect } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import { pureAead } from '../../src/crypto/pure/aead.js';
import { aesEncryptBlock, aesExpandKey, aesOut } from '../../src/crypto/pure/aes.js';
import type { AeadAlgorithm, AeadKey } from '../../src/crypto/provider.js';

const u8 = (b: Buffer) => new Uint8Array(b);

function nodeSeal(alg: AeadAlgorithm, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const c = createCipheriv(alg === 'AES-128-GCM' ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(pt), c.final()]);
  return u8(Buffer.concat([ct, c.getAuthTag()]));
}

/** A copy of `b` at byte offset `off` of a larger buffer (the record layer hands in unaligned subarrays). */
function at(b: Uint8Array, off: number): Uint8Array {
  const big = new Uint8Array(b.length + off + 3);
  big.set(b, off);
  return big.subarray(off, off + b.length);
}

describe('pure AES block cipher', () => {
  const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
  const block = (key: Uint8Array, pt: Uint8Array): string => {
    const w = (i: number) => ((pt[i]! << 24) | (pt[i + 1]! << 16) | (pt[i + 2]! << 8) | pt[i + 3]!) >>> 0;
    aesEncryptBlock(aesExpandKey(key), w(0), w(4), w(8), w(12));
    return Array.from(aesOut, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
  };
  it('FIPS 197 Appendix C.1 and C.3', () => {
    const pt = hex('00112233445566778899aabbccddeeff');
    expect(block(hex('000102030405060708090a0b0c0d0e0f'), pt)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(block(hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'), pt)).toBe('8ea2b7ca516745bfeafc49904b496089');
  });
  it('matches node:crypto AES-ECB on random keys and blocks', () => {
    for (let i = 0; i < 200; i++) {
      const key = u8(randomBytes(i % 2 ? 32 : 16));
      const pt = u8(randomBytes(16));
      const c = createCipheriv(key.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', key, null);
      c.setAutoPadding(false);
      expect(block(key, pt)).toBe(c.update(pt).toString('hex'));
    }
  });
  it('rejects other key sizes', () => {
    expect(() => aesExpandKey(new Uint8Array(24))).toThrow();
    expect(() => pureAead('AES-128-GCM').importKey(new Uint8Array(15))).toThrow();
  });
});

describe('pure AES-GCM (cached key schedule and GHASH table)', () => {
  for (const alg of ['AES-128-GCM', 'AES-256-GCM'] as AeadAlgorithm[]) {
    const kl = alg === 'AES-128-GCM' ? 16 : 32;
    it(`${alg}: seal equals node:crypto and opens, for many lengths and one key`, () => {
      const key = u8(randomBytes(kl));
      const k = pureAead(alg).importKey(key) as AeadKey;
      for (const n of [0, 1, 15, 16, 17, 31, 32, 33, 100, 623, 1024, 4097, 16401]) {
        for (const al of [0, 5, 13, 16, 21]) {
          const nonce = u8(randomBytes(12));
          const aad = u8(randomBytes(al));
          const pt = u8(randomBytes(n));
          const want = nodeSeal(alg, key, nonce, aad, pt);
          const got = k.seal(nonce, aad, pt) as Uint8Array;
          expect(got).toEqual(want);
          expect(k.seal(at(nonce, 1), at(aad, 3), at(pt, 5))).toEqual(want);
          expect(k.open(nonce, aad, want)).toEqual(pt);
          expect(k.open(at(nonce, 2), at(aad, 1), at(want, 5))).toEqual(pt);
          expect(gcm(key, nonce, aad).decrypt(got)).toEqual(pt);
        }
      }
    });
    it(`${alg}: any flipped bit of ciphertext, tag, aad or nonce fails to open (null)`, () => {
      const key = u8(randomBytes(kl));
      const k = pureAead(alg).importKey(key) as AeadKey;
      const nonce = u8(randomBytes(12));
      const aad = u8(randomBytes(5));
      const pt = u8(randomBytes(40));
      const sealed = k.seal(nonce, aad, pt) as Uint8Array;
      for (let i = 0; i < sealed.length * 8; i += 7) {
        const bad = sealed.slice();
        bad[i >> 3]! ^= 1 << (i & 7);
        expect(k.open(nonce, aad, bad)).toBeNull();
      }
      const badAad = aad.slice();
      badAad[4]! ^= 0x80;
      expect(k.open(nonce, badAad, sealed)).toBeNull();
      const badNonce = nonce.slice();
      badNonce[0]! ^= 1;
      expect(k.open(badNonce, aad, sealed)).toBeNull();
      expect(k.open(nonce, aad, sealed.subarray(0, 15))).toBeNull();
      expect(k.open(nonce, aad, sealed)).toEqual(pt); // the key still works after failures
    });
    it(`${alg}: NIST-style vector (all-zero key and nonce)`, () => {
      const k = pureAead(alg).importKey(new Uint8Array(kl)) as AeadKey;
      const tag = k.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(0)) as Uint8Array;
      // SP 800-38D test cases 1 (AES-128) and 13 (AES-256)
      const want = alg === 'AES-128-GCM' ? '58e2fccefa7e3061367f1d57a4e7455a' : '530f8afbc74536b9a963b4f1c4cb738b';
      expect(Buffer.from(tag).toString('hex')).toBe(want);
    });
  }
  it('does not change its inputs; a destroyed key no longer seals the same', () => {
    const key = u8(randomBytes(16));
    const k = pureAead('AES-128-GCM').importKey(key) as AeadKey;
    const nonce = u8(randomBytes(12));
    const aad = u8(randomBytes(5));
    const pt = u8(randomBytes(33));
    const copies = [key.slice(), nonce.slice(), aad.slice(), pt.slice()];
    const sealed = k.seal(nonce, aad, pt) as Uint8Array;
    k.open(nonce, aad, sealed);
    expect([key, nonce, aad, pt]).toEqual(copies);
    k.destroy?.();
    expect(k.seal(nonce, aad, pt)).not.toEqual(sealed);
  });
});
