/**
 * The portable core in a real browser: headless Chromium loads a page from a
 * local HTTP server; the page imports dist/src/core.js and its dependencies
 * as plain ES modules (an import map for the bare imports, no bundler), opens
 * a WebSocket to a bridge in this test that pipes bytes to a TLS server on
 * loopback, and runs a puretls TLS 1.3 client with secureWebStream over
 * streams made from that WebSocket. Peers: Node's tls (WebCrypto provider in
 * the page) and a puretls server (pure provider in the page); plus a CA the
 * page does not trust. Asserted from the page's result (POSTed and in the
 * dumped DOM), the bridge and the server. The page loads dist/: `npm run
 * build` first (npm test does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createPuretlsServer, type TlsSocket } from '../../src/io/node.js';
import { closeServer, killAll, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';
import { chromiumBinary, launchChromium, resultText } from './helpers/chromium.js';
import { startPageServer, type PageRun, type PageServer } from './helpers/page-server.js';
import type { PageResult } from './page.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT = 60_000;
/** Failure guard only (a hung browser): nothing is decided by it. */
const GUARD_MS = 45_000;
const MESSAGE = 'GET /echo over TLS 1.3 in Chromium — über WebSocket ✓';
/** Echoed after the message: many full records, WebSocket frames with 16- and 64-bit lengths. */
const BULK = 300_000;

let pki: TestPki;
let pages: PageServer;

beforeAll(async () => {
  chromiumBinary(); // fails (not skips) with a clear message when Chromium is missing
  if (!existsSync(join(ROOT, 'dist/src/core.js'))) throw new Error('dist/src/core.js is missing: run `npm run build` first (npm test does)');
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  pages = await startPageServer(ROOT);
});

afterAll(async () => {
  await killAll();
  await pages?.close();
  pki?.cleanup();
});

interface Browsed {
  /** What the page POSTed. */
  result: PageResult;
  /** What the page wrote into the DOM (--dump-dom). */
  dom: PageResult;
  stderr: string;
}

/** Chromium's stderr without the D-Bus noise of a machine with no session bus. */
function chromeLog(stderr: string): string {
  return stderr.split('\n').filter((l) => !/dbus|D-Bus/.test(l)).join('\n').slice(-3000);
}

/** Load the run's page in Chromium; resolves with its result once Chromium printed the DOM and exited. */
async function browse(run: PageRun): Promise<Browsed> {
  const chrome = launchChromium(run.url);
  const { child } = chrome;
  let guard: ReturnType<typeof setTimeout> | undefined;
  try {
    const hung = new Promise<never>((_, reject) => {
      guard = setTimeout(() => {
        reject(new Error(`chromium still running after ${GUARD_MS} ms\nrequests: ${pages.requests.join(', ').slice(-2000)}\n${chromeLog(child.stderr())}`));
      }, GUARD_MS);
    });
    hung.catch(() => undefined);
    const exitedFirst = child.exit.then((code): never => {
      throw new Error(`chromium exited (${code}) before the page posted a result\nrequests: ${pages.requests.join(', ').slice(-2000)}\nDOM: ${child.stdout().slice(0, 2000)}\n${chromeLog(child.stderr())}`);
    });
    exitedFirst.catch(() => undefined);
    const result = await Promise.race([run.result, exitedFirst, hung]);
    // The result was posted: the held image is answered, the page loads, Chromium prints the DOM and exits.
    const code = await Promise.race([child.exit, hung]);
    expect(code, chromeLog(child.stderr())).toBe(0);
    // The child helper collects output as latin1: the DOM is UTF-8.
    const domText = Buffer.from(child.stdout(), 'latin1').toString('utf8');
    const text = resultText(domText);
    expect(text, `no <pre id="result"> in the DOM: ${domText.slice(0, 1000)}`).toBeDefined();
    // Every request was for the page, its script, a module of the graph, the result or the bridge.
    expect(pages.requests.filter((r) => !/ (200|204|101|held)$/.test(r) && !r.startsWith('GET /favicon.ico '))).toEqual([]);
    return { result, dom: JSON.parse(text!) as PageResult, stderr: child.stderr() };
  } finally {
    clearTimeout(guard);
    await child.kill();
    chrome.cleanup();
  }
}

function bridgeBytes(run: PageRun) {
  expect(run.bridges.length).toBe(1);
  return run.bridges[0]!;
}

describe('puretls core in headless Chromium over a WebSocket bridge', () => {
  it('dist/src/core.js and its dependencies form a module graph a browser loads without a bundler', () => {
    const g = pages.graph;
    expect(g.nodeImports, 'node: imports in the browser graph').toEqual([]);
    expect(g.unresolved, 'imports a browser cannot resolve').toEqual([]);
    // Our own modules name their files exactly; only a dependency may need the
    // import map's extension fix (bytestreamjs's ESM build, pulled in by pkijs).
    expect(g.extensionless.filter((e) => !e.startsWith('/node_modules/'))).toEqual([]);
    expect([...g.files.keys()].filter((f) => f.startsWith('/dist/')).every((f) => f.startsWith('/dist/src/'))).toBe(true);
    expect(g.files.has('/dist/src/io/web.js')).toBe(true);
    expect([...g.files.keys()].some((f) => /node-provider|\/io\/node\.js|\/cli\//.test(f))).toBe(false);
  });

  it("Node's tls server (TLS 1.3, ECDSA P-256), WebCrypto provider in the page", async () => {
    const seen: { protocol: string | null; cipher: string | undefined; servername: string | false | undefined }[] = [];
    const errors: string[] = [];
    const server = tls.createServer({
      key: pki.server['ecdsa-p256'].key,
      cert: pki.server['ecdsa-p256'].cert,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    }, (s) => {
      seen.push({ protocol: s.getProtocol(), cipher: s.getCipher()?.standardName, servername: (s as tls.TLSSocket & { servername?: string | false }).servername });
      s.on('error', (e) => errors.push(String(e)));
      s.pipe(s);
    });
    server.on('tlsClientError', (e) => errors.push(String(e)));
    const port = await listen(server);
    try {
      const run = pages.addRun({ provider: 'webcrypto', ca: pki.ca.cert, servername: 'localhost', message: MESSAGE, bulkBytes: BULK, upstreamPort: port });
      const { result, dom } = await browse(run);
      expect(result, JSON.stringify(result)).toMatchObject({
        ok: true,
        protocol: 'TLSv1.3',
        signatureScheme: 'ecdsa_secp256r1_sha256',
        servername: 'localhost',
        peerVerified: true,
        peerCertificates: 1,
        echoed: MESSAGE,
        bulkBytes: BULK,
        bulkEchoed: true,
        extraBytes: 0,
        closedCleanly: true,
        secureContext: true,
      });
      // OpenSSL before 3.5 (Node 20's) has no X25519MLKEM768: the key share for x25519 is taken.
      const [major, minor] = process.versions.openssl.split('.').map(Number) as [number, number];
      expect(result.group).toBe(major > 3 || (major === 3 && minor >= 5) ? 'X25519MLKEM768' : 'x25519');
      expect(dom).toEqual(result);
      // The WebCrypto provider did the AEAD work in the browser.
      const c = result.subtleCalls;
      if (/AES/.test(result.cipherSuite!)) expect((c.encrypt ?? 0) + (c.decrypt ?? 0)).toBeGreaterThan(0);
      expect(c.deriveBits ?? 0).toBeGreaterThan(0); // X25519 via crypto.subtle
      expect(c.verify ?? 0).toBeGreaterThan(0); // ECDSA P-256 (CertificateVerify, certificate signature)
      // The server saw the same session.
      expect(errors).toEqual([]);
      expect(seen).toEqual([{ protocol: 'TLSv1.3', cipher: result.cipherSuite, servername: 'localhost' }]);
      // The bytes really went through the bridge: a TLS handshake record first.
      const b = bridgeBytes(run);
      await b.done;
      expect([...b.firstUp!.subarray(0, 3)]).toEqual([0x16, 0x03, 0x01]);
      expect(b.up).toBeGreaterThan(BULK);
      expect(b.down).toBeGreaterThan(BULK);
    } finally {
      await closeServer(server);
    }
  }, TIMEOUT);

  it('puretls server (src/io/node.ts), pure provider in the page', async () => {
    const seen: { protocol: string | null; cipher: string | undefined; group: string | undefined; servername: string | false }[] = [];
    const errors: string[] = [];
    const server = createPuretlsServer({ key: pki.server['ecdsa-p256'].key, cert: pki.server['ecdsa-p256'].cert }, (s: TlsSocket) => {
      seen.push({ protocol: s.getProtocol(), cipher: s.getCipher()?.standardName, group: s.group, servername: s.servername });
      s.on('error', (e) => errors.push(String(e)));
      s.pipe(s);
    });
    server.on('tlsClientError', (e: Error) => errors.push(String(e)));
    const port = await listen(server);
    try {
      const run = pages.addRun({ provider: 'pure', ca: pki.ca.cert, servername: 'localhost', message: MESSAGE, bulkBytes: BULK, upstreamPort: port });
      const { result, dom } = await browse(run);
      expect(result, JSON.stringify(result)).toMatchObject({
        ok: true,
        protocol: 'TLSv1.3',
        signatureScheme: 'ecdsa_secp256r1_sha256',
        servername: 'localhost',
        peerVerified: true,
        peerCertificates: 1,
        echoed: MESSAGE,
        bulkBytes: BULK,
        bulkEchoed: true,
        extraBytes: 0,
        closedCleanly: true,
      });
      // Both ends prefer the post-quantum hybrid (ML-KEM from @noble/post-quantum, in the browser).
      expect(result.group).toBe('X25519MLKEM768');
      expect(dom).toEqual(result);
      // The pure provider (and the certificate checks) never call crypto.subtle.
      expect(result.subtleCalls).toEqual({});
      expect(errors).toEqual([]);
      expect(seen).toEqual([{ protocol: 'TLSv1.3', cipher: result.cipherSuite, group: 'X25519MLKEM768', servername: 'localhost' }]);
      const b = bridgeBytes(run);
      await b.done;
      expect([...b.firstUp!.subarray(0, 3)]).toEqual([0x16, 0x03, 0x01]);
    } finally {
      await closeServer(server);
    }
  }, TIMEOUT);

  // With the WebCrypto provider the alert is sealed asynchronously: it must still leave before the transport closes.
  for (const provider of ['webcrypto', 'pure'] as const) {
    it(`a server certificate from a CA the page does not trust (${provider}): the handshake fails in the page, the server gets unknown_ca`, async () => {
      const errors: string[] = [];
      let secured = 0;
      const server = createPuretlsServer({ key: pki.server['ecdsa-p256'].key, cert: pki.server['ecdsa-p256'].cert }, () => { secured++; });
      server.on('tlsClientError', (e: Error) => errors.push(e.message));
      const port = await listen(server);
      try {
        // The page trusts only a certificate of another PKI (not the issuer of the server's).
        const run = pages.addRun({ provider, ca: pki.strangerClient.cert, servername: 'localhost', message: MESSAGE, upstreamPort: port });
        const { result, dom } = await browse(run);
        expect(dom).toEqual(result);
        expect(result.ok).toBe(false);
        expect(result.stage).toBe('handshake');
        // RFC 8446 §6.2: a certificate that chains to no trust anchor is unknown_ca.
        expect(result.error).toMatchObject({ name: 'TlsError', alert: 'unknown_ca', received: false });
        await bridgeBytes(run).done;
        expect(secured).toBe(0);
        expect(errors).toEqual(['peer sent alert unknown_ca']);
      } finally {
        await closeServer(server);
      }
    }, TIMEOUT);
  }
});
