/**
 * The ES-module graph of a built entry point (dist/src/core.js), as a browser
 * loads it without a bundler: relative imports must name an existing file
 * (browsers add no extension), bare imports are resolved the way bundlers do
 * for the browser (package.json `exports` with the browser/import/module/
 * default conditions, else `module`, else `main`) and written into an import
 * map, with a scope per package so nested copies (pkijs's own @noble/hashes)
 * resolve to their own files. A relative import without its extension is
 * mapped by URL to the `.js` file and listed. `node:` and built-in imports are collected, not
 * mapped: in a browser they fail, and that is the portability bug to report.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface ImportMap {
  imports: Record<string, string>;
  scopes: Record<string, Record<string, string>>;
}

export interface ModuleGraph {
  /** URL path (from the repo root, '/…') of every module in the graph. */
  files: Map<string, string>;
  importMap: ImportMap;
  /** `file: specifier` of every node:/built-in import (must be empty for a portable core). */
  nodeImports: string[];
  /** `file: specifier (why)` of every import that does not resolve to a file a browser can load. */
  unresolved: string[];
  /**
   * `file: specifier` of relative imports without their file extension (fine
   * for Node's CJS and for bundlers, a 404 for a browser). Each is mapped by
   * URL in the import map to the `.js` file, so a dependency with this bug
   * still loads; the caller decides which files may need it.
   */
  extensionless: string[];
}

const CONDITIONS = ['browser', 'import', 'module', 'default'];

type ExportsValue = string | null | ExportsValue[] | { [k: string]: ExportsValue };

/** Resolve a conditional `exports` value (strings may carry a `*` substitution). */
function pickConditional(v: ExportsValue, star: string | undefined): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'string') return star === undefined ? v : v.split('*').join(star);
  if (Array.isArray(v)) {
    for (const x of v) {
      const r = pickConditional(x, star);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    if (CONDITIONS.includes(k)) {
      const r = pickConditional(x, star);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

function resolveExports(exp: ExportsValue, sub: string): string | undefined {
  // `exports` is a subpath map when its keys start with '.', else it is the '.' entry.
  const isMap = typeof exp === 'object' && exp !== null && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'));
  if (!isMap) return sub === '.' ? pickConditional(exp, undefined) : undefined;
  const map = exp as Record<string, ExportsValue>;
  if (sub in map) return pickConditional(map[sub]!, undefined);
  // Longest matching "prefix*suffix" pattern.
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const i = key.indexOf('*');
    if (i < 0) continue;
    const pre = key.slice(0, i);
    const post = key.slice(i + 1);
    if (sub.startsWith(pre) && sub.endsWith(post) && sub.length >= pre.length + post.length) {
      if (!best || pre.length > best.key.indexOf('*')) best = { key, star: sub.slice(pre.length, sub.length - post.length) };
    }
  }
  return best ? pickConditional(map[best.key]!, best.star) : undefined;
}

/** The directory of the installed package `name` visible from `fromDir` (Node's node_modules walk). */
function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let d = fromDir; ; d = dirname(d)) {
    const cand = join(d, 'node_modules', name);
    if (existsSync(join(cand, 'package.json'))) return cand;
    if (dirname(d) === d) return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function resolveBare(spec: string, fromFile: string): { file?: string; why?: string } {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const sub = '.' + spec.slice(name.length);
  const dir = findPackageDir(name, dirname(fromFile));
  if (!dir) return { why: 'package not installed' };
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: ExportsValue; module?: string; main?: string };
  let target: string | undefined;
  if (pkg.exports !== undefined) {
    target = resolveExports(pkg.exports, sub);
    if (target === undefined) return { why: `not exported by ${name}` };
  } else if (sub === '.') target = pkg.module ?? pkg.main ?? 'index.js';
  else target = sub;
  const file = resolve(dir, target);
  return isFile(file) ? { file } : { why: `${file} does not exist` };
}

/** The package root ('/node_modules/x/' or '/node_modules/@s/x/'), as a URL path, of a file under node_modules; undefined otherwise. */
function packageScope(urlPath: string): string | undefined {
  const i = urlPath.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const rest = urlPath.slice(i + '/node_modules/'.length).split('/');
  const n = rest[0]!.startsWith('@') ? 2 : 1;
  return urlPath.slice(0, i) + '/node_modules/' + rest.slice(0, n).join('/') + '/';
}

/** Walk the graph from `entry` (an absolute path under `root`). */
export function moduleGraph(root: string, entry: string): ModuleGraph {
  const toUrl = (abs: string) => '/' + relative(root, abs).split(sep).join('/');
  const files = new Map<string, string>();
  const importMap: ImportMap = { imports: {}, scopes: {} };
  const nodeImports: string[] = [];
  const unresolved: string[] = [];
  const extensionless: string[] = [];
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    const url = toUrl(file);
    if (files.has(url)) continue;
    if (url.startsWith('/..')) {
      unresolved.push(`${file} (outside the served root)`);
      continue;
    }
    files.set(url, file);
    const src = readFileSync(file, 'utf8');
    // TypeScript's scanner: import/export-from/import() specifiers, ignoring comments and strings.
    const info = ts.preProcessFile(src, true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (spec.startsWith('node:') || isBuiltin(spec)) {
        nodeImports.push(`${url}: ${spec}`);
        continue;
      }
      if (spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/')) {
        const target = spec.startsWith('/') ? join(root, spec) : resolve(dirname(file), spec);
        if (isFile(target)) queue.push(target);
        else if (isFile(target + '.js')) {
          extensionless.push(`${url}: ${spec}`);
          importMap.imports[toUrl(target)] = toUrl(target + '.js');
          queue.push(target + '.js');
        } else unresolved.push(`${url}: ${spec} (no such file: browsers do not add extensions)`);
        continue;
      }
      const r = resolveBare(spec, file);
      if (!r.file) {
        unresolved.push(`${url}: ${spec} (${r.why})`);
        continue;
      }
      const scope = packageScope(url);
      const table = scope === undefined ? importMap.imports : (importMap.scopes[scope] ??= {});
      const to = toUrl(r.file);
      if (table[spec] !== undefined && table[spec] !== to) unresolved.push(`${url}: ${spec} (resolves to both ${table[spec]} and ${to} in one scope)`);
      table[spec] = to;
      queue.push(r.file);
    }
  }
  return { files, importMap, nodeImports, unresolved, extensionless };
}
