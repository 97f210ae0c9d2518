/**
 * Ed448 (0x0808) and ecdsa_secp521r1_sha512 (0x0603) against OpenSSL 3.0
 * (`openssl s_server` / `s_client`, and Node's tls), GnuTLS 3.7 (gnutls-cli,
 * gnutls-serv), both directions and both roles (mutual TLS), on each
 * provider. The PKI is made by the openssl command line with a CA of the
 * same key type, so the chain's own signatures are Ed448 / ecdsa-with-SHA512
 * over P-521 as well as CertificateVerify. Last, ML-DSA from the command
 * line: `puretls cert --key mldsa65`, `serve` and `get` with `--sigalgs`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type TlsSocket } from '../../src/io/node.js';
import { CLI, closeServer, collect, killAll, listen, run, type Child } from './helpers/net.js';
import { gnutlsCli, gnutlsServ, tls13Priority } from './helpers/gnutls.js';

interface Pem { cert: string; key: string; certFile: string; keyFile: string }
interface TypePki { ca: Pem; server: Pem; client: Pem }

const TYPES = {
  ed448: { genpkey: ['-algorithm', 'ED448'], digest: [] as string[], scheme: 'ed448', openssl: /Peer signature type: ed448/i, gnutls: 'EdDSA-Ed448', gnutlsPriority: '+SIGN-EDDSA-ED448' },
  p521: { genpkey: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], digest: ['-sha512'], scheme: 'ecdsa_secp521r1_sha512', openssl: /Peer signing digest: SHA512[\s\S]*Peer signature type: ECDSA/, gnutls: 'ECDSA-SECP521R1-SHA512', gnutlsPriority: '+SIGN-ECDSA-SECP521R1-SHA512' },
} as const;
type TypeName = keyof typeof TYPES;
const PROVIDERS = ['pure', 'node', 'webcrypto'] as const;

let dir: string;
const pkis = {} as Record<TypeName, TypePki>;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makePki(t: TypeName): TypePki {
  const { genpkey, digest } = TYPES[t];
  const key = (name: string) => { const f = join(dir, `${t}-${name}.key`); openssl(['genpkey', ...genpkey, '-out', f]); return f; };
  const pem = (certFile: string, keyFile: string): Pem => ({ cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile });
  const caKey = key('ca');
  const caCert = join(dir, `${t}-ca.pem`);
  openssl(['req', '-x509', '-new', '-key', caKey, ...digest, '-subj', `/CN=${t} test CA`, '-days', '30', '-out', caCert,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash']);
  const ca = pem(caCert, caKey);
  let serial = 1;
  const issue = (name: string, usage: string, san: string): Pem => {
    const k = key(name);
    const csr = join(dir, `${t}-${name}.csr`);
    const ext = join(dir, `${t}-${name}.ext`);
    const crt = join(dir, `${t}-${name}.pem`);
    writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${usage}\nsubjectAltName=${san}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`);
    openssl(['req', '-new', '-key', k, ...digest, '-subj', `/CN=${name}`, '-out', csr]);
    openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(serial++), '-days', '30', ...digest, '-extfile', ext, '-out', crt]);
    return pem(crt, k);
  };
  return { ca, server: issue('server', 'serverAuth', 'DNS:localhost,IP:127.0.0.1'), client: issue('client', 'clientAuth', 'DNS:client.test') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'puretls-sigs-'));
  for (const t of Object.keys(TYPES) as TypeName[]) pkis[t] = makePki(t);
}, 60_000);
afterAll(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

async function sServer(p: TypePki, args: string[]): Promise<{ child: Child; port: number }> {
  const child = run('openssl', ['s_server', '-tls1_3', '-accept', '0', '-cert', p.server.certFile, '-key', p.server.keyFile, ...args]);
  const m = await child.waitFor(/ACCEPT \S*:(\d+)/);
  return { child, port: Number(m[1]) };
}

describe.each(Object.keys(TYPES) as TypeName[])('%s', (t) => {
  const { scheme, openssl: opensslPeer, gnutls, gnutlsPriority } = TYPES[t];

  it.each(PROVIDERS)('puretls client (%s provider, with a client certificate) → openssl s_server -Verify', async (provider) => {
    const p = pkis[t];
    const { child, port } = await sServer(p, ['-Verify', '1', '-CAfile', p.ca.certFile]);
    try {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: p.ca.cert, cert: p.client.cert, key: p.client.key, provider });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      expect(c.info!.signatureScheme).toBe(scheme);
      expect(c.info!.peerVerified).toBe(true);
      c.write('hello from puretls\n');
      await child.waitFor(/hello from puretls/);
      expect(child.stdout() + child.stderr()).toMatch(/verify return:1/);
      c.destroy();
    } finally {
      await child.kill();
    }
  });

  it.each(PROVIDERS)('openssl s_client (with a client certificate) → puretls server (%s provider) requiring one', async (provider) => {
    const p = pkis[t];
    let seen: { scheme?: string; verified?: boolean } = {};
    const server = createServer({ cert: p.server.cert, key: p.server.key, ca: p.ca.cert, requestCert: true, rejectUnauthorized: true, provider }, (s: TlsSocket) => {
      seen = { scheme: s.info?.signatureScheme, verified: s.info?.peerVerified };
      s.end('pong\n');
    });
    const port = await listen(server);
    try {
      const c = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', p.ca.certFile,
        '-cert', p.client.certFile, '-key', p.client.keyFile, '-verify_return_error', '-ign_eof']);
      c.proc.stdin.end('ping\n');
      await c.exit;
      expect(c.stdout()).toMatch(/TLSv1\.3/);
      expect(c.stdout()).toMatch(opensslPeer);
      expect(c.stdout()).toMatch(/Verification: OK/);
      expect(c.stdout()).toContain('pong');
      expect(seen).toEqual({ scheme, verified: true });
    } finally {
      await closeServer(server);
    }
  });

  it.each(PROVIDERS)('Node tls (mutual TLS) ↔ puretls (%s provider), both directions', async (provider) => {
    const p = pkis[t];
    // Node client → puretls server
    let seen: string | undefined;
    const ours = createServer({ cert: p.server.cert, key: p.server.key, ca: p.ca.cert, requestCert: true, rejectUnauthorized: true, provider }, (s: TlsSocket) => {
      seen = s.info?.signatureScheme;
      s.pipe(s);
    });
    const port = await listen(ours);
    try {
      const c = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: p.ca.cert, cert: p.client.cert, key: p.client.key, minVersion: 'TLSv1.3' });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      expect(c.authorized).toBe(true);
      const got = collect(c);
      c.end('ping');
      expect((await got).toString()).toBe('ping');
      expect(seen).toBe(scheme);
    } finally {
      await closeServer(ours);
    }
    // puretls client → Node server
    let authorized: boolean | undefined;
    const theirs = tls.createServer({ cert: p.server.cert, key: p.server.key, ca: p.ca.cert, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (s) => {
      authorized = s.authorized;
      s.pipe(s);
    });
    const port2 = await listen(theirs);
    try {
      const c = connect({ host: '127.0.0.1', port: port2, servername: 'localhost', ca: p.ca.cert, cert: p.client.cert, key: p.client.key, provider });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      expect(c.info!.signatureScheme).toBe(scheme);
      const got = collect(c);
      c.end('pong');
      expect((await got).toString()).toBe('pong');
      expect(authorized).toBe(true);
    } finally {
      await closeServer(theirs);
    }
  });

  it('gnutls-cli (with a client certificate) → puretls server', async () => {
    const p = pkis[t];
    let seen: string | undefined;
    const server = createServer({ cert: p.server.cert, key: p.server.key, ca: p.ca.cert, requestCert: true, rejectUnauthorized: true }, (s: TlsSocket) => {
      seen = s.info?.signatureScheme;
      s.on('data', () => s.end('pong\n'));
    });
    const port = await listen(server);
    try {
      const r = await gnutlsCli(port, ['--x509cafile', p.ca.certFile, '--x509certfile', p.client.certFile, '--x509keyfile', p.client.keyFile,
        '--priority', tls13Priority(gnutlsPriority)], 'ping\n');
      expect(r.all).toContain(`(${gnutls})`);
      expect(r.stdout).toContain('pong');
      expect(seen).toBe(scheme);
    } finally {
      await closeServer(server);
    }
  });

  it('puretls client (with a client certificate) → gnutls-serv requiring one', async () => {
    const p = pkis[t];
    const { child, port } = await gnutlsServ(['--x509certfile', p.server.certFile, '--x509keyfile', p.server.keyFile, '--x509cafile', p.ca.certFile,
      '--require-client-cert', '--verify-client-cert', '--echo', '--priority', tls13Priority(gnutlsPriority)]);
    try {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: p.ca.cert, cert: p.client.cert, key: p.client.key });
      await new Promise<void>((res, rej) => { c.once('secureConnect', () => res()); c.once('error', rej); });
      expect(c.info!.signatureScheme).toBe(scheme);
      c.write('echo me\n');
      const data = await new Promise<string>((res) => c.once('data', (d: Buffer) => res(d.toString())));
      expect(data).toContain('echo me');
      c.destroy();
    } finally {
      await child.kill();
    }
  });
});

describe('ML-DSA from the command line (no other stack here has it)', () => {
  it('puretls cert --key mldsa65 (CA and leaf) → puretls serve --sigalgs mldsa65 ← puretls get --sigalgs mldsa65; without --sigalgs the client refuses', async () => {
    const cli = async (args: string[]) => { const c = run(process.execPath, [CLI, ...args]); const code = await c.exit; return { code, out: c.stdout() + c.stderr() }; };
    expect((await cli(['cert', 'ca', '--out', join(dir, 'mlca'), '--key', 'mldsa65'])).code).toBe(0);
    expect((await cli(['cert', 'issue', '--ca', join(dir, 'mlca'), '--out', join(dir, 'mlsrv'), '--name', 'localhost,127.0.0.1', '--key', 'mldsa65'])).code).toBe(0);
    const server = run(process.execPath, [CLI, 'serve', '--port', '0', '--cert', join(dir, 'mlsrv', 'cert.pem'), '--key', join(dir, 'mlsrv', 'key.pem'), '--sigalgs', 'mldsa65']);
    const port = Number((await server.waitFor(/listening on \S+:(\d+)/))[1]);
    try {
      const ok = await cli(['get', `https://localhost:${port}/`, '--ca', join(dir, 'mlca', 'cert.pem'), '--sigalgs', 'mldsa65']);
      expect(ok.out).toMatch(/signature scheme:\s+mldsa65/);
      expect(ok.code).toBe(0);
      // Not opted in: the default offer has no mldsa scheme, so the server has no certificate it may use.
      const refused = await cli(['get', `https://localhost:${port}/`, '--ca', join(dir, 'mlca', 'cert.pem')]);
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/handshake_failure/);
    } finally {
      await server.kill();
    }
  });
});
