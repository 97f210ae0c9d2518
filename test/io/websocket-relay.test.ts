/**
 * `puretls relay` and `connectWebSocket` in Node (the `ws` package's
 * WebSocket class stands in for a browser's; test/browser/relay.test.ts runs
 * the same in Chromium): TLS 1.3 through the relay to Node's tls, the
 * allow-list (a target not on it is refused, with the reason reaching the
 * client), per-client and total limits, the idle timeout, backpressure with
 * a large transfer, and the CLI's refusal to start without --allow.
 */
import { execFile } from 'node:child_process';
import { createServer as createTcpServer } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE, startRelay, type Relay } from '../../src/cli/relay.js';
import { connectWebSocket, WebSocketTransportError, type WebSocketSecureOptions } from '../../src/io/websocket.js';
import { CLI, closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
let server: tls.Server;
let port: number;
const logs: string[] = [];
const relays: Relay[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  server = tls.createServer({ key: pki.server['ecdsa-p256'].key, cert: pki.server['ecdsa-p256'].cert, minVersion: 'TLSv1.3' }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  port = await listen(server);
});
afterAll(async () => {
  for (const r of relays) await r.close();
  await closeServer(server);
  pki.cleanup();
});

async function relay(opts: Partial<Parameters<typeof startRelay>[0]> = {}): Promise<Relay> {
  const r = await startRelay({ host: '127.0.0.1', port: 0, allow: [{ host: '127.0.0.1', port }], log: (l) => logs.push(l), ...opts });
  relays.push(r);
  return r;
}

const opts = (): WebSocketSecureOptions => ({ servername: 'localhost', ca: pki.ca.cert, WebSocket: WebSocket as unknown as WebSocketSecureOptions['WebSocket'] });

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = r.getReader();
  for (let x = await reader.read(); !x.done; x = await reader.read()) parts.push(x.value);
  return Buffer.concat(parts);
}

describe('puretls relay + connectWebSocket', () => {
  for (const provider of ['pure', 'webcrypto'] as const) {
    it(`${provider}: TLS 1.3 to Node's tls through the relay, 2 MB echoed, clean close`, async () => {
      const r = await relay();
      const t = connectWebSocket(`ws://127.0.0.1:${r.port}/`, { ...opts(), provider });
      const info = await t.handshake;
      expect(info.protocol).toBe('TLSv1.3');
      expect(info.peerVerified).toBe(true);
      const data = new Uint8Array(2_000_000).map((_, i) => (i * 31) & 0xff);
      const w = t.writable.getWriter();
      const got = readAllUntil(t.readable, data.length);
      await w.write(data);
      expect(Buffer.compare(Buffer.from(await got.bytes), Buffer.from(data))).toBe(0);
      await w.close();
      await got.rest;
      expect(await t.closed).toEqual({ cleanly: true });
      expect(logs.some((l) => /connected/.test(l))).toBe(true);
    });
  }

  it('a target not on the allow-list is refused: handshake rejects with the relay\'s reason', async () => {
    const r = await relay();
    const t = connectWebSocket(`ws://127.0.0.1:${r.port}/?target=127.0.0.1:22`, opts());
    const e = await t.handshake.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WebSocketTransportError);
    expect((e as WebSocketTransportError).closeCode).toBe(CLOSE.notAllowed);
    expect(String((e as Error).message)).toMatch(/refused the target.*target not allowed: 127\.0\.0\.1:22/);
    expect(logs.some((l) => /refused: target not allowed: 127\.0\.0\.1:22/.test(l))).toBe(true);
  });

  it('several allowed targets: a client must name one', async () => {
    const r = await relay({ allow: [{ host: '127.0.0.1', port }, { host: 'localhost', port }] });
    const bad = connectWebSocket(`ws://127.0.0.1:${r.port}/`, opts());
    expect(String(await bad.handshake.catch((x: unknown) => x))).toMatch(/name a target/);
    const good = connectWebSocket(`ws://127.0.0.1:${r.port}/?target=localhost:${port}`, opts());
    expect((await good.handshake).protocol).toBe('TLSv1.3');
    await good.writable.close();
    await readAll(good.readable);
  });

  it('per-client and total limits refuse with 4429', async () => {
    const r = await relay({ maxPerClient: 1 });
    const first = connectWebSocket(`ws://127.0.0.1:${r.port}/`, opts());
    await first.handshake;
    const second = connectWebSocket(`ws://127.0.0.1:${r.port}/`, opts());
    const e = (await second.handshake.catch((x: unknown) => x)) as WebSocketTransportError;
    expect(e.closeCode).toBe(CLOSE.tooMany);
    expect(e.message).toMatch(/too many connections from/);
    await first.writable.close();
    await readAll(first.readable);
    const r2 = await relay({ maxTotal: 1 });
    const a = connectWebSocket(`ws://127.0.0.1:${r2.port}/`, opts());
    await a.handshake;
    const b = (await connectWebSocket(`ws://127.0.0.1:${r2.port}/`, opts()).handshake.catch((x: unknown) => x)) as WebSocketTransportError;
    expect(b.message).toMatch(/too many connections \(1 in all\)/);
    await a.writable.close();
    await readAll(a.readable);
  });

  it('--origin: a page from another origin (or none) is refused with 4403', async () => {
    const r = await relay({ origins: ['http://app.test'] });
    const closeOf = (origin?: string) => new Promise<{ code: number; reason: string }>((res) => {
      const ws = new WebSocket(`ws://127.0.0.1:${r.port}/`, ['binary'], origin ? { origin } : {});
      ws.on('close', (code, reason) => res({ code, reason: reason.toString() }));
      ws.on('error', () => undefined);
    });
    expect(await closeOf('http://evil.test')).toEqual({ code: CLOSE.notAllowed, reason: 'origin not allowed: http://evil.test' });
    expect(await closeOf()).toEqual({ code: CLOSE.notAllowed, reason: 'origin not allowed: (none)' });
    const okOpts = { ...opts(), WebSocket: class extends WebSocket { constructor(u: string, p?: string | string[]) { super(u, p, { origin: 'http://app.test' }); } } as unknown as WebSocketSecureOptions['WebSocket'] };
    const t = connectWebSocket(`ws://127.0.0.1:${r.port}/`, okOpts);
    expect((await t.handshake).protocol).toBe('TLSv1.3');
    await t.writable.close();
    await readAll(t.readable);
  });

  it('an unreachable target closes with 4502 and the error code', async () => {
    const closed = createTcpServer();
    const deadPort = await listen(closed);
    await new Promise<void>((res) => closed.close(() => res()));
    const r = await relay({ allow: [{ host: '127.0.0.1', port: deadPort }] });
    const e = (await connectWebSocket(`ws://127.0.0.1:${r.port}/`, opts()).handshake.catch((x: unknown) => x)) as WebSocketTransportError;
    expect(e.closeCode).toBe(CLOSE.unreachable);
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it('an idle connection is closed after --idle-timeout', async () => {
    const r = await relay({ idleTimeoutMs: 300 });
    const t = connectWebSocket(`ws://127.0.0.1:${r.port}/`, opts());
    await t.handshake;
    const e = await readAll(t.readable).catch((x: unknown) => x);
    expect((e as WebSocketTransportError).closeCode).toBe(CLOSE.idle);
    expect(r.active).toBe(0);
  });

  it('the CLI refuses to start without --allow (exit 2: never an open proxy)', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
      execFile(process.execPath, [CLI, 'relay', '--listen', '127.0.0.1:0'], (err, _out, stderr) => res({ code: err ? (err as { code?: number }).code ?? 1 : 0, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--allow is required/);
  });
});

/** Read `n` bytes (resolves `bytes`), then the rest to the end (`rest`). */
function readAllUntil(r: ReadableStream<Uint8Array>, n: number): { bytes: Promise<Uint8Array>; rest: Promise<void> } {
  const reader = r.getReader();
  let resolveBytes!: (b: Uint8Array) => void;
  const bytes = new Promise<Uint8Array>((res) => { resolveBytes = res; });
  const rest = (async () => {
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < n) {
      const x = await reader.read();
      if (x.done) break;
      parts.push(x.value);
      got += x.value.length;
    }
    resolveBytes(Buffer.concat(parts));
    while (!(await reader.read()).done);
  })();
  return { bytes, rest };
}
