import { describe, it, expect } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { pureHash } from '../../src/crypto/pure/hash.js';
import type { HashAlgorithm } from '../../src/crypto/provider.js';

const NODE: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

describe('pure incremental hash: peek (shared scratch) and clone', () => {
  for (const alg of ['SHA-256', 'SHA-384', 'SHA-512'] as HashAlgorithm[]) {
    it(`${alg}: peeks of two interleaved transcripts equal node:crypto digests of their prefixes`, () => {
      const a = pureHash(alg).create();
      const b = pureHash(alg).create();
      const na: Buffer[] = [];
      const nb: Buffer[] = [];
      for (let i = 0; i < 40; i++) {
        const da = randomBytes((i * 37) % 300);
        const db = randomBytes((i * 53) % 200);
        a.update(new Uint8Array(da));
        na.push(da);
        expect(Buffer.from(a.peek()).toString('hex')).toBe(createHash(NODE[alg]).update(Buffer.concat(na)).digest('hex'));
        b.update(new Uint8Array(db));
        nb.push(db);
        const pb = b.peek();
        expect(Buffer.from(a.peek()).toString('hex')).toBe(createHash(NODE[alg]).update(Buffer.concat(na)).digest('hex'));
        expect(Buffer.from(pb).toString('hex')).toBe(createHash(NODE[alg]).update(Buffer.concat(nb)).digest('hex'));
      }
      const c = a.clone();
      c.update(new Uint8Array([1, 2, 3]));
      expect(Buffer.from(c.peek()).toString('hex')).toBe(createHash(NODE[alg]).update(Buffer.concat([...na, Buffer.from([1, 2, 3])])).digest('hex'));
      expect(Buffer.from(a.peek()).toString('hex')).toBe(createHash(NODE[alg]).update(Buffer.concat(na)).digest('hex'));
    });
  }
  it('SHA-256: every message length 0..200 (padding into one or two blocks), split at every point of a 130-byte message', () => {
    const data = new Uint8Array(randomBytes(200));
    for (let n = 0; n <= 200; n++) {
      const h = pureHash('SHA-256').create();
      h.update(data.subarray(0, n));
      expect(Buffer.from(h.peek()).toString('hex')).toBe(createHash('sha256').update(data.subarray(0, n)).digest('hex'));
    }
    const want = createHash('sha256').update(data.subarray(0, 130)).digest('hex');
    for (let cut = 0; cut <= 130; cut++) {
      const h = pureHash('SHA-256').create();
      h.update(data.subarray(0, cut)).update(data.subarray(cut, 130));
      expect(Buffer.from(h.peek()).toString('hex')).toBe(want);
    }
  });
});
