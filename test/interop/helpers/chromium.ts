/**
 * Headless Chromium (Debian `chromium`, BoringSSL inside) as a TLS client:
 * load one URL with --dump-dom and return the DOM it printed. Its own
 * profile in a temp dir; no first-run, sync, component updates or
 * background requests, and a resolver that answers only localhost, so it
 * reaches nothing beyond loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './net.js';
import { requireBinary } from './tools.js';

export interface DumpDomResult {
  code: number | null;
  dom: string;
  stderr: string;
}

/** The text inside Chromium's <pre> for a text/plain page, HTML entities decoded. */
export function plainTextOf(dom: string): string {
  const m = /<pre[^>]*>([^]*?)<\/pre>/.exec(dom);
  const text = m ? m[1]! : '';
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

export function chromiumBinary(): string {
  return requireBinary('chromium', 'chromium');
}

/** Run `chromium --headless=new --dump-dom URL` once; resolves when it exits. */
export async function dumpDom(url: string): Promise<DumpDomResult> {
  const bin = chromiumBinary();
  const profile = mkdtempSync(join(tmpdir(), 'puretls-chromium-'));
  try {
    const c = run(bin, [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--ignore-certificate-errors',
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--disable-domain-reliability',
      '--no-pings',
      '--no-proxy-server',
      '--metrics-recording-only',
      // Only localhost resolves: nothing can leave the machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost',
      '--dump-dom',
      url,
    ]);
    c.proc.stdin.end();
    const code = await c.exit;
    return { code, dom: c.stdout(), stderr: c.stderr() };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
