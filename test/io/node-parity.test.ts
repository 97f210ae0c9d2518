/**
 * Node tls parity of the TLSSocket surface: getFinished/getPeerFinished,
 * getCertificate, getX509Certificate/getPeerX509Certificate,
 * getSharedSigalgs, getEphemeralKeyInfo, 'close' with hadError,
 * new TLSSocket(socket, options) and connect({ socket }) after a plaintext
 * exchange (STARTTLS), setServername, and the module's constant members.
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as puretls from '../../src/index.js';
import { connect, createServer, TLSSocket, type ServerOptions, type TlsSocket } from '../../src/io/node.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'], sni: ['a.alpha.test', 'beta.test'] });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

const srv = (): ServerOptions => ({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key });

/** A connected pair: the client once secure, the server side once secure. */
async function pair(serverExtra: Partial<ServerOptions> = {}, clientExtra: object = {}) {
  let serverSide!: TlsSocket;
  const got = new Promise<void>((res) => {
    const server = createServer({ ...srv(), ...serverExtra }, (s) => {
      serverSide = s;
      s.on('error', () => undefined);
      res();
    });
    cleanups.push(() => closeServer(server));
    cleanups.push(() => { serverSide?.destroy(); });
    void listen(server).then((port) => {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ...clientExtra });
      c.on('error', () => undefined);
      client = c;
    });
  });
  let client!: TlsSocket;
  await got;
  await new Promise<void>((res) => (client.secureConnecting ? client.once('secureConnect', () => res()) : res()));
  return { client, server: serverSide };
}

describe('TLSSocket methods', () => {
  it('getFinished / getPeerFinished: each side\'s verify_data, seen the same from both ends', async () => {
    const { client, server } = await pair();
    const cf = client.getFinished()!;
    const sf = server.getFinished()!;
    expect(cf).toHaveLength(32); // SHA-256 suites: Hash.length (RFC 8446 §4.4.4)
    expect(sf).toHaveLength(32);
    expect(cf.equals(sf)).toBe(false);
    expect(client.getPeerFinished()!.equals(sf)).toBe(true);
    await new Promise((r) => setTimeout(r, 20)); // the server processes the client's Finished
    expect(server.getPeerFinished()!.equals(cf)).toBe(true);
    client.destroy();
  });

  it('getCertificate / getX509Certificate / getPeerX509Certificate', async () => {
    const { client, server } = await pair();
    expect((server.getCertificate() as unknown as { subject: { CN: string } }).subject.CN).toBe('server-ecdsa-p256');
    expect(client.getCertificate()).toEqual({}); // the client sent none
    expect(server.getX509Certificate()).toBeInstanceOf(X509Certificate);
    expect(server.getX509Certificate()!.subject).toBe('CN=server-ecdsa-p256');
    expect(client.getPeerX509Certificate()!.fingerprint256).toBe(server.getX509Certificate()!.fingerprint256);
    expect(client.getX509Certificate()).toBeUndefined();
    client.destroy();
  });

  it('getCertificate & co. with certificate compression both ways (RFC 8879): each chain went out compressed and still shows', async () => {
    const sent = { client: [] as string[], server: [] as string[] };
    const { client, server } = await pair(
      { requestCert: true, ca: pki.ca.cert, certificateCompression: ['zlib', 'brotli'], onHandshakeMessage: (d, t) => { if (d === 'sent') sent.server.push(t); } },
      { cert: pki.client.cert, key: pki.client.key, certificateCompression: ['brotli', 'zlib'], onHandshakeMessage: (d: string, t: string) => { if (d === 'sent') sent.client.push(t); } },
    );
    await new Promise((r) => setTimeout(r, 20)); // the server processes the client's flight
    expect(sent.server).toContain('compressed_certificate');
    expect(sent.server).not.toContain('certificate');
    expect(sent.client).toContain('compressed_certificate');
    expect(sent.client).not.toContain('certificate');
    const cn = (c: object): string => (c as { subject: { CN: string } }).subject.CN;
    expect(cn(server.getCertificate())).toBe('server-ecdsa-p256');
    expect(cn(client.getPeerCertificate())).toBe('server-ecdsa-p256');
    expect(client.getPeerX509Certificate()!.fingerprint256).toBe(server.getX509Certificate()!.fingerprint256);
    expect(client.getX509Certificate()).toBeInstanceOf(X509Certificate);
    expect(cn(client.getCertificate())).toBe(cn(server.getPeerCertificate()));
    expect(server.getPeerX509Certificate()!.fingerprint256).toBe(client.getX509Certificate()!.fingerprint256);
    client.destroy();
  });

  it('a createServer server compresses its chain once per algorithm, not per connection (RFC 8879 §5)', async () => {
    const { zlib } = await import('../../src/compression/index.js');
    let calls = 0;
    const counting = { ...zlib, compress: (d: Uint8Array) => { calls++; return zlib.compress!(d); } };
    const server = createServer({ ...srv(), certificateCompression: [counting] }, (s) => s.on('error', () => undefined));
    cleanups.push(() => closeServer(server));
    const port = await listen(server);
    for (let i = 0; i < 3; i++) {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, certificateCompression: ['zlib'] });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      expect((c.getPeerCertificate() as unknown as { subject: { CN: string } }).subject.CN).toBe('server-ecdsa-p256');
      c.destroy();
    }
    expect(calls).toBe(1);
  });

  it('getSharedSigalgs: a server knows the client\'s list; a client only after a CertificateRequest', async () => {
    const a = await pair();
    expect(a.server.getSharedSigalgs()).toContain('ECDSA+SHA256');
    expect(a.server.getSharedSigalgs()).toContain('RSA-PSS+SHA256');
    expect(a.client.getSharedSigalgs()).toEqual([]);
    a.client.destroy();
    const b = await pair({ requestCert: true, ca: pki.ca.cert }, { cert: pki.client.cert, key: pki.client.key });
    expect(b.client.getSharedSigalgs()).toContain('ECDSA+SHA256');
    expect(b.client.getSharedSigalgs()).toContain('Ed25519');
    b.client.destroy();
  });

  it('getEphemeralKeyInfo: the group on a client, null on a server (as Node)', async () => {
    const { client, server } = await pair({}, { ecdhCurve: 'X25519' });
    expect(client.getEphemeralKeyInfo()).toEqual({ type: 'ECDH', name: 'X25519', size: 253 });
    expect(server.getEphemeralKeyInfo()).toBeNull();
    client.destroy();
  });

  it("'close' says whether an error closed the socket", async () => {
    const a = await pair();
    const closed = new Promise((r) => a.client.once('close', r));
    a.client.destroy();
    expect(await closed).toBe(false);
    const b = await pair();
    const closedB = new Promise((r) => b.client.once('close', r));
    b.client.destroy(new Error('boom'));
    expect(await closedB).toBe(true);
  });

  it('setServername is refused: the ClientHello left when the socket was made; on a server as Node refuses it', async () => {
    const { client, server } = await pair();
    expect(() => client.setServername('x.example')).toThrow(expect.objectContaining({ code: 'ERR_PURETLS_TOO_LATE' }));
    expect(() => server.setServername('x.example')).toThrow(expect.objectContaining({ code: 'ERR_TLS_SNI_FROM_SERVER' }));
    client.destroy();
  });
});

describe('STARTTLS: new TLSSocket(socket, options) and connect({ socket })', () => {
  it('a plaintext line, then TLS on the same TCP connection, both ways', async () => {
    const accepted: net.Socket[] = [];
    const server = net.createServer((sock) => {
      accepted.push(sock);
      sock.once('data', (line) => {
        expect(String(line)).toBe('STARTTLS\n');
        sock.write('GO\n', () => {
          const t = new TLSSocket(sock, { isServer: true, ...srv() });
          t.on('data', (d) => t.end(`secured:${d}`));
          t.on('error', () => undefined);
        });
      });
    });
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    cleanups.push(() => { for (const s of accepted) s.destroy(); });
    for (const make of [
      (s: net.Socket) => new TLSSocket(s, { servername: 'localhost', ca: pki.ca.cert }),
      (s: net.Socket) => connect({ socket: s, servername: 'localhost', ca: pki.ca.cert }),
    ]) {
      const sock = net.connect(port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.write('STARTTLS\n');
      await new Promise((r) => sock.once('data', r));
      const t = make(sock);
      await new Promise((r) => t.once('secureConnect', r));
      expect(t.authorized).toBe(true);
      t.write('hello');
      let got = '';
      t.on('data', (d) => (got += d));
      await new Promise((r) => t.once('end', r));
      expect(got).toBe('secured:hello');
      t.destroy();
    }
  });
});

describe('Server: addContext, setSecureContext', () => {
  /** The CN of the certificate a client sees for `servername`, or the alert. */
  function cnFor(port: number, servername: string): Promise<string> {
    return new Promise((res) => {
      const c = connect({ host: '127.0.0.1', port, servername, ca: pki.ca.cert, checkServerName: false });
      c.once('secureConnect', () => {
        res((c.getPeerCertificate() as unknown as { subject: { CN: string } }).subject.CN);
        c.destroy();
      });
      c.once('error', (e: Error & { alert?: string }) => res(`alert:${e.alert}`));
    });
  }

  it('addContext picks by SNI (wildcards within one label, last match wins); the default otherwise', async () => {
    const server = createServer(srv(), (s) => s.on('error', () => undefined));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    server.addContext('*.alpha.test', { cert: pki.sni['a.alpha.test']!.cert, key: pki.sni['a.alpha.test']!.key });
    server.addContext('beta.test', puretls.createSecureContext({ cert: pki.sni['beta.test']!.cert, key: pki.sni['beta.test']!.key }));
    expect(await cnFor(port, 'a.alpha.test')).toBe('a.alpha.test');
    expect(await cnFor(port, 'BETA.test')).toBe('beta.test');
    expect(await cnFor(port, 'x.a.alpha.test')).toBe('server-ecdsa-p256'); // '*' spans one label only
    expect(await cnFor(port, 'localhost')).toBe('server-ecdsa-p256');
    expect(() => server.addContext('x.test', { ca: pki.ca.cert })).toThrow(/no cert and key/);
    const sniServer = createServer({ SNICallback: (_n, cb) => cb(null) });
    expect(() => sniServer.addContext('x.test', { cert: srv().cert as string, key: srv().key as string })).toThrow(/addContext/);
  });

  it('setSecureContext rotates the certificate for new connections; a bad one leaves the old in place', async () => {
    const server = createServer(srv(), (s) => s.on('error', () => undefined));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    expect(await cnFor(port, 'localhost')).toBe('server-ecdsa-p256');
    server.setSecureContext({ cert: pki.sni['beta.test']!.cert, key: pki.sni['beta.test']!.key });
    expect(await cnFor(port, 'localhost')).toBe('beta.test');
    expect(() => server.setSecureContext({ cert: pki.sni['beta.test']!.cert, key: srv().key as string })).toThrow(/key values mismatch/);
    expect(await cnFor(port, 'localhost')).toBe('beta.test');
  });
});

describe('module members', () => {
  it("checkServerIdentity, rootCertificates, getCiphers, createSecureContext, DEFAULT_* as Node's", () => {
    expect(puretls.checkServerIdentity).toBe(tls.checkServerIdentity);
    expect(puretls.rootCertificates).toBe(tls.rootCertificates);
    expect(puretls.getCiphers()).toEqual(['tls_aes_128_gcm_sha256', 'tls_aes_256_gcm_sha384', 'tls_chacha20_poly1305_sha256']);
    for (const c of puretls.getCiphers()) expect(tls.getCiphers()).toContain(c);
    expect(puretls.createSecureContext({ cert: srv().cert as string, key: srv().key as string })).toBeInstanceOf(puretls.SecureContext);
    expect(puretls.DEFAULT_MIN_VERSION).toBe('TLSv1.3');
    expect(puretls.DEFAULT_MAX_VERSION).toBe('TLSv1.3');
    expect(puretls.DEFAULT_CIPHERS.split(':')).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
    expect(puretls.DEFAULT_ECDH_CURVE).toBe('auto');
  });
});
