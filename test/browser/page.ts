/**
 * The script of the page that headless Chromium loads in test/browser: it
 * imports puretls's built core (dist/src/core.js, bare imports resolved by
 * the page's import map, no bundler), opens a WebSocket to the test's bridge,
 * runs a TLS 1.3 client with secureWebStream over streams made from that
 * WebSocket, verifies the server against the CA given in the page, sends a
 * message, reads the echo, closes with close_notify, and reports a JSON
 * result: written into <pre id="result"> and POSTed to the test server.
 *
 * Type-checked with the repo (DOM lib); the test server transpiles it to JS
 * (TypeScript's transpileModule) when the page asks for it.
 */
type Core = typeof import('../../src/core.js');

export interface PageConfig {
  /** URL of dist/src/core.js. */
  coreUrl: string;
  /** ws:// URL of the bridge to the TLS server. */
  ws: string;
  /** Where to POST the result. */
  resultUrl: string;
  provider: 'pure' | 'webcrypto';
  /** PEM of the CA to trust. */
  ca: string;
  servername: string;
  message: string;
  /** Bytes of a deterministic pattern to send (and get echoed) after the message. */
  bulkBytes: number;
}

export interface PageResult {
  ok: boolean;
  /** Where it failed: import, websocket, handshake, echo, close. */
  stage: string;
  error?: { name: string; message: string; code?: string; alert?: string; received?: boolean };
  protocol?: string;
  cipherSuite?: string;
  group?: string;
  signatureScheme?: string;
  servername?: string;
  peerVerified?: boolean;
  peerCertificates?: number;
  echoed?: string;
  bulkBytes?: number;
  /** Whether the bulk bytes came back exactly. */
  bulkEchoed?: boolean;
  /** Bytes received after the echo (none expected). */
  extraBytes?: number;
  closedCleanly?: boolean;
  /** Calls into crypto.subtle, by method, during the whole run. */
  subtleCalls: Record<string, number>;
  secureContext: boolean;
  userAgent: string;
}

const SUBTLE_METHODS = ['encrypt', 'decrypt', 'sign', 'verify', 'digest', 'deriveBits', 'importKey', 'generateKey', 'exportKey'] as const;

/** Count calls into crypto.subtle (shows which provider did the work); before the core is imported. */
function countSubtleCalls(): Record<string, number> {
  const counts: Record<string, number> = {};
  const subtle = globalThis.crypto?.subtle as unknown as Record<string, (...a: unknown[]) => unknown> | undefined;
  if (!subtle) return counts;
  for (const m of SUBTLE_METHODS) {
    const orig = subtle[m];
    if (typeof orig !== 'function') continue;
    subtle[m] = (...args: unknown[]) => {
      counts[m] = (counts[m] ?? 0) + 1;
      return orig.apply(subtle, args);
    };
  }
  return counts;
}

/** A WebSocket as a `{ readable, writable }` byte-stream pair (resolves once open). */
function webSocketStreams(url: string): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    let opened = false;
    const readable = new ReadableStream<Uint8Array>({
      start(c) {
        ws.addEventListener('message', (e: MessageEvent) => {
          if (e.data instanceof ArrayBuffer) c.enqueue(new Uint8Array(e.data));
          else c.error(new Error('unexpected text message on the bridge'));
        });
        ws.addEventListener('close', () => {
          try { c.close(); } catch { /* errored */ }
        });
        ws.addEventListener('error', () => {
          try { c.error(new Error('WebSocket error')); } catch { /* closed */ }
          if (!opened) reject(new Error(`WebSocket to ${url} failed`));
        });
      },
      cancel() { ws.close(1000); },
    });
    const writable = new WritableStream<Uint8Array>({
      write(chunk) {
        if (ws.readyState !== WebSocket.OPEN) throw new Error('WebSocket is not open');
        ws.send(chunk);
      },
      close() { ws.close(1000); },
      abort() { ws.close(1000); },
    });
    ws.addEventListener('open', () => {
      opened = true;
      resolve({ readable, writable });
    });
  });
}

/** Deterministic bytes to echo (no crypto: the pure run must not touch crypto.subtle). */
function bulkPattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >>> 8) + 7) & 0xff;
  return b;
}

/** Read exactly `n` bytes (fewer if the stream ends first). */
async function readExactly(reader: ReadableStreamDefaultReader<Uint8Array>, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const { value, done } = await reader.read();
    if (done) break;
    const take = Math.min(value.length, n - off);
    out.set(value.subarray(0, take), off);
    off += take;
    if (take < value.length) throw new Error(`the echo has ${value.length - take} bytes more than was sent`);
  }
  return out.subarray(0, off);
}

function describeError(e: unknown): NonNullable<PageResult['error']> {
  if (e instanceof Error) {
    const t = e as Error & { code?: unknown; alert?: unknown; received?: unknown };
    return {
      name: e.name,
      message: e.message,
      ...(typeof t.code === 'string' ? { code: t.code } : {}),
      ...(typeof t.alert === 'string' ? { alert: t.alert } : {}),
      ...(typeof t.received === 'boolean' ? { received: t.received } : {}),
    };
  }
  return { name: 'unknown', message: String(e) };
}

async function main(cfg: PageConfig, subtleCalls: Record<string, number>): Promise<PageResult> {
  const base = { subtleCalls, secureContext: globalThis.isSecureContext, userAgent: navigator.userAgent };
  let stage = 'import';
  try {
    const core = (await import(cfg.coreUrl)) as Core;
    stage = 'websocket';
    const transport = await webSocketStreams(cfg.ws);
    stage = 'handshake';
    const tls = core.secureWebStream(transport, { servername: cfg.servername, ca: cfg.ca, provider: cfg.provider });
    const info = await tls.handshake;
    const session = {
      protocol: info.protocol,
      cipherSuite: info.cipherSuite,
      ...(info.group !== undefined ? { group: info.group } : {}),
      ...(info.signatureScheme !== undefined ? { signatureScheme: info.signatureScheme } : {}),
      ...(info.servername !== undefined ? { servername: info.servername } : {}),
      peerVerified: info.peerVerified,
      peerCertificates: info.peerCertificates.length,
    };
    stage = 'echo';
    const writer = tls.writable.getWriter();
    const reader = tls.readable.getReader();
    const text = new TextEncoder().encode(cfg.message);
    const bulk = bulkPattern(cfg.bulkBytes);
    // Read while writing: the echo of a large write comes back before the write has resolved.
    const reading = readExactly(reader, text.length + bulk.length);
    await writer.write(text);
    if (bulk.length > 0) await writer.write(bulk);
    const got = await reading;
    const echoed = new TextDecoder().decode(got.subarray(0, text.length));
    const rest = got.subarray(text.length);
    const bulkEchoed = rest.length === bulk.length && rest.every((b, i) => b === bulk[i]);
    stage = 'close';
    // close_notify (RFC 8446 §6.1); the echo server answers with its own, then the bridge closes.
    await writer.close();
    let extra = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      extra += value.length;
    }
    const { cleanly } = await tls.closed;
    return { ok: true, stage: 'done', ...session, echoed, bulkBytes: bulk.length, bulkEchoed, extraBytes: extra, closedCleanly: cleanly, ...base };
  } catch (e) {
    return { ok: false, stage, error: describeError(e), ...base };
  }
}

async function report(cfg: PageConfig, result: PageResult): Promise<void> {
  const text = JSON.stringify(result);
  document.getElementById('result')!.textContent = text;
  await fetch(cfg.resultUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
}

const cfg = JSON.parse(document.getElementById('config')!.textContent!) as PageConfig;
const subtleCalls = countSubtleCalls();
void main(cfg, subtleCalls).then((r) => report(cfg, r));
