/**
 * Benchmark harness: the result shape, the group contract and a timing
 * helper. A group is any module under bench/groups/ exporting `groups`
 * (an array of BenchGroup); main.ts discovers them, so adding a benchmark
 * is adding a file.
 */

/** One row of bench/results.json (see DESIGN "Benchmarks"). */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run. */
  baseline: string;
  baselineValue: number;
  /** value / baselineValue (higher is better for throughput units). */
  ratio: number;
}

export interface BenchContext {
  /** `--quick`: the whole run must finish in under a minute. */
  readonly quick: boolean;
  /** True when a result with this name would be kept by `--filter`. */
  wants(name: string): boolean;
  /** Progress output (stderr). */
  log(message: string): void;
}

export interface BenchGroup {
  /** Prefix of every result name in the group, e.g. `record`. */
  readonly name: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}

/**
 * Throughput of `fn` in MB/s (10^6 bytes per second of `bytesPerCall`):
 * one warm-up call, then calls until `ms` milliseconds have passed.
 */
export async function throughput(fn: () => unknown, bytesPerCall: number, ms: number): Promise<number> {
  await fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  do {
    await fn();
    calls++;
    now = performance.now();
  } while (now - start < ms);
  return (calls * bytesPerCall) / ((now - start) / 1000) / 1e6;
}

/**
 * Measure subject and baseline alternately in `rounds` pairs of short
 * samples. The machine is shared and noisy (load comes and goes on a
 * scale of seconds), so each pair is measured back to back and the
 * reported ratio is the median of the per-pair ratios; value and
 * baselineValue are the medians of each side.
 */
export async function compare(
  subject: () => unknown,
  baseline: () => unknown,
  bytesPerCall: number,
  opts: { rounds: number; ms: number },
): Promise<{ value: number; baselineValue: number; ratio: number }> {
  const s: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < opts.rounds; i++) {
    // Alternate which side goes first, so neither always follows the other's garbage.
    let x: number, y: number;
    if (i % 2 === 0) {
      y = await throughput(baseline, bytesPerCall, opts.ms);
      x = await throughput(subject, bytesPerCall, opts.ms);
    } else {
      x = await throughput(subject, bytesPerCall, opts.ms);
      y = await throughput(baseline, bytesPerCall, opts.ms);
    }
    s.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return { value: median(s), baselineValue: median(b), ratio: median(ratios) };
}

export function median(xs: number[]): number {
  const a = [...xs].sort((p, q) => p - q);
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

/** A result row; `ratio` defaults to value / baselineValue. */
export function result(name: string, unit: string, value: number, baseline: string, baselineValue: number, ratio = value / baselineValue): BenchResult {
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { name, value: r(value), unit, baseline, baselineValue: r(baselineValue), ratio: Math.round(ratio * 1000) / 1000 };
}
