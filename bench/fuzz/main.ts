/**
 * `npm run fuzz [-- options]`: mutation fuzzing of both roles from recorded
 * valid flights (bench/fuzz/flights.ts, mutate.ts, core.ts).
 *
 *   --per-role N   inputs per role (default 1,000,000)
 *   --seed S       base seed (default 1); input i of a role is fully
 *                  determined by (S, role, i)
 *   --workers W    child processes (default 2)
 *   --role R       only this role (server or client)
 *   --from I       first input index (default 0): with --per-role 1 and
 *                  --workers 0 this replays one input in-process
 *   --chunk C      inputs per work unit (default 2,000)
 *   --max-seconds T  stop handing out work after T seconds and report what
 *                  ran (the count says how far it got)
 *
 * Prints progress (inputs/s, outcome counts, heap) and ends with the count
 * per role; exits 1 on any failure (escaped exception, hang, second alert,
 * internal_error from peer input, data never sent, unbounded buffering) and
 * prints how to replay each.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { recordAll, type Flight } from './flights.js';
import { ROLES, runRange, type RangeStats, type Role } from './core.js';
import { memoizeFlights } from './memo.js';

interface Args {
  perRole: number;
  seed: number;
  workers: number;
  roles: Role[];
  from: number;
  chunk: number;
  maxSeconds: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { perRole: 1_000_000, seed: 1, workers: 2, roles: [...ROLES], from: 0, chunk: 2000, maxSeconds: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    const num = (): number => {
      const n = Number(v().replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 0) throw new Error(`${k}: a non-negative integer`);
      return n;
    };
    if (k === '--per-role') a.perRole = num();
    else if (k === '--seed') a.seed = num();
    else if (k === '--workers') a.workers = num();
    else if (k === '--from') a.from = num();
    else if (k === '--chunk') a.chunk = Math.max(1, num());
    else if (k === '--max-seconds') a.maxSeconds = Math.max(1, num());
    else if (k === '--role') {
      const r = v();
      if (r !== 'server' && r !== 'client') throw new Error('--role: server or client');
      a.roles = [r];
    } else if (k === '--help' || k === '-h') {
      process.stdout.write('usage: npm run fuzz -- [--per-role N] [--seed S] [--workers W] [--role server|client] [--from I] [--chunk C] [--max-seconds T]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

interface Task { role: Role; from: number; count: number }
type FromWorker = { kind: 'ready' } | { kind: 'done'; stats: RangeStats; heapMB: number };

async function flights(): Promise<Flight[]> {
  return memoizeFlights(await recordAll());
}

/** Worker: record the flights once, then run the ranges the parent sends. */
async function worker(seed: number): Promise<void> {
  const f = await flights();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (t: Task) => {
    void runRange(f, t.role, seed, t.from, t.count).then((stats) => {
      gc?.();
      const msg: FromWorker = { kind: 'done', stats, heapMB: process.memoryUsage().heapUsed / 2 ** 20 };
      process.send!(msg);
    });
  });
  process.send!({ kind: 'ready' } satisfies FromWorker);
}

interface Totals { count: number; outcomes: Record<string, number>; failures: string[] }

function merge(t: Totals, s: RangeStats): void {
  t.count += s.count;
  for (const [k, n] of Object.entries(s.outcomes)) t.outcomes[k] = (t.outcomes[k] ?? 0) + n;
  t.failures.push(...s.failures);
}

function fmtOutcomes(o: Record<string, number>): string {
  return Object.entries(o).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k}=${n}`).join(' ');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const totals = new Map<Role, Totals>(args.roles.map((r) => [r, { count: 0, outcomes: {}, failures: [] }]));
  const tasks: Task[] = [];
  for (const role of args.roles) {
    for (let i = args.from; i < args.from + args.perRole; i += args.chunk) tasks.push({ role, from: i, count: Math.min(args.chunk, args.from + args.perRole - i) });
  }
  const total = tasks.reduce((n, t) => n + t.count, 0);
  // Interleave the roles so that a time limit leaves both with a share.
  tasks.sort((x, y) => x.from - y.from || (x.role < y.role ? -1 : 1));
  const outOfTime = (): boolean => (performance.now() - started) / 1000 > args.maxSeconds;
  let done = 0;
  let maxHeap = 0;
  const log = (m: string): void => { process.stderr.write(`${m}\n`); };
  log(`fuzz: ${args.perRole} inputs per role (${args.roles.join(', ')}), seed ${args.seed}, ${args.workers || 'no'} worker(s)`);

  const progress = (s: RangeStats, heapMB: number): void => {
    merge(totals.get(s.role)!, s);
    done += s.count;
    maxHeap = Math.max(maxHeap, heapMB);
    const secs = (performance.now() - started) / 1000;
    log(`  ${done}/${total} inputs, ${(done / secs).toFixed(0)} inputs/s, ${s.role} [${s.from}, ${s.from + s.count}) ${(s.count / (s.ms / 1000)).toFixed(0)}/s, heap ${heapMB.toFixed(0)} MB${s.failures.length ? `, ${s.failures.length} FAILURE(S)` : ''}`);
    for (const f of s.failures) log(`    FAILURE ${f}`);
  };

  if (args.workers === 0) {
    const f = await flights();
    for (const t of tasks) {
      if (outOfTime()) break;
      progress(await runRange(f, t.role, args.seed, t.from, t.count), process.memoryUsage().heapUsed / 2 ** 20);
    }
  } else {
    await new Promise<void>((resolve, reject) => {
      const self = fileURLToPath(import.meta.url);
      let live = 0;
      const children: ChildProcess[] = [];
      const start = (): void => {
        const child = fork(self, ['--worker', String(args.seed)], { execArgv: ['--expose-gc', '--max-old-space-size=1024'] });
        children.push(child);
        live++;
        let current: Task | undefined;
        let watchdog: ReturnType<typeof setTimeout> | undefined;
        const next = (): void => {
          if (outOfTime()) tasks.length = 0;
          current = tasks.shift();
          if (!current) { child.kill(); return; }
          child.send(current);
          clearTimeout(watchdog);
          // A unit of inputs that takes this long contains a hang.
          watchdog = setTimeout(() => {
            const t = current!;
            const msg = `no answer for 300 s: a hang in ${t.role} inputs [${t.from}, ${t.from + t.count}) (replay: --role ${t.role} --from ${t.from} --per-role ${t.count} --workers 0 --chunk 1)`;
            totals.get(t.role)!.failures.push(msg);
            log(`    FAILURE ${msg}`);
            child.kill('SIGKILL');
          }, 300_000);
        };
        child.on('message', (m: FromWorker) => {
          if (m.kind === 'done') progress(m.stats, m.heapMB);
          next();
        });
        child.on('exit', (code, signal) => {
          clearTimeout(watchdog);
          live--;
          if (current && (code !== 0 || signal)) {
            const t = current;
            const msg = `worker died (${signal ?? code}) in ${t.role} inputs [${t.from}, ${t.from + t.count}) (replay: --role ${t.role} --from ${t.from} --per-role ${t.count} --workers 0)`;
            totals.get(t.role)!.failures.push(msg);
            log(`    FAILURE ${msg}`);
            current = undefined;
            if (tasks.length) start();
          }
          if (live === 0) resolve();
        });
        child.on('error', reject);
      };
      for (let i = 0; i < Math.min(args.workers, tasks.length); i++) start();
      if (tasks.length === 0) resolve();
    });
  }

  const secs = (performance.now() - started) / 1000;
  let failed = 0;
  for (const [role, t] of totals) {
    failed += t.failures.length;
    process.stdout.write(`${role}: ${t.count} inputs, ${t.failures.length} failure(s); outcomes: ${fmtOutcomes(t.outcomes)}\n`);
  }
  if (done < total) process.stdout.write(`stopped by --max-seconds ${args.maxSeconds}: ${done} of ${total} inputs ran\n`);
  process.stdout.write(`total: ${done} inputs in ${secs.toFixed(0)} s (${(done / secs).toFixed(0)} inputs/s), max worker heap ${maxHeap.toFixed(0)} MB, seed ${args.seed}\n`);
  if (failed) {
    process.stdout.write(`FAILED: ${failed} failure(s); replay one with --role R --from INDEX --per-role 1 --workers 0 --seed ${args.seed}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[2] === '--worker') {
  void worker(Number(process.argv[3]));
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`fuzz: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(2);
  });
}
