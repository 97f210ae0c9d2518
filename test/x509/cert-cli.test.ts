import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
  for (const keyType of ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'ed448', 'rsa2048'] as const) {
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
      expect(parsePrivateKey(server.key).type).toBe(keyType === 'rsa2048' ? 'rsa' : keyType === 'ed25519' || keyType === 'ed448' ? keyType : 'ec');

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

  it('keeps a PKI intact: an existing CA is not replaced without --force; the CA directory is not overwritten by a leaf', async () => {
    const base = join(dir, 'intact');
    const err = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
    try {
      expect((await quiet(['ca', '--out', join(base, 'ca')])).code).toBe(0);
      const first = read(join(base, 'ca', 'cert.pem'));
      const again = await quiet(['ca', '--out', join(base, 'ca')]);
      expect(again.code).toBe(1);
      expect(stderr).toMatch(/already holds a certificate and key.*--force/);
      expect(read(join(base, 'ca', 'cert.pem'))).toBe(first);
      expect((await quiet(['ca', '--out', join(base, 'ca'), '--force'])).code).toBe(0);
      expect(read(join(base, 'ca', 'cert.pem'))).not.toBe(first);
      const ca = read(join(base, 'ca', 'cert.pem'));
      stderr = '';
      expect((await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'ca'), '--name', 'localhost'])).code).toBe(2);
      expect(stderr).toMatch(/the CA's own directory/);
      expect((await quiet(['ca', '--out', join(base, 'ca2')])).code).toBe(0);
      stderr = '';
      expect((await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'ca2'), '--name', 'localhost'])).code).toBe(1);
      expect(stderr).toMatch(/holds a CA certificate.*--force/);
      expect(read(join(base, 'ca', 'cert.pem'))).toBe(ca);
    } finally {
      process.stderr.write = err;
    }
  });

  it('refuses to issue from a certificate that is not a CA (cA=FALSE, or no keyCertSign)', async () => {
    const base = join(dir, 'notca');
    const err = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
    try {
      expect((await quiet(['ca', '--out', join(base, 'ca')])).code).toBe(0);
      expect((await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'leaf'), '--name', 'leaf.test'])).code).toBe(0);
      // A leaf (cA=FALSE) used as an issuer.
      expect((await quiet(['issue', '--ca', join(base, 'leaf'), '--out', join(base, 'bad'), '--name', 'x.test'])).code).toBe(1);
      expect(stderr).toMatch(/is not a CA certificate \(basicConstraints cA is not TRUE\)/);
      // cA=TRUE but keyUsage without keyCertSign (made with openssl).
      const d = join(base, 'nokcs');
      execFileSync('mkdir', ['-p', d]);
      openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(d, 'key.pem'), '-out', join(d, 'cert.pem'), '-days', '30', '-subj', '/CN=No keyCertSign',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature']);
      stderr = '';
      expect((await quiet(['issue', '--ca', d, '--out', join(base, 'bad2'), '--name', 'x.test'])).code).toBe(1);
      expect(stderr).toMatch(/keyUsage lacks keyCertSign/);
      // A CA directory whose key.pem is not the CA certificate's key.
      execFileSync('cp', [join(base, 'leaf', 'key.pem'), join(base, 'ca', 'key.pem')]);
      stderr = '';
      expect((await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'bad3'), '--name', 'x.test'])).code).toBe(1);
      expect(stderr).toMatch(/key\.pem and cert\.pem: key values mismatch/);
    } finally {
      process.stderr.write = err;
    }
  });

  it('validates names: DNS syntax and IP literals, with the offending name in the error (exit 2)', async () => {
    const base = join(dir, 'names');
    expect((await quiet(['ca', '--out', join(base, 'ca')])).code).toBe(0);
    const err = process.stderr.write;
    let stderr = '';
    process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
    try {
      for (const [bad, why] of [
        ['foo bar', /label "foo bar" is not letters/],
        ['-x.example', /label "-x.example"|label "-x"/],
        ['a..b', /empty label/],
        ['256.1.1.1', /neither a valid IP address nor a DNS name/],
        ['10.0.0', /neither a valid IP address nor a DNS name/],
        ['[::1]', /without brackets/],
        ['*.com', /at least two labels/],
        ['a.*.example', /only as the whole leftmost label/],
        ['bücher.example', /xn--/],
        [`${'a'.repeat(64)}.example`, /at most 63 characters/],
      ] as const) {
        stderr = '';
        expect((await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'x'), '--name', `localhost,${bad}`])).code).toBe(2);
        expect(stderr).toContain(JSON.stringify(bad));
        expect(stderr).toMatch(why);
      }
      expect(existsSync(join(base, 'x'))).toBe(false);
      const ok = await quiet(['issue', '--ca', join(base, 'ca'), '--out', join(base, 'ok'), '--name', '*.example.test,xn--bcher-kva.example,192.0.2.7,2001:db8::1,localhost']);
      expect(ok.code).toBe(0);
      expect(parseCertificate(read(join(base, 'ok', 'cert.pem'))).subjectAltNames).toEqual({
        dns: ['*.example.test', 'xn--bcher-kva.example', 'localhost'], ip: ['192.0.2.7', '2001:db8::1'],
      });
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
