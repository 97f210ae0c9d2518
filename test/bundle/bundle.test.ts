/**
 * A bundle that carries only TLS (issue 11): `puretls/web` built by esbuild for
 * the browser and for `--platform=neutral` (Workers-style) holds no
 * certificate-issuing code (pkijs, asn1js and their helpers), no root store,
 * no node: module, and stays under the size the README states. The neutral
 * bundle is then loaded and runs a real handshake against itself, so the size
 * is that of a bundle that works. The root entry under the browser, worker,
 * workerd, deno and bun conditions resolves to the portable core.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/cert/index.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * gzip bound for puretls/web, in bytes (README: "Entry points and bundles"):
 * the measured size plus a little room for features still landing. Issue 11's
 * target is 80 kB; pkijs/asn1js reappearing would add ~80 kB and fail here
 * even before the content check.
 */
export const WEB_GZIP_LIMIT = 98_000;

/** Packages that only certificate issuing needs (pkijs and what it pulls in). */
const ISSUING = /node_modules\/(pkijs|asn1js|bytestreamjs|pvtsutils|pvutils|@peculiar)\//;

/** An application's use of puretls/web: a client with the pure provider, and a server (both roles ship in the entry). */
const APP = `import { secureWebStream } from 'puretls/web';
export function client(transport, ca) { return secureWebStream(transport, { provider: 'pure', servername: 'localhost', ca }); }
export function server(transport, cert, key) { return secureWebStream(transport, { provider: 'pure', isServer: true, cert, key }); }
`;

interface Built {
  code: Uint8Array;
  inputs: string[];
  gzip: number;
}

async function build(contents: string, platform: 'browser' | 'neutral', conditions: string[] = []): Promise<Built> {
  const r = await esbuild.build({
    stdin: { contents, resolveDir: HERE, loader: 'js', sourcefile: 'app.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform,
    conditions,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = r.outputFiles[0]!.contents;
  return { code, inputs: Object.keys(r.metafile.inputs), gzip: gzipSync(code, { level: 9 }).length };
}

const tmp = mkdtempSync(join(tmpdir(), 'puretls-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const kb = (n: number): string => `${(n / 1000).toFixed(1)} kB`;

describe('puretls/web bundled by esbuild', () => {
  for (const platform of ['browser', 'neutral'] as const) {
    it(`--platform=${platform}: no certificate issuing, no roots, no node:, at most ${kb(WEB_GZIP_LIMIT)} gzip`, async () => {
      const b = await build(APP, platform);
      expect(b.inputs.filter((f) => ISSUING.test(f)), 'issuing packages in the bundle').toEqual([]);
      expect(b.inputs.filter((f) => /\/x509\/(issue|roots\/)|\/cert\//.test(f)), 'issuing or root-store modules').toEqual([]);
      expect(b.inputs.filter((f) => /node-provider|\/io\/node\.js|\/cli\/|^node:/.test(f)), 'Node-only modules').toEqual([]);
      expect(b.inputs.some((f) => f.endsWith('dist/src/io/web.js'))).toBe(true);
      console.log(`puretls/web (${platform}): ${kb(b.code.length)} minified, ${kb(b.gzip)} gzip (zlib level 9)`);
      expect(b.gzip).toBeLessThanOrEqual(WEB_GZIP_LIMIT);
    });
  }

  it('a page using connectWebSocket carries no ws package and no node: module', async () => {
    const b = await build(`import { connectWebSocket } from 'puretls/web'; export const open = (url, ca) => connectWebSocket(url, { servername: 'localhost', ca });`, 'browser');
    expect(b.inputs.some((f) => f.endsWith('dist/src/io/websocket.js'))).toBe(true);
    expect(b.inputs.filter((f) => /node_modules\/ws\/|\/cli\/|^node:/.test(f))).toEqual([]);
    expect(b.inputs.filter((f) => ISSUING.test(f))).toEqual([]);
    console.log(`puretls/web with connectWebSocket (browser): ${kb(b.code.length)} minified, ${kb(b.gzip)} gzip`);
    expect(b.gzip).toBeLessThanOrEqual(WEB_GZIP_LIMIT);
  });

  it('the neutral bundle runs: a TLS 1.3 handshake and echo between its client and server', async () => {
    const b = await build(APP, 'neutral');
    const file = join(tmp, 'web.mjs');
    writeFileSync(file, b.code);
    const app = (await import(pathToFileURL(file).href)) as {
      client: (t: unknown, ca: string) => Stream;
      server: (t: unknown, cert: string, key: string) => Stream;
    };
    const ca = await createCertificateAuthority({ name: 'bundle test CA' });
    const leaf = await issueCertificate({ ca, names: ['localhost'] });
    const ab = new TransformStream<Uint8Array, Uint8Array>();
    const ba = new TransformStream<Uint8Array, Uint8Array>();
    const c = app.client({ readable: ba.readable, writable: ab.writable }, ca.certPem);
    const s = app.server({ readable: ab.readable, writable: ba.writable }, leaf.certPem, leaf.keyPem);
    const echo = s.readable.pipeTo(s.writable);
    const info = await c.handshake;
    expect(info.protocol).toBe('TLSv1.3');
    expect(info.peerVerified).toBe(true);
    const w = c.writable.getWriter();
    await w.write(new TextEncoder().encode('bundled'));
    await w.close();
    const got: Uint8Array[] = [];
    const reader = c.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) got.push(r.value);
    expect(new TextDecoder().decode(Buffer.concat(got))).toBe('bundled');
    await echo;
    expect(await c.closed).toEqual({ cleanly: true });
  });
});

interface Stream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
  handshake: Promise<{ protocol: string; peerVerified: boolean }>;
  closed: Promise<{ cleanly: boolean }>;
}

describe("the root entry 'puretls' under runtime conditions", () => {
  for (const condition of ['browser', 'worker', 'workerd', 'deno', 'bun']) {
    it(`resolves to the portable core under "${condition}" (no Node adapter, no issuing)`, async () => {
      const b = await build(`export * from 'puretls';`, 'neutral', [condition]);
      expect(b.inputs.some((f) => f.endsWith('dist/src/core.js'))).toBe(true);
      expect(b.inputs.filter((f) => /dist\/src\/index\.js|\/io\/node\.js|node-provider|^node:/.test(f))).toEqual([]);
      expect(b.inputs.filter((f) => ISSUING.test(f))).toEqual([]);
    });
  }

  it('puretls/cert is the one entry that carries pkijs', async () => {
    const b = await build(`export * from 'puretls/cert';`, 'browser');
    expect(b.inputs.some((f) => /node_modules\/pkijs\//.test(f))).toBe(true);
  });
});
