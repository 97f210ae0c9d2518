/**
 * `npm run load [-- --connections N] [-- --max-bytes B] [-- --provider pure|webcrypto|node]`:
 * N concurrent connections over loopback, each carrying a random amount
 * (0..B bytes, default 2 MiB) each way, checked by SHA-256 at both ends
 * (bench/load/run.ts). Prints connections/s, MB/s, errors, mismatches and
 * the heap before and after; exits 1 on any error or mismatch, or when the
 * heap, after GC once everything closed, is more than 10% above where it
 * started.
 */
import { runLoad, type LoadOptions } from './run.js';

function parseArgs(argv: string[]): LoadOptions {
  const o: { connections?: number; maxBytes?: number; provider?: 'pure' | 'webcrypto' | 'node' } = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = argv[++i];
    if (v === undefined) throw new Error(`${k} needs a value`);
    const num = (): number => {
      const x = Number(v.replace(/_/g, ''));
      if (!Number.isInteger(x) || x < 0) throw new Error(`${k}: a non-negative integer`);
      return x;
    };
    if (k === '--connections') o.connections = Math.max(1, num());
    else if (k === '--max-bytes') o.maxBytes = num();
    else if (k === '--provider') {
      if (v !== 'pure' && v !== 'webcrypto' && v !== 'node') throw new Error('--provider: pure, webcrypto or node');
      o.provider = v;
    } else throw new Error(`unknown argument ${k} (use --connections N, --max-bytes B, --provider P)`);
  }
  return o;
}

async function main(): Promise<void> {
  const r = await runLoad({ ...parseArgs(process.argv.slice(2)), log: (l) => process.stderr.write(`${l}\n`) });
  const out = [
    `connections: ${r.connections}, completed ${r.completed}, errors ${r.errors.length}, mismatches ${r.mismatches}`,
    `time: ${r.seconds.toFixed(1)} s, ${r.connectionsPerSecond.toFixed(1)} connections/s, ${r.mbPerSecond.toFixed(1)} MB/s (${(r.bytes / 2 ** 20).toFixed(0)} MB both ways)`,
    `heap: before ${r.heapBeforeMB.toFixed(1)} MB, after ${r.heapAfterMB.toFixed(1)} MB (${(r.heapGrowth * 100).toFixed(1)}%)`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  for (const e of r.errors.slice(0, 20)) process.stdout.write(`  error: ${e}\n`);
  if (r.errors.length || r.mismatches || r.completed !== r.connections || r.heapGrowth > 0.1) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`load: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(2);
});
