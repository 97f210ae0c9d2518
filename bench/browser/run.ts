/**
 * `npm run bench:browser [-- --seconds S] [-- --mb N]`: the page-level
 * benchmark in headless Chromium. A page built from puretls/web connects
 * through `puretls relay` (in this process) to Node's tls (TLS 1.3, ECDSA
 * P-256, echo) on loopback and measures, for each provider: full handshakes
 * per second (sequential, each closed with close_notify both ways) and MB/s
 * of application data echoed over one connection (64 KiB writes). The same
 * page code then runs in this Node process (the `ws` package as its
 * WebSocket) through the same relay, so the two are compared in one run on
 * the same machine. Last, the transport alone (no TLS): MB/s echoed through
 * the same relay to a plain TCP echo server in 16 KiB messages (one TLS
 * record each, as the WebCrypto provider sends them) and 64 KiB messages,
 * from the page and from Node: the ceiling for the bulk figures.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createCertificateAuthority, issueCertificate } from '../../src/cert/index.js';
import { startRelay } from '../../src/cli/relay.js';
import { WebSocket } from 'ws';
import { openBrowserPage, type BenchConfig, type BenchResult, type RawEchoConfig } from './harness.js';

function option(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`--${name}: a positive number\n`);
    process.exit(2);
  }
  return v;
}

const seconds = option('seconds', 5);
const megabytes = option('mb', 32);

const ca = await createCertificateAuthority({ name: 'bench CA' });
const leaf = await issueCertificate({ ca, names: ['localhost'] });
const server = tls.createServer({ key: leaf.keyPem, cert: leaf.certPem, minVersion: 'TLSv1.3' }, (s) => {
  s.on('error', () => undefined);
  s.pipe(s);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;
const relay = await startRelay({ host: '127.0.0.1', port: 0, allow: [{ host: '127.0.0.1', port }], maxPerClient: 1000, maxTotal: 1000 });
const page = await openBrowserPage();
const rows: Record<string, unknown>[] = [];
try {
  for (const provider of ['pure', 'webcrypto'] as const) {
    const r = await page.bench({ url: `ws://localhost:${relay.port}/`, ca: ca.certPem, provider, seconds, bytes: Math.ceil((megabytes * 1e6) / 65536) * 65536 });
    rows.push({ runtime: 'chromium', provider, ...r });
    process.stdout.write(`chromium ${provider.padEnd(9)} ${r.handshakesPerSecond.toFixed(1).padStart(7)} handshakes/s (${r.handshakes} in ${seconds} s)   ${r.megabytesPerSecond.toFixed(1).padStart(6)} MB/s echoed (${(r.bulkBytes / 1e6).toFixed(1)} MB)\n`);
  }
  // The same page code in Node, through the same relay.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  await import('./page.js');
  const nodePage = (globalThis as unknown as { puretlsPage: { bench(c: BenchConfig): Promise<BenchResult> } }).puretlsPage;
  for (const provider of ['pure', 'webcrypto'] as const) {
    const r = await nodePage.bench({ url: `ws://127.0.0.1:${relay.port}/`, ca: ca.certPem, provider, seconds, bytes: Math.ceil((megabytes * 1e6) / 65536) * 65536 });
    rows.push({ runtime: `node ${process.version}`, provider, ...r });
    process.stdout.write(`node     ${provider.padEnd(9)} ${r.handshakesPerSecond.toFixed(1).padStart(7)} handshakes/s (${r.handshakes} in ${seconds} s)   ${r.megabytesPerSecond.toFixed(1).padStart(6)} MB/s echoed (${(r.bulkBytes / 1e6).toFixed(1)} MB)\n`);
  }
  // The transport alone: WebSocket → relay → TCP echo → back, no TLS.
  const tcpEcho = net.createServer((s) => { s.on('error', () => undefined); s.pipe(s); });
  await new Promise<void>((r) => tcpEcho.listen(0, '127.0.0.1', r));
  const echoPort = (tcpEcho.address() as { port: number }).port;
  const rawRelay = await startRelay({ host: '127.0.0.1', port: 0, allow: [{ host: '127.0.0.1', port: echoPort }], maxPerClient: 1000, maxTotal: 1000 });
  try {
    const raw = (globalThis as unknown as { puretlsPage: { rawEcho(c: RawEchoConfig): Promise<{ megabytesPerSecond: number }> } }).puretlsPage;
    for (const messageSize of [16 * 1024, 64 * 1024]) {
      const bytes = Math.ceil((megabytes * 1e6) / messageSize) * messageSize;
      const c = await page.rawEcho({ url: `ws://localhost:${rawRelay.port}/`, bytes, messageSize });
      const n = await raw.rawEcho({ url: `ws://127.0.0.1:${rawRelay.port}/`, bytes, messageSize });
      rows.push({ runtime: 'chromium', provider: `no TLS, ${messageSize / 1024} KiB messages`, megabytesPerSecond: c.megabytesPerSecond });
      rows.push({ runtime: `node ${process.version}`, provider: `no TLS, ${messageSize / 1024} KiB messages`, megabytesPerSecond: n.megabytesPerSecond });
      process.stdout.write(`no TLS, ${String(messageSize / 1024).padStart(2)} KiB WebSocket messages: chromium ${c.megabytesPerSecond.toFixed(1).padStart(6)} MB/s echoed, node ${n.megabytesPerSecond.toFixed(1).padStart(6)} MB/s echoed\n`);
    }
  } finally {
    await rawRelay.close();
    tcpEcho.close();
  }
  const version = await page.page.evaluate(() => navigator.userAgent);
  process.stdout.write(JSON.stringify({ browser: version, seconds, rows }) + '\n');
} finally {
  await page.close();
  await relay.close();
  server.close();
}
