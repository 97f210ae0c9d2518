import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { runCert } from '../../src/cli/commands.js';
import { verifyCertificateChain } from '../../src/x509/verify.js';
import { parseCertificate } from '../../src/x509/summary.js';
import { parsePrivateKey } from '../../src/x509/keys.js';
import { nodeVerifyProvider } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'puretls-cert-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function quiet(argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  try {
    return { code: await runCert(argv), out };
  } finally {
    process.stdout.write = write;
  }
}

const read = (p: string) => readFileSync(p, 'utf8');

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A Node TLS 1.3 server and client with mutual authentication; resolves with what each side saw. */
async function nodeMtls(ca: string, server: { cert: string; key: string }, client: { cert: string; key: string }, servername: string) {
  const srv = tls.createServer({ ...server, ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (s) => {
    s.end(`hello ${s.getPeerCertificate().subject?.CN ?? '?'}`);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  try {
    return await new Promise<{ authorized: boolean; data: string }>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, servername: servername.match(/^[\d.]+$/) ? undefined : servername, ca, ...client, minVersion: 'TLSv1.3' } as tls.ConnectionOptions, () => {
        let data = '';
        c.on('data', (d) => (data += d));
        c.on('end', () => resolve({ authorized: c.authorized, data }));
      });
      c.on('error', reject);
    });
  } finally {
    srv.close();
  }
}

describe('puretls cert', () => {
  for (const keyType of ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa2048'] as const) {
    it(`${keyType}: CA, server and client certificates accepted by openssl verify, our validator and Node tls (mTLS)`, async () => {
      const base = join(dir, keyType);
      const ca = await quiet(['ca', '--out', join(base, 'ca'), '--name', `Test CA ${keyType}`, '--key', keyType]);
      expect(ca.code).toBe(0);
      expect(ca.out).toContain(join(base, 'ca', 'cert.pem'));
      const srv = await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'server'), '--name', 'localhost,127.0.0.1,::1', '--key', keyType]);
      expect(srv.code).toBe(0);
      const cli = await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'client'), '--name', 'alice', '--client', '--days', '30', '--key', keyType]);
      expect(cli.code).toBe(0);

      for (const d of ['ca', 'server', 'client']) expect(statSync(join(base, d, 'key.pem')).mode & 0o777).toBe(0o600);
      const caPem = read(join(base, 'ca', 'cert.pem'));
      const server = { cert: read(join(base, 'server', 'cert.pem')), key: read(join(base, 'server', 'key.pem')) };
      const client = { cert: read(join(base, 'client', 'cert.pem')), key: read(join(base, 'client', 'key.pem')) };
      expect(read(join(base, 'server', 'key.pem'))).toContain('-----BEGIN PRIVATE KEY-----');

      // openssl verify, with the purpose checks.
      expect(openssl(['verify', '-CAfile', join(base, 'ca', 'cert.pem'), '-purpose', 'sslserver', join(base, 'server', 'cert.pem')])).toContain(': OK');
      expect(openssl(['verify', '-CAfile', join(base, 'ca', 'cert.pem'), '-purpose', 'sslclient', join(base, 'client', 'cert.pem')])).toContain(': OK');
      expect(() => openssl(['verify', '-CAfile', join(base, 'ca', 'cert.pem'), '-purpose', 'sslserver', join(base, 'client', 'cert.pem')])).toThrow();

      // Our validator: names, usages.
      const v = (leaf: string, o: { name?: string; usage: 'server' | 'client' }) =>
        verifyCertificateChain({ leaf, roots: [caPem], provider: nodeVerifyProvider, ...o });
      for (const name of ['localhost', '127.0.0.1', '::1']) expect((await v(server.cert, { name, usage: 'server' })).ok).toBe(true);
      expect(await v(server.cert, { name: 'example.com', usage: 'server' })).toMatchObject({ ok: false, code: 'name-mismatch' });
      expect((await v(client.cert, { usage: 'client' })).ok).toBe(true);
      expect(await v(client.cert, { usage: 'server' })).toMatchObject({ ok: false, code: 'ext-key-usage' });

      const s = parseCertificate(server.cert);
      expect(s.subjectAltNames).toEqual({ dns: ['localhost'], ip: ['127.0.0.1', '::1'] });
      expect(s.isCA).toBe(false);
      expect(parseCertificate(caPem).isCA).toBe(true);
      expect(parsePrivateKey(server.key).type).toBe(keyType === 'rsa2048' ? 'rsa' : keyType === 'ed25519' ? 'ed25519' : 'ec');

      // Node's tls as server and client with these files.
      const r = await nodeMtls(caPem, server, client, 'localhost');
      expect(r).toEqual({ authorized: true, data: 'hello alice' });
    });
  }

  it('usage errors exit 2; a missing CA exits 1', async () => {
    const err = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect((await quiet(['ca'])).code).toBe(2);
      expect((await quiet(['ca', '--out', join(dir, 'x'), '--key', 'dsa'])).code).toBe(2);
      expect((await quiet(['issue', '--ca', join(dir, 'nope'), '--out', join(dir, 'y'), '--name', 'a'])).code).toBe(1);
      expect((await quiet(['bogus'])).code).toBe(2);
    } finally {
      process.stderr.write = err;
    }
  });

  it('chains made by openssl req/x509 are accepted; a tampered one is not', async () => {
    const d = join(dir, 'openssl');
    execFileSync('mkdir', ['-p', d]);
    const p = (f: string) => join(d, f);
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '30', '-subj', '/CN=OpenSSL Test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('int.key'), '-out', p('int.pem'), '-days', '30', '-subj', '/CN=OpenSSL Intermediate',
      '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign']);
    writeFileSync(p('leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:www.example.org,IP:192.0.2.1\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', p('leaf.key'), '-out', p('leaf.csr'), '-subj', '/CN=www.example.org']);
    openssl(['x509', '-req', '-in', p('leaf.csr'), '-CA', p('int.pem'), '-CAkey', p('int.key'), '-CAcreateserial', '-out', p('leaf.pem'), '-days', '10', '-extfile', p('leaf.ext'), '-sha384']);
    const leaf = read(p('leaf.pem'));
    const ok = await verifyCertificateChain({ leaf, intermediates: [read(p('int.pem'))], roots: [read(p('ca.pem'))], name: 'www.example.org', usage: 'server', provider: nodeVerifyProvider });
    expect(ok).toMatchObject({ ok: true });
    expect((await verifyCertificateChain({ leaf, intermediates: [read(p('int.pem'))], roots: [read(p('ca.pem'))], name: '192.0.2.1', provider: nodeVerifyProvider })).ok).toBe(true);
    // Flip one bit of the leaf signature.
    const { pemDecode } = await import('../../src/x509/pem.js');
    const der = Uint8Array.from(pemDecode(leaf)[0]!);
    der[der.length - 5]! ^= 1;
    const bad = await verifyCertificateChain({ leaf: der, intermediates: [read(p('int.pem'))], roots: [read(p('ca.pem'))], provider: nodeVerifyProvider });
    expect(bad).toMatchObject({ ok: false, code: 'bad-signature' });
    // Our parser agrees with openssl on the fields.
    const s = parseCertificate(leaf);
    expect(s.issuer).toBe('CN=OpenSSL Intermediate');
    expect(s.publicKeyType).toBe('ec-P-384');
  });
});
