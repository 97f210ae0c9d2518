/**
 * Go's crypto/tls (Debian golang-go; test/interop/go/main.go, built once
 * per run) against the puretls CLI, on loopback: a Go client → `puretls
 * serve` and `puretls get` → a Go HTTPS server. Server key types, groups,
 * HelloRetryRequest both ways, cipher suites, mutual TLS (with and without a
 * client certificate), KeyUpdate(update_requested) from our server.
 * Session resumption both ways, each asserted from both sides: a Go client
 * with tls.NewLRUClientSessionCache → `serve` (Go's DidResume and our page),
 * and `connect --resume` / the Node adapter's `session` → the Go server (our
 * isSessionReused() and trace, Go's DidResume in its response). Go 1.19's
 * crypto/tls has no 0-RTT (early data) in either role, so none is tested here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, killAll, run, type Child } from './helpers/net.js';
import { adapterRequest } from './helpers/adapter-request.js';
import { PURE_DEFAULT_SUITE } from './helpers/groups.js';
import { makeTestPki, type KeyType, type TestPki } from './helpers/pki.js';

const SRC = fileURLToPath(new URL('./go/', import.meta.url));
let pki: TestPki;
let tmp: string;
let bin: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'puretls-go-'));
  bin = join(tmp, 'interop');
  try {
    execFileSync('go', ['build', '-o', bin, '.'], {
      cwd: SRC,
      env: { ...process.env, GOCACHE: join(tmp, 'cache'), GOPATH: join(tmp, 'gopath'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    throw new Error(`building the Go peer needs the go toolchain (Debian golang-go; .ci/run installs it): ${(e as Error).message}`);
  }
  pki = makeTestPki({ keyTypes: ['ecdsa-p256', 'rsa2048', 'ed25519'] });
}, 120_000);

afterAll(async () => {
  await killAll();
  pki?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function serve(args: string[]): Promise<{ child: Child; port: number }> {
  const child = run(process.execPath, [CLI, 'serve', '--port', '0', ...args]);
  const m = await child.waitFor(/listening on \S+:(\d+)/);
  return { child, port: Number(m[1]) };
}

interface GoResult {
  suite?: string;
  version?: number;
  body?: string;
  error?: string;
}

/** The Go client: GET `path`, one JSON line back. */
async function goGet(port: number, curves: string, path = '/', cert?: { certFile: string; keyFile: string }): Promise<GoResult> {
  const args = ['client', `127.0.0.1:${port}`, 'localhost', pki.ca.certFile, curves, path];
  if (cert) args.push(cert.certFile, cert.keyFile);
  const c = run(bin, args);
  const code = await c.exit;
  expect(code, c.stderr()).toBe(0);
  return JSON.parse(c.stdout().trim()) as GoResult;
}

/** One line of our server's status page, e.g. field(body, 'group'). */
function field(body: string | undefined, name: string): string | undefined {
  return body?.match(new RegExp(`^${name}:\\s+(.*)$`, 'm'))?.[1]?.trim();
}

const SCHEME: Partial<Record<KeyType, string>> = {
  'ecdsa-p256': 'ecdsa_secp256r1_sha256',
  rsa2048: 'rsa_pss_rsae_sha256',
  ed25519: 'ed25519',
};

describe('Go crypto/tls client → puretls serve', () => {
  for (const kt of ['ecdsa-p256', 'rsa2048', 'ed25519'] as const) {
    it(`server key ${kt}`, async () => {
      const { child, port } = await serve(['--cert', pki.server[kt].certFile, '--key', pki.server[kt].keyFile]);
      try {
        const r = await goGet(port, 'x25519');
        expect(r.error).toBeUndefined();
        expect(r.version).toBe(0x0304);
        expect(field(r.body, 'protocol')).toBe('TLSv1.3');
        expect(field(r.body, 'signature scheme')).toBe(SCHEME[kt]);
        expect(field(r.body, 'cipher suite')).toBe(r.suite);
      } finally {
        await child.kill();
      }
    });
  }

  it('each group Go offers a share for, without HelloRetryRequest', async () => {
    const { child, port } = await serve(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile]);
    try {
      for (const g of ['x25519', 'secp256r1', 'secp384r1']) {
        const r = await goGet(port, g);
        expect(r.error).toBeUndefined();
        expect(field(r.body, 'group')).toBe(g);
        expect(field(r.body, 'hello retry')).toBe('no');
      }
    } finally {
      await child.kill();
    }
  });

  it('HelloRetryRequest: Go sends an x25519 share, we only take secp384r1', async () => {
    const { child, port } = await serve(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, '--groups', 'secp384r1']);
    try {
      const r = await goGet(port, 'x25519,secp384r1');
      expect(r.error).toBeUndefined();
      expect(field(r.body, 'group')).toBe('secp384r1');
      expect(field(r.body, 'hello retry')).toBe('yes');
    } finally {
      await child.kill();
    }
  });

  for (const [short, suite] of [['aes256gcm', 'TLS_AES_256_GCM_SHA384'], ['chacha20poly1305', 'TLS_CHACHA20_POLY1305_SHA256']] as const) {
    it(`cipher suite ${suite} (our choice)`, async () => {
      const { child, port } = await serve(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, '--suites', short]);
      try {
        const r = await goGet(port, 'x25519');
        expect(r.error).toBeUndefined();
        expect(r.suite).toBe(suite);
        expect(field(r.body, 'cipher suite')).toBe(suite);
      } finally {
        await child.kill();
      }
    });
  }

  it('KeyUpdate(update_requested) from our server mid-connection: Go answers and reads on', async () => {
    const { child, port } = await serve(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, '--trace']);
    try {
      const r = await goGet(port, 'x25519', '/keyupdate');
      expect(r.error).toBeUndefined();
      expect(field(r.body, 'key update')).toMatch(/sent KeyUpdate\(update_requested\)/);
      // Go's answer: a KeyUpdate of its own (RFC 8446 §4.6.3).
      await child.waitFor(/<< KeyUpdate, \d+ bytes\n[^\n]*\]\s+update_not_requested/, 'stderr');
    } finally {
      await child.kill();
    }
  });

  it('mutual TLS: Go presents its certificate; without one → certificate_required', async () => {
    const { child, port } = await serve([
      '--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, '--verify-client', '--ca', pki.ca.certFile,
    ]);
    try {
      const ok = await goGet(port, 'x25519', '/', pki.client);
      expect(ok.error).toBeUndefined();
      expect(field(ok.body, 'client certificate')).toMatch(/CN=/);
      const refused = await goGet(port, 'x25519', '/');
      expect(refused.error ?? '').toMatch(/certificate required/);
    } finally {
      await child.kill();
    }
  });
});

describe('Go crypto/tls client with a ClientSessionCache → puretls serve: resumption', () => {
  it("the second connection resumes with our ticket: Go's DidResume and our page agree", async () => {
    const { child, port } = await serve(['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile, '--trace']);
    try {
      const c = run(bin, ['resume', `127.0.0.1:${port}`, 'localhost', pki.ca.certFile]);
      expect(await c.exit, c.stderr()).toBe(0);
      const [first, second] = JSON.parse(c.stdout().trim()) as { didResume?: boolean; body?: string; error?: string }[];
      expect(first!.error).toBeUndefined();
      expect(second!.error).toBeUndefined();
      // Go's side: ConnectionState().DidResume.
      expect(first!.didResume).toBe(false);
      expect(second!.didResume).toBe(true);
      // Our side: the page of each connection, then the trace (PSK selected, no Certificate on #2).
      expect(field(first!.body, 'resumed')).toBe('no');
      expect(field(second!.body, 'resumed')).toBe('yes');
      expect(field(second!.body, 'PSK')).toBe('resumption');
      expect(field(second!.body, 'signature scheme')).toBe('-');
      await child.kill();
      const trace = child.stderr();
      expect(trace).toMatch(/\[trace #1 [^\]]+\] >> NewSessionTicket, /);
      expect(trace).toMatch(/\[trace #2 [^\]]+\]\s+pre_shared_key: selected identity 0/);
      expect(trace).not.toMatch(/\[trace #2 [^\]]+\] >> Certificate, /);
      expect(trace).toMatch(/#2 [^\n]* resumed\n/);
    } finally {
      await child.kill();
    }
  });
});

/** Start the Go HTTPS server; resolves with its port. */
async function goServe(kt: KeyType, clientCa?: string): Promise<{ child: Child; port: number }> {
  const args = ['server', pki.server[kt].certFile, pki.server[kt].keyFile];
  if (clientCa) args.push(clientCa);
  const child = run(bin, args);
  const m = await child.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
  return { child, port: Number(m[1]) };
}

async function get(port: number, extra: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const c = run(process.execPath, [CLI, 'get', `https://localhost:${port}/`, '--ca', pki.ca.certFile, ...extra]);
  const code = await c.exit;
  return { code, out: c.stdout(), err: c.stderr() };
}

describe('puretls get → Go crypto/tls server', () => {
  for (const kt of ['ecdsa-p256', 'rsa2048', 'ed25519'] as const) {
    it(`server key ${kt}`, async () => {
      const { child, port } = await goServe(kt);
      try {
        const r = await get(port, []);
        expect(r.code, r.err).toBe(0);
        expect(r.out).toMatch(/^go crypto\/tls: TLS_CHACHA20_POLY1305_SHA256 HTTP\/1\.1 client certificates=0$/m);
        expect(r.err).toContain(`TLSv1.3 ${PURE_DEFAULT_SUITE} x25519 ${SCHEME[kt]!}`);
      } finally {
        await child.kill();
      }
    });
  }

  it('secp256r1 and secp384r1 shares', async () => {
    const { child, port } = await goServe('ecdsa-p256');
    try {
      for (const g of ['secp256r1', 'secp384r1']) {
        const r = await get(port, ['--groups', g]);
        expect(r.code, r.err).toBe(0);
        expect(r.err).toMatch(new RegExp(`TLSv1\\.3 \\S+ ${g} `));
        expect(r.err).not.toMatch(/ hrr\b/);
      }
    } finally {
      await child.kill();
    }
  });

  it('HelloRetryRequest from Go: our only share is X25519MLKEM768 (unknown to Go 1.19), it asks for secp384r1', async () => {
    const { child, port } = await goServe('ecdsa-p256');
    try {
      const r = await get(port, ['--groups', 'X25519MLKEM768,secp384r1', '--trace']);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/<< HelloRetryRequest, \d+ bytes/);
      expect(r.err).toMatch(/TLSv1\.3 \S+ secp384r1 \S+.* hrr/);
    } finally {
      await child.kill();
    }
  });

  it('mutual TLS: Go requires a certificate; ours is accepted, none is refused', async () => {
    const { child, port } = await goServe('ecdsa-p256', pki.ca.certFile);
    try {
      const ok = await get(port, ['--cert', pki.client.certFile, '--key', pki.client.keyFile]);
      expect(ok.code, ok.err).toBe(0);
      expect(ok.out).toMatch(/client certificates=1/);
      const refused = await get(port, []);
      expect(refused.code).not.toBe(0);
      expect(refused.err).toMatch(/alert (bad_certificate|certificate_required)/);
    } finally {
      await child.kill();
    }
  });
});

describe("puretls client → Go crypto/tls server: resumption with Go's ticket", () => {
  it("connect --resume: our second connection resumes; Go's DidResume says so", async () => {
    const { child, port } = await goServe('ecdsa-p256');
    try {
      const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--resume', '--trace']);
      c.proc.stdin.end('GET / HTTP/1.0\r\n\r\n');
      expect(await c.exit, c.stderr()).toBe(0);
      // Our side.
      expect(c.stderr()).toMatch(/<< NewSessionTicket, /);
      expect(c.stderr()).toMatch(/pre_shared_key: selected identity 0/);
      expect(c.stderr().match(/<< Certificate, /g)).toHaveLength(1);
      expect(c.stderr()).toMatch(/session resumed: yes/);
      // Go's side: the request went over the second (resumed) connection only.
      expect(c.stdout()).toMatch(/^resumed=true$/m);
    } finally {
      await child.kill();
    }
  });

  it("the Node adapter's session option: isSessionReused() and Go's DidResume", async () => {
    const { child, port } = await goServe('ecdsa-p256');
    try {
      const get = (session?: Buffer) => adapterRequest(port, pki.ca.cert, 'GET / HTTP/1.0\r\n\r\n', session);
      const a = await get();
      expect(a.reused).toBe(false);
      expect(a.page).toMatch(/^resumed=false$/m);
      expect(a.session, 'the Go server sent no ticket').toBeDefined();
      const b = await get(a.session);
      expect(b.reused).toBe(true);
      expect(b.page).toMatch(/^resumed=true$/m);
    } finally {
      await child.kill();
    }
  });
});
