/**
 * x448 (0x001E), secp521r1 (0x0019) and ffdhe2048/3072 (RFC 7919) against OpenSSL 3.0 (Node's tls) both
 * ways, on each provider, and against GnuTLS 3.7 (gnutls-cli → puretls).
 * The group is pinned on both sides; each side reports the one negotiated.
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type TlsSocket } from '../../src/io/node.js';
import { closeServer, collect, killAll, listen } from './helpers/net.js';
import { gnutlsCli, tls13Priority } from './helpers/gnutls.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
beforeAll(() => { pki = makeTestPki({ keyTypes: ['ecdsa-p256'] }); });
afterAll(async () => { await killAll(); pki?.cleanup(); });

const CASES = [
  { group: 'x448', node: 'X448', gnutls: 'X448', bits: 448 },
  { group: 'secp521r1', node: 'secp521r1', gnutls: 'SECP521R1', bits: 521 },
  { group: 'ffdhe2048', node: 'ffdhe2048', gnutls: 'FFDHE2048', bits: 2048 },
  { group: 'ffdhe3072', node: 'ffdhe3072', gnutls: 'FFDHE3072', bits: 3072 },
] as const;
const PROVIDERS = ['pure', 'node', 'webcrypto'] as const;

describe.each(CASES)('$group with OpenSSL 3.0 (Node tls) and GnuTLS', ({ group, node, gnutls, bits }) => {
  it.each(PROVIDERS)('puretls client (%s provider) → Node tls server', async (provider) => {
    const server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3', ecdhCurve: node }, (s) => s.pipe(s));
    const port = await listen(server);
    try {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, groups: [group], provider });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      expect(c.info!.group).toBe(group);
      const got = collect(c);
      c.end(`hello ${group}`);
      expect((await got).toString()).toBe(`hello ${group}`);
    } finally {
      await closeServer(server);
    }
  });

  it.each(PROVIDERS)('Node tls client → puretls server (%s provider)', async (provider) => {
    let seen: string | undefined;
    const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, groups: [group], provider }, (s: TlsSocket) => {
      seen = s.info?.group;
      s.pipe(s);
    });
    const port = await listen(server);
    try {
      const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, minVersion: 'TLSv1.3', ecdhCurve: node });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      const info = c.getEphemeralKeyInfo() as { name?: string; size?: number };
      expect(info.size).toBe(bits);
      const got = collect(c);
      c.end('ping');
      expect((await got).toString()).toBe('ping');
      expect(seen).toBe(group);
    } finally {
      await closeServer(server);
    }
  });

  it('gnutls-cli with only this group → puretls server', async () => {
    let seen: string | undefined;
    const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, groups: [group] }, (s: TlsSocket) => {
      seen = s.info?.group;
      s.on('data', () => s.end('pong\n'));
    });
    const port = await listen(server);
    try {
      const r = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile, '--priority', tls13Priority('-GROUP-ALL', `+GROUP-${gnutls}`)], 'ping\n');
      expect(r.all).toMatch(new RegExp(`\\((EC)?DHE-${gnutls}\\)`)); // GnuTLS says DHE- for the finite-field groups
      expect(r.stdout).toContain('pong');
      expect(seen).toBe(group);
    } finally {
      await closeServer(server);
    }
  });
});
