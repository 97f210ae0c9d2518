/**
 * Transport faults over real loopback sockets, puretls at both ends (the
 * default pure provider): half-close in both directions with data still
 * flowing the other way; TCP resets in the middle of a record (after the
 * handshake, both directions, and during the ClientHello); handshakes
 * delivered one byte at a time in both directions; clients that never
 * finish their handshake (slowloris) while honest clients are served.
 * After each: the error is reported, the sockets are released
 * (getConnections() back to zero), and no uncaught exception fired.
 *
 * Already covered elsewhere, so not repeated here: peers that stop reading
 * (unread.test.ts, server.test.ts "backpressure bounds memory"), RST after
 * the server flight and mid-bulk-transfer, a ClientHello then silence
 * (server.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, createServer, secureStream, type Server, type TlsSocket } from '../../src/io/node.js';
import { closeServer, hashStream, listen } from '../interop/helpers/net.js';
import { clientHelloBytes, until, useWatchedPki } from './hostile.js';

const env = useWatchedPki();
const MiB = 1 << 20;

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await closeServer(s);
});

const serverOpts = (extra: Record<string, unknown> = {}) => ({ cert: env.pki.server['ecdsa-p256'].cert, key: env.pki.server['ecdsa-p256'].key, ...extra });
const clientOpts = (extra: Record<string, unknown> = {}) => ({ host: '127.0.0.1', servername: 'localhost', ca: env.pki.ca.cert, ...extra });

async function startServer(extra: Record<string, unknown>, onSecure: (s: TlsSocket) => void): Promise<{ server: Server; port: number; clientErrors: Error[] }> {
  const server = createServer(serverOpts(extra), onSecure);
  const clientErrors: Error[] = [];
  server.on('tlsClientError', (e: Error) => clientErrors.push(e));
  servers.push(server);
  return { server, port: await listen(server), clientErrors };
}

const connections = (s: net.Server) => new Promise<number>((res, rej) => s.getConnections((e, n) => (e ? rej(e) : res(n))));
/** The server's open sockets once they had up to 5 s to close (0 when all were released). */
async function released(s: net.Server): Promise<number> {
  for (let i = 0; i < 250 && (await connections(s)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return connections(s);
}
const secure = (c: TlsSocket) => new Promise<void>((res, rej) => { c.once('secureConnect', res); c.once('error', rej); });
const closed = (s: Duplex) => new Promise<void>((res) => { if (s.destroyed) res(); else s.once('close', () => res()); });

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Write `data` in 64 KiB pieces, honouring backpressure. */
async function writeAll(s: Duplex, data: Buffer): Promise<void> {
  for (let o = 0; o < data.length; o += 64 * 1024) {
    if (!s.write(data.subarray(o, o + 64 * 1024))) await new Promise((r) => s.once('drain', r));
  }
}

/** Send `size` random bytes to an echo server and check they come back. */
async function echoRoundTrip(c: TlsSocket, size: number): Promise<void> {
  const msg = randomBytes(size);
  const back = new Promise<Buffer>((res) => {
    const parts: Buffer[] = [];
    let n = 0;
    c.on('data', (d: Buffer) => { parts.push(d); n += d.length; if (n >= msg.length) res(Buffer.concat(parts)); });
  });
  c.write(msg);
  expect((await back).equals(msg)).toBe(true);
}

/** One honest client: handshake, echo round trip, clean close. */
async function honest(port: number): Promise<void> {
  const c = connect(clientOpts({ port }));
  await secure(c);
  await echoRoundTrip(c, 3000);
  c.end();
  await closed(c);
}

describe('half-close, both ways, with data still flowing the other way', () => {
  it('client closes first: it still receives 1 MiB after its close_notify; both see a clean close', async () => {
    const fromClient = randomBytes(200_000);
    const fromServer = randomBytes(MiB);
    let serverGot: Promise<{ hash: string; bytes: number }> | undefined;
    const { server, port } = await startServer({ allowHalfOpen: true }, (s) => {
      serverGot = hashStream(s);
      // Answer only once the client has closed its side.
      s.once('end', () => { void writeAll(s, fromServer).then(() => s.end()); });
    });
    const c = connect(clientOpts({ port, allowHalfOpen: true }));
    const got = hashStream(c);
    await secure(c);
    await writeAll(c, fromClient);
    c.end();
    expect(await got).toEqual({ hash: sha(fromServer), bytes: fromServer.length });
    expect(await serverGot!).toEqual({ hash: sha(fromClient), bytes: fromClient.length });
    expect(c.peerClosedCleanly).toBe(true);
    await closed(c);
    expect(await released(server)).toBe(0);
  });

  it('server closes first: the client keeps sending 1 MiB after the server\'s close_notify, and it all arrives', async () => {
    const fromClient = randomBytes(MiB);
    const fromServer = randomBytes(100_000);
    let serverGot: Promise<{ hash: string; bytes: number }> | undefined;
    let serverSocket: TlsSocket | undefined;
    const { server, port } = await startServer({ allowHalfOpen: true }, (s) => {
      serverSocket = s;
      serverGot = hashStream(s);
      void writeAll(s, fromServer).then(() => s.end()); // close at once, keep reading
    });
    const c = connect(clientOpts({ port, allowHalfOpen: true }));
    const got = hashStream(c);
    await secure(c);
    // The server's close_notify arrives while we are still writing.
    expect(await got).toEqual({ hash: sha(fromServer), bytes: fromServer.length });
    expect(c.peerClosedCleanly).toBe(true);
    await writeAll(c, fromClient);
    c.end();
    expect(await serverGot!).toEqual({ hash: sha(fromClient), bytes: fromClient.length });
    expect(serverSocket!.peerClosedCleanly).toBe(true);
    await closed(c);
    await closed(serverSocket!);
    expect(await released(server)).toBe(0);
  });
});

describe('TCP resets in the middle of a record', () => {
  it('client resets halfway through an application data record: the server reports it, delivers nothing of it, releases the socket, serves on', async () => {
    const serverErrors: Error[] = [];
    const serverData: Buffer[] = [];
    let serverSocket: TlsSocket | undefined;
    const { server, port } = await startServer({}, (s) => {
      serverSocket ??= s;
      s.on('data', (d: Buffer) => serverData.push(d));
      s.on('error', (e) => serverErrors.push(e));
      s.pipe(s); // echo, for the honest client afterwards
    });
    const raw = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const c = connect(clientOpts({ socket: raw }));
    c.on('error', () => undefined); // our own reset
    await secure(c);
    c.write('complete');
    await until(() => Buffer.concat(serverData).toString() === 'complete', 10_000, 'first data');
    serverData.length = 0;
    // Half a record: a header announcing 1000 bytes, then 100 of them, then RST.
    raw.write(Buffer.concat([Buffer.from([23, 3, 3, 0x03, 0xe8]), randomBytes(100)]));
    await new Promise((r) => setTimeout(r, 50));
    raw.resetAndDestroy();
    await closed(serverSocket!);
    expect(serverErrors.map((e) => (e as NodeJS.ErrnoException).code ?? e.message).join()).toMatch(/ECONNRESET|truncat|closed/i);
    expect(serverData).toEqual([]); // nothing of the partial record
    expect(await released(server)).toBe(0);
    await honest(port);
  });

  it('server resets halfway through a record: the client reports an error, not a crash, and gets only the whole records', async () => {
    const { port } = await startServer({}, (s) => {
      s.write('whole', () => {
        const raw = s.socket as net.Socket;
        raw.write(Buffer.concat([Buffer.from([23, 3, 3, 0x01, 0x00]), randomBytes(40)]), () => setTimeout(() => raw.resetAndDestroy(), 50));
      });
    });
    const c = connect(clientOpts({ port }));
    const data: Buffer[] = [];
    c.on('data', (d: Buffer) => data.push(d));
    const err = new Promise<Error>((res) => c.once('error', res));
    await secure(c);
    const e = await err;
    expect((e as NodeJS.ErrnoException).code ?? e.message).toMatch(/ECONNRESET|truncat|closed/i);
    await closed(c);
    expect(Buffer.concat(data).toString()).toBe('whole');
  });

  it('client resets halfway through its ClientHello record: reported as a client error, socket released', async () => {
    const { server, port, clientErrors } = await startServer({}, (s) => s.pipe(s));
    const hello = await clientHelloBytes({ servername: 'localhost', ca: [env.pki.ca.cert] });
    const raw = net.connect({ port, host: '127.0.0.1' });
    raw.on('error', () => undefined);
    await new Promise((r) => raw.once('connect', r));
    raw.write(hello.subarray(0, hello.length >> 1));
    await new Promise((r) => setTimeout(r, 50));
    raw.resetAndDestroy();
    await until(() => clientErrors.length > 0, 10_000, 'tlsClientError');
    expect(await released(server)).toBe(0);
    await honest(port);
  });
});

/** A transport over `raw` that delivers what it reads one byte per chunk and writes one byte per write. */
function dribble(raw: net.Socket, counter: { chunks: number }): Duplex {
  const d = new Duplex({
    read() { raw.resume(); },
    write(chunk: Buffer, _enc, cb) {
      for (let i = 0; i < chunk.length; i++) raw.write(chunk.subarray(i, i + 1));
      cb();
    },
    final(cb) { raw.end(); cb(); },
    destroy(err, cb) { raw.destroy(); cb(err); },
  });
  raw.on('data', (b: Buffer) => {
    for (let i = 0; i < b.length; i++) {
      counter.chunks++;
      if (!d.push(b.subarray(i, i + 1))) raw.pause();
    }
  });
  raw.on('end', () => d.push(null));
  raw.on('error', (e) => d.destroy(e));
  return d;
}

describe('handshakes one byte at a time', () => {
  it('over TCP, both directions delivered one byte per read: handshake, echo and close complete', async () => {
    const serverCount = { chunks: 0 };
    const clientCount = { chunks: 0 };
    const tcp = net.createServer({ allowHalfOpen: true }, (raw) => {
      raw.setNoDelay(true);
      const s = secureStream(dribble(raw, serverCount), { isServer: true, ...serverOpts() });
      s.on('error', () => undefined);
      s.pipe(s);
    });
    servers.push(tcp);
    const port = await listen(tcp);
    const raw = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
    const c = connect(clientOpts({ socket: dribble(raw, clientCount) }));
    await secure(c);
    await echoRoundTrip(c, 2000);
    expect(c.info?.cipherSuite).toBe('TLS_CHACHA20_POLY1305_SHA256');
    // Every byte of both flights arrived as its own chunk.
    expect(serverCount.chunks).toBeGreaterThan(1000);
    expect(clientCount.chunks).toBeGreaterThan(1000);
    c.end();
    await closed(c);
  });
});

describe('clients that never finish the handshake', () => {
  it('20 slowloris clients (a ClientHello byte every 100 ms) are dropped at handshakeTimeout, reported, released; honest clients are served meanwhile', async () => {
    const TIMEOUT = 1500;
    const { server, port, clientErrors } = await startServer({ handshakeTimeout: TIMEOUT }, (s) => s.pipe(s));
    const hello = await clientHelloBytes({ servername: 'localhost', ca: [env.pki.ca.cert] });
    const slow: net.Socket[] = [];
    const timers: ReturnType<typeof setInterval>[] = [];
    const started = Date.now();
    const ended: number[] = [];
    for (let i = 0; i < 20; i++) {
      const raw = net.connect({ port, host: '127.0.0.1' });
      raw.on('error', () => undefined);
      raw.on('close', () => ended.push(Date.now() - started));
      let o = 0;
      // Never idle for long, never done: an idle timeout alone would not drop these.
      timers.push(setInterval(() => { if (o < hello.length && !raw.destroyed) raw.write(hello.subarray(o, ++o)); }, 100));
      slow.push(raw);
    }
    try {
      // Meanwhile, honest clients get through.
      await Promise.all([honest(port), honest(port), honest(port)]);
      await until(() => ended.length === 20, 20_000, 'slow clients dropped');
    } finally {
      for (const t of timers) clearInterval(t);
      for (const s of slow) s.destroy();
    }
    expect(Math.min(...ended)).toBeGreaterThanOrEqual(TIMEOUT - 100);
    expect(clientErrors.length).toBeGreaterThanOrEqual(20);
    expect(clientErrors.some((e) => /time/i.test(e.message))).toBe(true);
    expect(await released(server)).toBe(0);
    await honest(port);
  });
});
