/**
 * The same checks for Deno and Bun: test/runtimes/peer.mjs, run by the
 * runtime's binary on its own TCP sockets, as a client against
 * `openssl s_server` and as a server for `openssl s_client` and curl; each
 * provider. Handshake parameters, bytes both ways, close_notify both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, run } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';
import { requireBinary } from '../interop/helpers/tools.js';
import { PEER, PROVIDERS, ROOT, expectServerTls13, expectVerifiedTls13, runtimeBinary, sServer, waitEvent } from './helpers.js';

export function runtimeSuite(name: 'deno' | 'bun', argsFor: (script: string, args: string[]) => string[]): void {
  let pki: TestPki;
  let bin: string;
  beforeAll(() => {
    bin = runtimeBinary(name);
    pki = makeTestPki();
  });
  afterAll(async () => {
    await killAll();
    pki?.cleanup();
  });
  const peer = (args: string[]) => run(bin, argsFor(PEER, args), { cwd: ROOT, env: { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });

  for (const provider of PROVIDERS) {
    describe(`${name}, ${provider} provider`, () => {
      it('client → openssl s_server: handshake, data both ways, close_notify both ways', async () => {
        const { child: server, port } = await sServer(pki);
        try {
          const client = peer(['client', String(port), pki.ca.certFile, provider, `ping from ${name}\n`, 'pong from openssl']);
          expectVerifiedTls13(await waitEvent(client, 'handshake'));
          await server.waitFor(new RegExp(`ping from ${name}`));
          server.proc.stdin.write('pong from openssl\n');
          expect((await waitEvent(client, 'data')).text).toBe('pong from openssl\n');
          const closed = await waitEvent(client, 'closed');
          expect(closed.cleanly, 'the client received the server\'s close_notify').toBe(true);
          expect(closed.state, 'close_notify sent and received').toBe('closed');
          // s_server prints DONE when SSL_read reports the peer's close_notify (SSL_ERROR_ZERO_RETURN).
          await server.waitFor(/^DONE$/m);
        } finally {
          await server.kill();
        }
      });

      it('server ← openssl s_client: handshake, echo, close_notify both ways (the server closes first)', async () => {
        const line = `echo through ${name}\n`;
        const server = peer(['server', pki.server['ecdsa-p256'].certFile, pki.server['ecdsa-p256'].keyFile, provider, 'echo', String(line.length)]);
        const port = Number((await waitEvent(server, 'listening')).port);
        requireBinary('openssl', 'openssl');
        const client = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost',
          '-CAfile', pki.ca.certFile, '-verify_return_error', '-verify_hostname', 'localhost']);
        try {
          expectServerTls13(await waitEvent(server, 'handshake'));
          client.proc.stdin.write(line);
          await client.waitFor(new RegExp(`^echo through ${name}$`, 'm'));
          // s_client answers our close_notify with its own (SSL_ERROR_ZERO_RETURN: it prints "closed" and shuts down).
          const closed = await waitEvent(server, 'closed');
          expect(closed.cleanly, 'the server received the client\'s close_notify').toBe(true);
          expect(closed.state, 'close_notify sent and received').toBe('closed');
          expect(closed.bytes).toBe(line.length);
          expect(await client.exit).toBe(0);
          expect(client.stdout()).toMatch(/Verify return code: 0 \(ok\)/);
        } finally {
          await client.kill();
          await server.kill();
        }
      });

      it('server ← openssl s_client: the client closes first, the server answers close_notify', async () => {
        const line = `first close from s_client (${name})\n`;
        const server = peer(['server', pki.server['ecdsa-p256'].certFile, pki.server['ecdsa-p256'].keyFile, provider, 'pipe']);
        const port = Number((await waitEvent(server, 'listening')).port);
        const client = run(requireBinary('openssl', 'openssl'), ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-servername', 'localhost',
          '-CAfile', pki.ca.certFile, '-verify_return_error']);
        try {
          expectServerTls13(await waitEvent(server, 'handshake'));
          client.proc.stdin.write(line);
          await client.waitFor(new RegExp(`^first close from s_client`, 'm'));
          client.proc.stdin.end(); // s_client sends close_notify at the end of its input, then closes the socket
          const closed = await waitEvent(server, 'closed');
          expect(closed.cleanly, 'the server received the client\'s close_notify').toBe(true);
          expect(closed.state, 'close_notify received and answered').toBe('closed');
          expect(closed.bytes).toBe(line.length);
          expect(await client.exit).toBe(0);
        } finally {
          await client.kill();
          await server.kill();
        }
      });

      it('server ← curl: an HTTP/1.1 request over TLS 1.3, answered and closed with close_notify', async () => {
        const server = peer(['server', pki.server['ecdsa-p256'].certFile, pki.server['ecdsa-p256'].keyFile, provider, 'http']);
        const port = Number((await waitEvent(server, 'listening')).port);
        const curl = run(requireBinary('curl', 'curl'), ['-sS', '--tlsv1.3', '--cacert', pki.ca.certFile,
          '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/runtime`]);
        try {
          expect(await curl.exit, curl.stderr()).toBe(0);
          expect(curl.stdout()).toBe(`hello from ${name} over puretls (${provider})\n`);
          expect((await waitEvent(server, 'request')).line).toBe('GET /runtime HTTP/1.1');
          const closed = await waitEvent(server, 'closed');
          expect(typeof closed.cleanly).toBe('boolean');
        } finally {
          await curl.kill();
          await server.kill();
        }
      });
    });
  }
}
