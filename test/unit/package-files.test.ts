/**
 * What `npm pack` ships (issue 10): the built library (dist/src), its types,
 * README, LICENSE and the two docs the README links to; no benchmarks, no
 * tests, no source maps (their sources are not shipped); every `exports`
 * target and the `bin` inside the package; nothing built at install time
 * (no prepare/install/postinstall script: the package is built before packing).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
  exports: Record<string, unknown>;
};

function packedFiles(): string[] {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // --ignore-scripts: list what would be packed without running prepack's build (npm test built dist/ already).
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

/** Every file path named in an `exports` value (conditions nested). */
function exportTargets(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v && typeof v === 'object') return Object.values(v).flatMap(exportTargets);
  return [];
}

describe('npm pack', () => {
  const files = packedFiles();

  it('ships LICENSE, README, the linked docs and dist/src only', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'docs/x509.md', 'docs/architecture.md']) expect(files).toContain(f);
    expect(files.filter((f) => !/^(dist\/src\/|docs\/|LICENSE$|README\.md$|package\.json$)/.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/bench') || f.startsWith('dist/test'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('every exports target and the bin are in the package', () => {
    const targets = [...new Set([...exportTargets(pkg.exports), ...Object.values(pkg.bin)])].map((t) => t.replace(/^\.\//, ''));
    expect(targets.length).toBeGreaterThan(10);
    for (const t of targets) expect(files, t).toContain(t);
  });

  it('nothing is built at install time', () => {
    for (const s of ['prepare', 'preinstall', 'install', 'postinstall']) expect(pkg.scripts[s], s).toBeUndefined();
    expect(pkg.scripts['prepack']).toMatch(/build/);
  });
});
