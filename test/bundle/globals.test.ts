/**
 * Importing puretls creates no globals (issue 10: pkijs, once reachable from
 * the TLS path, registered `global[process.pid]`, which Node's own test
 * harness reports as a leak). Each entry is imported in a fresh Node process
 * and the global object's own keys compared before and after; puretls/cert,
 * which carries pkijs, shows that the check sees such a global.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function newGlobals(specifiers: string[]): { added: string[]; pid: number } {
  const script = `const before = new Set(Reflect.ownKeys(globalThis));
for (const s of ${JSON.stringify(specifiers)}) await import(s);
const added = Reflect.ownKeys(globalThis).filter((k) => !before.has(k)).map(String);
process.stdout.write(JSON.stringify({ added, pid: process.pid }));`;
  // Run from the package root so 'puretls/...' resolves to this package (self-reference through "exports").
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as { added: string[]; pid: number };
}

describe('importing puretls creates no globals', () => {
  it("'puretls', 'puretls/core', 'puretls/web', 'puretls/x509', 'puretls/node'", () => {
    expect(newGlobals(['puretls', 'puretls/core', 'puretls/web', 'puretls/x509', 'puretls/node']).added).toEqual([]);
  });

  it("require('puretls') (the CommonJS entry)", () => {
    const script = `const before = new Set(Reflect.ownKeys(globalThis));
const tls = require('puretls');
if (typeof tls.connect !== 'function') throw new Error('no connect');
process.stdout.write(JSON.stringify(Reflect.ownKeys(globalThis).filter((k) => !before.has(k)).map(String)));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });

  it('the check sees a global: puretls/cert (pkijs) adds one', () => {
    const r = newGlobals(['puretls/cert']);
    expect(r.added).toEqual([String(r.pid)]);
  });
});
