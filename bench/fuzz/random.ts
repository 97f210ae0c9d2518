/** Deterministic fuzz "randomness" that can be read ahead (bench/fuzz/memo.ts keys on it). */
import type { RandomSource } from '../../src/crypto/provider.js';

/** A RandomSource whose next bytes can be read without consuming them. */
export interface PeekableRandom extends RandomSource {
  peek(n: number): Uint8Array;
}

/**
 * xorshift32 as a PeekableRandom: every endpoint made from a scenario gets a
 * fresh one with the scenario's seed, so it draws the same bytes as when the
 * flight was recorded.
 */
export function peekableRandom(seed: number): PeekableRandom {
  let x = seed >>> 0 || 1;
  const draw = (state: number, n: number): { out: Uint8Array; state: number } => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13; state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5; state >>>= 0;
      out[i] = state & 0xff;
    }
    return { out, state };
  };
  const r = ((n: number) => {
    const d = draw(x, n);
    x = d.state;
    return d.out;
  }) as PeekableRandom;
  r.peek = (n) => draw(x, n).out;
  return r;
}

