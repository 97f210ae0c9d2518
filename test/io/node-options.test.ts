/**
 * No option is silently ignored: every option Node 20 documents for
 * tls.connect, tls.createServer and tls.createSecureContext (and the net
 * options they take) is either honoured with Node's meaning — each with a
 * check below that fails if it is dropped — or refused with an
 * UnsupportedOptionError naming it.
 *
 * The lists are Node 20's documentation (doc/api/tls.md, doc/api/net.md:
 * "tls.connect(options[, callback])", "tls.createServer([options]
 * [, secureConnectionListener])", "tls.createSecureContext([options])",
 * "socket.connect(options)", "new net.Socket([options])",
 * "net.createServer([options])").
 */
import { syncBuiltinESMExports } from 'node:module';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import nodeTls from 'node:tls';
import { Duplex } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  connect, createSecureContext, createServer, nodeClientConfig, nodeServerConfig, NODE_OPTIONS_REFUSED, secureStream,
  UnsupportedOptionError, type ConnectOptions, type ServerOptions, type TlsSocket,
} from '../../src/io/node.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

const CONNECT = [
  'enableTrace', 'host', 'port', 'path', 'socket', 'allowHalfOpen', 'rejectUnauthorized', 'pskCallback', 'ALPNProtocols',
  'servername', 'checkServerIdentity', 'session', 'minDHSize', 'highWaterMark', 'secureContext', 'onread', 'timeout',
  // socket.connect() options
  'localAddress', 'localPort', 'family', 'hints', 'lookup', 'noDelay', 'keepAlive', 'keepAliveInitialDelay',
  'autoSelectFamily', 'autoSelectFamilyAttemptTimeout',
  // new net.Socket() options
  'fd', 'readable', 'writable', 'signal',
];
const CREATE_SERVER = [
  'ALPNProtocols', 'ALPNCallback', 'clientCertEngine', 'enableTrace', 'handshakeTimeout', 'rejectUnauthorized', 'requestCert',
  'sessionTimeout', 'SNICallback', 'ticketKeys', 'pskCallback', 'pskIdentityHint',
  // net.createServer() options
  'allowHalfOpen', 'highWaterMark', 'keepAlive', 'keepAliveInitialDelay', 'noDelay', 'pauseOnConnect',
];
const SECURE_CONTEXT = [
  'allowPartialTrustChain', 'ca', 'cert', 'sigalgs', 'ciphers', 'clientCertEngine', 'crl', 'dhparam', 'ecdhCurve',
  'honorCipherOrder', 'key', 'privateKeyEngine', 'privateKeyIdentifier', 'maxVersion', 'minVersion', 'passphrase', 'pfx',
  'secureOptions', 'secureProtocol', 'sessionIdContext', 'ticketKeys', 'sessionTimeout',
];

/** A value for each refused option that puretls must refuse. */
const REFUSED_SAMPLE: Record<string, unknown> = {
  sessionIdContext: 'ctx', pskCallback: () => null,
  pskIdentityHint: 'hint', requestOCSP: true, crl: 'crl', dhparam: 'auto', clientCertEngine: 'e', privateKeyEngine: 'e',
  privateKeyIdentifier: 'id', onread: { buffer: Buffer.alloc(1), callback: () => true },
  fd: 3, readable: true, writable: true, pauseOnConnect: true, secureOptions: 4, allowPartialTrustChain: false,
  honorCipherOrder: false, secureProtocol: 'TLSv1_2_method',
};

let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'], sni: ['alpha.test', 'beta.test'] });
});
afterAll(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

const srv = () => ({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key });
const cli = (): ConnectOptions => ({ host: '127.0.0.1', servername: 'localhost', ca: pki.ca.cert });

/** Each honoured option: a check that fails if puretls dropped it. */
const HONOURED: Record<string, () => void | Promise<void>> = {
  // Resumption (test/interop/node-resumption.test.ts resumes with each against Node's tls).
  session: () => {
    const s = Buffer.from('opaque');
    expect(nodeClientConfig({ ...cli(), session: s }).session).toBe(s);
  },
  sessionTimeout: () => {
    expect(nodeServerConfig({ ...srv(), sessionTimeout: 300 }).ticketLifetime).toBe(300);
    expect(nodeServerConfig({ ...srv(), secureContext: createSecureContext({ sessionTimeout: 60 }) }).ticketLifetime).toBe(60);
    // RFC 8446 §4.6.1: at most 7 days; refused when the server is made, not at its first connection.
    expect(() => nodeServerConfig({ ...srv(), sessionTimeout: 604801 })).toThrow(/sessionTimeout: ticketLifetime must be an integer 1\.\.604800/);
  },
  ticketKeys: () => {
    const k = Buffer.alloc(48, 3);
    const keys = nodeServerConfig({ ...srv(), ticketKeys: k }).ticketKeys as { getTicketKeys(): Uint8Array };
    expect(Buffer.from(keys.getTicketKeys())).toEqual(k);
    expect(() => nodeServerConfig({ ...srv(), ticketKeys: Buffer.alloc(47) })).toThrow(/48 bytes/);
  },
  host: () => expect(nodeClientConfig({ host: 'h.example', ca: pki.ca.cert }).servername).toBe('h.example'),
  servername: () => expect(nodeClientConfig({ host: '127.0.0.1', servername: 's.example' }).servername).toBe('s.example'),
  rejectUnauthorized: () => {
    expect(nodeClientConfig({ ...cli(), rejectUnauthorized: false }).rejectUnauthorized).toBe(false);
    expect(nodeServerConfig({ ...srv(), requestCert: true, rejectUnauthorized: false }).clientAuth).toBe('request');
  },
  requestCert: () => expect(nodeServerConfig({ ...srv(), requestCert: true }).clientAuth).toBe('require'),
  ALPNProtocols: () => expect(nodeClientConfig({ ...cli(), ALPNProtocols: ['h2'] }).ALPNProtocols).toEqual(['h2']),
  checkServerIdentity: () => expect(nodeClientConfig({ ...cli(), checkServerIdentity: () => undefined }).checkServerIdentity).toBeTypeOf('function'),
  minDHSize: () => {
    expect(() => nodeClientConfig({ ...cli(), minDHSize: 2048 })).not.toThrow(); // no finite-field DH is ever used
    expect(() => nodeClientConfig({ ...cli(), minDHSize: -1 })).toThrow(/minDHSize/);
  },
  enableTrace: () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      nodeClientConfig({ ...cli(), enableTrace: true }).onHandshakeMessage!('sent', 'client_hello', 'x', new Uint8Array(4));
      expect(String(write.mock.calls[0]?.[0])).toMatch(/^TLS trace: Sent client_hello \(4 bytes\)/);
    } finally {
      write.mockRestore();
    }
    expect(nodeClientConfig(cli()).onHandshakeMessage).toBeUndefined();
  },
  secureContext: () => {
    const ctx = createSecureContext({ ca: pki.ca.cert, ciphers: 'TLS_CHACHA20_POLY1305_SHA256' });
    const c = nodeClientConfig({ host: '127.0.0.1', servername: 'localhost', secureContext: ctx });
    expect(c.cipherSuites).toEqual(['TLS_CHACHA20_POLY1305_SHA256']);
    expect(c.ca!.length).toBe(1);
    expect(() => nodeClientConfig({ ...cli(), secureContext: ctx })).toThrow(/ca: given both/);
  },
  // As Node's: picks from the client's list (a Node tls client here); undefined refuses; not with ALPNProtocols.
  ALPNCallback: async () => {
    const seen: unknown[] = [];
    const server = createServer({ ...srv(), ALPNCallback: (info) => { seen.push(info); return info.protocols.includes('b') ? 'b' : undefined; } });
    const clientErrors: Error[] = [];
    server.on('tlsClientError', (e: Error) => clientErrors.push(e));
    server.on('secureConnection', (s: TlsSocket) => s.resume().on('end', () => s.end()));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    const dial = (ALPNProtocols: string[]) => new Promise<string | false | null | Error>((resolve) => {
      const c = nodeTls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: pki.ca.cert, ALPNProtocols });
      c.once('secureConnect', () => { resolve(c.alpnProtocol); c.end(); });
      c.once('error', (e) => resolve(e));
    });
    expect(await dial(['a', 'b'])).toBe('b');
    expect(seen).toEqual([{ servername: 'localhost', protocols: ['a', 'b'] }]);
    const refused = await dial(['a']);
    expect(refused).toBeInstanceOf(Error);
    expect(String((refused as Error).message)).toMatch(/no application protocol/i);
    expect((clientErrors[0] as { alert?: string } | undefined)?.alert).toBe('no_application_protocol');
    expect(() => createServer({ ...srv(), ALPNProtocols: ['h2'], ALPNCallback: () => 'h2' })).toThrow(
      expect.objectContaining({ code: 'ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS' }),
    );
    expect(() => createServer({ ...srv(), ALPNCallback: 'h2' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  },
  SNICallback: () => expect(nodeServerConfig({ SNICallback: (_n, cb) => cb(null) }).selectCertificate).toBeTypeOf('function'),
  handshakeTimeout: async () => {
    const server = createServer({ ...srv(), handshakeTimeout: 100 });
    const errors: Error[] = [];
    server.on('tlsClientError', (e: Error) => errors.push(e));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    const s = net.connect(port, '127.0.0.1');
    await new Promise((r) => s.once('close', r));
    expect((errors[0] as NodeJS.ErrnoException | undefined)?.code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
  },
  ca: () => expect(nodeClientConfig(cli()).ca).toHaveLength(1),
  cert: () => expect(nodeServerConfig(srv()).certificate!.chain).toHaveLength(1),
  key: () => expect(nodeServerConfig(srv()).certificate!.key.type).toBe('ec'),
  passphrase: () => {
    const enc = createPrivateKey(srv().key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'sesame' }) as string;
    expect(nodeServerConfig({ cert: srv().cert, key: enc, passphrase: 'sesame' }).certificate!.key.type).toBe('ec');
    expect(() => nodeServerConfig({ cert: srv().cert, key: enc })).toThrow(/passphrase/);
    expect(() => nodeServerConfig({ cert: srv().cert, key: enc, passphrase: 'wrong' })).toThrow(/passphrase/);
  },
  pfx: async () => {
    const p12 = (name: string, extra: string[]) => {
      const out = join(pki.dir, name);
      execFileSync('openssl', ['pkcs12', '-export', '-in', pki.server['ecdsa-p256'].certFile, '-inkey', pki.server['ecdsa-p256'].keyFile,
        '-certfile', pki.ca.certFile, '-passout', 'pass:sesame', '-out', out, ...extra], { stdio: 'ignore' });
      return readFileSync(out);
    };
    // OpenSSL 3's default (PBES2, AES-256-CBC, HMAC-SHA-256) and the older 3DES/SHA-1 form.
    for (const pfx of [p12('aes.p12', []), p12('3des.p12', ['-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'])]) {
      const server = createServer({ pfx, passphrase: 'sesame' }, (s) => s.end('pfx'));
      const port = await listen(server);
      const c = connect({ ...cli(), port });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      expect(c.authorized).toBe(true);
      expect(c.getPeerCertificateChain()).toHaveLength(2); // leaf, then the CA from -certfile
      expect((c.getPeerCertificate() as unknown as { subject: { CN: string } }).subject.CN).toBe('server-ecdsa-p256');
      c.destroy();
      await closeServer(server);
      expect(() => createServer({ pfx: [{ buf: pfx, passphrase: 'sesame' }] })).not.toThrow();
      expect(() => createServer({ pfx, passphrase: 'wrong' })).toThrow(/pfx: MAC verification failed/);
      expect(() => createServer({ pfx, passphrase: 'sesame', ...srv() })).toThrow(/pfx: give either pfx or cert and key/);
    }
    // RC2 (openssl pkcs12 -legacy) cannot be decrypted by Node's OpenSSL: refused, saying what to do.
    expect(() => createServer({ pfx: p12('rc2.p12', ['-legacy']), passphrase: 'sesame' })).toThrow(/pfx: RC2 .*re-export without -legacy/);
  },
  sigalgs: () => expect(nodeClientConfig({ ...cli(), sigalgs: 'ed25519:ecdsa_secp256r1_sha256' }).signatureSchemes).toEqual(['ed25519', 'ecdsa_secp256r1_sha256']),
  ciphers: () => expect(nodeClientConfig({ ...cli(), ciphers: 'TLS_AES_256_GCM_SHA384' }).cipherSuites).toEqual(['TLS_AES_256_GCM_SHA384']),
  ecdhCurve: () => expect(nodeClientConfig({ ...cli(), ecdhCurve: 'P-256:X25519' }).groups).toEqual(['secp256r1', 'x25519']),
  minVersion: () => {
    expect(() => nodeClientConfig({ ...cli(), minVersion: 'TLSv1.2' })).not.toThrow();
    expect(() => nodeClientConfig({ ...cli(), minVersion: 'TLSv1.4' })).toThrow(/minVersion/);
  },
  maxVersion: () => expect(() => nodeClientConfig({ ...cli(), maxVersion: 'TLSv1.2' })).toThrow(/maxVersion/),
  allowPartialTrustChain: () => expect(() => nodeClientConfig({ ...cli(), allowPartialTrustChain: true })).not.toThrow(),
  honorCipherOrder: () => expect(() => nodeServerConfig({ ...srv(), honorCipherOrder: true })).not.toThrow(),
  secureOptions: () => expect(() => nodeClientConfig({ ...cli(), secureOptions: 0 })).not.toThrow(),
  secureProtocol: () => expect(() => nodeClientConfig({ ...cli(), secureProtocol: 'TLSv1_3_method' })).not.toThrow(),
  // Socket options: handed to net.connect / net.Server / the TLS socket.
  ...Object.fromEntries(['port', 'path', 'localAddress', 'localPort', 'family', 'hints', 'lookup', 'noDelay', 'keepAlive',
    'keepAliveInitialDelay', 'autoSelectFamily', 'autoSelectFamilyAttemptTimeout', 'signal'].map((k) => [k, () => netPassThrough(k)])),
  socket: async () => {
    const [a] = duplexPair();
    const s = connect({ ...cli(), socket: a });
    expect(s.socket).toBe(a);
    s.destroy();
  },
  timeout: () => {
    const spy = vi.spyOn(net, 'connect');
    syncBuiltinESMExports();
    const s = connect({ ...cli(), port: 9, timeout: 1234 });
    const raw = spy.mock.results[0]!.value as net.Socket;
    expect(raw.timeout).toBe(1234);
    spy.mockRestore();
    syncBuiltinESMExports();
    s.on('error', () => undefined);
    s.destroy();
  },
  allowHalfOpen: () => {
    const s = secureStream(duplexPair()[0], { ...cli(), allowHalfOpen: true });
    expect(s.allowHalfOpen).toBe(true);
    s.destroy();
  },
  highWaterMark: () => {
    const s = secureStream(duplexPair()[0], { ...cli(), highWaterMark: 1234 });
    expect(s.readableHighWaterMark).toBe(1234);
    s.destroy();
  },
};

const NET_SAMPLE: Record<string, unknown> = {
  port: 9, path: '/nonexistent/puretls.sock', localAddress: '127.0.0.1', localPort: 0, family: 4, hints: 0,
  lookup: (h: string, o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, '127.0.0.1', 4),
  noDelay: false, keepAlive: true, keepAliveInitialDelay: 1000, autoSelectFamily: false, autoSelectFamilyAttemptTimeout: 500,
  signal: new AbortController().signal,
};

function netPassThrough(k: string): void {
  const spy = vi.spyOn(net, 'connect');
  // The adapter imports node:net as a namespace: copy the spy into the ESM view of the builtin.
  syncBuiltinESMExports();
  try {
    const s = connect({ ...cli(), port: 9, [k]: NET_SAMPLE[k] } as ConnectOptions);
    s.on('error', () => undefined);
    s.destroy();
    expect((spy.mock.calls[0]![0] as unknown as Record<string, unknown>)[k]).toBe(NET_SAMPLE[k]);
  } finally {
    spy.mockRestore();
    syncBuiltinESMExports();
  }
}

function duplexPair() {
  let a!: Duplex;
  let b!: Duplex;
  const mk = (peer: () => InstanceType<typeof Duplex>) => new Duplex({ read() {}, write(c, _e, cb) { peer().push(c); cb(); }, final(cb) { peer().push(null); cb(); } });
  a = mk(() => b);
  b = mk(() => a);
  return [a, b] as const;
}

describe("every option Node's tls documents is honoured or refused", () => {
  const all = [...new Set([...CONNECT, ...CREATE_SERVER, ...SECURE_CONTEXT])];
  it('each is honoured, refused, or (by value) both — never neither', () => {
    for (const k of all) {
      const refused = k in REFUSED_SAMPLE;
      const honoured = k in HONOURED;
      // Both only when the refusal depends on the value (e.g. honorCipherOrder: true honoured, false refused).
      const byValue = NODE_OPTIONS_REFUSED[k]?.refuses !== undefined;
      expect(refused || honoured, `${k}: neither honoured nor refused`).toBe(true);
      if (refused && honoured) expect(byValue, `${k}: in both lists`).toBe(true);
      if (refused) expect(NODE_OPTIONS_REFUSED[k], k).toBeDefined();
    }
  });

  for (const [list, make] of [
    ['tls.connect', (o: object) => connect({ ...cli(), port: 9, ...o } as ConnectOptions).destroy()],
    ['tls.createServer', (o: object) => createServer({ ...srv(), ...o } as ServerOptions)],
    ['tls.createSecureContext', (o: object) => createSecureContext(o as never)],
  ] as const) {
    const names = list === 'tls.connect' ? CONNECT : list === 'tls.createServer' ? CREATE_SERVER : SECURE_CONTEXT;
    for (const k of names.filter((n) => n in REFUSED_SAMPLE)) {
      it(`${list}: ${k} is refused, naming it`, () => {
        let err: unknown;
        try {
          make({ [k]: REFUSED_SAMPLE[k] });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(UnsupportedOptionError);
        expect((err as UnsupportedOptionError).code).toBe('ERR_PURETLS_UNSUPPORTED_OPTION');
        expect((err as UnsupportedOptionError).option).toBe(k);
        expect((err as Error).message.startsWith(`${k}:`)).toBe(true);
      });
    }
  }

  for (const k of all.filter((n) => n in HONOURED)) {
    it(`${k} is honoured`, async () => {
      await HONOURED[k]!();
    });
  }
});

describe('keys with a passphrase, KeyObjects, { pem, passphrase }', () => {
  it('an encrypted key serves a handshake; a legacy encrypted SEC1 key too', async () => {
    const key = createPrivateKey(srv().key);
    const pkcs8 = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }) as string;
    const sec1 = key.export({ type: 'sec1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }) as string;
    expect(sec1).toMatch(/Proc-Type: 4,ENCRYPTED/);
    for (const k of [{ key: pkcs8, passphrase: 'pw' }, { key: sec1, passphrase: 'pw' }, { key: [{ pem: pkcs8, passphrase: 'pw' }] }, { key }] as const) {
      const server = createServer({ cert: srv().cert, ...k } as ServerOptions, (s) => s.end('hi'));
      const port = await listen(server);
      const c = connect({ ...cli(), port });
      const got = await new Promise<string>((res, rej) => {
        let d = '';
        c.on('data', (x) => (d += x));
        c.on('end', () => res(d));
        c.on('error', rej);
      });
      expect(got).toBe('hi');
      await closeServer(server);
    }
  });
});

describe('SNICallback', () => {
  async function sniServer(opts: Partial<ServerOptions>) {
    const errors: (Error & { alert?: string })[] = [];
    const server = createServer(opts as ServerOptions, (s) => s.end(String(s.servername)));
    server.on('tlsClientError', (e: Error) => errors.push(e));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    return { port, errors };
  }
  function hello(port: number, servername: string): Promise<{ ok: true; body: string; cn: string } | { ok: false; err: Error & { alert?: string } }> {
    return new Promise((res) => {
      const c: TlsSocket = connect({ host: '127.0.0.1', port, servername, ca: pki.ca.cert });
      let body = '';
      c.on('data', (d) => (body += d));
      c.on('end', () => res({ ok: true, body, cn: (c.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN ?? '' }));
      c.on('error', (err) => res({ ok: false, err }));
    });
  }
  const ctxs = () => Object.fromEntries(['alpha.test', 'beta.test'].map((n) => [n, createSecureContext({ cert: pki.sni[n]!.cert, key: pki.sni[n]!.key })]));

  it('is called asynchronously with the SNI name; its context serves the handshake; no default certificate needed', async () => {
    const seen: string[] = [];
    const c = ctxs();
    const { port, errors } = await sniServer({
      SNICallback: (name, cb) => { seen.push(name); setTimeout(() => cb(null, c[name]), 5); },
    });
    const a = await hello(port, 'alpha.test');
    expect(a).toMatchObject({ ok: true, body: 'alpha.test', cn: 'alpha.test' });
    const b = await hello(port, 'beta.test');
    expect(b).toMatchObject({ ok: true, cn: 'beta.test' });
    expect(seen).toEqual(['alpha.test', 'beta.test']);
    // No certificate for this name and no default → unrecognized_name (RFC 6066 §3), and tlsClientError.
    const x = await hello(port, 'unknown.test');
    expect(!x.ok && x.err.alert).toBe('unrecognized_name');
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.map((e) => e.alert)).toEqual(['unrecognized_name']);
  });

  it('an error it reports aborts the handshake with an alert and a tlsClientError', async () => {
    const { port, errors } = await sniServer({ ...srv(), SNICallback: (_name, cb) => cb(new Error('no such tenant')) });
    const r = await hello(port, 'alpha.test');
    expect(!r.ok && r.err.alert).toBe('internal_error');
    await new Promise((res) => setTimeout(res, 50));
    expect(errors[0]?.message).toMatch(/no such tenant/);
  });

  it('undefined context → the default certificate', async () => {
    const { port } = await sniServer({ ...srv(), SNICallback: (_name, cb) => cb(null) });
    const r = await hello(port, 'localhost');
    expect(r).toMatchObject({ ok: true, cn: 'server-ecdsa-p256' });
  });
});

describe('default trust: tls.rootCertificates + NODE_EXTRA_CA_CERTS (child process, dist build)', () => {
  it('a server signed by the CA in NODE_EXTRA_CA_CERTS is authorized without ca; without the variable it is not', async () => {
    const server = createServer(srv(), (s) => s.end('x'));
    const port = await listen(server);
    cleanups.push(() => closeServer(server));
    const script = join(pki.dir, 'extra-ca-client.mjs');
    writeFileSync(script, `
      import { connect } from ${JSON.stringify(join(process.cwd(), 'dist/src/io/node.js'))};
      const s = connect({ host: '127.0.0.1', port: ${port}, servername: 'localhost', rejectUnauthorized: false }, () => {
        console.log(JSON.stringify({ authorized: s.authorized, error: s.authorizationError ?? null })); s.destroy();
      });
      s.on('error', (e) => { console.log(JSON.stringify({ error: e.message })); });
    `);
    // Asynchronously: the server runs in this process.
    const run = async (env: NodeJS.ProcessEnv) =>
      JSON.parse((await promisify(execFile)(process.execPath, [script], { env: { ...process.env, ...env }, encoding: 'utf8' })).stdout.trim());
    const withExtra = await run({ NODE_EXTRA_CA_CERTS: pki.ca.certFile });
    expect(withExtra).toEqual({ authorized: true, error: null });
    const without = await run({ NODE_EXTRA_CA_CERTS: '' });
    expect(without).toEqual({ authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(readFileSync(pki.ca.certFile, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
