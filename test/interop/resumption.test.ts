/**
 * Session resumption (RFC 8446 §2.2) between the puretls CLI (built in dist/)
 * and OpenSSL's tools, over loopback: `openssl s_client -sess_out/-sess_in`
 * → `puretls serve`, and `puretls connect --sess-out/--sess-in/--resume` →
 * `openssl s_server -www`; 0-RTT early data to `openssl s_server -early_data`
 * and from `openssl s_client -early_data` to `serve --early-data`;
 * external PSKs (--psk-identity/--psk, OpenSSL's -psk_identity/-psk) both ways. Each case asserts the resumption from both
 * sides: OpenSSL's "Reused, TLSv1.3" and our page, trace or stderr.
 */
import { join } from 'node:path';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, killAll, run, type Child } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';
import { puretlsServe } from './helpers/tools.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
});

const GET = 'GET / HTTP/1.0\r\n\r\n';
const SERVER_KEY = () => ['--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile];

/** The value of one line of our server's page (`resumed:   yes` → `yes`). */
function pageField(page: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(page)?.[1]?.trim();
}

/** Run `openssl s_client`, feeding `input`; resolves with its output once it exits. */
async function sClient(port: number, args: string[], input: string): Promise<{ code: number | null; out: string; err: string }> {
  const c = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.ca.certFile, '-ign_eof', ...args]);
  c.proc.stdin.end(input);
  const code = await c.exit;
  return { code, out: c.stdout(), err: c.stderr() };
}

describe('openssl s_client -sess_out/-sess_in → puretls serve', () => {
  it('the second connection resumes with the ticket s_client saved', async () => {
    const sess = join(pki.dir, 'openssl-sess.pem');
    const { child, port } = await puretlsServe([...SERVER_KEY(), '--trace']);
    try {
      const first = await sClient(port, ['-sess_out', sess], GET);
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/New, TLSv1\.3/);
      expect(pageField(first.out, 'resumed')).toBe('no');
      expect(first.out).toMatch(/TLS session ticket lifetime hint: 7200/);

      const second = await sClient(port, ['-sess_in', sess], GET);
      expect(second.code).toBe(0);
      // OpenSSL's side: the session was reused.
      expect(second.out).toMatch(/Reused, TLSv1\.3/);
      // Our side: the page, the log line and the trace.
      expect(pageField(second.out, 'resumed')).toBe('yes');
      expect(pageField(second.out, 'PSK')).toBe('resumption');
      expect(pageField(second.out, 'signature scheme')).toBe('-');
      await child.kill();
      const trace = child.stderr();
      expect(trace).toMatch(/\[trace #1 [^\]]+\] >> NewSessionTicket, /);
      expect(trace).toMatch(/\[trace #2 [^\]]+\]\s+pre_shared_key: identity 0: \d+ bytes, binder 32 bytes/);
      expect(trace).toMatch(/\[trace #2 [^\]]+\]\s+pre_shared_key: selected identity 0/);
      expect(trace).not.toMatch(/\[trace #2 [^\]]+\] >> Certificate/);
      expect(trace).toMatch(/#2 [^\n]* resumed\n/);
    } finally {
      await child.kill();
    }
  });

  it('serve --tickets 0: no ticket, so s_client has no session to save', async () => {
    const sess = join(pki.dir, 'openssl-sess0.pem');
    const { child, port } = await puretlsServe([...SERVER_KEY(), '--tickets', '0', '--trace']);
    try {
      const first = await sClient(port, ['-sess_out', sess], GET);
      expect(first.code).toBe(0);
      expect(first.out).not.toMatch(/TLS session ticket lifetime hint/);
      expect(pageField(first.out, 'resumed')).toBe('no');
      expect(existsSync(sess)).toBe(false);
      await child.kill();
      expect(child.stderr()).not.toMatch(/NewSessionTicket/);
    } finally {
      await child.kill();
    }
  });
});

/** Start `openssl s_server -tls1_3 -www` and wait for its ACCEPT line. */
async function sServerWww(args: string[] = []): Promise<{ child: Child; port: number }> {
  const child = run('openssl', ['s_server', '-tls1_3', '-www', '-accept', '0', '-cert', pki.server['ecdsa-p256'].certFile,
    '-key', pki.server['ecdsa-p256'].keyFile, ...args]);
  const m = await child.waitFor(/ACCEPT \S*:(\d+)/);
  return { child, port: Number(m[1]) };
}

/** `puretls connect` with the test CA, sending `input`; resolves once it exits. */
async function puretlsConnect(port: number, args: string[], input: string): Promise<{ code: number | null; out: string; err: string }> {
  const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, ...args]);
  c.proc.stdin.end(input);
  const code = await c.exit;
  return { code, out: c.stdout(), err: c.stderr() };
}

describe('puretls connect → openssl s_server -www', () => {
  it('--resume: full handshake, then a resumed one with the ticket', async () => {
    const { child, port } = await sServerWww();
    try {
      const r = await puretlsConnect(port, ['--resume', '--trace'], GET);
      // Our side: the first connection was full, the second resumed (pre_shared_key selected, no Certificate).
      expect(r.err).toMatch(/first connection, waiting for a ticket/);
      expect(r.err).toMatch(/<< NewSessionTicket/);
      expect(r.err).toMatch(/session resumed: yes/);
      expect(r.err).toMatch(/pre_shared_key: selected identity 0/);
      expect(r.err.match(/<< Certificate, /g)).toHaveLength(1);
      // OpenSSL's side: its -www page for the second connection says the session was reused.
      expect(r.out).toMatch(/Reused, TLSv1\.3/);
    } finally {
      await child.kill();
    }
  });

  it('--sess-out then --sess-in: the saved session resumes on a new process', async () => {
    const sess = join(pki.dir, 'puretls-sess.bin');
    const { child, port } = await sServerWww();
    try {
      const first = await puretlsConnect(port, ['--sess-out', sess], GET);
      expect(first.out).toMatch(/New, TLSv1\.3/);
      expect(statSync(sess).size).toBeGreaterThan(0);
      expect(statSync(sess).mode & 0o077).toBe(0);
      const second = await puretlsConnect(port, ['--sess-in', sess], GET);
      expect(second.err).toMatch(/session resumed: yes/);
      expect(second.err).toMatch(/connected to [^\n]* resumed\n/);
      expect(second.out).toMatch(/Reused, TLSv1\.3/);
    } finally {
      await child.kill();
    }
  });
});

const PSK_ID = 'client1';
const PSK_HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';

describe('external PSK (RFC 8446 §2.2) with OpenSSL', () => {
  it('openssl s_client -psk_identity/-psk → serve --psk-identity/--psk: no certificate, our page says external', async () => {
    const { child, port } = await puretlsServe([...SERVER_KEY(), '--psk-identity', PSK_ID, '--psk', PSK_HEX, '--trace']);
    try {
      const r = await sClient(port, ['-psk_identity', PSK_ID, '-psk', PSK_HEX], GET);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/no peer certificate available/);
      expect(pageField(r.out, 'PSK')).toBe('external');
      expect(pageField(r.out, 'signature scheme')).toBe('-');
      await child.kill();
      expect(child.stderr()).toMatch(/pre_shared_key: selected identity 0/);
      expect(child.stderr()).not.toMatch(/>> Certificate/);
    } finally {
      await child.kill();
    }
  });

  it('connect --psk-identity/--psk → openssl s_server -nocert -psk: OpenSSL reports the PSK session', async () => {
    const child = run('openssl', ['s_server', '-tls1_3', '-www', '-accept', '0', '-nocert', '-psk_identity', PSK_ID, '-psk', PSK_HEX]);
    try {
      const port = Number((await child.waitFor(/ACCEPT \S*:(\d+)/))[1]);
      const r = await puretlsConnect(port, ['--psk-identity', PSK_ID, '--psk', PSK_HEX], GET);
      expect(r.err).toMatch(/authenticated by the external PSK/);
      expect(r.err).toMatch(/external PSK: used/);
      // s_server's page: the session came from the PSK ("Reused"), no client certificate.
      expect(r.out).toMatch(/Reused, TLSv1\.3/);
      expect(r.out).toMatch(/1 session cache hits/);
    } finally {
      await child.kill();
    }
  });

  it('a wrong PSK key is refused: the binder does not verify (decrypt_error)', async () => {
    const { child, port } = await puretlsServe([...SERVER_KEY(), '--psk-identity', PSK_ID, '--psk', PSK_HEX]);
    try {
      const r = await sClient(port, ['-psk_identity', PSK_ID, '-psk', 'ff'.repeat(32)], GET);
      expect(r.out + r.err).toMatch(/decrypt error/);
      expect(r.out).not.toMatch(/200 OK/);
    } finally {
      await child.kill();
    }
  });
});

describe('0-RTT: connect --resume --early-data → openssl s_server -early_data', () => {
  it('the early data is accepted and OpenSSL prints it as early data', async () => {
    const early = join(pki.dir, 'early.txt');
    writeFileSync(early, 'hello in 0-RTT\n');
    const child = run('openssl', ['s_server', '-tls1_3', '-accept', '0', '-cert', pki.server['ecdsa-p256'].certFile,
      '-key', pki.server['ecdsa-p256'].keyFile, '-early_data']);
    try {
      const port = Number((await child.waitFor(/ACCEPT \S*:(\d+)/))[1]);
      const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile,
        '--resume', '--early-data', early]);
      await c.waitFor(/early data: /, 'stderr');
      await child.waitFor(/hello in 0-RTT/);
      await child.waitFor(/Early data received:/);
      expect(c.stderr()).toMatch(/session resumed: yes/);
      expect(c.stderr()).toMatch(/early data: accepted/);
      c.proc.stdin.end();
      await c.kill();
    } finally {
      await child.kill();
    }
  });
});

describe('0-RTT: openssl s_client -sess_out, then -sess_in -early_data → puretls serve --early-data', () => {
  /** A session from `port` (s_client -sess_out), then a resumed connection to `port2` sending EARLY as early data and `input` after the handshake. */
  async function earlyRun(port: number, port2: number, name: string, input: string) {
    const sess = join(pki.dir, `${name}.sess`);
    const early = join(pki.dir, `${name}.early`);
    writeFileSync(early, GET);
    const first = await sClient(port, ['-sess_out', sess], GET);
    expect(first.code).toBe(0);
    return { first, second: await sClient(port2, ['-sess_in', sess, '-early_data', early], input) };
  }

  it('accepted: OpenSSL says "Early data was accepted"; the page answers the early request and says so, and so does the log', async () => {
    const { child, port } = await puretlsServe([...SERVER_KEY(), '--early-data', '--max-early-data', '4096']);
    try {
      const { first, second } = await earlyRun(port, port, 'early-ok', '');
      expect(first.out).toMatch(/Max Early Data: 4096/);
      expect(pageField(first.out, 'early data')).toBe('not offered');
      expect(second.code).toBe(0);
      expect(second.out).toMatch(/Reused, TLSv1\.3/);
      expect(second.out).toMatch(/Early data was accepted/);
      expect(pageField(second.out, 'resumed')).toBe('yes');
      expect(pageField(second.out, 'early data')).toBe(`accepted (${GET.length} bytes, replayable)`);
      await child.kill();
      expect(child.stderr()).toMatch(new RegExp(`#2 [^\n]* resumed early data accepted \\(${GET.length} bytes\\)\n`));
    } finally {
      await child.kill();
    }
  });

  it('a server without --early-data (same --ticket-keys) rejects it: OpenSSL says "Early data was rejected", resumed, the request after the handshake is answered', async () => {
    const keys = join(pki.dir, 'ticket-keys.bin');
    writeFileSync(keys, Buffer.alloc(48, 0x5a));
    const on = await puretlsServe([...SERVER_KEY(), '--early-data', '--ticket-keys', keys]);
    const off = await puretlsServe([...SERVER_KEY(), '--ticket-keys', keys]);
    try {
      const { second } = await earlyRun(on.port, off.port, 'early-off', GET);
      expect(second.code).toBe(0);
      expect(second.out).toMatch(/Reused, TLSv1\.3/);
      expect(second.out).toMatch(/Early data was rejected/);
      expect(pageField(second.out, 'resumed')).toBe('yes');
      expect(pageField(second.out, 'early data')).toBe('rejected');
    } finally {
      await on.child.kill();
      await off.child.kill();
    }
  });

  it('puretls connect --resume --early-data → serve --early-data: both sides say accepted; the early request is answered', async () => {
    const early = join(pki.dir, 'own-early.txt');
    writeFileSync(early, GET);
    const { child, port } = await puretlsServe([...SERVER_KEY(), '--early-data']);
    try {
      const r = await puretlsConnect(port, ['--resume', '--early-data', early], '');
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/session resumed: yes/);
      expect(r.err).toMatch(/early data: accepted\n/);
      expect(pageField(r.out, 'early data')).toBe(`accepted (${GET.length} bytes, replayable)`);
    } finally {
      await child.kill();
    }
  });

  it('serve usage: --max-early-data without --early-data, --early-data with --tickets 0, a ticket-key file of the wrong size', async () => {
    const short = join(pki.dir, 'short-keys.bin');
    writeFileSync(short, Buffer.alloc(32));
    for (const [args, re] of [
      [['--max-early-data', '10'], /--max-early-data needs --early-data/],
      [['--early-data', '--tickets', '0'], /--early-data needs tickets/],
      [['--ticket-keys', short], /--ticket-keys: .* must hold 48 bytes \(it holds 32\)/],
    ] as const) {
      const c = run(process.execPath, [CLI, 'serve', '--port', '0', ...SERVER_KEY(), ...args]);
      expect(await c.exit).toBe(2);
      expect(c.stderr()).toMatch(re);
    }
  });
});

describe('resumption options: usage errors exit 2 and name the option', () => {
  const notASession = () => {
    const f = join(pki.dir, 'not-a-session.bin');
    writeFileSync(f, 'garbage');
    return f;
  };
  const cases: [string, string[] | (() => string[]), RegExp][] = [
    ['--psk-identity without --psk', ['--psk-identity', 'x'], /--psk-identity and --psk go together/],
    ['a PSK under 16 bytes', ['--psk-identity', 'x', '--psk', '0011'], /--psk: at least 16 bytes/],
    ['--early-data without a session', ['--early-data', '/dev/null'], /--early-data needs a session to resume/],
    ['--sess-in with --resume', ['--sess-in', '/dev/null', '--resume'], /--sess-in and --resume are exclusive/],
    ['--sess-in that is not a session', () => ['--sess-in', notASession()], /--sess-in: .*not a puretls session/],
  ];
  for (const [label, args, re] of cases) {
    it(label, async () => {
      const r = await puretlsConnect(9, typeof args === 'function' ? args() : args, '');
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err).not.toMatch(/alert/);
    });
  }
});
