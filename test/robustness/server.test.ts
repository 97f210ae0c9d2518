/**
 * The server under hostile clients, over real sockets: the Node adapter's
 * createServer in this process, and `puretls serve` as a child process.
 * After each abuse the server still serves a good client, and no
 * uncaughtException / unhandledRejection fired (process listeners).
 *
 * Timing never decides a verdict: waits are for events, with hang guards;
 * the handshake timeout uses a short configured value and generous margins.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type TlsSocket } from '../../src/io/node.js';
import { block, closeServer, CLI, listen, run, type Child } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';
import { clientHelloBytes, plaintextAlerts, rawClient, stalled, until, waitForBytes, watchProcess } from './hostile.js';

// Long enough that a good client finishes its handshake on a loaded 2-core machine (every connection shares it).
const HANDSHAKE_TIMEOUT = 2000;
const MiB = 1 << 20;

let pki: TestPki;
let watch: ReturnType<typeof watchProcess>;
let hello: Uint8Array;

beforeAll(async () => {
  watch = watchProcess();
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  hello = await clientHelloBytes({ servername: 'localhost', ca: [pki.ca.cert] });
});

afterAll(() => {
  watch?.stop();
  pki?.cleanup();
  expect(watch.failures).toEqual([]);
});

const clientOpts = (port: number, alpn = 'echo') => ({
  host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, provider: 'node' as const, ALPNProtocols: [alpn],
});

/** A good client: handshake, echo round trip, clean close. */
async function goodClient(port: number, alpn = 'echo'): Promise<void> {
  const c = connect(clientOpts(port, alpn));
  try {
    await new Promise<void>((res, rej) => { c.once('secureConnect', res); c.once('error', rej); });
    const msg = randomBytes(1000);
    const got = new Promise<Buffer>((res, rej) => {
      const parts: Buffer[] = [];
      let n = 0;
      c.on('data', (d: Buffer) => { parts.push(d); n += d.length; if (n >= msg.length) res(Buffer.concat(parts)); });
      c.once('error', rej);
    });
    c.write(msg);
    expect((await got).equals(msg)).toBe(true);
  } finally {
    c.end();
    c.destroySoon();
  }
}

// ---------------------------------------------------------------------------
// In-process server

interface Harness {
  server: Server;
  port: number;
  clientErrors: Error[];
  socketErrors: Error[];
  sockets: Set<TlsSocket>;
  stats: { written: number; maxServerBuffered: number; sinkSocket?: TlsSocket; bulkDone?: Promise<void> };
}

let H: Harness;

beforeAll(async () => {
  const clientErrors: Error[] = [];
  const socketErrors: Error[] = [];
  const sockets = new Set<TlsSocket>();
  const stats: Harness['stats'] = { written: 0, maxServerBuffered: 0 };
  const server = createServer(
    { cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, provider: 'node', handshakeTimeout: HANDSHAKE_TIMEOUT, ALPNProtocols: ['echo', 'bulk', 'sink'] },
    (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', (e) => socketErrors.push(e));
      switch (s.alpnProtocol) {
        case 'bulk': stats.bulkDone = produce(s, stats); break;
        case 'sink': stats.sinkSocket = s; s.pause(); break; // the application never reads
        default: s.pipe(s);
      }
    },
  );
  server.on('tlsClientError', (e: Error) => clientErrors.push(e));
  const port = await listen(server);
  H = { server, port, clientErrors, socketErrors, sockets, stats };
});

afterAll(async () => {
  for (const s of H?.sockets ?? []) s.destroy();
  if (H) await closeServer(H.server);
});

/** Write up to 256 MiB, honouring backpressure, sampling what the server holds. */
async function produce(s: TlsSocket, stats: Harness['stats']): Promise<void> {
  const chunk = block('bulk', 0, MiB);
  const sample = () => {
    const held = s.writableLength + (s.socket.writableLength ?? 0);
    if (held > stats.maxServerBuffered) stats.maxServerBuffered = held;
  };
  for (let i = 0; i < 256 && !s.destroyed; i++) {
    const ok = s.write(chunk);
    stats.written += chunk.length;
    sample();
    if (!ok) {
      await new Promise<void>((res) => {
        const t = setInterval(sample, 20);
        const done = () => { clearInterval(t); s.off('drain', done); s.off('close', done); res(); };
        s.once('drain', done);
        s.once('close', done);
      });
    }
  }
}

async function stillServes(): Promise<void> {
  await goodClient(H.port);
}

describe('createServer: garbage and wrong protocols', () => {
  it('random bytes → alert (unexpected_message or decode_error) and close; still serves', async () => {
    const before = H.clientErrors.length;
    const r = await rawClient(H.port, (s) => { s.write(randomBytes(3000)); });
    // 0x15 (alert) … : whatever the garbage, the server answers with one alert and closes.
    expect(plaintextAlerts(r.received).length).toBeLessThanOrEqual(1);
    await until(() => H.clientErrors.length > before, 10_000, 'tlsClientError');
    await stillServes();
  });

  it('an HTTP request in clear text → unexpected_message alert, close', async () => {
    const r = await rawClient(H.port, (s) => { s.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'); });
    expect(plaintextAlerts(r.received)).toEqual([10]); // unexpected_message (RFC 8446 §5.1: unknown content type)
    expect(r.how).not.toBe('closed');
    await stillServes();
  });

  it('a TLS 1.2-only ClientHello (Node tls, maxVersion TLSv1.2) → protocol_version', async () => {
    const before = H.clientErrors.length;
    const err = await new Promise<Error>((res) => {
      const c = tls.connect({ host: '127.0.0.1', port: H.port, maxVersion: 'TLSv1.2', rejectUnauthorized: false });
      c.on('error', res);
      c.on('secureConnect', () => res(new Error('handshake succeeded')));
    });
    expect(err.message).toMatch(/protocol version|alert number 70/i);
    await until(() => H.clientErrors.length > before, 10_000, 'tlsClientError');
    expect(H.clientErrors.slice(before).map((e) => (e as { alert?: string }).alert)).toContain('protocol_version');
    await stillServes();
  });

  it('a handshake record declaring a 16 MiB message is refused at once (no buffering)', async () => {
    const r = await rawClient(H.port, (s) => { s.write(Uint8Array.from([22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff])); });
    expect(plaintextAlerts(r.received)).toEqual([50]); // decode_error (handshake_message_too_large)
    await stillServes();
  });
});

describe('createServer: silence and timeouts', () => {
  it(`a client that connects and never sends is dropped after handshakeTimeout (${HANDSHAKE_TIMEOUT} ms)`, async () => {
    const before = H.clientErrors.length;
    const r = await rawClient(H.port, () => undefined);
    expect(r.received.length).toBe(0);
    await until(() => H.clientErrors.length > before, 10_000, 'tlsClientError');
    expect(H.clientErrors.slice(before).map((e) => (e as NodeJS.ErrnoException).code)).toContain('ERR_TLS_HANDSHAKE_TIMEOUT');
    await stillServes();
  });

  it('a ClientHello then silence: the server flight is sent, then the connection is dropped by the timeout', async () => {
    const before = H.clientErrors.length;
    const r = await rawClient(H.port, (s) => { s.write(hello); });
    expect(r.received[0]).toBe(22); // ServerHello record
    await until(() => H.clientErrors.length > before, 10_000, 'tlsClientError');
    expect(H.clientErrors.slice(before).map((e) => (e as NodeJS.ErrnoException).code)).toContain('ERR_TLS_HANDSHAKE_TIMEOUT');
    await stillServes();
  });

  it('the timeout does not touch established connections', async () => {
    const c = connect(clientOpts(H.port));
    await new Promise<void>((res, rej) => { c.once('secureConnect', res); c.once('error', rej); });
    await new Promise((r) => setTimeout(r, HANDSHAKE_TIMEOUT * 3));
    expect(c.destroyed).toBe(false);
    const echoed = new Promise<Buffer>((res) => c.once('data', res));
    c.write('still here');
    expect((await echoed).toString()).toBe('still here');
    c.destroy();
  });
});

describe('createServer: backpressure bounds memory', () => {
  it('a client that stops reading while the server writes: the writer stalls with bounded buffers', async () => {
    H.stats.written = 0;
    H.stats.maxServerBuffered = 0;
    const c = connect({ ...clientOpts(H.port, 'bulk'), highWaterMark: 64 * 1024 });
    await new Promise<void>((res, rej) => { c.once('secureConnect', res); c.once('error', rej); });
    // Never read: no 'data' listener, the readable side stays paused.
    const written = await stalled(() => H.stats.written);
    expect(written).toBeLessThan(256 * MiB); // it did stall
    // What the server holds: the application's last chunk + one 256 KiB piece in flight + the socket's buffer.
    expect(H.stats.maxServerBuffered).toBeLessThanOrEqual(2 * MiB + 512 * 1024);
    // What the client holds in user space: its readable buffer and the raw socket's.
    expect(c.readableLength).toBeLessThanOrEqual(MiB);
    expect(c.socket.readableLength).toBeLessThanOrEqual(MiB);
    expect(c.connection.bufferedBytes).toBeLessThanOrEqual(128 * 1024);
    // Reading again drains it: the data was only held back, not lost.
    let got = 0;
    c.on('data', (d: Buffer) => { got += d.length; });
    await until(() => got >= written - 4 * MiB, 60_000, 'client to catch up');
    c.destroy();
    await stillServes();
  });

  it('a client that floods a server application that never reads: the client is throttled, the server holds a bounded amount', async () => {
    H.stats.sinkSocket = undefined;
    const c = connect({ ...clientOpts(H.port, 'sink') });
    await new Promise<void>((res, rej) => { c.once('secureConnect', res); c.once('error', rej); });
    let sent = 0;
    let stop = false;
    c.on('error', () => { stop = true; });
    void (async () => {
      const chunk = block('flood', 1, MiB);
      while (!stop && sent < 256 * MiB) {
        sent += chunk.length;
        if (!c.write(chunk)) await new Promise((r) => { c.once('drain', r); c.once('close', r); });
      }
    })();
    await until(() => H.stats.sinkSocket !== undefined, 10_000, 'sink socket');
    const total = await stalled(() => sent);
    expect(total).toBeLessThan(256 * MiB);
    const s = H.stats.sinkSocket!;
    expect(s.readableLength).toBeLessThanOrEqual(MiB);
    expect(s.socket.readableLength).toBeLessThanOrEqual(MiB);
    expect(s.connection.bufferedBytes).toBeLessThanOrEqual(128 * 1024);
    stop = true;
    c.destroy();
    await stillServes();
  });
});

describe('createServer: abrupt resets', () => {
  it('RST mid-handshake (after the server flight arrived)', async () => {
    const before = H.clientErrors.length;
    await rawClient(H.port, async (s) => {
      s.write(hello);
      await waitForBytes(s, 100);
      s.resetAndDestroy();
    });
    await until(() => H.clientErrors.length > before, 10_000, 'tlsClientError');
    await stillServes();
  });

  it('RST mid-transfer (server writing bulk data)', async () => {
    const c = connect(clientOpts(H.port, 'bulk'));
    await new Promise<void>((res, rej) => { c.once('secureConnect', res); c.once('error', rej); });
    let got = 0;
    await new Promise<void>((res) => c.on('data', (d: Buffer) => { got += d.length; if (got > MiB) res(); }));
    const serverSide = [...H.sockets].find((s) => s.alpnProtocol === 'bulk' && !s.destroyed);
    (c.socket as net.Socket).resetAndDestroy();
    c.destroy();
    if (serverSide) await until(() => serverSide.destroyed, 10_000, 'server socket closed');
    await H.stats.bulkDone;
    await stillServes();
  });

  it('many parallel bad clients (garbage, HTTP, silence, partial hello, RST), then a good one', async () => {
    const bad: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      switch (i % 5) {
        case 0: bad.push(rawClient(H.port, (s) => { s.write(randomBytes(200 + i)); })); break;
        case 1: bad.push(rawClient(H.port, (s) => { s.end('GET / HTTP/1.0\r\n\r\n'); })); break;
        case 2: bad.push(rawClient(H.port, () => undefined)); break; // dropped by the handshake timeout
        case 3: bad.push(rawClient(H.port, (s) => { s.end(hello.subarray(0, 50 + i)); })); break;
        case 4: bad.push(rawClient(H.port, async (s) => { s.write(hello); await waitForBytes(s, 1); s.resetAndDestroy(); })); break;
      }
    }
    await Promise.all(bad);
    await stillServes();
    // Nothing of them lingers: every TCP connection the server still has belongs to a live TLS session.
    const connections = () => new Promise<number>((res, rej) => H.server.getConnections((e, n) => (e ? rej(e) : res(n))));
    let open = await connections();
    for (let i = 0; i < 100 && open > [...H.sockets].filter((s) => !s.destroyed).length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = await connections();
    }
    expect(open).toBeLessThanOrEqual([...H.sockets].filter((s) => !s.destroyed).length);
  });
});

// ---------------------------------------------------------------------------
// The client against hostile servers

function rawServer(onConn: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const conns = new Set<net.Socket>();
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    conns.add(s);
    s.on('error', () => undefined);
    s.on('close', () => conns.delete(s));
    onConn(s);
  });
  return listen(srv).then((port) => ({
    port,
    close: () => { for (const c of conns) c.destroy(); return closeServer(srv); },
  }));
}

async function clientOutcome(port: number): Promise<{ err: Error & { alert?: string; code?: string }; sock: TlsSocket }> {
  const sock = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, provider: 'node' });
  const err = await new Promise<Error>((res) => {
    sock.on('error', res);
    sock.on('secureConnect', () => res(new Error('handshake succeeded')));
  });
  return { err: err as Error & { alert?: string; code?: string }, sock };
}

describe('connect() against hostile servers', () => {
  it('a server that sends garbage → clean TlsError', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.write(randomBytes(500).fill(0x99, 0, 1))));
    const { err } = await clientOutcome(srv.port);
    expect(err.name).toBe('TlsError');
    expect(['unexpected_message', 'decode_error']).toContain(err.alert);
    await srv.close();
  });

  it('a server that closes mid-handshake → ECONNRESET', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.end()));
    const { err } = await clientOutcome(srv.port);
    expect(err.code).toBe('ECONNRESET');
    await srv.close();
  });

  it('a server that resets mid-handshake → an error, not a crash', async () => {
    const srv = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
    const { err } = await clientOutcome(srv.port);
    expect(err.code).toBe('ECONNRESET');
    await srv.close();
  });

  it('an endless stream of ChangeCipherSpec records → unexpected_message, bounded buffering', async () => {
    const ccs = Buffer.from([20, 3, 3, 0, 1, 1]);
    const srv = await rawServer((s) => s.once('data', () => {
      const t = setInterval(() => { if (s.destroyed || !s.writable) clearInterval(t); else s.write(Buffer.concat(new Array(2000).fill(ccs))); }, 5);
      s.on('close', () => clearInterval(t));
    }));
    const { err, sock } = await clientOutcome(srv.port);
    expect(err.alert).toBe('unexpected_message');
    expect(sock.connection.bufferedBytes).toBeLessThan(64 * 1024);
    await srv.close();
  });

  it('an endless handshake message (declared 16 MiB) → decode_error at once', async () => {
    const srv = await rawServer((s) => s.once('data', () => {
      s.write(Buffer.from([22, 3, 3, 0x40, 0, 2, 0xff, 0xff, 0xff]));
      const t = setInterval(() => { if (s.destroyed || !s.writable) clearInterval(t); else s.write(Buffer.concat([Buffer.from([22, 3, 3, 0x40, 0]), Buffer.alloc(0x4000)])); }, 5);
      s.on('close', () => clearInterval(t));
    }));
    const { err, sock } = await clientOutcome(srv.port);
    expect(err.alert).toBe('decode_error');
    expect(sock.connection.bufferedBytes).toBeLessThan(128 * 1024);
    await srv.close();
  });

  it('an endless stream of plaintext application data before any handshake → unexpected_message', async () => {
    const srv = await rawServer((s) => s.once('data', () => {
      const t = setInterval(() => { if (s.destroyed || !s.writable) clearInterval(t); else s.write(Buffer.concat([Buffer.from([23, 3, 3, 0, 100]), Buffer.alloc(100)])); }, 5);
      s.on('close', () => clearInterval(t));
    }));
    const { err } = await clientOutcome(srv.port);
    expect(err.alert).toBe('unexpected_message');
    await srv.close();
  });
});

// ---------------------------------------------------------------------------
// `puretls serve` as a child process

describe('puretls serve under hostile clients', () => {
  let child: Child;
  let port: number;

  beforeAll(async () => {
    child = run(process.execPath, [CLI, 'serve', '--port', '0', '--echo', '--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, '--handshake-timeout', String(HANDSHAKE_TIMEOUT), '--alpn', 'echo']);
    const m = await child.waitFor(/listening on \S+:(\d+)/);
    port = Number(m[1]);
  });

  afterAll(async () => {
    await child?.kill();
  });

  it('survives garbage, clear-text HTTP, TLS 1.2, silence, RST and a crowd of them, and still echoes', async () => {
    await rawClient(port, (s) => { s.write(randomBytes(3000)); });
    const http = await rawClient(port, (s) => { s.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'); });
    expect(plaintextAlerts(http.received)).toEqual([10]);
    await new Promise<void>((res) => {
      const c = tls.connect({ host: '127.0.0.1', port, maxVersion: 'TLSv1.2', rejectUnauthorized: false });
      c.on('error', () => res());
      c.on('secureConnect', () => { c.destroy(); res(); });
    });
    const silent = await rawClient(port, () => undefined); // closed by --handshake-timeout
    expect(silent.received.length).toBe(0);
    await rawClient(port, (s) => { s.write(hello); }); // hello, then silence: also timed out
    await rawClient(port, async (s) => { s.write(hello); await waitForBytes(s, 100); s.resetAndDestroy(); });
    const crowd: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      crowd.push(i % 2
        ? rawClient(port, (s) => { s.end(randomBytes(100)); })
        : rawClient(port, async (s) => { s.write(hello); await waitForBytes(s, 1); s.resetAndDestroy(); }));
    }
    await Promise.all(crowd);
    await goodClient(port);
    await until(() => /handshake failed: TLS handshake timeout/.test(child.stderr()), 10_000, 'timeout logged');
    expect(child.proc.exitCode).toBe(null);
    expect(child.stderr()).not.toMatch(/internal error|uncaught|unhandled/i);
  });
});
