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

/**
 * Flags for a headless Chromium with its own profile, no first run, sync,
 * component updates or background requests, no proxy, and a resolver that
 * answers only `host` (the rules apply to IP literals too), so it reaches
 * nothing beyond loopback.
 */
export function isolatedChromiumArgs(profile: string, host: 'localhost' | '127.0.0.1'): string[] {
  return [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
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
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${host}`,
  ];
}

/** Run `chromium --headless=new --dump-dom URL` once; resolves when it exits. */
export async function dumpDom(url: string): Promise<DumpDomResult> {
  const bin = chromiumBinary();
  const profile = mkdtempSync(join(tmpdir(), 'puretls-chromium-'));
  try {
    const c = run(bin, [...isolatedChromiumArgs(profile, 'localhost'), '--ignore-certificate-errors', '--dump-dom', url]);
    c.proc.stdin.end();
    const code = await c.exit;
    return { code, dom: c.stdout(), stderr: c.stderr() };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
