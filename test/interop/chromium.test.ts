/**
 * A real browser against `puretls serve`: headless Chromium (BoringSSL)
 * loads our page with --dump-dom. Its ClientHello carries GREASE, an
 * X25519MLKEM768 + x25519 pair of key shares, ECH GREASE and ALPS; the page
 * it prints is what our server negotiated, and our server's log line is
 * checked too. Six launches, sequential (1–3 s each).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, type Child } from './helpers/net.js';
import { makeTestPki, type KeyType, type TestPki } from './helpers/pki.js';
import { dumpDom, plainTextOf } from './helpers/chromium.js';
import { puretlsServe } from './helpers/tools.js';

const TIMEOUT = 60_000;
let pki: TestPki;
beforeAll(() => {
  // A missing chromium fails each test (not a skip) with a clear message: see helpers/chromium.ts.
  pki = makeTestPki({ keyTypes: ['ecdsa-p256', 'rsa2048'] });
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
});

function pageField(page: string, name: string): string | undefined {
  const m = new RegExp(`^${name.replace(/[()]/g, '\\$&')}:\\s+(.*)$`, 'm').exec(page);
  return m?.[1]?.trim();
}

/** Serve with a key and extra args, load https://localhost:PORT/ in Chromium, stop the server. */
async function browse(type: KeyType, args: string[]): Promise<{ page: string; serverLog: string }> {
  const { child, port }: { child: Child; port: number } = await puretlsServe([
    '--cert', pki.server[type].certFile, '--key', pki.server[type].keyFile, ...args]);
  try {
    const r = await dumpDom(`https://localhost:${port}/`);
    expect(r.code, `chromium failed: ${r.stderr.slice(-2000)}`).toBe(0);
    const page = plainTextOf(r.dom);
    expect(page, `no puretls page in the DOM: ${r.dom.slice(0, 500)}\nserver: ${child.stderr()}`).toMatch(/^puretls: TLS 1\.3 session/);
    await child.kill();
    return { page, serverLog: child.stderr() };
  } finally {
    await child.kill();
  }
}

describe('headless Chromium → puretls serve', () => {
  it('default groups, ECDSA P-256: TLS 1.3 over HTTP/1.1 (ALPN)', async () => {
    const { page, serverLog } = await browse('ecdsa-p256', []);
    expect(pageField(page, 'protocol')).toBe('TLSv1.3');
    expect(pageField(page, 'request')).toBe('GET / HTTP/1.1');
    expect(pageField(page, 'ALPN')).toBe('http/1.1');
    expect(pageField(page, 'server name (SNI)')).toBe('localhost');
    expect(pageField(page, 'signature scheme')).toBe('ecdsa_secp256r1_sha256');
    // Whatever our default list is, Chromium shares a group with it.
    expect(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1']).toContain(pageField(page, 'group'));
    expect(serverLog).toMatch(/: TLSv1\.3 TLS_\S+ \S+ ecdsa_secp256r1_sha256 alpn=http\/1\.1/);
  }, TIMEOUT);

  it('--groups X25519MLKEM768,x25519: the hybrid post-quantum key exchange against BoringSSL, no retry', async () => {
    const { page, serverLog } = await browse('ecdsa-p256', ['--groups', 'X25519MLKEM768,x25519']);
    expect(pageField(page, 'group')).toBe('X25519MLKEM768');
    expect(pageField(page, 'hello retry')).toBe('no');
    expect(serverLog).toMatch(/: TLSv1\.3 TLS_\S+ X25519MLKEM768 ecdsa_secp256r1_sha256/);
  }, TIMEOUT);

  it('RSA-2048 key (RSA-PSS), --groups secp256r1: Chromium sends no secp256r1 share, so a HelloRetryRequest', async () => {
    const { page, serverLog } = await browse('rsa2048', ['--groups', 'secp256r1']);
    expect(pageField(page, 'signature scheme')).toBe('rsa_pss_rsae_sha256');
    expect(pageField(page, 'group')).toBe('secp256r1');
    expect(pageField(page, 'hello retry')).toBe('yes');
    expect(serverLog).toMatch(/: TLSv1\.3 TLS_\S+ secp256r1 rsa_pss_rsae_sha256 alpn=http\/1\.1 hrr/);
  }, TIMEOUT);

  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`--suites ${suite}`, async () => {
      const { page, serverLog } = await browse('ecdsa-p256', ['--suites', suite, '--groups', 'x25519']);
      expect(pageField(page, 'cipher suite')).toBe(suite);
      expect(pageField(page, 'group')).toBe('x25519');
      expect(serverLog).toContain(`: TLSv1.3 ${suite} x25519 ecdsa_secp256r1_sha256`);
    }, TIMEOUT);
  }

  it('certificate compression (RFC 8879): Chromium offers brotli, our server sends its chain as a brotli CompressedCertificate', async () => {
    const { page, serverLog } = await browse('rsa2048', ['--trace']);
    expect(pageField(page, 'protocol')).toBe('TLSv1.3');
    // The ClientHello lists compress_certificate; our reply is a CompressedCertificate with algorithm brotli, not a Certificate.
    expect(serverLog).toMatch(/compress_certificate/);
    expect(serverLog).toMatch(/CompressedCertificate[\s\S]*algorithm: brotli/);
    expect(serverLog).not.toMatch(/>> Certificate\b/);
  }, TIMEOUT);
});
