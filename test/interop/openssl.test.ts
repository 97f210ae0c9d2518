/**
 * OpenSSL's command-line tools against the puretls CLI (built in dist/):
 * `openssl s_client` → `puretls serve`, and `puretls connect` → `openssl
 * s_server -tls1_3`, including mutual TLS (-verify / -Verify), KeyUpdate from
 * both sides, and -keylogfile cross-checked against --keylog.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, killAll, run, type Child } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256', 'ecdsa-p384', 'rsa2048', 'rsa-pss', 'ed25519'] });
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
});

/** Start `puretls serve` and wait for its `listening on` line. */
async function serve(args: string[]): Promise<{ child: Child; port: number }> {
  const child = run(process.execPath, [CLI, 'serve', '--port', '0', ...args]);
  const m = await child.waitFor(/listening on \S+:(\d+)/);
  return { child, port: Number(m[1]) };
}

/** Run `openssl s_client`, feeding `input`; resolves with its output once it exits. */
async function sClient(port: number, args: string[], input: string): Promise<{ code: number | null; out: string; err: string }> {
  const c = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-ign_eof', ...args]);
  c.proc.stdin.end(input);
  const code = await c.exit;
  return { code, out: c.stdout(), err: c.stderr() };
}

/** Convert a PKCS#8 key file to the traditional (SEC1 / PKCS#1) PEM form. */
function traditional(keyFile: string): string {
  const out = `${keyFile}.trad`;
  execFileSync('openssl', ['pkey', '-in', keyFile, '-traditional', '-out', out]);
  return out;
}

describe('openssl s_client → puretls serve', () => {
  const cases: [string, 'ecdsa-p256' | 'ecdsa-p384' | 'rsa2048' | 'rsa-pss' | 'ed25519', boolean, RegExp][] = [
    ['ECDSA P-256, SEC1 key', 'ecdsa-p256', true, /BEGIN EC PRIVATE KEY/],
    ['ECDSA P-384, PKCS#8 key', 'ecdsa-p384', false, /BEGIN PRIVATE KEY/],
    ['RSA-2048 (rsaEncryption), PKCS#1 key', 'rsa2048', true, /BEGIN RSA PRIVATE KEY/],
    ['RSA-2048 (RSASSA-PSS key), PKCS#8', 'rsa-pss', false, /BEGIN PRIVATE KEY/],
    ['Ed25519, PKCS#8 key', 'ed25519', false, /BEGIN PRIVATE KEY/],
  ];
  for (const [label, type, trad, keyRe] of cases) {
    it(`HTTP/1.0 page over TLSv1.3 with ${label}`, async () => {
      const keyFile = trad ? traditional(pki.server[type].keyFile) : pki.server[type].keyFile;
      expect(readFileSync(keyFile, 'utf8')).toMatch(keyRe);
      const { child, port } = await serve(['--cert', pki.server[type].certFile, '--key', keyFile]);
      try {
        const r = await sClient(port, ['-CAfile', pki.ca.certFile], 'GET / HTTP/1.0\r\n\r\n');
        expect(r.out).toMatch(/TLSv1\.3/);
        expect(r.out).toMatch(/Verify return code: 0 \(ok\)/);
        expect(r.out).toMatch(/HTTP\/1\.1 200 OK/);
        expect(r.out).toMatch(/protocol:\s+TLSv1\.3/);
        expect(r.code).toBe(0);
      } finally {
        await child.kill();
      }
    });
  }

  it('mutual TLS: --verify-client takes s_client -cert, refuses s_client without one', async () => {
    const { child, port } = await serve(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile,
      '--ca', pki.ca.certFile, '--verify-client']);
    try {
      const ok = await sClient(port, ['-CAfile', pki.ca.certFile, '-cert', pki.client.certFile, '-key', pki.client.keyFile], 'GET / HTTP/1.0\r\n\r\n');
      expect(ok.out).toMatch(/client certificate: .*CN\s*=\s*client/);
      expect(ok.out).toMatch(/client verified:\s+yes/);
      const bad = await sClient(port, ['-CAfile', pki.ca.certFile], 'GET / HTTP/1.0\r\n\r\n');
      expect(bad.out + bad.err).toMatch(/certificate required|alert number 116/i);
      expect(bad.out).not.toMatch(/200 OK/);
      // The server is still serving after refusing a client.
      const again = await sClient(port, ['-CAfile', pki.ca.certFile, '-cert', pki.client.certFile, '-key', pki.client.keyFile], 'GET / HTTP/1.0\r\n\r\n');
      expect(again.out).toMatch(/200 OK/);
    } finally {
      await child.kill();
    }
  });

  it('/keyupdate: the server sends KeyUpdate(update_requested) before the page; OpenSSL reads the page under the new key', async () => {
    const { child, port } = await serve(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, '--trace']);
    try {
      const r = await sClient(port, ['-CAfile', pki.ca.certFile, '-msg'], 'GET /keyupdate HTTP/1.0\r\n\r\n');
      // s_client saw the KeyUpdate and decrypted the page sent under the new key.
      expect(r.out).toMatch(/<<< TLS 1\.3, Handshake \[length 0005\], KeyUpdate/);
      expect(r.out).toMatch(/200 OK/);
      expect(r.out).toMatch(/key update:\s+sent KeyUpdate\(update_requested\)/);
      await child.kill();
      expect(child.stderr()).toMatch(/>> KeyUpdate, \d+ bytes/);
    } finally {
      await child.kill();
    }
  });
});

/** Start `openssl s_server -tls1_3` and wait for its ACCEPT line. */
async function sServer(args: string[]): Promise<{ child: Child; port: number }> {
  const child = run('openssl', ['s_server', '-tls1_3', '-accept', '0', '-cert', pki.server['ecdsa-p256'].certFile,
    '-key', pki.server['ecdsa-p256'].keyFile, ...args]);
  const m = await child.waitFor(/ACCEPT \S*:(\d+)/);
  return { child, port: Number(m[1]) };
}

/**
 * s_server's `q` command closes the connection without close_notify (it marks
 * the shutdown as done and frees the SSL), so `puretls connect` must report a
 * truncated close: exit 1 with the reason. (Exit 0 on close_notify is tested
 * against Node's tls in cli.test.ts.)
 */
async function serverQuits(server: Child, client: Child): Promise<void> {
  server.proc.stdin.write('q\n');
  const code = await client.exit;
  if (code !== 0) {
    expect(code).toBe(1);
    expect(client.stderr()).toMatch(/without close_notify/);
  }
}

function puretlsConnect(port: number, args: string[]): Child {
  return run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, ...args]);
}

describe('puretls connect → openssl s_server -tls1_3', () => {
  it('data both ways; key logs agree with -keylogfile', async () => {
    const sslKeys = join(pki.dir, 'sslkeys.txt');
    const ourKeys = join(pki.dir, 'ourkeys.txt');
    writeFileSync(sslKeys, '');
    const { child: server, port } = await sServer(['-keylogfile', sslKeys]);
    try {
      const client = puretlsConnect(port, ['--keylog', ourKeys]);
      await client.waitFor(/connected to/, 'stderr');
      client.proc.stdin.write('hello from puretls\n');
      await server.waitFor(/hello from puretls/);
      server.proc.stdin.write('hello from openssl\n');
      await client.waitFor(/hello from openssl/);
      await serverQuits(server, client);
      expect(client.stdout()).toBe('hello from openssl\n');
      const ours = readFileSync(ourKeys, 'utf8').trim().split('\n').sort();
      const theirs = new Set(readFileSync(sslKeys, 'utf8').trim().split('\n'));
      for (const label of ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']) {
        expect(ours.some((l) => l.startsWith(label + ' '))).toBe(true);
      }
      for (const line of ours) expect(theirs.has(line)).toBe(true);
    } finally {
      await server.kill();
    }
  });

  it('a KeyUpdate(update_requested) from OpenSSL is answered and data keeps flowing', async () => {
    const { child: server, port } = await sServer([]);
    try {
      const client = puretlsConnect(port, ['--trace']);
      await client.waitFor(/connected to/, 'stderr');
      server.proc.stdin.write('K\n'); // s_server command: KeyUpdate with update_requested
      await client.waitFor(/<< KeyUpdate, \d+ bytes/, 'stderr');
      await client.waitFor(/>> KeyUpdate, \d+ bytes/, 'stderr');
      client.proc.stdin.write('after update\n');
      await server.waitFor(/after update/);
      server.proc.stdin.write('still here\n');
      await client.waitFor(/still here/);
      await serverQuits(server, client);
    } finally {
      await server.kill();
    }
  });

  it('-Verify (required): connect with --cert/--key is accepted, without is refused (non-zero exit)', async () => {
    const { child: server, port } = await sServer(['-Verify', '2', '-CAfile', pki.ca.certFile]);
    try {
      const ok = puretlsConnect(port, ['--cert', pki.client.certFile, '--key', pki.client.keyFile]);
      await ok.waitFor(/connected to/, 'stderr');
      ok.proc.stdin.write('with cert\n');
      await server.waitFor(/with cert/);
      await server.waitFor(/CN\s*=\s*client/, 'stdout');
      await serverQuits(server, ok);
      const bad = puretlsConnect(port, []);
      bad.proc.stdin.write('no cert\n');
      const code = await bad.exit;
      expect(code).not.toBe(0);
      expect(bad.stderr()).toMatch(/error/i);
    } finally {
      await server.kill();
    }
  });

  it('-verify (optional): connect without a certificate is accepted', async () => {
    const { child: server, port } = await sServer(['-verify', '2', '-CAfile', pki.ca.certFile]);
    try {
      const c = puretlsConnect(port, []);
      await c.waitFor(/connected to/, 'stderr');
      c.proc.stdin.write('optional\n');
      await server.waitFor(/optional/);
      await serverQuits(server, c);
    } finally {
      await server.kill();
    }
  });

  it('an untrusted server certificate: non-zero exit with the reason on stderr', async () => {
    const { child: server, port } = await sServer([]);
    try {
      const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.server['ed25519'].certFile]);
      const code = await c.exit;
      expect(code).not.toBe(0);
      expect(c.stderr()).toMatch(/unknown_ca|certificate|issuer/i);
      expect(c.stdout()).toBe('');
    } finally {
      await server.kill();
    }
  });
});
