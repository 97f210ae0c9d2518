/**
 * puretls in headless Chromium through a WebSocket relay (issue 11): a page
 * built by esbuild from `puretls/web` (bench/browser/page.ts) calls
 * `connectWebSocket` through `puretls relay` to `openssl s_server` and to
 * Node's tls, and through Debian's `websockify` to Node's tls: certificate
 * verified against the test CA, data echoed, close_notify both ways; each
 * provider (the pure run never calls crypto.subtle for its crypto, the
 * WebCrypto run does). A target off the allow-list fails in the page with
 * the relay's reason.
 */
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowserPage, type BrowserPage, type EchoResult } from '../../bench/browser/harness.js';
import { startRelay, type Relay } from '../../src/cli/relay.js';
import { closeServer, killAll, listen, run, type Child } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';
import { requireBinary, waitForListeningPort } from '../interop/helpers/tools.js';

let pki: TestPki;
let browser: BrowserPage;
let node: tls.Server;
let nodePort: number;
let sServer: Child;
let sServerPort: number;
let relay: Relay;
let websockify: Child;
let websockifyPort: number;
const relayLog: string[] = [];

beforeAll(async () => {
  requireBinary('chromium', 'chromium');
  requireBinary('openssl', 'openssl');
  const websockifyBin = requireBinary('websockify', 'websockify');
  pki = makeTestPki();
  node = tls.createServer({ key: pki.server['ecdsa-p256'].key, cert: pki.server['ecdsa-p256'].cert, minVersion: 'TLSv1.3' }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  nodePort = await listen(node);
  // -rev: each line comes back reversed; the server answers close_notify with its own.
  sServer = run('openssl', ['s_server', '-tls1_3', '-accept', '0', '-rev', '-cert', pki.server['ecdsa-p256'].certFile, '-key', pki.server['ecdsa-p256'].keyFile]);
  sServerPort = Number((await sServer.waitFor(/ACCEPT \S*:(\d+)/))[1]);
  relay = await startRelay({ host: '127.0.0.1', port: 0, allow: [{ host: '127.0.0.1', port: nodePort }, { host: '127.0.0.1', port: sServerPort }], log: (l) => relayLog.push(l) });
  websockify = run(websockifyBin, ['127.0.0.1:0', `127.0.0.1:${nodePort}`]);
  websockifyPort = await waitForListeningPort(websockify, /proxying from/, 'stderr');
  browser = await openBrowserPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  if (node) await closeServer(node);
  await killAll();
  pki?.cleanup();
});

function expectClean(r: EchoResult, provider: string): void {
  expect(r.error, `failed at ${r.stage}`).toBeUndefined();
  expect(r.ok).toBe(true);
  expect(r.protocol).toBe('TLSv1.3');
  expect(r.peerVerified).toBe(true);
  expect(r.signatureScheme).toBe('ecdsa_secp256r1_sha256');
  expect(r.closed).toEqual({ cleanly: true });
  expect(r.state, 'close_notify sent and received').toBe('closed');
  if (provider === 'pure') expect(r.subtleCalls).toBe(0);
  else expect(r.subtleCalls).toBeGreaterThan(0);
}

for (const provider of ['pure', 'webcrypto'] as const) {
  describe(`Chromium page, ${provider} provider`, () => {
    it("through puretls relay to Node's tls: 100 kB echoed", async () => {
      const message = 'from chromium: ' + 'abcdefghij'.repeat(10_000);
      const r = await browser.echo({ url: `ws://localhost:${relay.port}/?target=127.0.0.1:${nodePort}`, ca: pki.ca.cert, provider, message, expect: message });
      expectClean(r, provider);
      expect(r.received).toBe(message);
    });

    it('through puretls relay to openssl s_server -rev', async () => {
      const r = await browser.echo({ url: `ws://localhost:${relay.port}/?target=127.0.0.1:${sServerPort}`, ca: pki.ca.cert, provider, message: 'hello openssl\n', expect: 'lssnepo olleh\n' });
      expectClean(r, provider);
      expect(r.received).toBe('lssnepo olleh\n');
    });

    it("through Debian's websockify to Node's tls", async () => {
      const message = `via websockify (${provider})`;
      const r = await browser.echo({ url: `ws://localhost:${websockifyPort}/`, ca: pki.ca.cert, provider, message, expect: message });
      expectClean(r, provider);
      expect(r.received).toBe(message);
    });
  });
}

describe('refusals reach the page', () => {
  it('a target off the allow-list: the handshake fails with the relay\'s reason', async () => {
    const r = await browser.echo({ url: `ws://localhost:${relay.port}/?target=127.0.0.1:9`, ca: pki.ca.cert, provider: 'pure', message: 'x', expect: 'x' });
    expect(r.ok).toBe(false);
    expect(r.stage).toBe('handshake');
    expect(r.error).toMatch(/WebSocketTransportError: .*refused the target \(close code 4403: target not allowed: 127\.0\.0\.1:9\)/);
    expect(relayLog.some((l) => /refused: target not allowed: 127\.0\.0\.1:9/.test(l))).toBe(true);
  });

  it('the page saw no errors', () => {
    expect(browser.errors).toEqual([]);
  });
});
