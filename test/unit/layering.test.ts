/**
 * The layers import downwards only (docs/architecture.md):
 *   util, errors → codec → crypto → record, x509 → handshake, cert → compression → connection → io → cli
 *   → core.ts → index.ts
 * A file may import its own layer or a lower one; layers side by side
 * (record and x509; handshake and cert, the certificate-issuing entry) do not
 * import each other. Type-only imports count too: a type
 * that two layers share lives in the lower one.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const src = join(root, 'src');

const RANK: Record<string, number> = {
  util: 0, 'errors.ts': 0,
  codec: 0.5,
  crypto: 1,
  record: 2, x509: 2,
  handshake: 3, cert: 3,
  compression: 3.5,
  connection: 4,
  io: 5,
  cli: 6,
  'core.ts': 7,
  'index.ts': 8,
};

/** The layer of a file under src/: its top-level directory, or the file itself at the top. */
function layerOf(file: string): string {
  return relative(src, file).split(/[\\/]/)[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Imports in `text` (the source of `file`) that point to a higher layer or a sibling. */
function upwardImports(file: string, text: string): string[] {
  const problems: string[] = [];
  const from = layerOf(file);
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const target = resolve(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, '.ts'));
    const to = layerOf(target);
    if (to === from) continue;
    const rf = RANK[from], rt = RANK[to];
    if (rf === undefined || rt === undefined || rt >= rf) problems.push(`${relative(root, file)} (${from}) imports ${relative(root, target)} (${to})`);
  }
  return problems;
}

describe('layering', () => {
  it('every import under src/ points to the same or a lower layer', () => {
    const files = sourceFiles(src);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((f) => upwardImports(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('the check would notice an upward import and a sibling import', () => {
    const record = join(src, 'record', 'example.ts');
    expect(upwardImports(record, "import type { SessionInfo } from '../connection/types.js';")).toHaveLength(1);
    expect(upwardImports(record, "import { verifyCertificateChain } from '../x509/verify.js';")).toHaveLength(1);
    expect(upwardImports(record, "import type { AeadKey } from '../crypto/provider.js';")).toEqual([]);
  });
});
