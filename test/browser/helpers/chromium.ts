/**
 * Headless Chromium (Debian `chromium`) loading one page with --dump-dom:
 * its own profile in a temp dir, no first run, sync, component updates or
 * background requests, no proxy, and a resolver that answers no name, so the
 * only thing it can reach is the 127.0.0.1 URL it was given. Page console
 * messages go to stderr (--enable-logging=stderr) for failure messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Child } from '../../interop/helpers/net.js';
import { requireBinary } from '../../interop/helpers/tools.js';

/** Path of the chromium binary; throws (the test fails, never skips) when it is not installed. */
export function chromiumBinary(): string {
  return requireBinary('chromium', 'chromium');
}

export interface Chromium {
  child: Child;
  /** Remove the profile directory (after the process exited). */
  cleanup(): void;
}

/**
 * Start `chromium --headless=new … --dump-dom URL`. `virtualTimeBudgetMs`
 * adds --virtual-time-budget (not needed by our pages: they hold their load
 * event until the result is posted).
 */
export function launchChromium(url: string, opts: { virtualTimeBudgetMs?: number } = {}): Chromium {
  const bin = chromiumBinary();
  const profile = mkdtempSync(join(tmpdir(), 'puretls-browser-'));
  const child = run(bin, [
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
    // No name resolves (the rules apply to IP literals too: 127.0.0.1 is excluded).
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    '--enable-logging=stderr',
    '--v=0',
    ...(opts.virtualTimeBudgetMs !== undefined ? [`--virtual-time-budget=${opts.virtualTimeBudgetMs}`] : []),
    '--dump-dom',
    url,
  ]);
  child.proc.stdin.end();
  return { child, cleanup: () => rmSync(profile, { recursive: true, force: true }) };
}

/** The text of `<pre id="result">` in a dumped DOM, entities decoded. */
export function resultText(dom: string): string | undefined {
  const m = /<pre id="result">([^]*?)<\/pre>/.exec(dom);
  if (!m) return undefined;
  return m[1]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, '\u00a0').replace(/&amp;/g, '&');
}
