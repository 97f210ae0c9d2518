/**
 * Headless Chromium with a page built from bench/browser/page.ts (esbuild,
 * `puretls/web` under the browser condition), for test/browser/relay.test.ts
 * and `npm run bench:browser`. Driven by playwright-core against Debian's
 * chromium (no browser download), a fresh profile per launch, loopback only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { BenchConfig, BenchResult, EchoConfig, EchoResult, RawEchoConfig } from './page.js';

export type { BenchConfig, BenchResult, EchoConfig, EchoResult, RawEchoConfig };

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** The page's source: next to this file in the repository (this module may run from dist/). */
const PAGE_SOURCE = join(HERE.replace(/\/dist\/bench\/browser\/$/, '/bench/browser/'), 'page.ts');

export const CHROMIUM = '/usr/bin/chromium';

/** The isolation flags (issue 11); playwright adds --headless and the fresh --user-data-dir. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-proxy-server',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost',
];

/** The page bundle (minified ES module) and its size. */
export async function buildPage(): Promise<{ code: string; bytes: number }> {
  const r = await esbuild.build({
    entryPoints: [PAGE_SOURCE], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
  });
  const code = r.outputFiles[0]!.text;
  return { code, bytes: r.outputFiles[0]!.contents.length };
}

export interface BrowserPage {
  page: Page;
  echo(cfg: EchoConfig): Promise<EchoResult>;
  bench(cfg: BenchConfig): Promise<BenchResult>;
  /** The transport alone (no TLS): MB/s echoed through the relay to a plain TCP echo server. */
  rawEcho(cfg: RawEchoConfig): Promise<{ megabytesPerSecond: number }>;
  /** Console errors and page errors seen. */
  errors: string[];
  close(): Promise<void>;
}

/** Serve the page on 127.0.0.1, launch Chromium, load it. */
export async function openBrowserPage(): Promise<BrowserPage> {
  const { code } = await buildPage();
  const http: Server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>puretls relay</title><script type="module" src="/page.js"></script>');
    } else if (req.url === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(code);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const profile = mkdtempSync(join(tmpdir(), 'puretls-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  } catch (e) {
    http.close();
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it): ${(e as Error).message.split('\n')[0]}`);
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://localhost:${port}/`);
  await page.waitForFunction(() => 'puretlsPage' in globalThis);
  type Api = { echo(c: EchoConfig): Promise<EchoResult>; bench(c: BenchConfig): Promise<BenchResult>; rawEcho(c: RawEchoConfig): Promise<{ megabytesPerSecond: number }> };
  return {
    page,
    errors,
    echo: (cfg) => page.evaluate((c) => (globalThis as unknown as { puretlsPage: Api }).puretlsPage.echo(c), cfg),
    bench: (cfg) => page.evaluate((c) => (globalThis as unknown as { puretlsPage: Api }).puretlsPage.bench(c), cfg),
    rawEcho: (cfg) => page.evaluate((c) => (globalThis as unknown as { puretlsPage: Api }).puretlsPage.rawEcho(c), cfg),
    async close() {
      await context.close();
      await new Promise<void>((r) => http.close(() => r()));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
