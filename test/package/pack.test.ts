/**
 * The package as a user gets it (issue 10): `npm pack`, the tarball installed
 * into a fresh project outside the repository, then
 *  1. every `exports` path imported under ESM and required under CommonJS
 *     (require('puretls') is the same plain, mutable object as the ESM
 *     default export; importing the TLS entries creates no globals);
 *  2. a `strict` TypeScript file touching every runtime export of every path
 *     compiled against the shipped .d.ts (no skipLibCheck, no
 *     esModuleInterop) under `module` node16, nodenext and bundler, plus a
 *     CommonJS file (`import tls = require('puretls')`) under node16/nodenext;
 *  3. the README's ```ts snippets: each one runs as written (against files
 *     made by the installed `puretls cert`, on loopback), is compiled with
 *     the values it assumes declared, or is listed below with the reason it
 *     is not run. A new snippet in none of these fails the test.
 * The build is `npm test`'s (pack runs with --ignore-scripts: prepack would
 * build again; test/unit/package-files checks that prepack builds).
 */
import { execFile, execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
/** The subpaths of "exports" (puretls, puretls/core, …) but package.json. */
const SPECIFIERS = Object.keys(pkg.exports).filter((k) => k !== './package.json').map((k) => (k === '.' ? 'puretls' : `puretls/${k.slice(2)}`));

/**
 * README ```ts snippets, found by a string they contain. 'run': runs as
 * written. 'compile': compiled with `declares` prepended (values the
 * snippet takes from its surroundings), not run, for the reason given.
 * 'skip': neither, for the reason given.
 */
const SNIPPETS: { marker: string; mode: 'run' | 'compile' | 'skip'; declares?: string; reason?: string }[] = [
  { marker: "import { connect, createServer, TlsError } from 'puretls';", mode: 'run' },
  { marker: "import { Connection, clientConfig, serverConfig } from 'puretls/core';", mode: 'run' },
  { marker: 'verifyCertificateChain({ leaf, intermediates: []', mode: 'run' },
  {
    marker: "connect({ hostname: 'example.com', port: 443 }); // e.g. Cloudflare",
    mode: 'compile',
    declares: "declare function connect(o: { hostname: string; port: number }): import('puretls/web').ByteStreamPair;\ndeclare const myRootsPem: string;\n",
    reason: "connect() is Cloudflare's; test/io/readme-web.test.ts runs it against a loopback server",
  },
  {
    marker: 'SSLRequest',
    mode: 'compile',
    declares: 'declare const myCaPem: string;\n',
    reason: 'needs a PostgreSQL server: test/interop/postgres.test.ts does the same against Debian\'s',
  },
  {
    marker: "connectWebSocket('ws://",
    mode: 'compile',
    declares: 'declare const caPem: string;\n',
    reason: 'page code (needs a relay and a server): test/browser/relay.test.ts runs it in Chromium',
  },
  {
    marker: "import { brotli, zlib } from 'puretls/compression';",
    mode: 'compile',
    declares: "declare function openTcp(host: string, port: number): Promise<import('puretls/web').ByteStreamPair>;\n",
    reason: 'openTcp() stands for the runtime\'s socket; test/io/readme-web.test.ts runs it against a puretls server on loopback',
  },
  {
    marker: "s.renegotiate({ requestCert: true, rejectUnauthorized: true }",
    mode: 'compile',
    reason: 'needs a client certificate (pki/alice) beside the README CA: test/io/readme-pha.test.ts runs it as written',
  },
  { marker: 'Deno.connect', mode: 'skip', reason: 'Deno globals; test/runtimes/deno runs the same calls in Deno' },
  { marker: "from 'puretls/bun'", mode: 'skip', reason: 'Bun globals; test/runtimes/bun runs the same calls in Bun' },
];

/**
 * A consumer's strict settings, without esModuleInterop. skipLibCheck keeps
 * each tsc run within seconds (checking @types/node, DOM and pkijs took
 * minutes on the shared machine); what it would hide in our .d.ts — a default
 * import of a `node:` module, which needs esModuleInterop — is checked
 * directly on the shipped files below. lib has DOM for CryptoKey/JsonWebKey,
 * which puretls/cert's types (and pkijs's) name.
 */
const CONSUMER = {
  strict: true, skipLibCheck: true, esModuleInterop: false, allowSyntheticDefaultImports: false,
  target: 'ES2022', lib: ['ES2022', 'DOM', 'DOM.AsyncIterable'], types: ['node'],
};

let dir: string;
let project: string;
const sh = (cmd: string, args: string[], opts: ExecFileSyncOptions = {}): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }) as string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'puretls-pack-'));
  const out = sh(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  const tarball = join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
  project = join(dir, 'app');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  sh(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], { cwd: project });
  // The TypeScript checks need Node's types; the project's own copy (a pinned devDependency) serves.
  mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'), 'dir');
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run a script in the installed project. */
function node(file: string, code: string): string {
  writeFileSync(join(project, file), code);
  return sh(process.execPath, [file], { cwd: project });
}

describe('the installed package', () => {
  let keys: Record<string, string[]>;

  it('installs without building: no dist/bench, no tests, no source maps', () => {
    const files = readdirSync(join(project, 'node_modules/puretls'), { recursive: true }).map(String);
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => /^dist[/\\](bench|test)/.test(f) || f.endsWith('.map') || /^(src|test|bench)[/\\]/.test(f))).toEqual([]);
  });

  it('no shipped .d.ts default-imports a node: module (that would need esModuleInterop)', () => {
    const base = join(project, 'node_modules/puretls');
    const dts = readdirSync(base, { recursive: true }).map(String).filter((f) => /\.d\.c?ts$/.test(f));
    expect(dts.length).toBeGreaterThan(20);
    const bad = dts.filter((f) => /^import (type )?[\w$]+(, \{[^}]*\})? from ['"]node:/m.test(readFileSync(join(base, f), 'utf8')));
    expect(bad).toEqual([]);
  });

  it('every export path imports under ESM, with no new globals from the TLS entries', () => {
    const out = node('esm.mjs', `const before = new Set(Reflect.ownKeys(globalThis));
const keys = {};
for (const s of ${JSON.stringify(SPECIFIERS.filter((s) => s !== 'puretls/cert'))}) keys[s] = Object.keys(await import(s));
const added = Reflect.ownKeys(globalThis).filter((k) => !before.has(k)).map(String);
keys['puretls/cert'] = Object.keys(await import('puretls/cert'));
const tls = (await import('puretls')).default;
tls.DEFAULT_MAX_VERSION = 'TLSv1.3';
process.stdout.write(JSON.stringify({ keys, added, frozen: Object.isFrozen(tls), connect: typeof tls.connect }));`);
    const r = JSON.parse(out) as { keys: Record<string, string[]>; added: string[]; frozen: boolean; connect: string };
    expect(r.added).toEqual([]);
    expect(r.frozen).toBe(false);
    expect(r.connect).toBe('function');
    for (const s of SPECIFIERS) expect(r.keys[s]?.length, s).toBeGreaterThan(0);
    keys = r.keys;
  });

  it("every export path requires under CommonJS; require('puretls') is the ESM default object, shaped like node:tls", () => {
    const out = node('cjs.cjs', `const before = new Set(Reflect.ownKeys(globalThis));
const tls = require('puretls');
const added = Reflect.ownKeys(globalThis).filter((k) => !before.has(k)).map(String);
const keys = {};
for (const s of ${JSON.stringify(SPECIFIERS)}) keys[s] = Object.keys(require(s));
tls.DEFAULT_MAX_VERSION = 'TLSv1.3';
tls.DEFAULT_CIPHERS = 'TLS_AES_256_GCM_SHA384';
import('puretls').then((m) => {
  const same = m.default === tls && tls.DEFAULT_CIPHERS === 'TLS_AES_256_GCM_SHA384';
  process.stdout.write(JSON.stringify({ added, keys, same, frozen: Object.isFrozen(tls), proto: Object.getPrototypeOf(tls) === Object.prototype }));
});`);
    const r = JSON.parse(out) as { added: string[]; keys: Record<string, string[]>; same: boolean; frozen: boolean; proto: boolean };
    expect(r.added).toEqual([]);
    expect(r).toMatchObject({ same: true, frozen: false, proto: true });
    for (const s of SPECIFIERS) expect(r.keys[s]?.length, s).toBeGreaterThan(0);
    // The CommonJS root is the tls-shaped object: Node's members and every named ESM export.
    for (const k of ['connect', 'createServer', 'Server', 'DEFAULT_MIN_VERSION', 'DEFAULT_MAX_VERSION', 'DEFAULT_CIPHERS', 'DEFAULT_ECDH_CURVE']) expect(r.keys.puretls, k).toContain(k);
  });

  /** A strict file that imports every path and touches each runtime export (so each must have a type). */
  function typesProbe(): string {
    const lines: string[] = ["import tls from 'puretls';"];
    SPECIFIERS.forEach((s, i) => lines.push(`import * as m${i} from '${s}';`));
    lines.push('const used: unknown[] = [];');
    SPECIFIERS.forEach((s, i) => {
      for (const k of keys[s]!) if (k !== 'default') lines.push(`used.push(m${i}.${k});`);
    });
    lines.push("tls.DEFAULT_MAX_VERSION = 'TLSv1.3';", "const s: string = tls.DEFAULT_CIPHERS;", 'used.push(s, tls.connect);', 'export { used };');
    return lines.join('\n') + '\n';
  }

  /** tsc on the project with these options; resolves to its diagnostics ('' when it passed). */
  function tsc(config: Record<string, unknown>, files: string[], name: string): Promise<string> {
    writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify({
      compilerOptions: { ...CONSUMER, noEmit: true, ...config },
      files,
    }));
    return new Promise((resolve) => {
      execFile(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], { cwd: project }, (e, stdout, stderr) => resolve(e ? `tsc (${name}):\n${stdout}${stderr}` : ''));
    });
  }

  it('the shipped types compile under strict with module node16, nodenext and bundler (no esModuleInterop)', async () => {
    expect(keys, 'the ESM import test ran first').toBeDefined();
    writeFileSync(join(project, 'probe.mts'), typesProbe());
    writeFileSync(join(project, 'probe.ts'), typesProbe());
    writeFileSync(join(project, 'probe-cjs.cts'), "import tls = require('puretls');\ntls.DEFAULT_MAX_VERSION = 'TLSv1.3';\nconst c: typeof tls.connect = tls.connect;\nexport = c;\n");
    const errors = await Promise.all([
      tsc({ module: 'node16', moduleResolution: 'node16' }, ['probe.mts', 'probe-cjs.cts'], 'node16'),
      tsc({ module: 'nodenext', moduleResolution: 'nodenext' }, ['probe.mts', 'probe-cjs.cts'], 'nodenext'),
      tsc({ module: 'preserve', moduleResolution: 'bundler' }, ['probe.ts'], 'bundler'),
    ]);
    expect(errors.join('')).toBe('');
  }, 90_000);

  describe("the README's ```ts snippets", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);

    it('each one is run, compiled, or skipped with a reason', () => {
      for (const b of blocks) {
        const matches = SNIPPETS.filter((s) => b.includes(s.marker));
        expect(matches.length, `README snippet not accounted for:\n${b}`).toBe(1);
      }
      for (const s of SNIPPETS) expect(blocks.filter((b) => b.includes(s.marker)).length, s.marker).toBe(1);
    });

    it('the library snippets compile (strict, nodenext) and run as written', () => {
      // The files the snippets read, made by the installed CLI as the README says.
      const cli = join(project, 'node_modules/.bin/puretls');
      sh(cli, ['cert', 'ca', '--out', 'pki/ca', '--name', 'README CA'], { cwd: project });
      sh(cli, ['cert', 'issue', '--ca', 'pki/ca', '--out', 'pki/server', '--name', 'localhost,127.0.0.1,::1'], { cwd: project });
      const files: string[] = [];
      SNIPPETS.forEach((s, i) => {
        if (s.mode === 'skip') return;
        const code = blocks.find((b) => b.includes(s.marker))!;
        const file = `snippet${i}.mts`;
        writeFileSync(join(project, file), (s.declares ?? '') + code + (code.includes('export ') ? '' : 'export {};\n'));
        files.push(file);
      });
      writeFileSync(join(project, 'tsconfig.snippets.json'), JSON.stringify({
        compilerOptions: { ...CONSUMER, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out', rootDir: '.' },
        files,
      }));
      try {
        sh(process.execPath, [TSC, '-p', 'tsconfig.snippets.json'], { cwd: project });
      } catch (e) {
        throw new Error(`README snippets do not compile:\n${(e as { stdout?: string }).stdout ?? ''}`);
      }
      const outputs: string[] = [];
      SNIPPETS.forEach((s, i) => {
        if (s.mode !== 'run') return;
        const r = sh(process.execPath, [`out/snippet${i}.mjs`], { cwd: project, timeout: 20_000 });
        outputs.push(r);
      });
      expect(outputs[0]).toMatch(/TLSv1\.3 TLS_\w+ \w+ http\/1\.1 true/);
      expect(outputs[0]).toMatch(/echoed: hello/);
      expect(outputs[1]).toMatch(/^TLSv1\.3 TLS_\w+ \w+\n[\s\S]*\nhello\nthe server closed cleanly\n$/);
      expect(outputs[2]).toBe('true\nunknown-issuer\n');
    }, 90_000);
  });
});
