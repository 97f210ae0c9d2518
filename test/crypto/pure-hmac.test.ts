import { describe, it, expect } from 'vitest';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { pureHmac, pureHkdfExtract, pureHkdfExpand } from '../../src/crypto/pure/hash.js';
import type { HashAlgorithm } from '../../src/crypto/provider.js';

const NODE: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const LEN: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const u8 = (b: Buffer) => new Uint8Array(b);

describe('pure HMAC / HKDF against node:crypto', () => {
  for (const alg of ['SHA-256', 'SHA-384', 'SHA-512'] as HashAlgorithm[]) {
    it(`${alg}: HMAC for key lengths around the block size`, () => {
      for (const kl of [0, 1, 32, 64, 127, 128, 129, 200]) {
        for (const dl of [0, 1, 55, 64, 300]) {
          const key = u8(randomBytes(kl));
          const data = u8(randomBytes(dl));
          const keyCopy = key.slice();
          expect(pureHmac(alg, key, data)).toEqual(u8(createHmac(NODE[alg], key).update(data).digest()));
          expect(key).toEqual(keyCopy); // the caller's key is not touched
        }
      }
    });
    it(`${alg}: HKDF extract (empty salt too) and expand, one block and many`, () => {
      for (const sl of [0, 13, LEN[alg]]) {
        const salt = u8(randomBytes(sl));
        const ikm = u8(randomBytes(LEN[alg]));
        const prk = pureHkdfExtract(alg, salt, ikm);
        expect(prk).toEqual(u8(createHmac(NODE[alg], salt.length ? salt : new Uint8Array(LEN[alg])).update(ikm).digest()));
        for (const len of [0, 1, 12, 16, LEN[alg] - 1, LEN[alg], LEN[alg] + 1, 3 * LEN[alg] + 5]) {
          const info = u8(randomBytes(len % 40));
          const want = u8(Buffer.from(hkdfSync(NODE[alg], ikm, salt, info, len)));
          expect(pureHkdfExpand(alg, prk, info, len)).toEqual(want);
        }
      }
    });
  }
  it('HKDF-Expand refuses lengths over 255*HashLen and short PRKs', () => {
    expect(() => pureHkdfExpand('SHA-256', new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1)).toThrow();
    expect(() => pureHkdfExpand('SHA-256', new Uint8Array(31), new Uint8Array(0), 32)).toThrow();
  });
});
