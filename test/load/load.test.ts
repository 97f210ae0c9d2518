/**
 * The 100-connection version of `npm run load` (bench/load/run.ts): 100
 * concurrent puretls connections over loopback on the default (pure)
 * provider, each carrying a random 0..64 KiB each way, checked by SHA-256 at
 * both ends; every connection completes with a clean close_notify, and the
 * heap after GC is back within 10% of where it started.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load/run.js';

describe('load: 100 concurrent connections', () => {
  it('all complete, no error, no hash mismatch, heap back within 10%', async () => {
    const r = await runLoad({ connections: 100, maxBytes: 64 * 1024 });
    expect(r.errors).toEqual([]);
    expect(r.mismatches).toBe(0);
    expect(r.completed).toBe(100);
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.heapGrowth, `heap ${r.heapBeforeMB.toFixed(1)} → ${r.heapAfterMB.toFixed(1)} MB`).toBeLessThanOrEqual(0.1);
  }, 180_000);
});
