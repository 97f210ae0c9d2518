/** Hostile peers over real sockets, for the robustness tests. */
import net from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { Connection } from '../../src/connection/connection.js';
import type { ClientConfig } from '../../src/connection/types.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

/** A real puretls ClientHello (one record), captured from the sans-I/O client. */
export async function clientHelloBytes(config: ClientConfig): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  const c = Connection.client(config, { onTransmit: (b) => out.push(b.slice()) });
  c.start();
  await c.drained();
  c.destroy();
  return Buffer.concat(out);
}

/** What a raw client saw: every byte the server sent, and how the connection ended. */
export interface RawOutcome {
  received: Buffer;
  /** 'end' (FIN), 'reset' (ECONNRESET/EPIPE), or 'closed' (we closed it). */
  how: 'end' | 'reset' | 'closed';
}

/**
 * Connect, run `script` on the raw socket, and resolve once the socket is
 * closed (by either side). Errors on the socket are outcomes, not failures.
 */
export function rawClient(port: number, script: (s: net.Socket) => void | Promise<void>): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const parts: Buffer[] = [];
    let how: RawOutcome['how'] = 'closed';
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => { how = 'end'; s.end(); });
    s.on('error', (e: NodeJS.ErrnoException) => { how = e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'closed'; });
    s.on('close', () => resolve({ received: Buffer.concat(parts), how }));
    s.on('connect', () => {
      void Promise.resolve(script(s)).catch(() => s.destroy());
    });
  });
}

/** Wait until `n` bytes arrived on a raw socket (or it closed). */
export function waitForBytes(s: net.Socket, n: number): Promise<void> {
  return new Promise((resolve) => {
    let got = 0;
    const on = (d: Buffer) => {
      got += d.length;
      if (got >= n) done();
    };
    const done = () => {
      s.off('data', on);
      s.off('close', done);
      resolve();
    };
    s.on('data', on);
    s.on('close', done);
  });
}

/** TLS alert records (type 21) in plaintext server output: their descriptions. */
export function plaintextAlerts(b: Buffer): number[] {
  const out: number[] = [];
  for (let p = 0; p + 5 <= b.length; ) {
    const len = b.readUInt16BE(p + 3);
    if (b[p] === 21 && len === 2 && p + 7 <= b.length) out.push(b[p + 6]!);
    p += 5 + len;
  }
  return out;
}

/** Resolve when `cond()` holds, polling; rejects after `ms` (a hang guard, never a verdict). */
export async function until(cond: () => boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolve once `read()` stopped changing across `quietMs` (the pipeline stalled). */
export async function stalled(read: () => number, quietMs = 400, maxMs = 30_000): Promise<number> {
  const start = Date.now();
  let last = read();
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = read();
    if (now === last || Date.now() - start > maxMs) return now;
    last = now;
  }
}

/** Listeners for the process-wide failures no test may cause. */
export function watchProcess(): { failures: string[]; stop(): void } {
  const failures: string[] = [];
  const onExc = (e: unknown) => failures.push(`uncaughtException: ${(e as Error)?.stack ?? String(e)}`);
  const onRej = (e: unknown) => failures.push(`unhandledRejection: ${(e as Error)?.stack ?? String(e)}`);
  process.on('uncaughtException', onExc);
  process.on('unhandledRejection', onRej);
  return {
    failures,
    stop() {
      process.off('uncaughtException', onExc);
      process.off('unhandledRejection', onRej);
    },
  };
}

/**
 * Suite set-up shared by the robustness tests: a one-key test PKI and a
 * watch for uncaught exceptions / unhandled rejections, asserted empty at
 * the end. `env.pki` is set once beforeAll has run.
 */
export function useWatchedPki(): { readonly pki: TestPki } {
  const env = {} as { pki: TestPki };
  let watch: ReturnType<typeof watchProcess>;
  beforeAll(() => {
    watch = watchProcess();
    env.pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  });
  afterAll(() => {
    watch?.stop();
    env.pki?.cleanup();
    expect(watch.failures).toEqual([]);
  });
  return env;
}
