/**
 * The page script of the browser relay test and benchmark, bundled by
 * esbuild from `puretls/web` (the browser condition) and loaded in headless
 * Chromium. It exposes `window.puretlsPage` with:
 * - `echo(cfg)`: TLS through a WebSocket relay (`connectWebSocket`), send a
 *   message, read `expect` back, close with close_notify, read to the end;
 *   returns what was negotiated, received and how it closed, or the error.
 * - `bench(cfg)`: full handshakes for `seconds` (each closed cleanly), then
 *   `bytes` echoed over one connection; returns handshakes/s and MB/s.
 * - `rawEcho(cfg)`: the transport alone, no TLS: `bytes` sent through the
 *   relay to a plain TCP echo server in `messageSize` WebSocket messages
 *   (with the same bufferedAmount bound as connectWebSocket) and read back;
 *   returns MB/s, the ceiling for `bench`'s bulk figure.
 */
import { connectWebSocket } from 'puretls/web';
import 'puretls/web/webcrypto'; // the page runs both providers; 'webcrypto' is opt-in in puretls/web

export interface EchoConfig {
  url: string;
  ca: string;
  provider: 'pure' | 'webcrypto';
  message: string;
  /** What the server sends back for `message` (the message itself, or it reversed for `openssl s_server -rev`). */
  expect: string;
}

export interface EchoResult {
  ok: boolean;
  stage: string;
  error?: string;
  protocol?: string;
  cipherSuite?: string;
  group?: string;
  signatureScheme?: string;
  peerVerified?: boolean;
  received?: string;
  closed?: { cleanly: boolean };
  state?: string;
  subtleCalls?: number;
}

export interface BenchConfig {
  url: string;
  ca: string;
  provider: 'pure' | 'webcrypto';
  seconds: number;
  bytes: number;
}

export interface BenchResult {
  handshakes: number;
  handshakesPerSecond: number;
  bulkBytes: number;
  megabytesPerSecond: number;
}

/** Calls into crypto.subtle (shows which provider did the work). */
let subtleCalls = 0;
const subtle = crypto.subtle as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const m of ['encrypt', 'decrypt', 'sign', 'verify', 'deriveBits', 'importKey', 'generateKey']) {
  const f = subtle[m]!.bind(crypto.subtle);
  subtle[m] = (...a: unknown[]) => { subtleCalls++; return f(...a); };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

async function echo(cfg: EchoConfig): Promise<EchoResult> {
  let stage = 'connect';
  const before = subtleCalls;
  try {
    const tls = connectWebSocket(cfg.url, { servername: 'localhost', ca: cfg.ca, provider: cfg.provider });
    stage = 'handshake';
    const info = await tls.handshake;
    stage = 'echo';
    const w = tls.writable.getWriter();
    await w.write(enc.encode(cfg.message));
    const r = tls.readable.getReader();
    let received = '';
    while (received.length < cfg.expect.length) {
      const x = await r.read();
      if (x.done) break;
      received += dec.decode(x.value, { stream: true });
    }
    stage = 'close';
    await w.close();
    while (!(await r.read()).done);
    const closed = await tls.closed;
    return {
      ok: true, stage: 'done', protocol: info.protocol, cipherSuite: info.cipherSuite, group: info.group,
      signatureScheme: info.signatureScheme, peerVerified: info.peerVerified, received, closed,
      state: tls.connection.state, subtleCalls: subtleCalls - before,
    };
  } catch (e) {
    return { ok: false, stage, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

async function oneHandshake(cfg: BenchConfig): Promise<void> {
  const tls = connectWebSocket(cfg.url, { servername: 'localhost', ca: cfg.ca, provider: cfg.provider });
  await tls.handshake;
  const r = tls.readable.getReader();
  await tls.writable.close();
  while (!(await r.read()).done);
  const c = await tls.closed;
  if (!c.cleanly) throw new Error('handshake run: not closed cleanly');
}

async function bench(cfg: BenchConfig): Promise<BenchResult> {
  await oneHandshake(cfg); // warm-up
  let handshakes = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < cfg.seconds * 1000) {
    await oneHandshake(cfg);
    handshakes++;
  }
  const hsSeconds = (performance.now() - t0) / 1000;

  const tls = connectWebSocket(cfg.url, { servername: 'localhost', ca: cfg.ca, provider: cfg.provider });
  await tls.handshake;
  const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
  const w = tls.writable.getWriter();
  const r = tls.readable.getReader();
  const t1 = performance.now();
  const reading = (async () => {
    let got = 0;
    while (got < cfg.bytes) {
      const x = await r.read();
      if (x.done) throw new Error(`bulk: ended after ${got} bytes`);
      got += x.value.length;
    }
  })();
  for (let sent = 0; sent < cfg.bytes; sent += chunk.length) await w.write(chunk);
  await reading;
  const bulkSeconds = (performance.now() - t1) / 1000;
  await w.close();
  while (!(await r.read()).done);
  return {
    handshakes,
    handshakesPerSecond: handshakes / hsSeconds,
    bulkBytes: cfg.bytes,
    // Bytes echoed (each crosses the relay twice: up and back).
    megabytesPerSecond: cfg.bytes / 1e6 / bulkSeconds,
  };
}

export interface RawEchoConfig {
  url: string;
  bytes: number;
  messageSize: number;
}

async function rawEcho(cfg: RawEchoConfig): Promise<{ megabytesPerSecond: number }> {
  const ws = new WebSocket(cfg.url, ['binary']);
  ws.binaryType = 'arraybuffer';
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', (e) => reject(new Error(`rawEcho: closed ${e.code} ${e.reason}`)));
  });
  let got = 0;
  const done = new Promise<void>((resolve) => {
    ws.addEventListener('message', (e) => {
      got += (e.data as ArrayBuffer).byteLength;
      if (got >= cfg.bytes) resolve();
    });
  });
  const message = new Uint8Array(cfg.messageSize);
  const t = performance.now();
  for (let sent = 0; sent < cfg.bytes; sent += cfg.messageSize) {
    ws.send(message);
    while (ws.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 5));
  }
  await done;
  const seconds = (performance.now() - t) / 1000;
  ws.close(1000);
  return { megabytesPerSecond: cfg.bytes / 1e6 / seconds };
}

(globalThis as { puretlsPage?: unknown }).puretlsPage = { echo, bench, rawEcho };
