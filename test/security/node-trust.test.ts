/**
 * Attacker's review of the Node adapter over real loopback sockets: name
 * edge cases (case, trailing dot, IP host, IDN, wildcards), non-boolean
 * rejectUnauthorized (Node's rule: anything but false is true), `ca: []`,
 * checkServerIdentity returning vs throwing, and client certificates on the
 * server (requestCert × rejectUnauthorized). Each must fail closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type ConnectOptions, type ServerOptions, type TlsSocket } from '../../src/io/node.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
let stranger: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'], sni: ['*.example.com', 'xn--bcher-kva.example', 'attacker.example'] });
  stranger = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
  stranger?.cleanup();
});

async function serve(pem: { cert: string; key: string }, extra: Partial<ServerOptions> = {}) {
  const seen: { authorized: boolean }[] = [];
  const server = createServer({ cert: pem.cert, key: pem.key, ...extra }, (s) => {
    seen.push({ authorized: s.authorized });
    s.on('error', () => undefined);
    s.end('ok');
  });
  server.on('tlsClientError', () => undefined);
  const port = await listen(server);
  cleanups.push(() => Promise.race([closeServer(server), new Promise<void>((r) => setTimeout(r, 2000).unref())]));
  return { port, seen };
}

/** Connect and wait until the socket closes (the server answers 'ok' and ends, or refuses). */
function outcome(o: ConnectOptions): Promise<{ ok: boolean; authorized?: boolean; err?: Error & { alert?: string; code?: string } }> {
  return new Promise((res) => {
    let s: TlsSocket;
    try {
      s = connect(o);
    } catch (err) {
      res({ ok: false, err: err as Error });
      return;
    }
    let result: { ok: boolean; authorized?: boolean; err?: Error & { alert?: string; code?: string } } = { ok: false };
    s.once('secureConnect', () => { result = { ok: true, authorized: s.authorized }; });
    s.on('data', () => undefined);
    s.once('error', (err) => { result = { ...result, ok: result.ok && false, err }; });
    s.once('close', () => res(result));
    setTimeout(() => s.destroy(), 5000).unref();
  });
}

describe('wrong names never authorized', () => {
  it('case, trailing dot, IP host, IDN, wildcard edges', async () => {
    const wild = await serve(pki.sni['*.example.com']!);
    const idn = await serve(pki.sni['xn--bcher-kva.example']!);
    const dnsOnly = await serve(pki.server['ecdsa-p256']); // DNS:localhost (and its IP?)
    const ca = pki.ca.cert;
    const refused = [
      { port: wild.port, host: 'localhost', servername: 'a.b.example.com' }, // wildcard spans one label only
      { port: wild.port, host: 'localhost', servername: 'example.com' }, // not the bare domain
      { port: wild.port, host: 'localhost', servername: '.example.com' },
      { port: wild.port, host: 'localhost', servername: 'a.example.com.evil' },
      { port: wild.port, host: 'localhost', servername: 'a..example.com' },
      { port: idn.port, host: 'localhost', servername: 'bucher.example' },
      { port: idn.port, host: '127.0.0.1', servername: '' }, // an IP host: only an iPAddress SAN would do
      { port: dnsOnly.port, host: 'localhost', servername: 'localhost..' },
      { port: dnsOnly.port, host: 'localhost', servername: 'localhost.evil' },
      { port: dnsOnly.port, host: 'localhost', servername: 'xlocalhost' },
    ];
    for (const r of refused) {
      const o = await outcome({ ...r, ca });
      expect(o.ok, JSON.stringify(r)).toBe(false);
    }
    const accepted = [
      { port: wild.port, host: 'localhost', servername: 'A.Example.COM' },
      { port: wild.port, host: 'localhost', servername: 'a.example.com.' },
      { port: idn.port, host: 'localhost', servername: 'XN--bcher-kva.example' },
      { port: dnsOnly.port, host: 'localhost', servername: 'LOCALHOST.' },
    ];
    for (const r of accepted) {
      const o = await outcome({ ...r, ca } as ConnectOptions);
      expect(o, JSON.stringify(r)).toMatchObject({ ok: true, authorized: true });
    }
  });
});

describe('switches and trust store', () => {
  it("rejectUnauthorized 'false' / 0 / null / '' keep verification on (Node: anything but false)", async () => {
    const { port } = await serve(stranger.server['ecdsa-p256']);
    for (const v of ['false', 0, null, '', NaN]) {
      const o = await outcome({ host: 'localhost', port, ca: pki.ca.cert, rejectUnauthorized: v as never });
      expect(o.ok, String(v)).toBe(false);
      expect(o.err?.alert, String(v)).toBe('unknown_ca');
    }
  });
  it('checkServerName: 0 is refused, naming it', async () => {
    const { port } = await serve(pki.sni['attacker.example']!);
    const o = await outcome({ host: 'localhost', port, ca: pki.ca.cert, checkServerName: 0 as never });
    expect(o.ok).toBe(false);
    expect(o.err?.message).toMatch(/checkServerName/);
  });
  it('ca: [] trusts nothing (not the default roots, not everything)', async () => {
    const { port } = await serve(pki.server['ecdsa-p256']);
    const o = await outcome({ host: 'localhost', port, ca: [] });
    expect(o.err?.alert).toBe('unknown_ca');
  });
  it('a non-CA leaf given as ca does not vouch for another leaf of the same issuer', async () => {
    const { port } = await serve(pki.sni['attacker.example']!);
    const o = await outcome({ host: 'localhost', servername: 'attacker.example', port, ca: pki.server['ecdsa-p256'].cert });
    expect(o.ok).toBe(false);
  });
  it('checkServerIdentity: returning undefined accepts, throwing or returning an Error refuses', async () => {
    const { port } = await serve(pki.sni['attacker.example']!);
    const base = { host: 'localhost', port, ca: pki.ca.cert };
    expect((await outcome({ ...base, checkServerIdentity: () => undefined })).authorized).toBe(true); // Node's meaning: it replaces the name check
    // As Node: 'error' gets the checkServerIdentity Error itself (the peer got bad_certificate).
    expect((await outcome({ ...base, checkServerIdentity: () => { throw new Error('no'); } }))).toMatchObject({ ok: false, err: { message: 'no' } });
    expect((await outcome({ ...base, checkServerIdentity: () => new Error('no') }))).toMatchObject({ ok: false, err: { message: 'no' } });
  });
});

describe('client certificates on the server', () => {
  it('requestCert × rejectUnauthorized', async () => {
    const ca = pki.ca.cert;
    const cases: [Partial<ServerOptions>, 'none' | 'stranger' | 'good', boolean, boolean | undefined][] = [
      [{ requestCert: true }, 'none', false, undefined],
      [{ requestCert: true }, 'stranger', false, undefined],
      [{ requestCert: true, rejectUnauthorized: 'false' as never }, 'stranger', false, undefined],
      [{ requestCert: true, rejectUnauthorized: 0 as never }, 'none', false, undefined],
      [{ requestCert: true }, 'good', true, true],
      [{ requestCert: true, rejectUnauthorized: false }, 'stranger', true, false],
      [{ requestCert: true, rejectUnauthorized: false }, 'none', true, false],
    ];
    for (const [opts, who, ok, authorized] of cases) {
      const srv = await serve(pki.server['ecdsa-p256'], { ca, ...opts });
      const cert = who === 'good' ? pki.client : who === 'stranger' ? pki.strangerClient : undefined;
      const o = await outcome({ host: 'localhost', port: srv.port, ca, ...(cert ? { cert: cert.cert, key: cert.key } : {}) });
      // TLS 1.3: the client may finish before the server refuses; judge by what the server saw.
      const label = JSON.stringify([opts, who]);
      if (ok) {
        expect(srv.seen, label).toHaveLength(1);
        expect(srv.seen[0]!.authorized, label).toBe(authorized);
      } else {
        expect(srv.seen, label).toHaveLength(0);
      }
      void o;
    }
  });
});
