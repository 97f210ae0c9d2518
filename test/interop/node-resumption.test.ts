/**
 * Session resumption through the Node adapter, against Node's tls both ways:
 * the `session` option, the 'session' event, getSession(), isSessionReused(),
 * getTLSTicket(), the server's ticketKeys / getTicketKeys() / setTicketKeys().
 * Each case asserts resumption from both sides.
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type ConnectOptions, type TlsSocket } from '../../src/io/node.js';
import { closeServer, listen } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => { pki = makeTestPki({ keyTypes: ['ecdsa-p256'] }); });
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

/** Connect, send a line and wait for its echo (tickets precede it), read the reuse flag and the last session, close. */
async function once<S extends TlsSocket | tls.TLSSocket>(make: () => S): Promise<{ reused: boolean; session: Buffer | undefined; ticket: Buffer | undefined }> {
  const s = make();
  let session: Buffer | undefined;
  s.on('session', (b: Buffer) => { session = b; });
  await new Promise<void>((res, rej) => {
    s.once('error', rej);
    s.once('secureConnect', () => s.write('hello'));
    s.once('data', () => res());
  });
  await new Promise((r) => setTimeout(r, 20)); // a ticket sent together with the echo
  const reused = s.isSessionReused();
  const ticket = s.getTLSTicket();
  s.destroy();
  return { reused, session: session ?? s.getSession(), ticket };
}

/** A puretls echo server noting, per connection, whether it resumed. */
async function echoServer(): Promise<{ server: ReturnType<typeof createServer>; port: number; serverReused: boolean[] }> {
  const serverReused: boolean[] = [];
  const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key }, (s) => {
    serverReused.push(s.isSessionReused());
    s.pipe(s);
  });
  const port = await listen(server);
  cleanups.push(() => closeServer(server));
  return { server, port, serverReused };
}

describe('Node adapter resumption', () => {
  it('puretls client ↔ puretls server: second connection resumed on both sides; getSession/getTLSTicket', async () => {
    const { server, port, serverReused } = await echoServer();
    const opts: ConnectOptions = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert };
    const a = await once(() => connect(opts));
    expect(a.reused).toBe(false);
    expect(a.ticket!.length).toBeGreaterThan(16);
    const b = await once(() => connect({ ...opts, session: a.session! }));
    expect(b.reused).toBe(true);
    expect(serverReused).toEqual([false, true]);
    expect(server.getTicketKeys()).toHaveLength(48);
  });

  it('ticketKeys shared between two servers (a cluster); setTicketKeys rotates with grace', async () => {
    const keys = Buffer.alloc(48, 7);
    const mk = async () => {
      const srv = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, ticketKeys: keys }, (s) => s.pipe(s));
      const port = await listen(srv);
      cleanups.push(() => closeServer(srv));
      return { srv, port };
    };
    const one = await mk();
    const two = await mk();
    const opts = (port: number): ConnectOptions => ({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert });
    const a = await once(() => connect(opts(one.port)));
    const b = await once(() => connect({ ...opts(two.port), session: a.session! }));
    expect(b.reused).toBe(true);
    expect(one.srv.getTicketKeys()).toEqual(keys);
    two.srv.setTicketKeys(Buffer.alloc(48, 9));
    const c = await once(() => connect({ ...opts(two.port), session: a.session! }));
    expect(c.reused).toBe(true); // the replaced key is still accepted (grace)
  });

  it('setSecureContext keeps the ticket keys (outstanding tickets resume) unless it is given ticketKeys', async () => {
    const { cert, key } = pki.server['ecdsa-p256'];
    const srv = createServer({ cert, key, ticketKeys: Buffer.alloc(48, 1) }, (s) => s.pipe(s));
    const port = await listen(srv);
    cleanups.push(() => closeServer(srv));
    const opts: ConnectOptions = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert };
    srv.setTicketKeys(Buffer.alloc(48, 2)); // a rotation after start
    const a = await once(() => connect(opts));
    srv.setSecureContext({ cert, key }); // a new certificate (the same one here)
    expect(srv.getTicketKeys()).toEqual(Buffer.alloc(48, 2));
    const b = await once(() => connect({ ...opts, session: a.session! }));
    expect(b.reused).toBe(true);
    srv.setSecureContext({ cert, key, ticketKeys: Buffer.alloc(48, 3) });
    expect(srv.getTicketKeys()).toEqual(Buffer.alloc(48, 3));
    const c = await once(() => connect({ ...opts, session: b.session! }));
    expect(c.reused).toBe(true); // the replaced key is still accepted (grace)
    // A server with random keys keeps them too.
    const rnd = createServer({ cert, key }, (s) => s.pipe(s));
    const rport = await listen(rnd);
    cleanups.push(() => closeServer(rnd));
    const before = rnd.getTicketKeys();
    const d = await once(() => connect({ ...opts, port: rport }));
    rnd.setSecureContext({ cert, key });
    expect(rnd.getTicketKeys()).toEqual(before);
    expect((await once(() => connect({ ...opts, port: rport, session: d.session! }))).reused).toBe(true);
  });

  it("puretls client → Node's tls server: resumes with the session of Node's NewSessionTicket", async () => {
    const server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3' }, (s) => s.pipe(s));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    const reusedOnServer: boolean[] = [];
    server.on('secureConnection', (s) => reusedOnServer.push(s.isSessionReused()));
    const opts: ConnectOptions = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert };
    const a = await once(() => connect(opts));
    const b = await once(() => connect({ ...opts, session: a.session! }));
    expect(a.reused).toBe(false);
    expect(b.reused).toBe(true);
    expect(reusedOnServer).toEqual([false, true]);
  });

  it("Node's tls client → puretls server: Node's session option resumes", async () => {
    const { port, serverReused } = await echoServer();
    const opts: tls.ConnectionOptions = { host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, minVersion: 'TLSv1.3' };
    const a = await once(() => tls.connect(opts));
    const b = await once(() => tls.connect({ ...opts, session: a.session! }));
    expect(a.reused).toBe(false);
    expect(b.reused).toBe(true);
    expect(serverReused).toEqual([false, true]);
  });
});
