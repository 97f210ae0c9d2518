/** secureRandomBytes serves small requests from a pool (one getRandomValues per 4 KiB). */
import { describe, it, expect, vi, afterEach } from 'vitest';
import { secureRandomBytes } from '../../src/crypto/random.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('secureRandomBytes pool', () => {
  it('small draws: right lengths, all distinct, one getRandomValues per pool refill', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const n = [1, 12, 32, 48, 64][i % 5]!;
      const b = secureRandomBytes(n);
      expect(b.length).toBe(n);
      if (n >= 12) {
        const hex = Buffer.from(b).toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    }
    // 300 draws of 31.4 bytes on average: 9.2 KiB, at most 4 refills of 4 KiB
    expect(spy.mock.calls.length).toBeGreaterThan(0);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(4);
  });

  it('returned arrays are independent of the pool (writing one changes no later draw)', () => {
    const a = secureRandomBytes(32);
    a.fill(0xaa);
    const b = secureRandomBytes(32);
    expect(b.every((x) => x === 0xaa)).toBe(false);
    expect(b.byteOffset).toBe(0);
    expect(b.buffer.byteLength).toBe(32);
  });

  it('large draws bypass the pool; zero-length draws work', () => {
    expect(secureRandomBytes(0).length).toBe(0);
    const big = secureRandomBytes(1000);
    expect(big.length).toBe(1000);
    expect(new Set(big).size).toBeGreaterThan(100);
  });

  it('refuses to run without an RNG even when the pool still holds bytes', () => {
    secureRandomBytes(8);
    vi.stubGlobal('crypto', undefined);
    expect(() => secureRandomBytes(8)).toThrow(/no cryptographic random/);
    vi.unstubAllGlobals();
    expect(secureRandomBytes(8).length).toBe(8);
  });
});
