/**
 * The puretls CLI end to end (dist/ build): `curl --cacert` against `puretls
 * serve` (including the development CA flow of the README), `puretls get`,
 * `puretls connect` ↔ `puretls serve --echo`, a bad client not taking the
 * server down, and the demo (`npm start`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, closeServer, killAll, listen, run, type Child } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
let home: string;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  home = mkdtempSync(join(tmpdir(), 'puretls-home-'));
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
  rmSync(home, { recursive: true, force: true });
});

async function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: Child; port: number }> {
  const child = run(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env });
  const m = await child.waitFor(/listening on \S+:(\d+)/);
  return { child, port: Number(m[1]) };
}

const certArgs = () => ['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile];

describe('puretls serve', () => {
  it('curl --cacert gets the HTTP/1.1 session page', async () => {
    const { child, port } = await serve(certArgs());
    try {
      const c = run('curl', ['-sS', '--http1.1', '--cacert', pki.ca.certFile, `https://localhost:${port}/`]);
      expect(await c.exit).toBe(0);
      expect(c.stdout()).toMatch(/protocol:\s+TLSv1\.3/);
      expect(c.stdout()).toMatch(/ALPN:\s+http\/1\.1/);
      expect(c.stdout()).toMatch(/server name \(SNI\):\s+localhost/);
    } finally {
      await child.kill();
    }
  });

  it('without --cert: makes a development CA, prints it and a curl line that works', async () => {
    const { child, port } = await serve([], { HOME: home });
    try {
      const ca = (await child.waitFor(/development CA: (\S+)/))[1]!;
      const line = (await child.waitFor(/try: (curl --cacert \S+ https:\/\/localhost:\d+\/)/))[1]!;
      expect(line).toBe(`curl --cacert ${ca} https://localhost:${port}/`);
      const c = run('curl', ['-sS', '--cacert', ca, `https://localhost:${port}/`]);
      expect(await c.exit).toBe(0);
      expect(c.stdout()).toMatch(/puretls: TLS 1\.3 session/);
    } finally {
      await child.kill();
    }
  });

  it('SSLKEYLOGFILE (no --keylog): our key log matches curl\'s for the same connection', async () => {
    const ours = join(home, 'ours.keys');
    const theirs = join(home, 'curl.keys');
    const { child, port } = await serve(certArgs(), { SSLKEYLOGFILE: ours });
    try {
      const c = run('curl', ['-sS', '--cacert', pki.ca.certFile, `https://localhost:${port}/`], { env: { SSLKEYLOGFILE: theirs } });
      expect(await c.exit).toBe(0);
      const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n').filter((l) => l.includes('TRAFFIC_SECRET')).sort();
      expect(lines(ours)).toHaveLength(4);
      expect(lines(ours)).toEqual(lines(theirs));
    } finally {
      await child.kill();
    }
  });

  it('puretls get fetches the page (exit 0, body on stdout)', async () => {
    const { child, port } = await serve(certArgs());
    try {
      const g = run(process.execPath, [CLI, 'get', `https://localhost:${port}/hello`, '--ca', pki.ca.certFile, '--quiet']);
      expect(await g.exit).toBe(0);
      expect(g.stdout()).toMatch(/request:\s+GET \/hello HTTP\/1\.1/);
      const bad = run(process.execPath, [CLI, 'get', `https://localhost:${port}/`]); // Node's roots: not trusted
      expect(await bad.exit).not.toBe(0);
      expect(bad.stdout()).toBe('');
    } finally {
      await child.kill();
    }
  });

  it('--echo echoes exactly and answers close_notify with close_notify (connect exits 0)', async () => {
    const { child, port } = await serve([...certArgs(), '--echo']);
    try {
      const payload = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff));
      const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--quiet']);
      const out: Buffer[] = [];
      c.proc.stdout.on('data', (d: Buffer) => out.push(d));
      c.proc.stdin.end(payload);
      expect(await c.exit).toBe(0);
      expect(Buffer.concat(out).equals(payload)).toBe(true);
    } finally {
      await child.kill();
    }
  });

  it('a client sending garbage does not take the server down', async () => {
    const { child, port } = await serve(certArgs());
    try {
      await new Promise<void>((res) => {
        const s = net.connect(port, '127.0.0.1', () => s.end(Buffer.from('GET / HTTP/1.0\r\n\r\n')));
        s.on('close', () => res());
        s.on('error', () => res());
        s.resume();
      });
      await new Promise<void>((res) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 0, 0, 1, 0])));
        s.on('data', () => s.destroy());
        s.on('close', () => res());
        s.on('error', () => res());
      });
      const c = run('curl', ['-sS', '--cacert', pki.ca.certFile, `https://localhost:${port}/`]);
      expect(await c.exit).toBe(0);
      expect(c.stdout()).toMatch(/TLSv1\.3/);
      expect(child.stderr()).toMatch(/handshake failed/);
    } finally {
      await child.kill();
    }
  });

  it('rejects unknown options and non-TLS 1.3 usage clearly', async () => {
    const c = run(process.execPath, [CLI, 'serve', '--no-such-option']);
    expect(await c.exit).toBe(2);
    expect(c.stderr()).toMatch(/unknown option --no-such-option/);
  });
});

describe('puretls connect exit codes (against Node\'s tls)', () => {
  it('exits 0 when the peer closes with close_notify while stdin is still open; stdout holds only peer bytes', async () => {
    const server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3' },
      (s) => s.once('data', () => s.end('bye from node\n'))); // end() sends close_notify
    const port = await listen(server);
    try {
      const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile]);
      c.proc.stdin.write('hi'); // stdin is left open on purpose
      expect(await c.exit).toBe(0);
      expect(c.stdout()).toBe('bye from node\n');
      expect(c.stderr()).toMatch(/connected to 127\.0\.0\.1:\d+: TLSv1\.3/);
    } finally {
      await closeServer(server);
    }
  });

  it('exits non-zero with the alert on stderr when the peer sends a fatal alert', async () => {
    const server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3',
      requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert }, (s) => s.end('unreachable'));
    server.on('tlsClientError', () => undefined);
    const port = await listen(server);
    try {
      const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile]);
      c.proc.stdin.write('x');
      expect(await c.exit).toBe(1);
      expect(c.stderr()).toMatch(/certificate_required|alert/);
      expect(c.stdout()).toBe('');
    } finally {
      await closeServer(server);
    }
  });
});

describe('npm start (demo)', () => {
  it('runs puretls and Node tls against each other with mutual TLS and exits 0', async () => {
    const d = run(process.execPath, [CLI, 'demo']);
    expect(await d.exit).toBe(0);
    expect(d.stdout()).toMatch(/puretls client -> puretls server/);
    expect(d.stdout()).toMatch(/puretls client -> Node tls server/);
    expect(d.stdout()).toMatch(/Node tls client -> puretls server/);
    expect((d.stdout().match(/TLSv1\.3/g) ?? []).length).toBeGreaterThanOrEqual(6);
  });
});
