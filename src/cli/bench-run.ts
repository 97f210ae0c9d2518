/**
 * The measuring loops of `puretls bench`: handshakes (N concurrent loops of
 * connect, handshake, close, for S seconds, like `openssl s_time`) and bulk
 * (one connection moving N bytes one way). Client side only: any TLS 1.3
 * server is the target.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ClientConfig } from '../connection/types.js';
import { InMemoryTicketStore } from '../handshake/resumption/ticket-store.js';
import { TlsSocket } from '../io/node.js';
import { describeError } from './common.js';

export interface Target {
  host: string;
  port: number;
  /** The client configuration every connection starts from. */
  config: ClientConfig;
}

/** Percentile `p` (0..100) of sorted values, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Errors counted, the first few distinct messages kept. */
class Errors {
  count = 0;
  readonly messages = new Map<string, number>();
  add(e: unknown): void {
    this.count++;
    const m = describeError(e);
    if (this.messages.has(m) || this.messages.size < 5) this.messages.set(m, (this.messages.get(m) ?? 0) + 1);
  }
  list(): { message: string; count: number }[] {
    return [...this.messages].map(([message, count]) => ({ message, count }));
  }
}

function open(t: Target, config: ClientConfig): TlsSocket {
  const raw = net.connect({ host: t.host, port: t.port, allowHalfOpen: true, noDelay: true });
  return new TlsSocket(raw, config, 'client', { handshakeTimeout: 30_000 });
}

export interface HandshakeResult {
  mode: 'handshakes';
  target: string;
  provider: string;
  seconds: number;
  concurrency: number;
  resume: boolean;
  handshakes: number;
  resumed: number;
  handshakesPerSecond: number;
  /** Connect to handshake done, milliseconds. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  errorMessages: { message: string; count: number }[];
}

/**
 * `concurrency` loops, each: TCP connect, handshake, close_notify, close;
 * for `seconds`. With `resume`, tickets from earlier connections are offered
 * (a shared store; each loop waits for its connection's ticket before closing).
 */
export async function benchHandshakes(
  t: Target,
  o: { seconds: number; concurrency: number; resume: boolean; provider: string },
  progress?: (done: number, errors: number, elapsedS: number) => void,
): Promise<HandshakeResult> {
  const latencies: number[] = [];
  const errors = new Errors();
  let resumed = 0;
  const store = o.resume ? new InMemoryTicketStore() : false;
  const start = performance.now();
  const deadline = start + o.seconds * 1000;

  const one = () => new Promise<void>((resolve) => {
    const t0 = performance.now();
    let gotTicket: () => void = () => undefined;
    const ticket = new Promise<void>((r) => (gotTicket = r));
    const sock = open(t, { ...t.config, ticketStore: store, ...(o.resume ? { onSession: () => gotTicket() } : {}) });
    let settled = false;
    let handshook = false;
    const done = (e?: unknown) => {
      if (settled) return;
      settled = true;
      if (e !== undefined) errors.add(e);
      sock.destroy();
      resolve();
    };
    // After the handshake, the server closing (or failing) only ends the wait for a ticket.
    sock.on('error', (e) => (handshook ? gotTicket() : done(e)));
    sock.on('close', () => (handshook ? gotTicket() : done(new Error('connection closed during the handshake'))));
    sock.resume();
    sock.once('secureConnect', () => {
      handshook = true;
      latencies.push(performance.now() - t0);
      if (sock.info?.resumed) resumed++;
      // A ticket comes after the handshake: wait for it (bounded) so the next connection can resume.
      const wait = o.resume ? Promise.race([ticket, new Promise((r) => setTimeout(r, 1000))]) : Promise.resolve();
      void wait.then(() => {
        settled = true;
        // close_notify, then let the peer close (a destroy now could discard our Finished
        // still queued, and the server would count a failed handshake). Bounded.
        const t = setTimeout(() => sock.destroy(), 2000);
        sock.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        if (sock.destroyed) {
          clearTimeout(t);
          resolve();
        } else {
          sock.end();
        }
      });
    });
  });

  const loop = async () => {
    while (performance.now() < deadline) await one();
  };
  const timer = progress ? setInterval(() => progress(latencies.length, errors.count, (performance.now() - start) / 1000), 250) : undefined;
  try {
    await Promise.all(Array.from({ length: o.concurrency }, loop));
  } finally {
    if (timer) clearInterval(timer);
  }
  const elapsed = (performance.now() - start) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    mode: 'handshakes',
    target: `${t.host}:${t.port}`,
    provider: o.provider,
    seconds: round(elapsed),
    concurrency: o.concurrency,
    resume: o.resume,
    handshakes: latencies.length,
    resumed,
    handshakesPerSecond: round(latencies.length / elapsed),
    latencyMs: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted[sorted.length - 1] ?? NaN) },
    errors: errors.count,
    errorMessages: errors.list(),
  };
}

export interface BulkResult {
  mode: 'bulk';
  target: string;
  provider: string;
  direction: 'up' | 'down';
  bytes: number;
  /** From handshake done to the last byte (down) or to the server's close (up). */
  seconds: number;
  MBps: number;
  handshakeMs: number;
  cipherSuite: string | undefined;
  errors: number;
  errorMessages: { message: string; count: number }[];
}

/**
 * One connection. up: send `bytes` then close_notify, done when the server
 * closes its side (it has read everything). down: read until `bytes` arrived.
 */
export async function benchBulk(
  t: Target,
  o: { bytes: number; direction: 'up' | 'down'; provider: string },
  progress?: (moved: number, elapsedS: number) => void,
): Promise<BulkResult> {
  const errors = new Errors();
  const t0 = performance.now();
  const sock = open(t, { ...t.config, ticketStore: false });
  let handshakeMs = NaN;
  let start = NaN;
  let moved = 0;
  let end = NaN;
  const timer = progress ? setInterval(() => Number.isFinite(start) && progress(moved, (performance.now() - start) / 1000), 250) : undefined;
  await new Promise<void>((resolve) => {
    let settled = false;
    const finish = (e?: unknown) => {
      if (settled) return;
      settled = true;
      end = performance.now();
      if (e !== undefined) errors.add(e);
      sock.destroy();
      resolve();
    };
    sock.on('error', (e) => finish(e));
    let sent = false;
    const complete = () => (o.direction === 'down' ? moved >= o.bytes : sent);
    sock.on('close', () => finish(complete() ? undefined : new Error(`the connection closed after ${moved} of ${o.bytes} bytes`)));
    sock.once('secureConnect', () => {
      handshakeMs = performance.now() - t0;
      start = performance.now();
      if (o.direction === 'down') {
        sock.on('data', (d: Buffer) => {
          moved += d.length;
          if (moved >= o.bytes) finish();
        });
        sock.on('end', () => finish(moved < o.bytes ? new Error(`the server ended after ${moved} of ${o.bytes} bytes`) : undefined));
        return;
      }
      sock.resume(); // an echo server's answer is read and dropped
      sock.on('end', () => finish(sent ? undefined : new Error(`the server closed after ${moved} of ${o.bytes} bytes were sent`))); // it read everything and closed
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      const pump = () => {
        while (moved < o.bytes) {
          const n = Math.min(chunk.length, o.bytes - moved);
          moved += n;
          if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void sock.once('drain', pump);
        }
        sent = true;
        sock.end(); // close_notify: the server answers by closing
      };
      pump();
    });
  });
  if (timer) clearInterval(timer);
  const seconds = (end - start) / 1000;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    mode: 'bulk',
    target: `${t.host}:${t.port}`,
    provider: o.provider,
    direction: o.direction,
    bytes: moved,
    seconds: round(seconds),
    MBps: round(moved / 1e6 / seconds),
    handshakeMs: round(handshakeMs),
    cipherSuite: sock.info?.cipherSuite,
    errors: errors.count,
    errorMessages: errors.list(),
  };
}
