/**
 * GnuTLS 3.7 (gnutls-bin) against the puretls CLI (built in dist/), over
 * loopback: gnutls-cli → `puretls serve` and `puretls get` → gnutls-serv.
 * Each case checks what was negotiated from both sides: gnutls prints a
 * `Description: (TLS1.3-X.509)-(ECDHE-…)-(…)-(…)` line, our server's page
 * and our client's `connected to …` line name suite, group and scheme.
 * Groups are always pinned on both sides where a group is asserted.
 * Resumption both ways: gnutls-cli --resume → serve, and our client (the CLI's
 * `connect --resume` and the Node adapter's `session` option) with
 * gnutls-serv's tickets, each asserted from both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, killAll, run, type Child } from './helpers/net.js';
import { PURE_DEFAULT_SUITE } from './helpers/groups.js';
import { makeTestPki, type KeyType, type TestPki } from './helpers/pki.js';
import { gnutlsCli, gnutlsDescription, gnutlsServ, GNUTLS_CIPHER, GNUTLS_GROUP, tls13Priority } from './helpers/gnutls.js';
import { puretlsServe } from './helpers/tools.js';
import { adapterRequest } from './helpers/adapter-request.js';

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
const GROUPS = ['x25519', 'secp256r1', 'secp384r1'] as const;
const KEYS: [KeyType, string][] = [
  ['ecdsa-p256', 'ecdsa_secp256r1_sha256'],
  ['rsa2048', 'rsa_pss_rsae_sha256'],
  ['ed25519', 'ed25519'],
];
/** Our server's groups, pinned (the library default may change). */
const SERVER_GROUPS = ['--groups', GROUPS.join(',')];
const GET = 'GET / HTTP/1.0\r\n\r\n';

let pki: TestPki;
beforeAll(() => {
  // A missing gnutls-cli/gnutls-serv fails each test (not a skip) with a clear message: see helpers/gnutls.ts.
  pki = makeTestPki({ keyTypes: KEYS.map(([k]) => k) });
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
});

/** The value of one line of our server's page (`group:   x25519` → `x25519`). */
function pageField(page: string, name: string): string | undefined {
  const m = new RegExp(`^${name.replace(/[()]/g, '\\$&')}:\\s+(.*)$`, 'm').exec(page);
  return m?.[1]?.trim();
}

function serverKeyArgs(type: KeyType): string[] {
  return ['--cert', pki.server[type].certFile, '--key', pki.server[type].keyFile];
}

describe('gnutls-cli → puretls serve', () => {
  let server: { child: Child; port: number };
  beforeAll(async () => {
    server = await puretlsServe([...serverKeyArgs('ecdsa-p256'), ...SERVER_GROUPS]);
  });
  afterAll(async () => {
    await server?.child.kill();
  });

  for (const suite of SUITES) {
    it(`cipher suite ${suite}`, async () => {
      const r = await gnutlsCli(server.port, ['--x509cafile', pki.ca.certFile,
        '--priority', tls13Priority('-CIPHER-ALL', `+${GNUTLS_CIPHER[suite]!}`, '-GROUP-ALL', '+GROUP-X25519')], GET);
      expect(r.code).toBe(0);
      expect(r.all).toContain(`- Description: ${gnutlsDescription('x25519', 'ecdsa_secp256r1_sha256', suite)}`);
      expect(r.all).toMatch(/Status: The certificate is trusted/);
      expect(pageField(r.stdout, 'protocol')).toBe('TLSv1.3');
      expect(pageField(r.stdout, 'cipher suite')).toBe(suite);
      expect(pageField(r.stdout, 'group')).toBe('x25519');
      expect(pageField(r.stdout, 'hello retry')).toBe('no');
    });
  }

  for (const group of GROUPS) {
    it(`group ${group}`, async () => {
      const r = await gnutlsCli(server.port, ['--x509cafile', pki.ca.certFile,
        '--priority', tls13Priority('-GROUP-ALL', `+GROUP-${GNUTLS_GROUP[group]!}`)], GET);
      expect(r.code).toBe(0);
      expect(r.all).toMatch(new RegExp(`- Description: \\(TLS1\\.3-X\\.509\\)-\\(ECDHE-${GNUTLS_GROUP[group]!}\\)-`));
      expect(pageField(r.stdout, 'group')).toBe(group);
      expect(pageField(r.stdout, 'hello retry')).toBe('no');
    });
  }

  it('HelloRetryRequest: gnutls offers secp521r1 (unsupported by us) first with its only key share, then secp256r1', async () => {
    // GnuTLS sends a key share for the first group of each kind only: one
    // secp521r1 share here, which we cannot use (RFC 8446 §4.1.4: HRR).
    const { child, port } = await puretlsServe([...serverKeyArgs('ecdsa-p256'), ...SERVER_GROUPS, '--trace']);
    try {
      const r = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile,
        '--priority', tls13Priority('-GROUP-ALL', '+GROUP-SECP521R1', '+GROUP-SECP256R1')], GET);
      expect(r.code).toBe(0);
      expect(r.all).toContain(`- Description: ${gnutlsDescription('secp256r1', 'ecdsa_secp256r1_sha256', PURE_DEFAULT_SUITE)}`);
      expect(pageField(r.stdout, 'hello retry')).toBe('yes');
      expect(pageField(r.stdout, 'group')).toBe('secp256r1');
      await child.kill();
      // The second ClientHello arrived after our HelloRetryRequest.
      const trace = child.stderr();
      expect(trace).toMatch(/>> HelloRetryRequest, \d+ bytes/);
      expect(trace.match(/<< ClientHello, /g)).toHaveLength(2);
    } finally {
      await child.kill();
    }
  });

  for (const [type, scheme] of KEYS) {
    it(`server key ${type}: CertificateVerify with ${scheme}`, async () => {
      const { child, port } = await puretlsServe([...serverKeyArgs(type), ...SERVER_GROUPS]);
      try {
        const r = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile,
          '--priority', tls13Priority('-GROUP-ALL', '+GROUP-X25519')], GET);
        expect(r.code).toBe(0);
        expect(r.all).toMatch(/Status: The certificate is trusted/);
        expect(r.all).toContain(`- Description: ${gnutlsDescription('x25519', scheme, PURE_DEFAULT_SUITE)}`);
        expect(pageField(r.stdout, 'signature scheme')).toBe(scheme);
      } finally {
        await child.kill();
      }
    });
  }

  it('KeyUpdate both ways: gnutls ^rekey^ (update_requested) is answered; /keyupdate makes us send KeyUpdate(update_requested) first', async () => {
    const { child, port } = await puretlsServe([...serverKeyArgs('ecdsa-p256'), ...SERVER_GROUPS, '--trace']);
    try {
      const r = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile, '--inline-commands'],
        '^rekey^\nGET /keyupdate HTTP/1.0\r\n\r\n');
      expect(r.code).toBe(0);
      expect(r.all).toMatch(/Rekey was completed/);
      // gnutls read the page that was sent under our new traffic key.
      expect(r.stdout).toMatch(/HTTP\/1\.1 200 OK/);
      expect(pageField(r.stdout, 'key update')).toMatch(/sent KeyUpdate\(update_requested\)/);
      await child.kill();
      const trace = child.stderr();
      // Their KeyUpdate(update_requested) → our KeyUpdate(update_not_requested), then ours for /keyupdate.
      const kus = [...trace.matchAll(/(<<|>>) KeyUpdate, \d+ bytes\n[^\n]*\]\s+update_(not_)?requested/g)].map((m) => `${m[1] === '<<' ? 'received' : 'sent'} ${m[2] ? 0 : 1}`);
      expect(kus.slice(0, 3)).toEqual(['received 1', 'sent 0', 'sent 1']);
      // gnutls may answer ours before it closes (its next record), never more than once.
      expect(kus.slice(3)).toEqual(kus.length > 3 ? ['received 0'] : []);
    } finally {
      await child.kill();
    }
  });

  it('mutual TLS: --verify-client takes gnutls-cli --x509certfile; without a certificate: certificate_required', async () => {
    const { child, port } = await puretlsServe([...serverKeyArgs('ecdsa-p256'), ...SERVER_GROUPS, '--ca', pki.ca.certFile, '--verify-client']);
    try {
      const ok = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile,
        '--x509certfile', pki.client.certFile, '--x509keyfile', pki.client.keyFile], GET);
      expect(ok.code).toBe(0);
      expect(pageField(ok.stdout, 'client certificate')).toMatch(/CN\s*=\s*client/);
      expect(pageField(ok.stdout, 'client verified')).toBe('yes');
      const bad = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile], GET);
      expect(bad.code).not.toBe(0);
      // RFC 8446 §4.4.2.4: certificate_required (116).
      expect(bad.all).toMatch(/Received alert \[116\]: Certificate is required/);
      expect(bad.stdout).not.toMatch(/200 OK/);
      await child.kill();
      expect(child.stderr()).toMatch(/handshake failed: .*certificate_required/);
    } finally {
      await child.kill();
    }
  });

  it('--resume: the second connection resumes with our ticket (RFC 8446 §2.2), seen from both sides', async () => {
    const { child, port } = await puretlsServe([...serverKeyArgs('ecdsa-p256'), ...SERVER_GROUPS, '--trace']);
    try {
      const r = await gnutlsCli(port, ['--x509cafile', pki.ca.certFile, '--resume'], GET);
      expect(r.code).toBe(0);
      expect(r.all).toMatch(/Connecting again- trying to resume previous session/);
      // gnutls-cli's side: it offered our ticket and the server took it.
      expect(r.all).toMatch(/Resume Handshake was completed/);
      expect(r.all).toMatch(/This is a resumed session/);
      // Our side: gnutls-cli sends the request on the resumed connection only, and our page says so.
      expect(pageField(r.stdout, 'resumed')).toBe('yes');
      expect(pageField(r.stdout, 'signature scheme')).toBe('-');
      await child.kill();
      const trace = child.stderr();
      // First connection: a full handshake, then our tickets (RFC 8446 §4.6.1).
      expect(trace).toMatch(/\[trace #1 [^\]]+\] >> Certificate, /);
      expect(trace).toMatch(/\[trace #1 [^\]]+\] >> NewSessionTicket, /);
      // Second connection: pre_shared_key offered and selected (§4.2.11), no Certificate.
      expect(trace).toMatch(/\[trace #2 [^\]]+\]\s+pre_shared_key: identity 0: \d+ bytes, binder \d+ bytes/);
      expect(trace).toMatch(/\[trace #2 [^\]]+\]\s+pre_shared_key: selected identity 0/);
      expect(trace).not.toMatch(/\[trace #2 [^\]]+\] >> Certificate/);
      expect(trace.match(/>> Certificate, /g)).toHaveLength(1);
      expect(trace).toMatch(/#2 [^\n]* resumed\n/);
    } finally {
      await child.kill();
    }
  });
});

/** `puretls get https://127.0.0.1:PORT/` trusting the test CA; resolves once it exits. */
async function puretlsGet(port: number, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = run(process.execPath, [CLI, 'get', `https://127.0.0.1:${port}/`, '--servername', 'localhost', '--ca', pki.ca.certFile, ...args]);
  const code = await c.exit;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** gnutls-serv --http with a server key; no client certificate requested unless `extra` says so. */
function gnutlsHttp(type: KeyType, priority: string, extra: string[] = ['--disable-client-cert']) {
  return gnutlsServ(['--http', '--x509certfile', pki.server[type].certFile, '--x509keyfile', pki.server[type].keyFile,
    '--priority', priority, ...extra]);
}

describe('puretls get → gnutls-serv --http', () => {
  for (const suite of SUITES) {
    it(`cipher suite ${suite}`, async () => {
      const s = await gnutlsHttp('ecdsa-p256', tls13Priority('-CIPHER-ALL', `+${GNUTLS_CIPHER[suite]!}`));
      try {
        const r = await puretlsGet(s.port, ['--groups', 'x25519']);
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`connected to 127.0.0.1:${s.port}: TLSv1.3 ${suite} x25519 ecdsa_secp256r1_sha256`);
        // gnutls-serv's page describes the session from its side.
        expect(r.stdout).toContain(`<TD>Description:</TD><TD>${gnutlsDescription('x25519', 'ecdsa_secp256r1_sha256', suite)}</TD>`);
      } finally {
        await s.child.kill();
      }
    });
  }

  for (const group of GROUPS) {
    it(`group ${group}`, async () => {
      const s = await gnutlsHttp('ecdsa-p256', tls13Priority('-GROUP-ALL', `+GROUP-${GNUTLS_GROUP[group]!}`));
      try {
        const r = await puretlsGet(s.port, ['--groups', group]);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`connected to \\S+: TLSv1\\.3 ${PURE_DEFAULT_SUITE} ${group} ecdsa_secp256r1_sha256`));
        expect(r.stderr).not.toMatch(/ hrr/);
        expect(r.stdout).toContain(`<TD>Description:</TD><TD>${gnutlsDescription(group, 'ecdsa_secp256r1_sha256', PURE_DEFAULT_SUITE)}</TD>`);
      } finally {
        await s.child.kill();
      }
    });
  }

  for (const [type, scheme] of KEYS) {
    it(`server key ${type}: we verify ${scheme}`, async () => {
      const s = await gnutlsHttp(type, tls13Priority('-GROUP-ALL', '+GROUP-X25519'));
      try {
        const r = await puretlsGet(s.port, ['--groups', 'x25519']);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`connected to \\S+: TLSv1\\.3 ${PURE_DEFAULT_SUITE} x25519 ${scheme}`));
        expect(r.stdout).toContain(`<TD>Description:</TD><TD>${gnutlsDescription('x25519', scheme, PURE_DEFAULT_SUITE)}</TD>`);
      } finally {
        await s.child.kill();
      }
    });
  }

  it('HelloRetryRequest: gnutls-serv takes only secp384r1, our client sends one x25519 share', async () => {
    const s = await gnutlsHttp('ecdsa-p256', tls13Priority('-GROUP-ALL', '+GROUP-SECP384R1'));
    try {
      const r = await puretlsGet(s.port, ['--groups', 'x25519,secp384r1', '--trace']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/<< HelloRetryRequest, \d+ bytes/);
      expect(r.stderr.match(/>> ClientHello, /g)).toHaveLength(2);
      expect(r.stderr).toMatch(/connected to \S+: TLSv1\.3 TLS_CHACHA20_POLY1305_SHA256 secp384r1 ecdsa_secp256r1_sha256 .*hrr/);
      expect(r.stdout).toContain(`<TD>Description:</TD><TD>${gnutlsDescription('secp384r1', 'ecdsa_secp256r1_sha256', PURE_DEFAULT_SUITE)}</TD>`);
    } finally {
      await s.child.kill();
    }
  });

  it('mutual TLS: gnutls-serv --require-client-cert accepts --cert/--key, refuses a client without one', async () => {
    const s = await gnutlsHttp('ecdsa-p256', tls13Priority('-GROUP-ALL', '+GROUP-X25519'),
      ['--require-client-cert', '--x509cafile', pki.ca.certFile]);
    try {
      const ok = await puretlsGet(s.port, ['--groups', 'x25519', '--cert', pki.client.certFile, '--key', pki.client.keyFile]);
      expect(ok.code).toBe(0);
      // gnutls-serv prints the verified client certificate in its page.
      expect(ok.stdout).toMatch(/X\.509 Certificate Information:[^]*?\sSubject: CN=client\n/);
      const bad = await puretlsGet(s.port, ['--groups', 'x25519']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/peer sent fatal alert certificate_required/);
      expect(bad.stdout).toBe('');
    } finally {
      await s.child.kill();
    }
  });
});

/** `puretls connect 127.0.0.1:PORT` (SNI localhost, test CA), sending `input`; resolves once it exits. */
async function puretlsConnect(port: number, args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, ...args]);
  c.proc.stdin.end(input);
  const code = await c.exit;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** gnutls-serv prints one block per accepted connection on stdout; `*** This is a resumed session` marks a resumed one. */
function gnutlsServResumed(log: string): boolean[] {
  return log.split(/^\* Accepted connection from /m).slice(1).map((block) => /^\*\*\* This is a resumed session$/m.test(block));
}

describe('puretls client → gnutls-serv tickets (RFC 8446 §4.6.1, §2.2)', () => {
  it('connect --resume: the second connection resumes with gnutls-serv\'s ticket, seen from both sides', async () => {
    const s = await gnutlsHttp('ecdsa-p256', tls13Priority('-GROUP-ALL', '+GROUP-X25519'));
    try {
      const r = await puretlsConnect(s.port, ['--resume', '--trace'], GET);
      expect(r.code, r.stderr).toBe(0);
      // Our side: a ticket arrived on the first connection, the second offered it and the server selected it.
      expect(r.stderr).toMatch(/first connection, waiting for a ticket/);
      expect(r.stderr).toMatch(/<< NewSessionTicket, /);
      expect(r.stderr).toMatch(/pre_shared_key: selected identity 0/);
      expect(r.stderr.match(/<< Certificate, /g)).toHaveLength(1);
      expect(r.stderr).toMatch(/connected to [^\n]* resumed\n/);
      expect(r.stderr).toMatch(/session resumed: yes/);
      // gnutls-serv's side: it logs the second connection as resumed; its page (the second connection's) has no
      // certificate signature in its Description, as a PSK handshake has none.
      await s.child.waitFor(/This is a resumed session/);
      expect(gnutlsServResumed(s.child.stdout())).toEqual([false, true]);
      expect(r.stdout).toContain(`<TD>Description:</TD><TD>(TLS1.3-X.509)--(${GNUTLS_CIPHER[PURE_DEFAULT_SUITE]!})</TD>`);
      expect(r.stdout).not.toMatch(/ECDSA-SECP256R1-SHA256/);
    } finally {
      await s.child.kill();
    }
  });

  it("the Node adapter's session option (from its 'session' event) resumes; isSessionReused() and gnutls-serv agree", async () => {
    const s = await gnutlsHttp('ecdsa-p256', tls13Priority());
    try {
      const get = (session?: Buffer) => adapterRequest(s.port, pki.ca.cert, GET, session);
      const a = await get();
      expect(a.reused).toBe(false);
      expect(a.page).toMatch(/HTTP\/1\.0 200 OK/);
      expect(a.session, 'gnutls-serv sent no ticket').toBeDefined();
      const b = await get(a.session);
      expect(b.page).toMatch(/HTTP\/1\.0 200 OK/);
      expect(b.reused).toBe(true);
      await s.child.waitFor(/This is a resumed session/);
      expect(gnutlsServResumed(s.child.stdout())).toEqual([false, true]);
    } finally {
      await s.child.kill();
    }
  });
});
