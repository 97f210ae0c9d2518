/**
 * Seeded mutations of a recorded TLS byte stream, at byte and at record
 * granularity: flip, set, truncate, duplicate, drop, reorder, splice (from
 * the same stream or another recorded one), insert, and lies in the record
 * and handshake length fields. Then a way of cutting the result into
 * receive() calls (whole, per record, random cuts, one byte at a time).
 * Everything is drawn from one small PRNG seeded per input, so an input is
 * reproduced from (seed, role, index) alone.
 */
import { concatBytes } from '../../src/util/bytes.js';

/** mulberry32: small, fast, good enough to drive mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Integer in [0, n). */
  int(n: number): number { return n <= 0 ? 0 : this.next() % n; }
  chance(p: number): boolean { return this.next() < p * 0x100000000; }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/** The seed of input `index` of a role: a hash of (seed, role, index). */
export function inputSeed(seed: number, role: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(role + 1, 0xc2b2ae35) ^ Math.imul(index, 0x27d4eb2f);
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d); h ^= h >>> 15; h = Math.imul(h, 0x846ca68b); h ^= h >>> 16;
  return h >>> 0;
}

/** Split a stream into records by their 5-byte headers; a trailing partial record is one more piece. */
export function splitRecords(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < b.length) {
    const len = o + 5 <= b.length ? ((b[o + 3]! << 8) | b[o + 4]!) : b.length;
    const end = Math.min(b.length, o + 5 + len);
    out.push(b.subarray(o, end));
    o = end;
  }
  return out;
}


const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x03, 0x04, 0x14, 0x15, 0x16, 0x17, 0x40];

export const MUTATIONS = ['flip', 'set', 'truncate', 'duplicate', 'drop', 'reorder', 'splice', 'insert', 'length'] as const;
export type MutationName = (typeof MUTATIONS)[number];

/** One mutation of `b`; `other` is another recorded stream to splice from. */
function mutateOnce(rng: Rng, b: Uint8Array, other: Uint8Array, kind: MutationName): Uint8Array {
  const recs = splitRecords(b);
  switch (kind) {
    case 'flip': {
      if (!b.length) return b;
      const out = b.slice();
      out[rng.int(out.length)]! ^= 1 << rng.int(8);
      return out;
    }
    case 'set': {
      if (!b.length) return b;
      const out = b.slice();
      out[rng.int(out.length)] = rng.chance(0.7) ? INTERESTING[rng.int(INTERESTING.length)]! : rng.int(256);
      return out;
    }
    case 'truncate':
      return b.subarray(0, rng.int(b.length + 1));
    case 'duplicate': {
      if (!recs.length) return b;
      const i = rng.int(recs.length);
      const at = rng.chance(0.5) ? i + 1 : rng.int(recs.length + 1);
      recs.splice(at, 0, recs[i]!);
      return concatBytes(...recs);
    }
    case 'drop': {
      if (!recs.length) return b;
      recs.splice(rng.int(recs.length), 1);
      return concatBytes(...recs);
    }
    case 'reorder': {
      if (recs.length < 2) return b;
      const i = rng.int(recs.length);
      const j = rng.chance(0.5) ? Math.min(recs.length - 1, i + 1) : rng.int(recs.length);
      [recs[i], recs[j]] = [recs[j]!, recs[i]!];
      return concatBytes(...recs);
    }
    case 'splice': {
      // Either a whole record of the other stream, or tail-of-other after head-of-this.
      const src = rng.chance(0.5) ? other : b;
      const srecs = splitRecords(src);
      if (rng.chance(0.6) && srecs.length) {
        recs.splice(rng.int(recs.length + 1), 0, srecs[rng.int(srecs.length)]!);
        return concatBytes(...recs);
      }
      return concatBytes(b.subarray(0, rng.int(b.length + 1)), src.subarray(rng.int(src.length + 1)));
    }
    case 'insert': {
      const at = rng.int(b.length + 1);
      return concatBytes(b.subarray(0, at), rng.bytes(1 + rng.int(rng.chance(0.9) ? 8 : 300)), b.subarray(at));
    }
    case 'length': {
      // Lie in a record length (bytes 3..4) or a plaintext handshake length (bytes 6..8).
      if (!recs.length) return b;
      const i = rng.int(recs.length);
      const r = recs[i]!.slice();
      const field = r.length >= 9 && r[0] === 22 && rng.chance(0.5) ? 6 + rng.int(3) : 3 + rng.int(2);
      if (field < r.length) {
        const choice = rng.int(4);
        r[field] = choice === 0 ? 0 : choice === 1 ? 0xff : choice === 2 ? (r[field]! + 1) & 0xff : (r[field]! - 1) & 0xff;
      }
      recs[i] = r;
      return concatBytes(...recs);
    }
  }
}

export interface Mutated {
  readonly bytes: Uint8Array;
  readonly ops: readonly MutationName[];
}

/** 1 to 3 mutations (rarely none: the unmutated stream must succeed too). */
export function mutate(rng: Rng, b: Uint8Array, other: Uint8Array): Mutated {
  if (rng.chance(0.002)) return { bytes: b, ops: [] };
  const n = 1 + (rng.chance(0.6) ? 0 : rng.int(3));
  const ops: MutationName[] = [];
  let out = b;
  for (let i = 0; i < n; i++) {
    const kind = MUTATIONS[rng.int(MUTATIONS.length)]!;
    ops.push(kind);
    out = mutateOnce(rng, out, other, kind);
  }
  return { bytes: out, ops };
}

export type Chunking = 'whole' | 'records' | 'cuts' | 'bytes';

/** Cut a stream into receive() calls. One byte at a time is rare (it costs thousands of calls). */
export function chunk(rng: Rng, b: Uint8Array): { chunks: Uint8Array[]; how: Chunking } {
  const r = rng.int(1000);
  if (r < 4) {
    const out: Uint8Array[] = [];
    for (let i = 0; i < b.length; i++) out.push(b.subarray(i, i + 1));
    return { chunks: out, how: 'bytes' };
  }
  if (r < 400) return { chunks: b.length ? [b] : [], how: 'whole' };
  if (r < 700) return { chunks: splitRecords(b), how: 'records' };
  const cuts = new Set<number>();
  const n = 1 + rng.int(8);
  for (let i = 0; i < n; i++) cuts.add(rng.int(b.length + 1));
  const pts = [...cuts].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of pts) { if (p > prev) out.push(b.subarray(prev, p)); prev = p; }
  if (prev < b.length) out.push(b.subarray(prev));
  return { chunks: out, how: 'cuts' };
}
