/**
 * Headless Chromium (BoringSSL; playwright-core driving Debian's chromium)
 * loads two pages from `puretls serve` in one browser context: the second
 * navigation resumes the TLS 1.3 session of the first (RFC 8446 §2.2). serve
 * answers `Connection: close`, so each navigation opens new connections.
 *
 * The certificate is trusted by its SPKI pin
 * (--ignore-certificate-errors-spki-list), so Chromium treats the connection
 * as valid and caches its session. Asserted from both sides: our page for
 * each navigation (`resumed: no`, then `resumed: yes`) and serve's log, and
 * Chromium's NetLog (`--log-net-log`): the SSL_CONNECT of the socket that
 * carried each navigation, `is_resumed` false then true. With `--tickets 0`
 * neither side sees a resumption (so the assertions can fail).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';
import { chromiumBinary, isolatedChromiumArgs } from './helpers/chromium.js';
import { readNetLog, type SslConnect } from './helpers/netlog.js';
import { puretlsServe } from './helpers/tools.js';

const TIMEOUT = 120_000;
let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
});

function pageField(page: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(page)?.[1]?.trim();
}

/** base64(SHA-256(SubjectPublicKeyInfo)): the form --ignore-certificate-errors-spki-list takes. */
function spkiPin(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

interface Visit {
  page: string;
  tls: SslConnect | undefined;
}

/** serve with `args`; Chromium loads /first then /second in one context; the pages, NetLog results and serve's log. */
async function twoVisits(args: string[]): Promise<{ visits: Visit[]; serverLog: string }> {
  const { child, port } = await puretlsServe(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, ...args]);
  const dir = mkdtempSync(join(tmpdir(), 'puretls-chromium-'));
  const netlog = join(dir, 'netlog.json');
  try {
    // playwright adds --headless and its own --user-data-dir.
    const flags = isolatedChromiumArgs(join(dir, 'unused'), 'localhost').filter((f) => !/^--(headless|user-data-dir)\b/.test(f));
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumBinary(),
      headless: true,
      args: [...flags, '--disable-quic', `--ignore-certificate-errors-spki-list=${spkiPin(pki.server['ecdsa-p256'].cert)}`, `--log-net-log=${netlog}`],
    });
    const urls = ['first', 'second'].map((p) => `https://localhost:${port}/${p}`);
    const pages: string[] = [];
    try {
      const tab = context.pages()[0] ?? (await context.newPage());
      for (const url of urls) {
        const res = await tab.goto(url, { timeout: 60_000 });
        expect(res?.status(), `loading ${url}; server: ${child.stderr()}`).toBe(200);
        pages.push((await tab.textContent('body')) ?? '');
      }
    } finally {
      await context.close(); // Chromium exits: the NetLog file is complete
    }
    const log = readNetLog(netlog);
    await child.kill();
    return { visits: pages.map((page, i) => ({ page, tls: log.sslConnectFor(urls[i]!) })), serverLog: child.stderr() };
  } finally {
    await child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('headless Chromium, two pages from puretls serve: the second resumed', () => {
  it('serve (2 tickets per handshake): our page and Chromium\'s NetLog both say the second navigation resumed', async () => {
    const { visits, serverLog } = await twoVisits([]);
    const [first, second] = visits;
    // Our side: each navigation's page describes the connection that carried it.
    expect(pageField(first!.page, 'request')).toBe('GET /first HTTP/1.1');
    expect(pageField(first!.page, 'resumed')).toBe('no');
    expect(pageField(second!.page, 'request')).toBe('GET /second HTTP/1.1');
    expect(pageField(second!.page, 'resumed')).toBe('yes');
    expect(pageField(second!.page, 'PSK')).toBe('resumption');
    expect(pageField(second!.page, 'signature scheme')).toBe('-');
    expect(serverLog).toMatch(/^#1 [^\n]*ecdsa_secp256r1_sha256 alpn=http\/1\.1\n/m);
    expect(serverLog).toMatch(/^#\d+ [^\n]* - alpn=http\/1\.1 resumed$/m);
    // Chromium's side: the socket of each navigation, as its NetLog records it.
    expect(first!.tls, 'no SSL_CONNECT for /first in the NetLog').toBeDefined();
    expect(first!.tls!.version).toBe('TLS 1.3');
    expect(first!.tls!.is_resumed).toBe(false);
    expect(second!.tls, 'no SSL_CONNECT for /second in the NetLog').toBeDefined();
    expect(second!.tls!.version).toBe('TLS 1.3');
    expect(second!.tls!.is_resumed).toBe(true);
  }, TIMEOUT);

  it('serve --tickets 0: no ticket, so neither side sees a resumption', async () => {
    const { visits, serverLog } = await twoVisits(['--tickets', '0']);
    for (const v of visits) {
      expect(pageField(v.page, 'resumed')).toBe('no');
      expect(v.tls!.is_resumed).toBe(false);
    }
    expect(serverLog).not.toMatch(/ resumed$/m);
  }, TIMEOUT);
});
