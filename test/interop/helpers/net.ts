/** Small helpers for loopback tests: listening, collecting, deterministic data, child processes. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { AddressInfo, Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';

export async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(0, host, () => {
      server.off('error', rej);
      res();
    });
  });
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((res) => {
    server.close(() => res());
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

/** Wait for an event (rejects on 'error'). */
export function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((res, rej) => {
    const onErr = (e: Error) => {
      emitter.off(event, onEv);
      rej(e);
    };
    const onEv = (v: T) => {
      emitter.off('error', onErr);
      res(v);
    };
    emitter.once(event, onEv);
    if (event !== 'error') emitter.once('error', onErr);
  });
}

/** Everything a stream delivers until 'end'. */
export function collect(s: Duplex): Promise<Buffer> {
  return new Promise((res, rej) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.once('end', () => res(Buffer.concat(parts)));
    s.once('error', rej);
  });
}

/** SHA-256 of everything a stream delivers until 'end', and the byte count. */
export function hashStream(s: Duplex): Promise<{ hash: string; bytes: number }> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    let bytes = 0;
    s.on('data', (d: Buffer) => {
      h.update(d);
      bytes += d.length;
    });
    s.once('end', () => res({ hash: h.digest('hex'), bytes }));
    s.once('error', rej);
  });
}

/** Deterministic pseudo-random data: block i of 1 MiB is SHA-256 counter-mode of (seed, i). */
export function block(seed: string, i: number, size = 1 << 20): Buffer {
  const out = Buffer.alloc(size);
  const base = createHash('sha256').update(`${seed}/${i}`).digest();
  // Cheap expansion: repeat the digest with the offset mixed in every 32 bytes.
  for (let off = 0; off < size; off += 32) {
    base.copy(out, off);
    out.writeUInt32BE(off >>> 0, off);
  }
  return out;
}

/**
 * Write `blocks` MiB of deterministic data with backpressure; resolves with its
 * SHA-256 once everything was accepted (does not end the stream).
 */
export async function writeBlocks(s: Duplex, seed: string, blocks: number, size = 1 << 20): Promise<string> {
  const h = createHash('sha256');
  for (let i = 0; i < blocks; i++) {
    const b = block(seed, i, size);
    h.update(b);
    if (!s.write(b)) await new Promise<void>((r, j) => {
      const onErr = (e: Error) => j(e);
      s.once('drain', () => { s.off('error', onErr); r(); });
      s.once('error', onErr);
    });
  }
  return h.digest('hex');
}

export function sha256(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

export const CLI = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));

/** A child process with its output collected and a way to wait for a line. */
export interface Child {
  proc: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
  exit: Promise<number | null>;
  kill(): Promise<void>;
}

const children = new Set<ChildProcessWithoutNullStreams>();

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Child {
  const proc = spawn(cmd, args, { stdio: 'pipe', env: { ...process.env, ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  children.add(proc);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const poke = () => { for (const w of [...waiters]) w(); };
  proc.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); poke(); });
  proc.stderr.on('data', (d: Buffer) => { err += d.toString('latin1'); poke(); });
  const exit = new Promise<number | null>((res) => proc.on('close', (code) => { children.delete(proc); poke(); res(code); }));
  let exited = false;
  void exit.then(() => { exited = true; });
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor(re, stream = 'stdout', timeoutMs = 30_000) {
      return new Promise((res, rej) => {
        const check = () => {
          const m = (stream === 'stdout' ? out : err).match(re);
          if (m) { done(); res(m); } else if (exited) { done(); rej(new Error(`${cmd} exited before ${re}; stdout=${out} stderr=${err}`)); }
        };
        const timer = setTimeout(() => { done(); rej(new Error(`timeout waiting for ${re}; stdout=${out} stderr=${err}`)); }, timeoutMs);
        const done = () => { clearTimeout(timer); const i = waiters.indexOf(check); if (i >= 0) waiters.splice(i, 1); };
        waiters.push(check);
        check();
      });
    },
    async kill() {
      if (!exited) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exit;
        clearTimeout(t);
      }
    },
  };
}

/** Kill every child still running (afterAll). */
export async function killAll(): Promise<void> {
  for (const p of children) p.kill('SIGKILL');
  children.clear();
}
