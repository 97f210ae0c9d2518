/**
 * Load over loopback: N concurrent puretls connections (Node adapter, both
 * ends in this process), each client sending a random amount of random data
 * and asking the server for a random amount back; both ends hash what they
 * receive and compare it with the SHA-256 the sender appends. Measures
 * connections/s, MB/s, errors, mismatches, and the heap before and after
 * (after GC, once every connection has closed).
 *
 * Wire format of one connection, client → server: u32 length to send, u32
 * length wanted back, the data, its SHA-256. Server → client: the data, its
 * SHA-256, then close_notify. The client ends after checking.
 */
import { createHash, randomFillSync, randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connect, createServer, type TlsSocket } from '../../src/io/node.js';
import { caPem, serverCertPem, serverKeyPem } from '../fuzz/pki.js';

export interface LoadOptions {
  /** Concurrent connections (default 1,000). */
  readonly connections?: number;
  /** Each direction of each connection carries a uniformly random 0..maxBytes (default 2 MiB). */
  readonly maxBytes?: number;
  readonly provider?: 'pure' | 'webcrypto' | 'node';
  /**
   * Give up when no byte moved on any connection for this long (default
   * 120 s; each open connection then counts as an error). A watchdog on
   * progress, not a per-connection deadline: on a busy shared machine 1,000
   * concurrent connections may take many minutes and still be healthy.
   */
  readonly stallMs?: number;
  readonly log?: (line: string) => void;
}

export interface LoadResult {
  readonly connections: number;
  readonly completed: number;
  readonly errors: readonly string[];
  readonly mismatches: number;
  readonly seconds: number;
  /** Application bytes carried, both directions. */
  readonly bytes: number;
  readonly connectionsPerSecond: number;
  readonly mbPerSecond: number;
  readonly heapBeforeMB: number;
  readonly heapAfterMB: number;
  /** (after - before) / before. */
  readonly heapGrowth: number;
}

const CHUNK = 64 * 1024;
const DIGEST = 32;

/** A full GC, whether or not node was started with --expose-gc. */
function gcFunction(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settledHeapMB(): Promise<number> {
  const gc = gcFunction();
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Reads "[header] data digest" incrementally, hashing the data. */
class Receiver {
  private readonly hash = createHash('sha256');
  private header = Buffer.alloc(0);
  private digest = Buffer.alloc(0);
  private remaining: number;
  onHeader: ((sendLen: number, wantLen: number) => void) | undefined;
  done = false;
  match = false;

  constructor(private readonly headerLength: number, expected: number) {
    this.remaining = expected;
  }

  push(d: Buffer): void {
    let o = 0;
    if (this.header.length < this.headerLength) {
      const take = Math.min(this.headerLength - this.header.length, d.length);
      this.header = Buffer.concat([this.header, d.subarray(0, take)]);
      o = take;
      if (this.header.length === this.headerLength) {
        this.remaining = this.header.readUInt32BE(0);
        this.onHeader?.(this.header.readUInt32BE(0), this.header.readUInt32BE(4));
      } else return;
    }
    if (this.remaining > 0 && o < d.length) {
      const take = Math.min(this.remaining, d.length - o);
      this.hash.update(d.subarray(o, o + take));
      this.remaining -= take;
      o += take;
    }
    if (this.remaining === 0 && o < d.length) {
      this.digest = Buffer.concat([this.digest, d.subarray(o, o + DIGEST - this.digest.length)]);
      if (this.digest.length === DIGEST && !this.done) {
        this.done = true;
        this.match = this.hash.digest().equals(this.digest);
      }
    }
  }
}

/** Write `n` random bytes then their SHA-256, honouring backpressure. */
async function sendRandom(s: TlsSocket, n: number, prefix?: Buffer): Promise<void> {
  const hash = createHash('sha256');
  if (prefix) s.write(prefix);
  for (let left = n; left > 0 && !s.destroyed; ) {
    const b = randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK, left)));
    hash.update(b);
    left -= b.length;
    if (!s.write(b)) {
      await new Promise<void>((res) => {
        const done = (): void => { s.off('drain', done); s.off('close', done); res(); };
        s.once('drain', done);
        s.once('close', done);
      });
    }
  }
  if (!s.destroyed) s.write(hash.digest());
}

export async function runLoad(o: LoadOptions = {}): Promise<LoadResult> {
  const n = o.connections ?? 1000;
  const maxBytes = o.maxBytes ?? 2 * 2 ** 20;
  const provider = o.provider ?? 'pure';
  const stallMs = o.stallMs ?? 120_000;
  const log = o.log ?? (() => undefined);
  const errors: string[] = [];
  let mismatches = 0;
  let bytes = 0;
  /** Client TCP sockets not yet closed (they may outlive their TLS socket briefly). */
  let openClientSockets = 0;
  let lastProgress = performance.now();
  const progressed = (): void => { lastProgress = performance.now(); };
  /** Unfinished clients, each with how to give up on it. */
  const pending = new Set<() => void>();
  const watchdog = setInterval(() => {
    if (performance.now() - lastProgress < stallMs) return;
    for (const giveUp of [...pending]) giveUp();
  }, Math.min(5000, stallMs));

  // handshakeTimeout 0: the stall watchdog stands in for it (a queue of 1,000
  // handshakes on a loaded machine can outlast any fixed deadline).
  const server = createServer({ cert: serverCertPem, key: serverKeyPem, provider, handshakeTimeout: 0 }, (s) => {
    const rx = new Receiver(8, 0);
    s.on('error', (e) => errors.push(`server socket: ${e.message}`));
    rx.onHeader = (_sendLen, wantLen) => {
      void sendRandom(s, wantLen).then(() => s.end());
    };
    s.on('data', (d: Buffer) => { progressed(); rx.push(d); });
    s.on('end', () => {
      if (!rx.done) errors.push('server: the client ended before its data and digest arrived');
      else if (!rx.match) mismatches++;
    });
  });
  server.on('tlsClientError', (e: Error) => errors.push(`server handshake: ${e.message}`));
  await new Promise<void>((res) => server.listen({ port: 0, host: '127.0.0.1', backlog: Math.max(511, n * 2) }, res));
  const port = (server.address() as AddressInfo).port;

  const one = (sendLen: number, wantLen: number): Promise<boolean> => new Promise((resolve) => {
    let settled = false;
    const finish = (ok: boolean, why?: string): void => {
      if (settled) return;
      settled = true;
      pending.delete(giveUp);
      progressed();
      if (why) errors.push(why);
      resolve(ok);
    };
    const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: caPem, provider });
    openClientSockets++;
    c.socket.once('close', () => { openClientSockets--; });
    const giveUp = (): void => { c.destroy(); finish(false, `client: no progress on any connection for ${stallMs} ms`); };
    pending.add(giveUp);
    const rx = new Receiver(0, wantLen);
    c.on('data', (d: Buffer) => { progressed(); rx.push(d); });
    c.on('error', (e) => finish(false, `client: ${e.message}`));
    c.on('end', () => {
      if (!rx.done) return finish(false, 'client: the server ended before its data and digest arrived');
      if (!rx.match) { mismatches++; return finish(false); }
      bytes += sendLen + wantLen;
      c.end();
    });
    c.on('close', () => finish(rx.done && rx.match && c.peerClosedCleanly, rx.done ? undefined : 'client: closed early'));
    c.once('secureConnect', () => {
      progressed();
      const header = Buffer.alloc(8);
      header.writeUInt32BE(sendLen, 0);
      header.writeUInt32BE(wantLen, 4);
      void sendRandom(c, sendLen, header);
    });
  });

  // Warm up first with the same number of concurrent connections, carrying
  // little data (0..4 KiB each way), then measure the heap. What the first
  // burst of N connections leaves behind is one-time growth, not state kept
  // per connection: V8's compiled code and feedback, and runtime structures
  // sized for the peak (measured: +1.6 MB at the first 1,000 concurrent
  // connections, then flat over further rounds on the same server).
  const warm = n;
  await Promise.all(Array.from({ length: warm }, () => one(randomInt(4097), randomInt(4097))));
  if (errors.length || mismatches) {
    clearInterval(watchdog);
    server.close();
    throw new Error(`load: the warm-up failed: ${errors[0] ?? 'hash mismatch'}`);
  }
  bytes = 0;
  const heapBeforeMB = await settledHeapMB();
  log(`load: ${n} concurrent connections over loopback (${provider} provider), 0..${maxBytes} bytes each way; heap ${heapBeforeMB.toFixed(1)} MB after ${warm} warm-up connections`);

  const t0 = performance.now();
  let completed = 0;
  let last = t0;
  const all = Array.from({ length: n }, () => one(randomInt(maxBytes + 1), randomInt(maxBytes + 1)).then((ok) => {
    if (ok) completed++;
    const now = performance.now();
    if (now - last > 5000) {
      last = now;
      log(`  ${completed}/${n} done, ${(bytes / 2 ** 20).toFixed(0)} MB, ${errors.length} errors`);
    }
  }));
  await Promise.all(all);
  const seconds = (performance.now() - t0) / 1000;
  // Let every TCP socket, ours and the server's, finish closing before the heap is measured.
  for (let i = 0; i < 200; i++) {
    const open = await new Promise<number>((res) => server.getConnections((_e, c) => res(c)));
    if (open === 0 && openClientSockets === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const heapAfterMB = await settledHeapMB();
  clearInterval(watchdog);
  await new Promise<void>((res) => server.close(() => res()));
  return {
    connections: n,
    completed,
    errors,
    mismatches,
    seconds,
    bytes,
    connectionsPerSecond: n / seconds,
    mbPerSecond: bytes / 2 ** 20 / seconds,
    heapBeforeMB,
    heapAfterMB,
    heapGrowth: (heapAfterMB - heapBeforeMB) / heapBeforeMB,
  };
}
