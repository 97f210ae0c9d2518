/**
 * bulk.<client>-<server>.<suite>[.<provider>]: MB/s of application data from
 * client to server over loopback TCP, client and server each puretls (with
 * each provider) or Node's tls. Baseline: node-node with the same suite,
 * measured in the same round; the ratio is the median of per-round ratios.
 *
 * bulk.ceiling.aes128gcm.node (bench/ceiling.ts) is what node:crypto alone
 * allows on one thread; it is measured right after each
 * bulk.puretls-puretls.aes128gcm.node transfer (the machine is too noisy for
 * figures taken minutes apart), and that row is compared with it as a second
 * baseline in bulk.puretls-puretls.aes128gcm.node.vs-ceiling.
 */
import type { Duplex } from 'node:stream';
import { median, result, type BenchContext, type BenchGroup, type BenchResult } from './harness.js';
import { benchPki, connectClient, startServer, type Pki, type ProviderName, type Side } from './bulk-fixtures.js';
import { ceilingAes128Gcm } from './ceiling.js';

const SUITES = [
  ['aes128gcm', 'TLS_AES_128_GCM_SHA256'],
  ['aes256gcm', 'TLS_AES_256_GCM_SHA384'],
  ['chacha20poly1305', 'TLS_CHACHA20_POLY1305_SHA256'],
] as const;

const CHUNK = 1 << 20;
const CEILING = 'bulk.ceiling.aes128gcm.node';
const CEILING_SUBJECT = 'bulk.puretls-puretls.aes128gcm.node';

/** Bytes to send: enough for ~1 s at the expected speed of the slowest side. */
function bytesFor(client: Side, server: Side, quick: boolean): number {
  const slow = [client, server].some((s) => s.stack === 'puretls' && s.provider === 'pure');
  const mib = slow ? (quick ? 8 : 32) : (quick ? 32 : 128);
  return mib * CHUNK;
}

/** One transfer: MB/s from the first byte written to the last byte received. */
export async function transfer(p: Pki, client: Side, server: Side, suite: string, bytes: number): Promise<number> {
  let done!: (t: number) => void;
  const finished = new Promise<number>((r) => { done = r; });
  const srv = await startServer(server, p, (s: Duplex) => {
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= bytes) done(performance.now());
    });
  });
  try {
    const c = await connectClient(client, p, srv.port, { suite });
    const buf = Buffer.alloc(CHUNK, 0x5a);
    const start = performance.now();
    for (let sent = 0; sent < bytes; sent += CHUNK) {
      if (!c.write(buf)) await new Promise((r) => c.once('drain', r));
    }
    const end = await finished;
    c.destroy();
    return bytes / ((end - start) / 1000) / 1e6;
  } finally {
    await srv.close();
  }
}

export const bulkGroup: BenchGroup = {
  name: 'bulk',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const p = await benchPki();
    const providers: ProviderName[] = ['node', 'webcrypto', 'pure'];
    const suites = ctx.quick ? SUITES.filter(([s]) => s === 'aes128gcm') : SUITES;
    const rounds = ctx.quick ? 1 : 3;
    const pairs: { name: string; client: Side; server: Side }[] = [];
    for (const provider of providers) {
      const pt: Side = { stack: 'puretls', provider };
      pairs.push({ name: `puretls-puretls`, client: pt, server: pt });
      if (!ctx.quick || provider === 'node') {
        pairs.push({ name: 'puretls-node', client: pt, server: { stack: 'node' } });
        pairs.push({ name: 'node-puretls', client: { stack: 'node' }, server: pt });
      }
    }
    const node: Side = { stack: 'node' };
    const out: BenchResult[] = [];
    const ceiling = { values: [] as number[], ratios: [] as number[] };
    for (const [short, suite] of suites) {
      const base: number[] = [];
      const subj = new Map<string, { values: number[]; ratios: number[] }>();
      for (let r = 0; r < rounds; r++) {
        if (r === 0) await transfer(p, node, node, suite, 4 * CHUNK); // warm-up (JIT, TCP)
        const b = await transfer(p, node, node, suite, bytesFor(node, node, ctx.quick));
        base.push(b);
        for (const pair of pairs) {
          const provider = (pair.client.stack === 'puretls' ? pair.client : pair.server) as { provider: ProviderName };
          const name = `bulk.${pair.name}.${short}.${provider.provider}`;
          if (!ctx.wants(name)) continue;
          if (r === 0) await transfer(p, pair.client, pair.server, suite, 4 * CHUNK); // warm-up
          const v = await transfer(p, pair.client, pair.server, suite, bytesFor(pair.client, pair.server, ctx.quick));
          const e = subj.get(name) ?? { values: [], ratios: [] };
          e.values.push(v);
          e.ratios.push(v / b);
          subj.set(name, e);
          ctx.log(`${name}: ${v.toFixed(1)} MB/s (node-node ${b.toFixed(1)})`);
          if (name === CEILING_SUBJECT && (ctx.wants(CEILING) || ctx.wants(`${CEILING_SUBJECT}.vs-ceiling`))) {
            const c = ceilingAes128Gcm(ctx.quick ? 300 : 1000);
            ceiling.values.push(c);
            ceiling.ratios.push(v / c);
            ctx.log(`${CEILING}: ${c.toFixed(1)} MB/s (${name} at ${(v / c).toFixed(3)} of it)`);
          }
        }
      }
      const baseName = `bulk.node-node.${short}`;
      out.push(result(baseName, 'MB/s', median(base), baseName, median(base), 1));
      for (const [name, e] of subj) out.push(result(name, 'MB/s', median(e.values), baseName, median(base), median(e.ratios)));
    }
    if (ceiling.values.length > 0) {
      const subject = out.find((r) => r.name === CEILING_SUBJECT)!;
      out.push(result(CEILING, 'MB/s', median(ceiling.values), 'bulk.node-node.aes128gcm', out.find((r) => r.name === 'bulk.node-node.aes128gcm')!.baselineValue));
      out.push(result(`${CEILING_SUBJECT}.vs-ceiling`, 'MB/s', subject.value, CEILING, median(ceiling.values), median(ceiling.ratios)));
    }
    return out;
  },
};

export const groups: BenchGroup[] = [bulkGroup];
