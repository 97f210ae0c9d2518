/**
 * x509.worstchain.<provider>: what the worst client-certificate chain an
 * unauthenticated peer can send costs a server that verifies client
 * certificates, against an ordinary full handshake with the same provider
 * (issue 8: at most 10×).
 *
 * Both are in-memory handshakes between two Connections (x25519, ECDSA
 * P-256 server certificate), measured in CPU time of the process to their
 * end: the ordinary one to completion, the hostile one until the server
 * refuses the client's chain.
 * The hostile client sends bench/worst-chain.ts: 31 intermediates with one
 * name and one claimed key identifier, each with its own key; one chain per
 * key type (P-256, P-384, P-521, Ed25519, RSA-2048), since which one costs most per
 * budget unit depends on the provider. The row is the worst of them:
 * value = CPU ms per hostile attempt, baselineValue = CPU ms per ordinary handshake
 * (row x509.handshake.inmemory.<provider>), ratio = value / baselineValue
 * (lower is better; the goal is ≤ 10). The timed attempt includes the
 * client's own work, so the server's share is a little smaller than shown.
 * Both sides are measured interleaved in small batches; the ratio is the
 * median of the per-round ratios.
 */
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { nodeProvider } from '../../src/crypto/node-provider.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { clientConfig, serverConfig } from '../../src/io/options.js';
import { benchPki } from '../bulk-fixtures.js';
import { inMemoryHandshake } from '../handshake.js';
import { median, result, type BenchContext, type BenchGroup, type BenchResult } from '../harness.js';
import { worstChain, type WorstChain, type WorstChainKey } from '../worst-chain.js';

const KEY_TYPES: WorstChainKey[] = ['P-256', 'P-384', 'P-521', 'ed25519', 'rsa-2048'];

/** One hostile attempt: resolves once the server refused the chain (and checks it did, for the right reason). */
async function hostileAttempt(cc: ClientConfig, sc: ServerConfig): Promise<void> {
  try {
    await inMemoryHandshake(cc, sc);
  } catch (e) {
    const alert = (e as { alert?: string }).alert;
    if (alert !== 'certificate_unknown') throw new Error(`x509.worstchain: expected certificate_unknown, got ${alert}: ${(e as Error).message}`);
    return;
  }
  throw new Error('x509.worstchain: the hostile chain was accepted');
}

/**
 * CPU milliseconds (user + system, every thread of the process: WebCrypto
 * runs on libuv's pool) per call. Not wall time: on a shared machine a
 * 100 ms task is preempted far more often than a 10 ms one, so wall-time
 * ratios grow with the machine's load rather than with the work done.
 */
async function cpuEach(n: number, fn: () => Promise<void>): Promise<number> {
  const t = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000 / n;
}

export const x509Group: BenchGroup = {
  name: 'x509',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const providers: [string, string | CryptoProvider][] = [['pure', 'pure'], ['node', nodeProvider], ['webcrypto', 'webcrypto']];
    if (!providers.some(([p]) => ctx.wants(`x509.worstchain.${p}`) || ctx.wants(`x509.handshake.inmemory.${p}`))) return [];
    const p = await benchPki();
    const chains = new Map<WorstChainKey, WorstChain>();
    for (const k of KEY_TYPES) chains.set(k, await worstChain({ keyType: k }));
    const out: BenchResult[] = [];
    const rounds = ctx.quick ? 5 : 11;
    const batch = ctx.quick ? 2 : 6;
    for (const [name, provider] of providers) {
      const rowName = `x509.worstchain.${name}`;
      const baseName = `x509.handshake.inmemory.${name}`;
      if (!ctx.wants(rowName) && !ctx.wants(baseName)) continue;
      const common = { servername: 'localhost', ca: p.ca, provider, groups: ['x25519'] } as const;
      const cc = clientConfig(common);
      const sc = serverConfig({ cert: p.cert, key: p.key, provider, groups: ['x25519'] });
      // Warm-up, untimed.
      for (let i = 0; i < 5; i++) await inMemoryHandshake(cc, sc);
      const hostile = [...chains].map(([k, w]) => ({
        k,
        cc: { ...cc, certificate: { chain: w.chain, key: w.leafKey } } as ClientConfig,
        sc: { ...sc, clientAuth: 'require', ca: [w.root] } as ServerConfig,
        values: [] as number[],
        ratios: [] as number[],
      }));
      for (const h of hostile) await hostileAttempt(h.cc, h.sc);
      // Each round: a batch of ordinary handshakes, then a batch of each hostile chain, each
      // compared with that round's baseline; the median over rounds resists load spikes.
      const base: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const b = await cpuEach(batch, () => inMemoryHandshake(cc, sc));
        base.push(b);
        for (const h of hostile) {
          const v = await cpuEach(batch, () => hostileAttempt(h.cc, h.sc));
          h.values.push(v);
          h.ratios.push(v / b);
        }
      }
      const baseMs = median(base);
      const worst = { ms: 0, ratio: 0, key: '' };
      for (const h of hostile) {
        const ms = median(h.values);
        const ratio = median(h.ratios);
        ctx.log(`${rowName} (${h.k} chain): ${ms.toFixed(1)} CPU ms per hostile attempt, ${ratio.toFixed(2)}× an ordinary handshake`);
        if (ratio > worst.ratio) Object.assign(worst, { ms, ratio, key: h.k });
      }
      ctx.log(`${rowName}: worst is the ${worst.key} chain`);
      out.push(result(baseName, 'CPU ms', baseMs, baseName, baseMs, 1));
      out.push(result(rowName, 'CPU ms', worst.ms, baseName, baseMs, worst.ratio));
    }
    return out;
  },
};

export const groups: BenchGroup[] = [x509Group];
