/**
 * workerd, Cloudflare's Workers runtime (the `workerd` npm package, pinned):
 * a Worker bundled by esbuild under the `workerd` condition opens connect()
 * (secureTransport: 'off') to a loopback Node `tls` echo server (TLS 1.3 only)
 * and speaks TLS through puretls/web. The test drives it over HTTP and checks
 * the echoed bytes and the negotiated parameters against what the server
 * saw, for each provider. The Worker may reach 127.0.0.0/8 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import * as tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';
import { PROVIDERS, runtimeBinary } from './helpers.js';

const WORKER = fileURLToPath(new URL('./workerd/worker.js', import.meta.url));

const CONFIG = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["127.0.0.0/8"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
);
`;

let pki: TestPki;
let dir: string;
let workerd: ChildProcess | undefined;
let httpPort: number;
let stderr = '';
let server: tls.Server;
let tlsPort: number;
const seen: { protocol: string | null; cipher: string | undefined; servername: string | false | undefined; echoed: number }[] = [];

beforeAll(async () => {
  const bin = runtimeBinary('workerd');
  pki = makeTestPki();
  dir = mkdtempSync(join(tmpdir(), 'puretls-workerd-'));
  await esbuild.build({
    entryPoints: [WORKER], bundle: true, format: 'esm', platform: 'neutral', conditions: ['workerd', 'worker'],
    external: ['cloudflare:*'], outfile: join(dir, 'worker.js'), logLevel: 'silent',
  });
  writeFileSync(join(dir, 'config.capnp'), CONFIG);

  server = tls.createServer({ key: pki.server['ecdsa-p256'].key, cert: pki.server['ecdsa-p256'].cert, minVersion: 'TLSv1.3' }, (s) => {
    const entry = { protocol: s.getProtocol(), cipher: s.getCipher()?.standardName, servername: (s as tls.TLSSocket & { servername?: string | false }).servername, echoed: 0 };
    seen.push(entry);
    s.on('data', (d: Buffer) => { entry.echoed += d.length; s.write(d); });
    s.on('end', () => s.end()); // answer close_notify + FIN with ours
    s.on('error', () => undefined);
  });
  tlsPort = await listen(server);

  // --control-fd 3: workerd writes {"event":"listen","socket":"http","port":N} there.
  const child = spawn(bin, ['serve', 'config.capnp', '--control-fd', '3'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  workerd = child;
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout!.on('data', (d: Buffer) => { stderr += d.toString(); });
  httpPort = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`workerd did not report its port; output: ${stderr}`)), 20_000);
    (child.stdio[3] as Readable).on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /"socket":"http","port":(\d+)/.exec(buf);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`workerd exited (${code}): ${stderr}`)); });
  });
}, 60_000);

afterAll(async () => {
  workerd?.kill('SIGKILL');
  if (server) await closeServer(server);
  pki?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a Worker in workerd speaks TLS 1.3 through puretls/web over connect()', () => {
  for (const provider of PROVIDERS) {
    it(`${provider} provider: handshake to Node's tls, echo, close_notify both ways`, async () => {
      const message = `from workerd (${provider}): ${'x'.repeat(40_000)}`;
      const before = seen.length;
      const res = await fetch(`http://127.0.0.1:${httpPort}/`, {
        method: 'POST',
        body: JSON.stringify({ port: tlsPort, provider, message, ca: pki.ca.cert }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, `${JSON.stringify(body)} ${stderr}`).toBe(200);
      expect(body.echoed).toBe(message);
      expect(body.protocol).toBe('TLSv1.3');
      expect(body.peerVerified).toBe(true);
      expect(body.servername).toBe('localhost');
      expect(body.signatureScheme).toBe('ecdsa_secp256r1_sha256');
      expect(body.closed).toEqual({ cleanly: true });
      expect(body.state).toBe('closed');
      // What the Worker says was negotiated is what Node's server saw.
      expect(seen.length).toBe(before + 1);
      const s = seen[before]!;
      expect(s.protocol).toBe('TLSv1.3');
      expect(s.cipher).toBe(body.cipherSuite);
      expect(s.servername).toBe('localhost');
      expect(s.echoed).toBe(new TextEncoder().encode(message).length);
    });
  }
});
