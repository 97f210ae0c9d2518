/**
 * Headless Chromium (Debian `chromium`) loading one page with --dump-dom,
 * isolated as the interop tests' Chromium is (isolatedChromiumArgs: own
 * profile, no background requests, only 127.0.0.1 reachable). Page console
 * messages go to stderr (--enable-logging=stderr) for failure messages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumBinary, isolatedChromiumArgs } from '../../interop/helpers/chromium.js';
import { run, type Child } from '../../interop/helpers/net.js';

/** Path of the chromium binary; throws (the test fails, never skips) when it is not installed. */
export { chromiumBinary };

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
    ...isolatedChromiumArgs(profile, '127.0.0.1'),
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
