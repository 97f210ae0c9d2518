/**
 * Post-handshake client authentication (RFC 8446 §4.6.2) with real peers:
 * `openssl s_client -enable_pha` and `gnutls-cli --post-handshake-auth`
 * against `puretls serve --pha-path` and against a Node-adapter server that
 * calls socket.renegotiate({ requestCert: true }); `puretls connect
 * --cert/--key` against `openssl s_server`, whose `c` command sends a
 * post-handshake CertificateRequest (SSL_verify_client_post_handshake).
 * gnutls-serv has no way to ask after the handshake, and Node's own tls
 * neither offers nor sends it, so those pairs are not tested.
 */
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type TlsSocket } from '../../src/io/node.js';
import { CLI, closeServer, killAll, run, type Child } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
});

const REQUEST = 'GET /secure HTTP/1.1\r\nHost: localhost\r\n\r\n';

async function serve(args: string[]): Promise<{ child: Child; port: number }> {
  const child = run(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--cert', pki.server['ecdsa-p256'].certFile,
    '--key', pki.server['ecdsa-p256'].keyFile, '--ca', pki.ca.certFile, ...args]);
  const m = await child.waitFor(/listening on \S+:(\d+)/);
  return { child, port: Number(m[1]) };
}

/** s_client with -ign_eof: the request is sent and the connection stays open for the server's CertificateRequest. */
async function sClient(port: number, args: string[]): Promise<string> {
  const c = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.ca.certFile, '-ign_eof', ...args]);
  c.proc.stdin.end(REQUEST);
  await c.exit;
  return c.stdout() + c.stderr();
}

const cn = (s: TlsSocket): string => (s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN ?? 'none';
const withCert = (p: { certFile: string; keyFile: string }) => ['-cert', p.certFile, '-key', p.keyFile];

describe('openssl s_client -enable_pha → puretls serve --pha-path', () => {
  it('a certificate asked for after the handshake: 200 with a trusted one; 403 when declined, not offered, or untrusted', async () => {
    const { child, port } = await serve(['--pha-path', '/secure', '--trace']);
    try {
      const ok = await sClient(port, ['-enable_pha', ...withCert(pki.client)]);
      expect(ok).toMatch(/HTTP\/1\.1 200 OK/);
      expect(ok).toMatch(/post-handshake auth: certificate received and verified/);
      expect(ok).toMatch(/client certificate: CN=client/);
      // The trace shows the exchange after the handshake.
      expect(child.stderr()).toMatch(/>> CertificateRequest[\s\S]*<< Certificate[\s\S]*<< CertificateVerify[\s\S]*<< Finished/);

      const notOffered = await sClient(port, withCert(pki.client));
      expect(notOffered).toMatch(/HTTP\/1\.1 403 Forbidden/);
      expect(notOffered).toMatch(/post-handshake auth: not possible: .*post_handshake_auth/);

      const declined = await sClient(port, ['-enable_pha']);
      expect(declined).toMatch(/HTTP\/1\.1 403 Forbidden/);
      expect(declined).toMatch(/post-handshake auth: declined/);

      const stranger = await sClient(port, ['-enable_pha', ...withCert(pki.strangerClient)]);
      expect(stranger).toMatch(/HTTP\/1\.1 403 Forbidden/);
      expect(stranger).toMatch(/post-handshake auth: certificate received, NOT verified \(unknown-issuer/);

      // Other paths never ask.
      const c = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.ca.certFile, '-ign_eof', '-enable_pha', ...withCert(pki.client)]);
      c.proc.stdin.end('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await c.exit;
      expect(c.stdout()).toMatch(/HTTP\/1\.1 200 OK/);
      expect(c.stdout()).toMatch(/client certificate: none/);
      expect(c.stdout()).not.toMatch(/post-handshake auth/);
    } finally {
      await child.kill();
    }
  });
});

describe('gnutls-cli --post-handshake-auth → puretls serve --pha-path', () => {
  it('GnuTLS answers the request with its certificate; without the option it is not asked', async () => {
    const { child, port } = await serve(['--pha-path', '/secure']);
    try {
      const args = ['--x509cafile', pki.ca.certFile, '--x509certfile', pki.client.certFile, '--x509keyfile', pki.client.keyFile];
      // gnutls-cli sends close_notify at the end of its input: keep it open until the page came.
      const go = async (extra: string[]) => {
        const c = run('gnutls-cli', ['--port', String(port), '--sni-hostname', 'localhost', ...args, ...extra, '127.0.0.1']);
        c.proc.stdin.write(REQUEST);
        await c.waitFor(/post-handshake auth: .*/);
        c.proc.stdin.end();
        await c.exit;
        return c.stdout() + c.stderr();
      };
      const ok = await go(['--post-handshake-auth']);
      expect(ok).toMatch(/HTTP\/1\.1 200 OK/);
      expect(ok).toMatch(/post-handshake auth: certificate received and verified/);
      const without = await go([]);
      expect(without).toMatch(/HTTP\/1\.1 403 Forbidden/);
      expect(without).toMatch(/not possible: .*post_handshake_auth/);

    } finally {
      await child.kill();
    }
  });
});

describe('openssl s_client -enable_pha → Node-adapter server, socket.renegotiate({ requestCert: true })', () => {
  it('the callback runs after the answer; getPeerCertificate() and authorized reflect it', async () => {
    const seen: string[] = [];
    const server = createServer({
      cert: readFileSync(pki.server['ecdsa-p256'].certFile), key: readFileSync(pki.server['ecdsa-p256'].keyFile), ca: readFileSync(pki.ca.certFile),
    }, (s: TlsSocket) => {
      s.once('data', () => {
        const before = `before: authorized=${s.authorized} cert=${cn(s)}`;
        const started = s.renegotiate({ requestCert: true, rejectUnauthorized: true }, (err) => {
          const after = err ? `error: ${err.message}` : `after: authorized=${s.authorized} cert=${cn(s)}`;
          seen.push(before, after);
          if (!err) s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${after.length + 1}\r\nConnection: close\r\n\r\n${after}\n`);
        });
        if (!started) seen.push('refused');
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const out = await sClient(port, ['-enable_pha', ...withCert(pki.client)]);
      expect(out).toMatch(/after: authorized=true cert=client/);
      expect(seen).toEqual(['before: authorized=false cert=none', 'after: authorized=true cert=client']);
      // rejectUnauthorized: true and an untrusted certificate: the alert, the callback's error.
      seen.length = 0;
      const bad = await sClient(port, ['-enable_pha', ...withCert(pki.strangerClient)]);
      expect(bad).toMatch(/alert unknown ca|alert number 48/i);
      expect(seen[1]).toMatch(/^error: .*unknown-issuer/);
    } finally {
      await closeServer(server as unknown as import('node:net').Server);
    }
  });
});

describe('puretls connect --cert/--key → openssl s_server (its `c` command asks after the handshake)', () => {
  async function sServer(): Promise<{ child: Child; port: number }> {
    const child = run('openssl', ['s_server', '-tls1_3', '-accept', '0', '-cert', pki.server['ecdsa-p256'].certFile,
      '-key', pki.server['ecdsa-p256'].keyFile, '-CAfile', pki.ca.certFile]);
    const m = await child.waitFor(/ACCEPT \S*:(\d+)/);
    return { child, port: Number(m[1]) };
  }
  const connect = (port: number, args: string[]) =>
    run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--trace', ...args]);

  it('answers with Certificate, CertificateVerify and Finished, which OpenSSL verifies; data flows on', async () => {
    const { child: server, port } = await sServer();
    try {
      const client = connect(port, ['--cert', pki.client.certFile, '--key', pki.client.keyFile]);
      await client.waitFor(/connected to/, 'stderr');
      expect(client.stderr()).toMatch(/post_handshake_auth/);
      await server.waitFor(/CIPHER is/); // s_server finished its side of the handshake
      server.proc.stdin.write('c\n'); // s_server: SSL_verify_client_post_handshake
      // s_server's verify callback prints the chain it checked (stderr; its printf lines are buffered).
      await server.waitFor(/depth=0 CN = client\s+verify return:1/, 'stderr');
      await client.waitFor(/<< CertificateRequest[\s\S]*>> Certificate[\s\S]*>> CertificateVerify[\s\S]*>> Finished/, 'stderr');
      client.proc.stdin.write('after pha\n');
      await server.waitFor(/after pha/);
      server.proc.stdin.write('still here\n');
      await client.waitFor(/still here/);
      server.proc.stdin.write('q\n');
      await client.exit;
    } finally {
      await server.kill();
    }
  });

  it('without a certificate connect does not offer post_handshake_auth, so OpenSSL cannot ask', async () => {
    const { child: server, port } = await sServer();
    try {
      const client = connect(port, []);
      await client.waitFor(/connected to/, 'stderr');
      expect(client.stderr()).not.toMatch(/post_handshake_auth/);
      await server.waitFor(/CIPHER is/);
      server.proc.stdin.write('c\n');
      await server.waitFor(/SSL_verify_client_post_handshake:extension not received/, 'stderr');
      client.proc.stdin.write('still fine\n');
      await server.waitFor(/still fine/);
      server.proc.stdin.write('q\n');
      await client.exit;
    } finally {
      await server.kill();
    }
  });
});
