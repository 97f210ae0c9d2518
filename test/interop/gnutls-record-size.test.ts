/**
 * record_size_limit (RFC 8449) against GnuTLS 3.7, which implements it and
 * enforces its own advertised limit: each side advertises a small limit, data
 * flows both ways, and neither side sees a record_overflow (gnutls refuses a
 * record over the limit it advertised; so do we). GnuTLS's own floor is 512:
 * gnutls-cli offers only 512..4096, a GnuTLS client refuses a server limit
 * below 512 with illegal_parameter and a GnuTLS server ignores a client's,
 * so our limits here are 600.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type TlsSocket } from '../../src/io/node.js';
import { closeServer, collect, killAll, listen } from './helpers/net.js';
import { gnutlsCli, gnutlsServ, tls13Priority } from './helpers/gnutls.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => { pki = makeTestPki({ keyTypes: ['ecdsa-p256'] }); });
afterAll(async () => { await killAll(); pki?.cleanup(); });

describe('record_size_limit with GnuTLS', () => {
  it('gnutls-cli --recordsize 4096 → puretls server with recordSizeLimit 600: gnutls sends records of at most 599 bytes, reads our 20000 in records of at most 4095', async () => {
    let received = 0;
    let largest = 0;
    const errors: Error[] = [];
    let peerLimitSeen = false;
    const server = createServer({
      cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, recordSizeLimit: 600,
      onHandshakeMessage: (dir, type, summary) => { if (dir === 'received' && type === 'client_hello' && /record_size_limit/.test(summary)) peerLimitSeen = true; },
    }, (s: TlsSocket) => {
      s.on('data', (d: Buffer) => {
        received += d.length;
        largest = Math.max(largest, d.length); // one 'data' event per record
        if (received >= 599) s.end('b'.repeat(20000) + '\n');
      });
      s.on('error', (e: Error) => errors.push(e));
    });
    server.on('tlsClientError', (e: Error) => errors.push(e));
    const port = await listen(server);
    try {
      const r = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile, '--recordsize', '4096', '--priority', tls13Priority()], 'a'.repeat(2999) + '\n');
      expect(errors).toEqual([]);
      // gnutls-cli sends one record per read of stdin (what gnutls_record_send takes of it): the record fits our limit.
      expect(received).toBeGreaterThanOrEqual(599);
      expect(largest).toBe(599);
      expect(r.stdout).toContain('b'.repeat(20000));
      expect(r.all).not.toMatch(/illegal size|overflow/i);
      expect(peerLimitSeen).toBe(true);
    } finally {
      await closeServer(server);
    }
  });

  it('puretls client with recordSizeLimit 600 → gnutls-serv --echo --recordsize 512: 5000 bytes echoed', async () => {
    const { child, port } = await gnutlsServ(['--echo', '--recordsize', '512', '--x509certfile', pki.server['ecdsa-p256'].certFile,
      '--x509keyfile', pki.server['ecdsa-p256'].keyFile, '--priority', tls13Priority()]);
    try {
      let eeLimit = false;
      const c = connect({
        host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, recordSizeLimit: 600,
        onHandshakeMessage: (dir, type, summary) => { if (dir === 'received' && type === 'encrypted_extensions' && /record_size_limit/.test(summary)) eeLimit = true; },
      });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      const payload = 'c'.repeat(4999) + '\n';
      const got: Buffer[] = [];
      let n = 0;
      const done = new Promise<void>((res, rej) => {
        c.on('data', (d: Buffer) => { got.push(d); n += d.length; if (n >= 5000) res(); });
        c.once('error', rej);
      });
      c.write(payload);
      await done;
      expect(Buffer.concat(got).toString()).toBe(payload);
      expect(eeLimit).toBe(true);
      c.end();
      await collect(c).catch(() => undefined);
    } finally {
      await child.kill();
    }
  });
});
