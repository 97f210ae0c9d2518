/**
 * A fixed sample of `npm run fuzz` (bench/fuzz/): mutations of recorded
 * valid flights (flip, set, truncate, duplicate, drop, reorder, splice,
 * insert, length lies; whole, per-record, cut and byte-at-a-time delivery)
 * fed to a fresh client and a fresh server. Every input must end in
 * success, one alert or waiting for more (core.ts lists the checks). The
 * seed is fixed, so a failure here replays with
 * `npm run fuzz -- --role R --from INDEX --per-role 1 --workers 0`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { recordAll, type Flight } from '../../bench/fuzz/flights.js';
import { memoizeFlights } from '../../bench/fuzz/memo.js';
import { FuzzFailure, deliver, runInput, runRange } from '../../bench/fuzz/core.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = 20261205;
let flights: Flight[];

beforeAll(async () => {
  flights = memoizeFlights(await recordAll());
});

describe('fuzz: mutated recorded flights (fixed sample of npm run fuzz)', () => {
  for (const role of ['server', 'client'] as const) {
    it(`${role}: ${RUNS} inputs end in success, one alert or waiting`, async () => {
      const s = await runRange(flights, role, SEED, 0, RUNS);
      expect(s.failures).toEqual([]);
      // The mutations reach past the first message: successes, waits and several distinct alerts.
      expect(s.outcomes.ok ?? 0).toBeGreaterThan(0);
      expect(s.outcomes.waiting ?? 0).toBeGreaterThan(0);
      for (const a of ['bad_record_mac', 'unexpected_message', 'decode_error', 'record_overflow', 'illegal_parameter']) {
        expect(s.outcomes[`alert:${a}`] ?? 0, a).toBeGreaterThan(0);
      }
    });
  }

  it('the oracle catches an exception escaping into internal_error', async () => {
    // A provider whose key exchange crashes like a parser bug would (TypeError).
    const broken: CryptoProvider = {
      ...pureProvider,
      group: (name) => {
        const g = pureProvider.group(name);
        return g && { ...g, respond: () => { throw new TypeError('boom'); } };
      },
    };
    const bad = flights.map((f) => ({ ...f, scenario: { ...f.scenario, server: () => ({ ...f.scenario.server(), provider: broken }) } }));
    let caught: unknown;
    for (let i = 0; i < 50 && !caught; i++) {
      try { await runInput(bad, 'server', SEED, i); } catch (e) { caught = e; }
    }
    expect(caught).toBeInstanceOf(FuzzFailure);
    expect((caught as Error).message).toMatch(/internal_error from peer input/);
  });

  it('the unmutated flights complete for both roles, whole and one byte at a time (and a truncation waits)', async () => {
    for (const f of flights) {
      for (const role of ['server', 'client'] as const) {
        const bytes = role === 'server' ? f.fromClient : f.fromServer;
        const detail = { role, seed: 0, index: 0, scenario: f.scenario.name, ops: [], how: 'whole' as const, length: bytes.length };
        expect(await deliver(f, role, [bytes], true, detail)).toBe('ok');
        const single = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
        expect(await deliver(f, role, single, true, { ...detail, how: 'bytes' })).toBe('ok');
        // Only the first 100 bytes: the endpoint waits for more.
        expect(await deliver(f, role, [bytes.subarray(0, 100)], false, detail)).toBe('waiting');
        // Everything but the first byte: an alert, never an exception.
        expect(await deliver(f, role, [bytes.subarray(1)], false, detail)).toMatch(/^alert:/);
      }
    }
  });
});

describe('regressions found by npm run fuzz', () => {
  it('an oversized record header, then thousands of bytes one receive() at a time: record_overflow, not internal_error (client, seed 1, index 141917)', async () => {
    const s = await runRange(flights, 'client', 1, 141917, 1);
    expect(s.failures).toEqual([]);
    expect(s.outcomes['alert:record_overflow']).toBe(1);
  });

  it('the same, directly: a header announcing 65,353 bytes and 5,000 more, all one byte per receive() in one go', async () => {
    const f = flights[0]!;
    const detail = { role: 'client' as const, seed: 0, index: 0, scenario: f.scenario.name, ops: [], how: 'bytes' as const, length: 5005 };
    const bytes = [0x17, 0x03, 0x03, 0xff, 0x49, ...new Array<number>(5000).fill(0x42)];
    const chunks = bytes.map((b) => Uint8Array.of(b));
    expect(await deliver(f, 'client', chunks, false, detail)).toBe('alert:record_overflow');
  });
});
