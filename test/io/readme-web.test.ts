/**
 * The README's Web Streams snippet runs as written: its code block is taken
 * from README.md and run against Node's own https server on loopback, with
 * `connect()` (Cloudflare's, in the snippet) opening a TCP socket as a Web
 * Streams pair and `myRootsPem` the test CA. It must finish: the response is
 * read to the server's close_notify, our close_notify goes, `closed` says
 * cleanly.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/cert/index.js';
import { secureWebStream } from '../../src/io/web.js';
import { brotli, zlib } from '../../src/compression/index.js';
import { createServer } from '../../src/io/node.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { socketStreams } from './socket-streams.js';

const root = new URL('../../', import.meta.url);
let caPem: string;
let server: https.Server;
let port: number;

beforeAll(async () => {
  const ca = await createCertificateAuthority({ name: 'README test CA', keyType: 'ecdsa-p256' });
  const leaf = await issueCertificate({ ca, names: ['example.com'], keyType: 'ecdsa-p256' });
  caPem = ca.certPem;
  server = https.createServer({ cert: leaf.certPem, key: leaf.keyPem, minVersion: 'TLSv1.3' }, (req, res) => {
    res.end(`hello from ${req.headers.host}`);
  });
  port = await listen(server);
});
afterAll(() => closeServer(server));

/** The ```ts block of README.md that contains `marker`. */
function readmeBlock(marker: string): string {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const found = blocks.filter((b) => b.includes(marker));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('README: the Web Streams snippet', () => {
  it('runs as written and finishes with a clean close', async () => {
    const code = readmeBlock("connect({ hostname: 'example.com', port: 443 }); // e.g. Cloudflare");
    // Its one import is the package's own Web entry, which the test provides.
    const importLine = "import { secureWebStream } from 'puretls/web';\n";
    expect(code.startsWith(importLine)).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./web']).toBeDefined();

    const logged: unknown[] = [];
    const connect = (_opts: { hostname: string; port: number }) =>
      socketStreams(net.connect({ host: '127.0.0.1', port, allowHalfOpen: true }));
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    const run = new AsyncFunction('secureWebStream', 'connect', 'myRootsPem', 'console', code.slice(importLine.length));
    await run(secureWebStream, connect, caPem, { log: (...a: unknown[]) => logged.push(...a) });

    const response = logged.filter((x): x is string => typeof x === 'string').join('');
    expect(response).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(response).toContain('hello from example.com');
    expect(logged.at(-1)).toEqual({ cleanly: true });
  }, 20_000);
});

describe('README: the certificate compression snippet', () => {
  it('runs as written: a puretls server sends its chain as a brotli CompressedCertificate, the snippet verifies it', async () => {
    const code = readmeBlock("import { brotli, zlib } from 'puretls/compression';");
    const imports = "import { secureWebStream } from 'puretls/web';\nimport { mozillaRoots } from 'puretls/roots';\nimport { brotli, zlib } from 'puretls/compression';\n";
    expect(code.startsWith(imports)).toBe(true);
    const ca = await createCertificateAuthority({ name: 'README test CA', keyType: 'ecdsa-p256' });
    const leaf = await issueCertificate({ ca, names: ['example.com'], keyType: 'ecdsa-p256' });
    const sent: string[] = [];
    const server = createServer({
      cert: leaf.certPem, key: leaf.keyPem, certificateCompression: ['brotli'],
      onHandshakeMessage: (d, t) => { if (d === 'sent') sent.push(t); },
    }, (s) => { s.on('error', () => undefined); s.resume(); s.on('end', () => s.end()); });
    const serverPort = await listen(server);
    try {
      const openTcp = (_host: string, _port: number) => socketStreams(net.connect({ host: '127.0.0.1', port: serverPort, allowHalfOpen: true }));
      const logged: unknown[] = [];
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
      const run = new AsyncFunction('secureWebStream', 'mozillaRoots', 'brotli', 'zlib', 'openTcp', 'console', code.slice(imports.length));
      await run(secureWebStream, [ca.certPem], brotli, zlib, openTcp, { log: (...a: unknown[]) => logged.push(...a) });
      expect(logged).toEqual([1]);
      expect(sent).toContain('compressed_certificate');
      expect(sent).not.toContain('certificate');
    } finally {
      await closeServer(server);
    }
  }, 20_000);
});
