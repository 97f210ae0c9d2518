/**
 * `puretls get` (issues 8 and 10): a response cut off without close_notify is
 * an error unless Content-Length or chunked framing proves its length;
 * repeated --header adds every header. And `serve --cert` warns at start
 * about a certificate clients will refuse.
 */
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/cert/index.js';
import { CLI, closeServer, killAll, listen, run } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
let dir: string;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  dir = mkdtempSync(join(tmpdir(), 'puretls-cli-get-'));
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A Node TLS server that answers the first request with `response`, then
 * either closes TCP without close_notify ('truncate') or ends with close_notify ('clean').
 */
async function oneShot(response: string, close: 'truncate' | 'clean', onRequest?: (head: string) => void): Promise<net.Server> {
  const server = net.createServer((raw) => {
    const s = new tls.TLSSocket(raw, { isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'] });
    s.on('error', () => undefined);
    let head = '';
    s.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      onRequest?.(head);
      if (close === 'clean') s.end(response);
      else s.write(response, () => setTimeout(() => raw.destroy(), 50)); // TCP FIN, no close_notify
    });
  });
  await listen(server);
  return server;
}

async function get(port: number, extra: string[] = []) {
  const g = run(process.execPath, [CLI, 'get', `https://localhost:${port}/`, '--ca', pki.ca.certFile, '--quiet', ...extra]);
  const code = await g.exit;
  return { code, out: g.stdout(), err: g.stderr() };
}

describe('puretls get and truncation (RFC 8446 §6.1)', () => {
  const cases: [string, string, 'truncate' | 'clean', number, RegExp?][] = [
    ['unframed body, closed without close_notify', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial bo', 'truncate', 1, /truncated.*close_notify/],
    ['unframed body, ended with close_notify', 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nwhole body', 'clean', 0],
    ['Content-Length body complete, closed without close_notify', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nwhole body', 'truncate', 0],
    ['Content-Length body short, closed without close_notify', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\npartial bo', 'truncate', 1, /incomplete/],
    ['chunked body complete, closed without close_notify', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\na\r\nwhole body\r\n0\r\n\r\n', 'truncate', 0],
    ['chunked body cut, closed without close_notify', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n20\r\npartial bo', 'truncate', 1, /incomplete|error/],
  ];
  for (const [name, response, close, code, err] of cases) {
    it(`${name}: exit ${code}`, async () => {
      const server = await oneShot(response, close);
      try {
        const r = await get((server.address() as net.AddressInfo).port);
        expect(r.code).toBe(code);
        if (err) expect(r.err).toMatch(err);
        else expect(r.out).toBe('whole body');
      } finally {
        await closeServer(server);
      }
    });
  }

  it('repeated --header adds every header (and a repeated name is joined)', async () => {
    let head = '';
    const server = await oneShot('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'clean', (h) => (head = h));
    try {
      const r = await get((server.address() as net.AddressInfo).port, ['--header', 'X-One: 1', '--header', 'X-Two: two', '--header', 'x-one: 3', '--header', 'User-Agent: tester']);
      expect(r.code).toBe(0);
      expect(head).toMatch(/\r\nX-One: 1, 3\r\n/i);
      expect(head).toMatch(/\r\nX-Two: two\r\n/);
      expect(head).toMatch(/\r\nUser-Agent: tester\r\n/);
      expect(head).not.toMatch(/User-Agent: puretls/);
      const bad = run(process.execPath, [CLI, 'get', 'https://localhost:1/', '--header', 'no colon']);
      expect(await bad.exit).toBe(2);
      expect(bad.stderr()).toMatch(/--header: expected 'Name: value'/);
    } finally {
      await closeServer(server);
    }
  });
});

describe('puretls serve --cert checks the certificate at start', () => {
  async function startWarnings(certPem: string, keyPem: string): Promise<string> {
    const cert = join(dir, `c${Math.random()}.pem`);
    const key = join(dir, `k${Math.random()}.pem`);
    writeFileSync(cert, certPem);
    writeFileSync(key, keyPem);
    const child = run(process.execPath, [CLI, 'serve', '--port', '0', '--cert', cert, '--key', key]);
    await child.waitFor(/listening on/);
    await child.kill();
    return child.stderr();
  }

  it('refuses a key that is not the certificate\'s, naming both files (exit 2, before listening)', async () => {
    const c = run(process.execPath, [CLI, 'serve', '--port', '0', '--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.client.keyFile]);
    expect(await c.exit).toBe(2);
    expect(c.stderr()).toContain(`--cert ${pki.server['ecdsa-p256'].certFile} and --key ${pki.client.keyFile}: key values mismatch`);
    expect(c.stdout()).not.toMatch(/listening/);
  });

  it('warns about an expired certificate', async () => {
    const ca = await createCertificateAuthority({ now: new Date(Date.now() - 400 * 86_400_000) });
    const old = await issueCertificate({ ca: { certPem: ca.certPem, keyPem: ca.keyPem }, names: ['localhost'], days: 30, now: new Date(Date.now() - 400 * 86_400_000) });
    expect(await startWarnings(old.certPem, old.keyPem)).toMatch(/warning: --cert: the certificate expired on .*clients will refuse it/);
  });

  it('warns about a certificate without serverAuth; none for a good one', async () => {
    expect(await startWarnings(pki.client.cert, pki.client.key)).toMatch(/warning: --cert: .*extendedKeyUsage does not include serverAuth/);
    expect(await startWarnings(pki.server['ecdsa-p256'].cert, pki.server['ecdsa-p256'].key)).not.toMatch(/warning/);
  });
});
