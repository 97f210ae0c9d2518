/**
 * Verification that cannot be bypassed (Node adapter and core): the
 * reference name is `servername || host` as in Node's tls (`servername: ''`
 * suppresses SNI only), IP hosts are checked against iPAddress SANs (also
 * through an https.Agent, which passes servername '' for IP hosts), the chain
 * is checked before the name, authorizationError carries Node's codes, and
 * checkServerIdentity is called with Node's arguments and obeyed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection/connection.js';
import { connect, createServer, type ConnectOptions, type PeerCertificate, type ServerOptions, type TlsSocket } from '../../src/io/node.js';
import { secureWebStream } from '../../src/io/web.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
let selfSigned: { cert: string; key: string };
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'], sni: ['attacker.example'] });
  const key = join(pki.dir, 'self.key');
  const cert = join(pki.dir, 'self.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-subj', '/CN=self', '-days', '30', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  selfSigned = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

/** A puretls server presenting `pem`; records the SNI each client sent and the errors it saw. */
async function serve(pem: { cert: string; key: string }, extra: Partial<ServerOptions> = {}) {
  const snis: (string | false)[] = [];
  const errors: Error[] = [];
  const server = createServer({ cert: pem.cert, key: pem.key, ...extra }, (s) => {
    snis.push(s.servername);
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
  });
  server.on('tlsClientError', (e: Error) => errors.push(e));
  const port = await listen(server);
  cleanups.push(() => closeServer(server));
  return { port, snis, errors };
}

function outcome(s: TlsSocket): Promise<{ ok: true } | { ok: false; err: Error & { alert?: string; code?: string } }> {
  return new Promise((res) => {
    s.once('secureConnect', () => res({ ok: true }));
    s.once('error', (err) => res({ ok: false, err }));
  });
}

const attacker = () => pki.sni['attacker.example']!;

describe('reference name: servername || host, as Node', () => {
  it("servername '' suppresses SNI but the certificate is still checked against host", async () => {
    const { port, snis } = await serve(attacker());
    const c = connect({ host: 'localhost', port, servername: '', ca: pki.ca.cert });
    const r = await outcome(c);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.err.alert).toBe('bad_certificate');
    const d = connect({ host: 'localhost', port, servername: '', ca: pki.ca.cert, rejectUnauthorized: false });
    expect((await outcome(d)).ok).toBe(true);
    expect(d.authorized).toBe(false);
    expect(d.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    d.resume();
    await new Promise((r) => d.once('end', r)); // the server answered: its handshake finished too
    d.destroy();
    expect(snis).toEqual([false]); // the second client connected: it sent no SNI
  });

  it('the right certificate with servername "" and a host name is authorized', async () => {
    const { port } = await serve(pki.server['ecdsa-p256']);
    const c = connect({ host: 'localhost', port, servername: '', ca: pki.ca.cert });
    expect((await outcome(c)).ok).toBe(true);
    expect(c.authorized).toBe(true);
    c.destroy();
  });

  it('https.get to an IP through an Agent creating puretls sockets: attacker.example refused, an IP SAN accepted', async () => {
    const get = (port: number) => new Promise<{ status?: number; error?: Error }>((resolve) => {
      const agent = new https.Agent();
      (agent as unknown as { createConnection: (o: ConnectOptions) => TlsSocket }).createConnection = (o) => connect({ ...o, ca: pki.ca.cert });
      https.get(`https://127.0.0.1:${port}/path`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode! }));
      }).on('error', (error) => resolve({ error }));
    });
    const bad = await serve(attacker());
    const r1 = await get(bad.port);
    expect(r1.status).toBeUndefined();
    expect((r1.error as Error & { alert?: string }).alert).toBe('bad_certificate');
    const good = await serve(pki.server['ecdsa-p256']); // SAN IP:127.0.0.1
    const r2 = await get(good.port);
    expect(r2).toEqual({ status: 200 });
    expect(good.snis).toEqual([false]); // RFC 6066 §3: no SNI for an IP literal
  });
});

describe('chain before name; authorizationError as Node', () => {
  it('unknown issuer + wrong name → unknown_ca / UNABLE_TO_VERIFY_LEAF_SIGNATURE', async () => {
    const { port } = await serve(attacker());
    const opts = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.strangerClient.cert };
    const r = await outcome(connect(opts));
    expect(!r.ok && r.err.alert).toBe('unknown_ca');
    const d = connect({ ...opts, rejectUnauthorized: false });
    await outcome(d);
    expect(d.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    d.destroy();
  });

  it('self-signed, expired, not yet valid', async () => {
    const self = await serve(selfSigned);
    const a = connect({ host: '127.0.0.1', port: self.port, rejectUnauthorized: false, ca: pki.ca.cert });
    await outcome(a);
    expect(a.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    a.destroy();
    const { port } = await serve(pki.server['ecdsa-p256']);
    const year = 365 * 86400e3;
    const b = connect({ host: '127.0.0.1', port, ca: pki.ca.cert, rejectUnauthorized: false, now: () => new Date(Date.now() + 2 * year) });
    await outcome(b);
    expect(b.authorizationError).toBe('CERT_HAS_EXPIRED');
    b.destroy();
    const c = connect({ host: '127.0.0.1', port, ca: pki.ca.cert, rejectUnauthorized: false, now: () => new Date(Date.now() - 2 * year) });
    await outcome(c);
    expect(c.authorizationError).toBe('CERT_NOT_YET_VALID');
    c.destroy();
  });

  it('a self-signed root sent in the chain → SELF_SIGNED_CERT_IN_CHAIN', async () => {
    const { port } = await serve({ cert: pki.server['ecdsa-p256'].cert + pki.ca.cert, key: pki.server['ecdsa-p256'].key });
    const c = connect({ host: '127.0.0.1', port, ca: pki.strangerClient.cert, rejectUnauthorized: false });
    await outcome(c);
    expect(c.authorizationError).toBe('SELF_SIGNED_CERT_IN_CHAIN');
    c.destroy();
  });
});

describe('checkServerIdentity (Node signature)', () => {
  it('is called after the chain verified with (hostname, getPeerCertificate(true)); its Error fails the handshake with bad_certificate', async () => {
    const { port, errors } = await serve(pki.server['ecdsa-p256'], { cert: pki.server['ecdsa-p256'].cert + pki.ca.cert });
    const calls: [string, PeerCertificate][] = [];
    const pinError = Object.assign(new Error('pin mismatch'), { code: 'ERR_PIN' });
    const c = connect({
      host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert,
      checkServerIdentity: (host, cert) => { calls.push([host, cert]); return pinError; },
    });
    const r = await outcome(c);
    expect(!r.ok && r.err).toBe(pinError);
    expect(calls).toHaveLength(1);
    const [host, cert] = calls[0]!;
    expect(host).toBe('localhost');
    expect(cert.subjectaltname).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect((cert.subject as Record<string, string>).CN).toBe('server-ecdsa-p256');
    expect(Buffer.isBuffer(cert.raw)).toBe(true);
    expect(cert.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect((cert.issuerCertificate?.subject as Record<string, string>).CN).toBe('puretls-test-ca');
    // Node's own checker accepts our certificate object.
    expect(tls.checkServerIdentity(host, cert as never)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.map((e) => (e as Error & { alert?: string }).alert)).toEqual(['bad_certificate']);
  });

  it('not called when the chain fails; with rejectUnauthorized:false its error is the authorizationError', async () => {
    const { port } = await serve(pki.server['ecdsa-p256']);
    let called = 0;
    const check = () => { called++; return Object.assign(new Error('nope'), { code: 'ERR_PINNED' }); };
    const a = connect({ host: '127.0.0.1', port, ca: pki.strangerClient.cert, rejectUnauthorized: false, checkServerIdentity: check });
    await outcome(a);
    expect(called).toBe(0);
    expect(a.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    a.destroy();
    const b = connect({ host: '127.0.0.1', port, ca: pki.ca.cert, rejectUnauthorized: false, checkServerIdentity: check });
    await outcome(b);
    expect(called).toBe(1);
    expect(b.authorized).toBe(false);
    expect(b.authorizationError).toBe('ERR_PINNED');
    b.destroy();
  });

  it('replaces the built-in name check, as in Node (it may accept another name)', async () => {
    const { port } = await serve(attacker());
    const c = connect({ host: '127.0.0.1', port, ca: pki.ca.cert, checkServerIdentity: () => undefined });
    expect((await outcome(c)).ok).toBe(true);
    expect(c.authorized).toBe(true);
    c.destroy();
    // Node's checker, called from it, refuses the wrong name.
    const d = connect({ host: '127.0.0.1', port, ca: pki.ca.cert, checkServerIdentity: (h, cert) => tls.checkServerIdentity(h, cert as never) });
    const r = await outcome(d);
    expect(!r.ok && r.err.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});

describe('core and Web Streams adapter fail closed without a reference name', () => {
  it('Connection.client: no servername → refused naming it, unless checkServerName: false or rejectUnauthorized: false', () => {
    const handlers = { onTransmit: () => undefined };
    expect(() => Connection.client({}, handlers)).toThrow(/servername/);
    expect(() => Connection.client({ servername: '' }, handlers)).toThrow(/servername/);
    expect(() => Connection.client({ checkServerName: false }, handlers)).not.toThrow();
    expect(() => Connection.client({ rejectUnauthorized: false }, handlers)).not.toThrow();
  });

  it('secureWebStream: no servername → refused; checkServerName: false still verifies the chain but not the name', async () => {
    const pair = () => ({ readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>() });
    expect(() => secureWebStream(pair(), { ca: pki.ca.cert })).toThrow(/servername/);
    // Over a real socket to a server whose certificate names attacker.example.
    const { port } = await serve(attacker());
    const net = await import('node:net');
    const run = async (opts: Parameters<typeof secureWebStream>[1]) => {
      const sock = net.connect(port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      const { Duplex } = await import('node:stream');
      const web = Duplex.toWeb(sock) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
      const t = secureWebStream(web, opts);
      try {
        return await t.handshake;
      } finally {
        sock.destroy();
      }
    };
    await expect(run({ ca: pki.ca.cert, checkServerName: false })).resolves.toMatchObject({ peerVerified: true });
    await expect(run({ ca: pki.strangerClient.cert, checkServerName: false })).rejects.toMatchObject({ alert: 'unknown_ca' });
    await expect(run({ ca: pki.ca.cert, host: 'localhost' })).rejects.toMatchObject({ alert: 'bad_certificate' });
  });
});
