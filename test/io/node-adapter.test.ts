/**
 * The Node adapter, puretls on both ends: options, session info, exporters,
 * key log, backpressure both ways, half-close, https.request over
 * createConnection, secureStream over in-memory streams, failures.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, OptionError, secureStream, type ConnectOptions, type ServerOptions, type TlsSocket } from '../../src/io/node.js';
import { closeServer, collect, hashStream, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

const serverOpts = (): ServerOptions => ({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key });
const clientOpts = (): ConnectOptions => ({ host: '127.0.0.1', servername: 'localhost', ca: pki.ca.cert });

async function start(opts: Partial<ServerOptions>, handler: (s: TlsSocket) => void) {
  const sockets = new Set<TlsSocket>();
  const server = createServer({ ...serverOpts(), ...opts }, (s) => {
    sockets.add(s);
    handler(s);
  });
  const port = await listen(server);
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return closeServer(server);
  });
  return { server, port };
}

function secure(s: TlsSocket): Promise<void> {
  return new Promise((res, rej) => { s.once('secureConnect', () => res()); s.once('error', rej); });
}

/** An in-memory pair of connected Duplex streams. */
function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const mk = (peer: () => Duplex) => new Duplex({
    read() {},
    write(chunk, _enc, cb) { peer().push(chunk); cb(); },
    final(cb) { peer().push(null); cb(); },
  });
  a = mk(() => b);
  b = mk(() => a);
  return [a, b];
}

describe('options', () => {
  it('refuses anything but TLS 1.3, unknown groups and suites, cert without key', () => {
    expect(() => connect({ ...clientOpts(), port: 1, minVersion: 'SSLv3' })).toThrow(OptionError);
    // A range that includes TLS 1.3 is honoured (TLS 1.3 is negotiated), as Node would with a TLS 1.3 peer.
    expect(() => secureStream(duplexPair()[0], { ...clientOpts(), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }).destroy()).not.toThrow();
    expect(() => connect({ ...clientOpts(), port: 1, maxVersion: 'TLSv1.2' })).toThrow(/TLSv1\.3/);
    expect(() => connect({ ...clientOpts(), port: 1, groups: ['sect571r1'] })).toThrow(/unknown group/);
    expect(() => connect({ ...clientOpts(), port: 1, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })).toThrow(/no TLS 1\.3 cipher suite/);
    expect(() => connect({ ...clientOpts(), port: 1, cert: pki.client.cert })).toThrow(/together/);
    expect(() => createServer({ key: pki.client.key } as ServerOptions)).toThrow(OptionError);
    expect(() => connect({ ...clientOpts(), port: 1, provider: 'nope' as never })).toThrow(/provider/);
  });
});

describe('session', () => {
  it('reports what was negotiated; exporters agree; key logs agree; getPeerCertificate has Node\'s shape', async () => {
    let serverSide!: TlsSocket;
    const serverLines: string[] = [];
    const { server, port } = await start({ ALPNProtocols: ['b', 'a'] }, (s) => { serverSide = s; s.pipe(s); });
    server.on('keylog', (line: Buffer) => serverLines.push(line.toString()));
    const clientLines: string[] = [];
    const c = connect({ ...clientOpts(), port, ALPNProtocols: ['a', 'b'], cipherSuites: ['aes256gcm'], groups: ['secp256r1'] });
    c.on('keylog', (line: Buffer) => clientLines.push(line.toString()));
    await secure(c);
    expect(c.getProtocol()).toBe('TLSv1.3');
    expect(c.getCipher()).toEqual({ name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' });
    expect(c.group).toBe('secp256r1');
    expect(c.getEphemeralKeyInfo()).toEqual({ type: 'ECDH', name: 'prime256v1', size: 256 });
    expect(c.signatureScheme).toBe('ecdsa_secp256r1_sha256');
    expect(c.alpnProtocol).toBe('b');
    expect(c.authorized).toBe(true);
    expect(c.authorizationError).toBeUndefined();
    const peer = c.getPeerCertificate(true);
    expect(peer.raw).toBeInstanceOf(Buffer);
    expect(peer.fingerprint256).toBe(createHash('sha256').update(peer.raw as Buffer).digest('hex').toUpperCase().match(/../g)!.join(':'));
    expect(c.getPeerCertificateChain()[0]!.equals(peer.raw as Buffer)).toBe(true);
    const got = collect(c);
    c.write('x');
    await new Promise((r) => c.once('data', r));
    const ekmC = c.exportKeyingMaterial(32, 'EXPERIMENTAL test', Buffer.from('ctx'));
    const ekmS = serverSide.exportKeyingMaterial(32, 'EXPERIMENTAL test', Buffer.from('ctx'));
    expect(ekmC.equals(ekmS)).toBe(true);
    expect(c.exportKeyingMaterial(32, 'EXPERIMENTAL other').equals(ekmC)).toBe(false);
    expect(serverSide.alpnProtocol).toBe('b');
    expect(serverSide.servername).toBe('localhost');
    c.end();
    await got;
    expect(clientLines.length).toBeGreaterThanOrEqual(4);
    expect(clientLines.every((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+\n$/.test(l))).toBe(true);
    expect(new Set(clientLines)).toEqual(new Set(serverLines));
  });

  it('a certificate failure is an error with the alert; rejectUnauthorized:false connects unauthorized', async () => {
    const { server, port } = await start({}, (s) => s.pipe(s));
    const serverErrors: Error[] = [];
    server.on('tlsClientError', (e: Error) => serverErrors.push(e));
    const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.strangerClient.cert });
    const err = await new Promise<Error & { alert?: string }>((res) => c.once('error', res));
    expect(err.alert).toBe('unknown_ca');
    const d = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.strangerClient.cert, rejectUnauthorized: false });
    await secure(d);
    expect(d.authorized).toBe(false);
    expect(d.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE'); // Node's code
    d.destroy();
    // Wrong name.
    const e = connect({ host: '127.0.0.1', port, servername: 'not-localhost.test', ca: pki.ca.cert });
    const err2 = await new Promise<Error & { alert?: string }>((res) => e.once('error', res));
    expect(err2.alert).toMatch(/bad_certificate|certificate_unknown/);
  });
});

describe('backpressure', () => {
  it('a reader that does not read stops the writer (both ways through the TCP socket), then gets every byte', async () => {
    const total = 32 << 20;
    const chunk = Buffer.alloc(64 * 1024, 7);
    let accepted = 0;
    let sentHash = '';
    const { port } = await start({ provider: 'webcrypto' }, (s) => {
      const h = createHash('sha256');
      const pump = () => {
        if (accepted >= total) {
          sentHash = h.digest('hex');
          s.end();
          return;
        }
        chunk.writeUInt32BE(accepted >>> 0, 0);
        h.update(chunk);
        accepted += chunk.length;
        s.write(chunk, pump); // next chunk only once this one's callback ran
      };
      pump();
    });
    const c = connect({ ...clientOpts(), port, provider: 'webcrypto', highWaterMark: 64 * 1024 });
    await secure(c);
    c.pause();
    // Wait until the server's writer stops making progress.
    let last = -1;
    let still = 0;
    while (still < 20) {
      await new Promise((r) => setTimeout(r, 25));
      if (accepted === last) still++;
      else { still = 0; last = accepted; }
    }
    expect(accepted).toBeLessThan(16 << 20); // socket buffers + our highWaterMarks, far below 48 MiB
    const hashing = hashStream(c);
    c.resume();
    const got = await hashing;
    expect(got.bytes).toBe(total);
    expect(got.hash).toBe(sentHash);
  });
});

describe('half-close', () => {
  it('allowHalfOpen: the peer can still send after our close_notify', async () => {
    const { port } = await start({ allowHalfOpen: true }, (s) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => {
        expect(s.peerClosedCleanly).toBe(true);
        s.end(`got ${Buffer.concat(parts).toString()}`);
      });
    });
    const c = connect({ ...clientOpts(), port, allowHalfOpen: true });
    await secure(c);
    const reply = collect(c);
    c.end('question');
    expect((await reply).toString()).toBe('got question');
    expect(c.peerClosedCleanly).toBe(true);
  });

  it('default (allowHalfOpen false): the server ends its side when the client does', async () => {
    let serverEnded = false;
    const { port } = await start({}, (s) => {
      s.on('finish', () => { serverEnded = true; });
      s.resume();
    });
    const c = connect({ ...clientOpts(), port });
    await secure(c);
    const done = collect(c);
    c.end('bye');
    await done;
    expect(c.peerClosedCleanly).toBe(true);
    expect(serverEnded).toBe(true);
  });
});

describe('https.request({ createConnection })', () => {
  it('Node\'s HTTP client and server run over puretls sockets', async () => {
    const httpServer = http.createServer((req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`hello ${req.url} over ${(req.socket as unknown as TlsSocket).getProtocol()}`);
    });
    const { port } = await start({ ALPNProtocols: ['http/1.1'] }, (s) => httpServer.emit('connection', s));
    const body = await new Promise<string>((res, rej) => {
      const req = https.request({
        host: '127.0.0.1', port, path: '/path?q=1', method: 'GET',
        createConnection: () => connect({ ...clientOpts(), port, ALPNProtocols: ['http/1.1'] }) as never,
      }, (r) => {
        const parts: Buffer[] = [];
        r.on('data', (d: Buffer) => parts.push(d));
        r.on('end', () => res(Buffer.concat(parts).toString()));
        r.on('error', rej);
      });
      req.on('error', rej);
      req.end();
    });
    expect(body).toBe('hello /path?q=1 over TLSv1.3');
    httpServer.close();
  });
});

describe('secureStream', () => {
  it('runs over an in-memory Duplex pair and over a Web Streams pair', async () => {
    const [a, b] = duplexPair();
    const server = secureStream(b, { ...serverOpts(), isServer: true });
    const client = secureStream(a, { servername: 'localhost', ca: pki.ca.cert });
    server.on('secure', () => server.pipe(server));
    await secure(client);
    const got = collect(client);
    client.end('in memory');
    expect((await got).toString()).toBe('in memory');

    // Web Streams transport on the client side, a Duplex on the server side.
    const [x, y] = duplexPair();
    const web = Duplex.toWeb(x) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
    const server2 = secureStream(y, { ...serverOpts(), isServer: true });
    server2.on('secure', () => server2.pipe(server2));
    const client2 = secureStream(web, { servername: 'localhost', ca: pki.ca.cert });
    await secure(client2);
    const got2 = collect(client2);
    client2.end('web pair');
    expect((await got2).toString()).toBe('web pair');
  });
});
