/**
 * `puretls bench` (issue 10) against openssl s_server and Node's tls server:
 * short runs (--seconds 1), each provider, --json summaries checked against
 * what the servers saw, --resume, bulk both ways, errors counted and reported.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, closeServer, killAll, listen, run } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
});

interface Summary {
  mode: string;
  provider: string;
  handshakes: number;
  resumed: number;
  handshakesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  errorMessages: { message: string; count: number }[];
  bytes: number;
  MBps: number;
  direction: string;
}

async function bench(argv: string[]): Promise<{ code: number | null; summary: Summary; stderr: string }> {
  const c = run(process.execPath, [CLI, 'bench', ...argv, '--json']);
  const code = await c.exit;
  return { code, summary: JSON.parse(c.stdout()) as Summary, stderr: c.stderr() };
}

const tlsOptions = () => ({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3' as const });

describe('bench handshakes', () => {
  it('against openssl s_server: full handshakes, then resumed ones (--resume)', async () => {
    // stdin stays open: s_server closes connections when its stdin ends.
    const child = run('openssl', ['s_server', '-tls1_3', '-accept', '0', '-naccept', '100000',
      '-cert', pki.server['ecdsa-p256'].certFile, '-key', pki.server['ecdsa-p256'].keyFile]);
    try {
      const port = Number((await child.waitFor(/ACCEPT \S*:(\d+)/))[1]);
      const full = await bench(['handshakes', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--seconds', '1']);
      expect(full.code).toBe(0);
      expect(full.summary.errors).toBe(0);
      expect(full.summary.handshakes).toBeGreaterThan(0);
      expect(full.summary.resumed).toBe(0);
      const l = full.summary.latencyMs;
      expect(l.p50).toBeGreaterThan(0);
      expect(l.p50).toBeLessThanOrEqual(l.p90);
      expect(l.p90).toBeLessThanOrEqual(l.p99);
      expect(l.p99).toBeLessThanOrEqual(l.max);
      const resumed = await bench(['handshakes', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--seconds', '2', '--resume']);
      expect(resumed.code).toBe(0);
      expect(resumed.summary.errors).toBe(0);
      expect(resumed.summary.handshakes).toBeGreaterThan(1);
      // Handshakes after the first resume with a ticket from the one before (the wait for a
      // ticket is bounded, so on a starved machine one may fall back to a full handshake).
      expect(resumed.summary.resumed).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((resumed.summary.handshakes - 1) / 2)));
      expect(resumed.summary.resumed).toBeLessThan(resumed.summary.handshakes);
    } finally {
      await child.kill();
    }
  }, 60_000);

  it('against a Node tls server, each provider, 2 at a time: the count matches the server\'s', async () => {
    let seen = 0;
    const server = tls.createServer(tlsOptions(), (s) => {
      seen++;
      s.on('error', () => undefined);
      s.resume();
      s.end();
    });
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    try {
      for (const provider of ['pure', 'webcrypto', 'node']) {
        seen = 0;
        const r = await bench(['handshakes', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--seconds', '1', '--concurrency', '2', '--provider', provider]);
        expect(r.code).toBe(0);
        expect(r.summary).toMatchObject({ mode: 'handshakes', provider, errors: 0 });
        expect(r.summary.handshakes).toBeGreaterThan(0);
        await new Promise((res) => setTimeout(res, 200));
        expect(seen).toBe(r.summary.handshakes);
      }
    } finally {
      await closeServer(server);
    }
  }, 60_000);

  it('against puretls serve: its tickets open on later connections (--resume resumes)', async () => {
    const child = run(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--provider', 'node',
      '--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile]);
    try {
      const port = Number((await child.waitFor(/listening on \S+:(\d+)/))[1]);
      const r = await bench(['handshakes', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--seconds', '2', '--resume', '--provider', 'node']);
      expect(r.code).toBe(0);
      expect(r.summary.errors).toBe(0);
      expect(r.summary.resumed).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((r.summary.handshakes - 1) / 2)));
      expect(child.stderr()).toMatch(/TLSv1\.3 .* resumed/);
    } finally {
      await child.kill();
    }
  }, 30_000);

  it('a server whose certificate does not verify: every attempt is an error, reported, exit 1', async () => {
    const server = tls.createServer(tlsOptions(), (s) => s.end());
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    try {
      const r = await bench(['handshakes', `127.0.0.1:${port}`, '--servername', 'localhost', '--seconds', '0.5']);
      expect(r.code).toBe(1);
      expect(r.summary.handshakes).toBe(0);
      expect(r.summary.errors).toBeGreaterThan(0);
      expect(r.summary.errorMessages[0]!.message).toMatch(/unknown_ca|issuer/);
    } finally {
      await closeServer(server);
    }
  }, 30_000);
});

describe('bench bulk', () => {
  it('up: every byte reaches a Node tls server, which closes after our close_notify', async () => {
    let received = 0;
    const server = tls.createServer(tlsOptions(), (s) => {
      s.on('data', (d: Buffer) => (received += d.length));
      s.on('end', () => s.end());
    });
    const port = await listen(server);
    try {
      const r = await bench(['bulk', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--bytes', '3M', '--provider', 'node']);
      expect(r.code).toBe(0);
      expect(r.summary).toMatchObject({ mode: 'bulk', direction: 'up', bytes: 3 * 1024 * 1024, errors: 0 });
      expect(r.summary.MBps).toBeGreaterThan(0);
      expect(received).toBe(3 * 1024 * 1024);
    } finally {
      await closeServer(server);
    }
  }, 30_000);

  it('down: reads what the server sends; a server that stops short is an error (exit 1)', async () => {
    let size = 2 * 1024 * 1024;
    const server = tls.createServer(tlsOptions(), (s) => {
      s.on('error', () => undefined);
      s.end(Buffer.alloc(size, 1));
    });
    const port = await listen(server);
    try {
      const r = await bench(['bulk', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--bytes', '2M', '--direction', 'down']);
      expect(r.code).toBe(0);
      expect(r.summary).toMatchObject({ direction: 'down', bytes: 2 * 1024 * 1024, errors: 0 });
      size = 1000;
      const short = await bench(['bulk', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--bytes', '2M', '--direction', 'down']);
      expect(short.code).toBe(1);
      expect(short.summary.errorMessages[0]!.message).toMatch(/after 1000 of 2097152 bytes/);
    } finally {
      await closeServer(server);
    }
  }, 30_000);

  it('usage: --direction and --bytes are checked, naming the option', async () => {
    const c = run(process.execPath, [CLI, 'bench', 'bulk', '127.0.0.1:1', '--direction', 'sideways']);
    expect(await c.exit).toBe(2);
    expect(c.stderr()).toMatch(/--direction: up or down/);
    const b = run(process.execPath, [CLI, 'bench', 'bulk', '127.0.0.1:1', '--bytes', 'lots']);
    expect(await b.exit).toBe(2);
    expect(b.stderr()).toMatch(/--bytes: a byte count/);
  });

  it('a live progress line on a terminal (script gives it a pty), none with --json', async () => {
    const server = tls.createServer(tlsOptions(), (s) => s.end());
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    try {
      const cmd = `${process.execPath} ${CLI} bench handshakes 127.0.0.1:${port} --servername localhost --ca ${pki.ca.certFile} --seconds 1.2`;
      const c = run('script', ['-qec', cmd, '/dev/null']);
      expect(await c.exit).toBe(0);
      expect(c.stdout()).toMatch(/\r\x1b\[K\d+ handshakes, \d+\/s, 0 errors, \d+\.\d s/);
      expect(c.stdout()).toMatch(/handshakes\/s; latency/);
    } finally {
      await closeServer(server);
    }
  }, 30_000);
});
