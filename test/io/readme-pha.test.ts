/**
 * The README's post-handshake authentication snippet runs as written: its
 * ```ts block is taken from README.md, its types stripped (esbuild), its
 * `puretls` import pointed at the built package, and run with node in a
 * directory holding the pki/ the README's `puretls cert` commands make (the
 * built CLI makes it). The client must be greeted by the name in its
 * certificate, asked for after the handshake.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CLI } from '../interop/helpers/net.js';

const root = new URL('../../', import.meta.url);

function readmeBlock(marker: string): string {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const found = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes(marker));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('README: the post-handshake authentication snippet', () => {
  it('runs as written: the server asks after the handshake and greets the client by its certificate', () => {
    const code = readmeBlock("s.renegotiate({ requestCert: true, rejectUnauthorized: true }");
    const dir = mkdtempSync(join(tmpdir(), 'puretls-readme-pha-'));
    try {
      const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { cwd: dir, stdio: 'pipe' });
      cli('cert', 'ca', '--out', './pki/ca', '--name', 'My Dev CA', '--key', 'ecdsa-p256');
      cli('cert', 'issue', '--ca', './pki/ca', '--out', './pki/server', '--name', 'localhost,127.0.0.1,::1');
      cli('cert', 'issue', '--ca', './pki/ca', '--out', './pki/alice', '--name', 'alice', '--client', '--days', '30');
      const pkg = pathToFileURL(new URL('dist/src/index.js', root).pathname).href;
      expect(code).toContain("from 'puretls';");
      const js = transformSync(code.replace("from 'puretls';", `from '${pkg}';`), { loader: 'ts', format: 'esm' }).code;
      writeFileSync(join(dir, 'snippet.mjs'), js);
      const out = execFileSync(process.execPath, ['snippet.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(out).toMatch(/hello alice, authorized: true/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
