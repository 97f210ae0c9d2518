/**
 * Child process of the memory.idle benchmark (run with --expose-gc): opens
 * N loopback connections between a server and clients of one stack (both in
 * this process), lets them go idle, and prints JSON with the growth of the
 * V8 heap (heapUsed), of memory outside it that V8 knows about (external:
 * ArrayBuffer backing stores, …) and of RSS, per connection (one
 * connection = its client and its server endpoint).
 *
 * Usage: node --expose-gc dist/bench/memory-child.js <node|puretls> <count> [provider]
 */
import type { Duplex } from 'node:stream';
import { benchPki, connectClient, startServer, type ProviderName, type Side } from './bulk-fixtures.js';

const gc = (globalThis as { gc?: () => void }).gc;

async function settle(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setImmediate(r));
    gc!();
  }
  await new Promise((r) => setTimeout(r, 50));
  gc!();
  return process.memoryUsage();
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with --expose-gc');
  const stack = process.argv[2] === 'node' ? 'node' : 'puretls';
  const count = Number(process.argv[3] ?? 1000);
  const provider = (process.argv[4] ?? 'node') as ProviderName;
  const side: Side = stack === 'node' ? { stack: 'node' } : { stack: 'puretls', provider };
  const p = await benchPki();
  const serverSockets: Duplex[] = [];
  const srv = await startServer(side, p, (s) => {
    serverSockets.push(s);
    s.on('data', (d: Buffer) => s.write(d)); // echo: each client's ping comes back
  });
  const clients: Duplex[] = [];
  // Warm up (JIT, lazily built tables), so the baseline sample includes them.
  for (let i = 0; i < 20; i++) {
    const c = await connectClient(side, p, srv.port);
    c.write('x');
    c.destroy();
  }
  await new Promise((r) => setTimeout(r, 100));
  serverSockets.length = 0;
  const before = await settle();
  const PARALLEL = 25;
  for (let i = 0; i < count; i += PARALLEL) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(PARALLEL, count - i) }, async () => {
        const c = await connectClient(side, p, srv.port);
        // One small exchange each way: the connection has carried data and is now idle.
        await new Promise<void>((resolve) => {
          c.once('data', () => resolve());
          c.write('ping');
        });
        return c;
      }),
    );
    clients.push(...batch);
  }
  const after = await settle();
  const per = (k: keyof NodeJS.MemoryUsage): number => (after[k] - before[k]) / count;
  process.stdout.write(`${JSON.stringify({
    stack, count, connections: clients.length, serverSockets: serverSockets.length,
    heapUsed: per('heapUsed'), external: per('external'), rss: per('rss'),
  })}\n`);
  for (const c of clients) c.destroy();
  await srv.close();
}

await main();
