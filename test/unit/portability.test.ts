/**
 * The portable entry points (puretls/core, puretls/web, puretls/x509,
 * puretls/crypto, puretls/compression) must bundle for a browser or a Worker: nothing they import,
 * transitively, may import node:* or use Node globals.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const NODE_BUILTINS = new Set(['fs', 'net', 'tls', 'crypto', 'stream', 'buffer', 'os', 'path', 'child_process', 'http', 'https', 'events', 'util', 'zlib']);

function walk(entry: string): { files: Set<string>; problems: string[] } {
  const files = new Set<string>();
  const problems: string[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const src = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (spec.startsWith('node:') || NODE_BUILTINS.has(spec)) problems.push(`${rel} imports ${spec}`);
    }
    // Node globals outside comments.
    const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const g of ['Buffer.', 'process.', 'require(', '__dirname']) {
      if (code.includes(g)) problems.push(`${rel} uses ${g}`);
    }
  };
  visit(resolve(root, entry));
  return { files, problems };
}

describe('portability of the core layers', () => {
  for (const entry of ['src/core.ts', 'src/io/web.ts', 'src/x509/index.ts', 'src/crypto/index.ts', 'src/x509/roots/index.ts', 'src/compression/index.ts']) {
    it(`${entry} reaches no node: module and no Node global`, () => {
      const { files, problems } = walk(entry);
      expect(files.size).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    });
  }

  it('the walker would notice a node: import', () => {
    const { problems } = walk('src/io/node.ts');
    expect(problems.some((p) => p.includes('node:'))).toBe(true);
  });
});
