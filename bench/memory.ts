/**
 * memory.idle: bytes of heap per idle established connection at 1,000
 * connections (DESIGN "Benchmarks"); baseline: Node's tls at the same
 * count, measured in the same run. Each stack runs in its own child process
 * with --expose-gc (bench/memory-child.ts): server and clients of that stack
 * in one process, every connection has carried one small message each way
 * and is idle. A "connection" counts both of its endpoints.
 *
 * Rows (lower is better; ratio = value / baseline):
 * - memory.idle: V8 heap + external (ArrayBuffers) of puretls (node:crypto
 *   provider); baseline memory.idle.node-tls, the same for Node's tls. Node's
 *   OpenSSL state lives in native memory this does not see, hence also:
 * - memory.idle.rss: growth of the resident set, both stacks.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { result, type BenchContext, type BenchGroup, type BenchResult } from './harness.js';

const COUNT = 1000;

interface ChildResult {
  heapUsed: number;
  external: number;
  rss: number;
  connections: number;
}

function runChild(stack: 'node' | 'puretls', count: number): Promise<ChildResult> {
  const script = fileURLToPath(new URL('./memory-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', script, stack, String(count), 'node'], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`memory child (${stack}) failed: ${err.message}\n${stderr}`));
      try {
        const r = JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
        if (r.connections !== count) throw new Error(`only ${r.connections} of ${count} connections`);
        resolve(r);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

export const memoryGroup: BenchGroup = {
  name: 'memory',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    if (!ctx.wants('memory.idle')) return [];
    const node = await runChild('node', COUNT);
    const pt = await runChild('puretls', COUNT);
    const heap = (r: ChildResult): number => r.heapUsed + r.external;
    ctx.log(`memory.idle: puretls ${heap(pt).toFixed(0)} B/connection (rss ${pt.rss.toFixed(0)}), node tls ${heap(node).toFixed(0)} (rss ${node.rss.toFixed(0)})`);
    return [
      result('memory.idle.node-tls', 'bytes/connection', heap(node), 'memory.idle.node-tls', heap(node), 1),
      result('memory.idle', 'bytes/connection', heap(pt), 'memory.idle.node-tls', heap(node)),
      result('memory.idle.rss.node-tls', 'bytes/connection', node.rss, 'memory.idle.rss.node-tls', node.rss, 1),
      result('memory.idle.rss', 'bytes/connection', pt.rss, 'memory.idle.rss.node-tls', node.rss),
    ];
  },
};

export const groups: BenchGroup[] = [memoryGroup];
