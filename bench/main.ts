/**
 * `npm run bench [-- --quick] [-- --filter substr]`: runs every benchmark
 * group found in bench/groups/, prints a table and writes
 * bench/results.json. Ratios compare figures measured in the same run.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchContext, BenchGroup, BenchResult } from './harness.js';

function parseArgs(argv: string[]): { quick: boolean; filter: string | undefined; out: string | undefined } {
  let quick = false;
  let filter: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--filter') filter = argv[++i];
    else if (a.startsWith('--filter=')) filter = a.slice('--filter='.length);
    else if (a === '--out') out = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node dist/bench/main.js [--quick] [--filter SUBSTRING] [--out FILE]\n');
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return { quick, filter, out };
}

async function loadGroups(): Promise<BenchGroup[]> {
  const dir = fileURLToPath(new URL('./groups/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  const groups: BenchGroup[] = [];
  for (const f of files) {
    const m = (await import(pathToFileURL(dir + f).href)) as { groups?: BenchGroup[] };
    if (Array.isArray(m.groups)) groups.push(...m.groups);
  }
  return groups;
}

function table(rows: BenchResult[]): string {
  const head = ['name', 'value', 'unit', 'baseline', 'baseline value', 'ratio'];
  const cells = rows.map((r) => [r.name, r.value.toFixed(2), r.unit, r.baseline, r.baselineValue.toFixed(2), r.ratio.toFixed(3)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 1 || i === 4 || i === 5 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ctx: BenchContext = {
    quick: args.quick,
    wants: (name) => args.filter === undefined || name.includes(args.filter),
    log: (m) => process.stderr.write(`${m}\n`),
  };
  const started = performance.now();
  const results: BenchResult[] = [];
  for (const g of await loadGroups()) {
    ctx.log(`# ${g.name}`);
    results.push(...(await g.run(ctx)).filter((r) => ctx.wants(r.name)));
  }
  const seen = new Set<string>();
  for (const r of results) {
    if (seen.has(r.name)) throw new Error(`bench: two rows are named ${r.name}; every row name must be unique`);
    seen.add(r.name);
  }
  process.stdout.write(`${table(results)}\n`);
  const out = args.out ?? fileURLToPath(new URL('../../bench/results.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  ctx.log(`wrote ${results.length} results to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await main();
