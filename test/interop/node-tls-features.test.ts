/**
 * puretls ↔ Node's tls, both roles: HelloRetryRequest, mutual TLS (required,
 * absent, untrusted), ALPN, SNI certificate selection, KeyUpdate in the middle
 * of a transfer, 64 MiB each way compared by hash, 50 concurrent connections.
 */
import { X509Certificate } from 'node:crypto';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type ConnectOptions, type ServerOptions, type TlsSocket } from '../../src/io/node.js';
import { block, closeServer, collect, hashStream, listen, writeBlocks } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'], sni: ['alpha.test', 'beta.test'] });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

const cn = (der: Uint8Array | Buffer | undefined) => (der ? new X509Certificate(der).subject : undefined);

/** A Node tls server on loopback; handler gets each secure socket. */
async function nodeServer(opts: tls.TlsOptions, handler: (s: tls.TLSSocket) => void = (s) => s.pipe(s)) {
  const server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3', ...opts }, handler);
  const errors: Error[] = [];
  server.on('tlsClientError', (e) => errors.push(e));
  const port = await listen(server);
  cleanups.push(() => closeServer(server));
  return { server, port, errors };
}

async function pureServer(opts: Partial<ServerOptions>, handler: (s: TlsSocket) => void = (s) => s.pipe(s)) {
  const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, ...opts }, handler);
  const errors: Error[] = [];
  server.on('tlsClientError', (e: Error) => errors.push(e));
  const port = await listen(server);
  cleanups.push(() => closeServer(server));
  return { server, port, errors };
}

function pureClient(port: number, opts: Partial<ConnectOptions> = {}): TlsSocket {
  return connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, ...opts });
}

function nodeClient(port: number, opts: tls.ConnectionOptions = {}): tls.TLSSocket {
  return tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, minVersion: 'TLSv1.3', ...opts });
}

function secure(s: TlsSocket | tls.TLSSocket): Promise<void> {
  return new Promise((res, rej) => { s.once('secureConnect', () => res()); s.once('error', rej); });
}

/** Resolves with the error the socket fails with, or 'closed' if it closes without one. */
function failure(s: TlsSocket | tls.TLSSocket): Promise<Error | 'closed'> {
  return new Promise((res) => {
    s.once('error', (e) => res(e));
    s.once('close', () => res('closed'));
    s.resume();
  });
}

describe('HelloRetryRequest', () => {
  it('puretls client retries with the group the Node server asks for', async () => {
    const { port } = await nodeServer({ ecdhCurve: 'X25519:prime256v1' });
    const s = pureClient(port, { groups: ['secp384r1', 'x25519', 'secp256r1'], keyShareGroups: ['secp384r1'] });
    await secure(s);
    expect(s.info!.helloRetry).toBe(true);
    expect(s.group).toBe('x25519');
    expect((await (async () => { const g = collect(s); s.end('hrr'); return g; })()).toString()).toBe('hrr');
  });

  it('puretls server sends HRR to a Node client whose key share it does not take', async () => {
    let info: TlsSocket['info'];
    const { port } = await pureServer({ groups: ['x25519', 'secp256r1'] }, (s) => { info = s.info; s.pipe(s); });
    const c = nodeClient(port, { ecdhCurve: 'secp384r1:X25519' });
    await secure(c);
    expect((c.getEphemeralKeyInfo() as { name?: string }).name).toBe('X25519');
    const got = collect(c);
    c.end('hrr');
    expect((await got).toString()).toBe('hrr');
    expect(info!.helloRetry).toBe(true);
    expect(info!.group).toBe('x25519');
  });
});

describe('TLS-Exporter agrees with OpenSSL (RFC 8446 §7.5), empty label and context included', () => {
  const cases: [number, string, Buffer | undefined][] = [
    [32, '', Buffer.alloc(0)],
    [32, '', undefined],
    [48, 'EXPERIMENTAL puretls', Buffer.alloc(0)],
    [20, 'EXPERIMENTAL puretls', Buffer.from('context')],
  ];
  // Node's types want a context; at run time an absent one means "no context" (SSL_export_keying_material use_context = 0).
  const nodeEkm = (s: tls.TLSSocket, len: number, label: string, ctx: Buffer | undefined): Buffer =>
    ctx === undefined ? (s.exportKeyingMaterial as (l: number, lb: string) => Buffer)(len, label) : s.exportKeyingMaterial(len, label, ctx);
  it('puretls client, Node server: every case gives the bytes OpenSSL computes', async () => {
    let server: tls.TLSSocket | undefined;
    const { port } = await nodeServer({}, (s) => { server = s; s.pipe(s); });
    const c = pureClient(port);
    await secure(c);
    c.write('x');
    await new Promise((r) => c.once('data', r));
    for (const [len, label, ctx] of cases) expect(c.exportKeyingMaterial(len, label, ctx).equals(nodeEkm(server!, len, label, ctx))).toBe(true);
    c.end();
  });
  it('Node client, puretls server', async () => {
    let server: TlsSocket | undefined;
    const { port } = await pureServer({}, (s) => { server = s; s.pipe(s); });
    const c = nodeClient(port);
    await secure(c);
    c.write('x');
    await new Promise((r) => c.once('data', r));
    for (const [len, label, ctx] of cases) expect(nodeEkm(c, len, label, ctx).equals(server!.exportKeyingMaterial(len, label, ctx))).toBe(true);
    c.end();
  });
});

describe('mutual TLS', () => {
  it('Node server requiring a client certificate accepts puretls with one', async () => {
    let peer: string | undefined;
    let authorized = false;
    const { port } = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert }, (s) => {
      peer = cn(s.getPeerCertificate().raw);
      authorized = s.authorized;
      s.pipe(s);
    });
    const c = pureClient(port, { cert: pki.client.cert, key: pki.client.key });
    await secure(c);
    const got = collect(c);
    c.end('mtls');
    expect((await got).toString()).toBe('mtls');
    expect(peer).toBe('CN=client');
    expect(authorized).toBe(true);
  });

  it('Node server requiring a client certificate rejects puretls without one', async () => {
    const { port, errors } = await nodeServer({ requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert });
    const c = pureClient(port);
    c.on('secureConnect', () => c.write('x'));
    const r = await failure(c);
    expect(r).toBeInstanceOf(Error);
    expect(String((r as Error & { alert?: string }).alert ?? (r as Error).message)).toMatch(/certificate_required|ECONNRESET|socket/i);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('puretls server requiring a client certificate accepts a Node client with one', async () => {
    let info: TlsSocket['info'];
    let authorized = false;
    const { port } = await pureServer({ requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert }, (s) => {
      info = s.info;
      authorized = s.authorized;
      s.pipe(s);
    });
    const c = nodeClient(port, { cert: pki.client.cert, key: pki.client.key });
    await secure(c);
    const got = collect(c);
    c.end('mtls');
    expect((await got).toString()).toBe('mtls');
    expect(cn(info!.peerCertificates[0])).toBe('CN=client');
    expect(authorized).toBe(true);
  });

  it('puretls server requiring a client certificate sends certificate_required when there is none', async () => {
    const { port, errors } = await pureServer({ clientAuth: 'require', ca: pki.ca.cert });
    const c = nodeClient(port);
    c.on('secureConnect', () => c.write('x'));
    const r = await failure(c);
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(/certificate required|alert number 116/i);
    await new Promise((res) => setImmediate(res));
    expect(errors.map((e) => (e as Error & { alert?: string }).alert)).toContain('certificate_required');
  });

  it('puretls server rejects a client certificate from an unknown CA', async () => {
    const { port, errors } = await pureServer({ clientAuth: 'require', ca: pki.ca.cert });
    const c = nodeClient(port, { cert: pki.strangerClient.cert, key: pki.strangerClient.key });
    c.on('secureConnect', () => c.write('x'));
    const r = await failure(c);
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toMatch(/unknown ca|alert number 48/i);
    expect(errors.map((e) => (e as Error & { alert?: string }).alert)).toContain('unknown_ca');
  });

  it('puretls server with clientAuth request accepts a client without a certificate', async () => {
    let info: TlsSocket['info'];
    const { port } = await pureServer({ clientAuth: 'request', ca: pki.ca.cert }, (s) => { info = s.info; s.pipe(s); });
    const c = nodeClient(port);
    await secure(c);
    const got = collect(c);
    c.end('none');
    expect((await got).toString()).toBe('none');
    expect(info!.peerCertificates.length).toBe(0);
  });
});

describe('ALPN', () => {
  it('puretls client and Node server agree on the server-preferred common protocol', async () => {
    const { port } = await nodeServer({ ALPNProtocols: ['h2', 'http/1.1'] });
    const c = pureClient(port, { ALPNProtocols: ['http/1.1', 'h2'] });
    await secure(c);
    expect(c.alpnProtocol).toBe('h2');
    c.destroy();
  });

  it('Node client and puretls server agree; no overlap is no_application_protocol', async () => {
    const { port, errors } = await pureServer({ ALPNProtocols: ['x-one', 'x-two'] });
    const c = nodeClient(port, { ALPNProtocols: ['x-two'] });
    await secure(c);
    expect(c.alpnProtocol).toBe('x-two');
    c.destroy();
    const bad = nodeClient(port, { ALPNProtocols: ['x-three'] });
    const r = await failure(bad);
    expect((r as Error).message).toMatch(/no application protocol|alert number 120/i);
    expect(errors.map((e) => (e as Error & { alert?: string }).alert)).toContain('no_application_protocol');
  });
});

describe('SNI certificate selection', () => {
  it('puretls server picks the certificate for the name a Node client asks for', async () => {
    const sni = { 'alpha.test': pki.sni['alpha.test']!, 'beta.test': pki.sni['beta.test']! };
    const { port } = await pureServer({ sni });
    for (const name of ['alpha.test', 'beta.test']) {
      const c = nodeClient(port, { servername: name });
      await secure(c);
      expect(cn(c.getPeerCertificate().raw)).toBe(`CN=${name}`);
      expect(c.authorized).toBe(true);
      c.destroy();
    }
    const d = nodeClient(port, { servername: 'localhost' });
    await secure(d);
    expect(cn(d.getPeerCertificate().raw)).toBe('CN=server-ecdsa-p256');
    d.destroy();
  });

  it('puretls client sends SNI that a Node server uses to pick a certificate', async () => {
    const contexts: Record<string, tls.SecureContext> = {};
    for (const n of ['alpha.test', 'beta.test']) contexts[n] = tls.createSecureContext({ cert: pki.sni[n]!.cert, key: pki.sni[n]!.key });
    const { port } = await nodeServer({ SNICallback: (name, cb) => cb(null, contexts[name]) });
    const c = pureClient(port, { servername: 'beta.test' });
    await secure(c);
    expect(cn(c.info!.peerCertificates[0])).toBe('CN=beta.test');
    expect(c.servername).toBe('beta.test');
    c.destroy();
  });
});

describe('KeyUpdate in the middle of a transfer', () => {
  it('puretls client asks a Node server to update; data stays intact both ways', async () => {
    const { port } = await nodeServer({});
    const trace: string[] = [];
    const c = pureClient(port, { onHandshakeMessage: (dir, type) => trace.push(`${dir} ${type}`) });
    await secure(c);
    const echoed = hashStream(c);
    const h1 = await writeBlocks(c, 'ku-a', 2);
    c.keyUpdate(true);
    const h2 = await writeBlocks(c, 'ku-b', 2);
    c.end();
    const got = await echoed;
    expect(got.bytes).toBe(4 << 20);
    expect(h1).not.toBe(h2);
    expect(trace.some((t) => /sent\s+key_?update/i.test(t))).toBe(true);
    // The Node server answered update_requested with its own KeyUpdate (RFC 8446 §4.6.3).
    expect(trace.some((t) => /received\s+key_?update/i.test(t))).toBe(true);
  });

  it('puretls server asks a Node client to update mid-stream', async () => {
    const trace: string[] = [];
    const { port } = await pureServer({ onHandshakeMessage: (dir, type) => trace.push(`${dir} ${type}`) }, (s) => {
      let n = 0;
      s.on('data', (d: Buffer) => {
        n += d.length;
        if (n >= (1 << 20) && !(s as TlsSocket & { _ku?: boolean })._ku) {
          (s as TlsSocket & { _ku?: boolean })._ku = true;
          s.keyUpdate(true);
        }
      });
      s.pipe(s);
    });
    const c = nodeClient(port);
    await secure(c);
    // Lock-step: OpenSSL answers update_requested with its next write, so keep writing after it arrived.
    let received = 0;
    c.on('data', (d: Buffer) => { received += d.length; });
    const ended = new Promise((r) => c.once('end', r));
    for (let i = 0; i < 4; i++) {
      c.write(block('ku-c', i));
      while (received < (i + 1) << 20) await new Promise((r) => c.once('data', r));
    }
    c.end();
    await ended;
    expect(received).toBe(4 << 20);
    expect(trace.some((t) => /sent\s+key_?update/i.test(t))).toBe(true);
    expect(trace.some((t) => /received\s+key_?update/i.test(t))).toBe(true);
  });
});

describe('64 MiB each way, compared by hash (node:crypto provider)', () => {
  const MIB = 64;
  const expectedFromServer = async () => writeBlocks(new PassThrough({ highWaterMark: 1 << 30 }).resume(), 'server', MIB);
  /** Server side: hash what arrives, send its own 64 MiB, end. */
  function sink(s: TlsSocket | tls.TLSSocket, results: Promise<{ hash: string; bytes: number }>[]): void {
    results.push(hashStream(s));
    void writeBlocks(s, 'server', MIB).then(() => s.end());
  }

  it('puretls client ↔ Node server', async () => {
    const seen: Promise<{ hash: string; bytes: number }>[] = [];
    const { port } = await nodeServer({ allowHalfOpen: true } as tls.TlsOptions, (s) => sink(s, seen));
    const c = pureClient(port, { provider: 'node', allowHalfOpen: true });
    const fromServer = hashStream(c);
    await secure(c);
    const sent = await writeBlocks(c, 'client', MIB);
    c.end();
    expect(await fromServer).toEqual({ hash: await expectedFromServer(), bytes: MIB << 20 });
    expect(await seen[0]).toEqual({ hash: sent, bytes: MIB << 20 });
    expect(c.peerClosedCleanly).toBe(true);
  });

  it('Node client ↔ puretls server', async () => {
    const seen: Promise<{ hash: string; bytes: number }>[] = [];
    const { port } = await pureServer({ provider: 'node', allowHalfOpen: true }, (s) => sink(s, seen));
    const c = nodeClient(port, { allowHalfOpen: true } as tls.ConnectionOptions);
    const fromServer = hashStream(c);
    await secure(c);
    const sent = await writeBlocks(c, 'client', MIB);
    c.end();
    expect(await fromServer).toEqual({ hash: await expectedFromServer(), bytes: MIB << 20 });
    expect(await seen[0]).toEqual({ hash: sent, bytes: MIB << 20 });
  });
});

describe('50 concurrent connections', () => {
  it('50 puretls clients to a Node server and 50 Node clients to a puretls server, at once', async () => {
    const n = 50;
    const { port: nodePort } = await nodeServer({});
    const { port: purePort } = await pureServer({});
    const one = async (s: TlsSocket | tls.TLSSocket, msg: string) => {
      await secure(s);
      const got = collect(s);
      s.end(msg);
      return (await got).toString() === msg;
    };
    const results = await Promise.all([
      ...Array.from({ length: n }, (_, i) => one(pureClient(nodePort), `p${i}`)),
      ...Array.from({ length: n }, (_, i) => one(nodeClient(purePort), `n${i}`)),
    ]);
    expect(results.filter(Boolean).length).toBe(2 * n);
  });
});
