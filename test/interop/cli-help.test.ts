/**
 * The CLI explains itself (issue 10): help for every command from its option
 * table (meaning and default of each option, examples), --version, usage
 * errors that name the option (exit 2), --trace lines naming the client on
 * serve, serve on both loopbacks by default, an alert named once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandOptions } from '../../src/cli/command.js';
import { COMMANDS, runCli } from '../../src/cli/commands.js';
import { CLI, closeServer, killAll, listen, run } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
let home: string;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  home = mkdtempSync(join(tmpdir(), 'puretls-help-home-'));
});
afterAll(async () => {
  await killAll();
  pki?.cleanup();
  rmSync(home, { recursive: true, force: true });
});

/** runCli in-process with stdout and stderr captured. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const [o, e] = [process.stdout.write, process.stderr.write];
  let out = '';
  let err = '';
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await runCli(argv), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}

describe('help', () => {
  it('puretls --help lists every command with its summary', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.out).toContain(`  ${c.name} `);
    expect(r.out).toMatch(/puretls help COMMAND/);
    expect((await cli(['-h'])).out).toBe(r.out);
  });

  for (const c of COMMANDS) {
    it(`${c.name}: help, --help and -h show every option with its meaning and default, and examples`, async () => {
      const words = c.name.split(' ');
      const a = await cli(['help', ...words]);
      const b = await cli([...words, '--help']);
      const h = await cli([...words, '-h']);
      expect(a.code).toBe(0);
      expect(b).toEqual(a);
      expect(h).toEqual(a);
      const text = a.out.replace(/\s+/g, ' ');
      expect(text).toContain(`usage: puretls ${c.name}`);
      for (const o of commandOptions(c)) {
        expect(text).toContain(`--${o.name}${o.value ? ` ${o.value}` : ''}`);
        expect(text).toContain(o.help.replace(/\s+/g, ' '));
        if (o.default !== undefined) expect(text).toContain(`(default: ${o.default.replace(/\s+/g, ' ')})`);
      }
      expect(c.examples.length).toBeGreaterThan(0);
      for (const e of c.examples) expect(a.out).toContain(e);
    });
  }

  it('--version prints the package version', async () => {
    const v = run(process.execPath, [CLI, '--version']);
    expect(await v.exit).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(v.stdout()).toBe(`puretls ${pkg.version}\n`);
  });

  it('usage errors name the option and exit 2', async () => {
    const c = run(process.execPath, [CLI, 'connect', 'localhost:1', '--no-such']);
    expect(await c.exit).toBe(2);
    expect(c.stderr()).toMatch(/unknown option --no-such/);
    for (const [argv, msg] of [
      [['serve', '--port', 'eighty'], /--port: a whole number from 0 to 65535 \(got "eighty"\)/],
      [['connect', 'localhost:1', '--servername'], /--servername needs a value/],
      [['connect', 'localhost:1', '--insecure=yes'], /--insecure takes no value/],
      [['connect', 'localhost:1', '--alpn', 'h2', '--alpn', 'http/1.1'], /--alpn given twice/],
      [['connect', 'localhost:1', '--provider', 'openssl'], /--provider: pure, webcrypto or node \(got openssl\)/],
      [['bogus'], /unknown command "bogus"/],
      [['cert', 'sign'], /unknown cert command "sign"/],
      [['help', 'nothing'], /no command "nothing"/],
    ] as const) {
      const r = await cli([...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toMatch(msg);
    }
  });

  it('an unreadable file names the option and the path (exit 2)', async () => {
    const r = await cli(['connect', 'localhost:1', '--ca', '/nonexistent/ca.pem']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--ca: cannot read /nonexistent/ca.pem: ENOENT');
    const k = await cli(['serve', '--cert', pki.server['ecdsa-p256'].certFile, '--key', join(home, 'missing.key')]);
    expect(k.code).toBe(2);
    expect(k.err).toContain(`--key: cannot read ${join(home, 'missing.key')}: ENOENT`);
    const l = await cli(['connect', 'localhost:1', '--keylog', '/nonexistent/dir/keys.log']);
    expect(l.code).toBe(2);
    expect(l.err).toContain('--keylog: cannot write /nonexistent/dir/keys.log: ENOENT');
  });
});

describe('serve', () => {
  it('--trace: every line names the client (connection number and address:port), messages decoded once', async () => {
    const child = run(process.execPath, [CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--trace', '--echo',
      '--cert', pki.server['ecdsa-p256'].certFile, '--key', pki.server['ecdsa-p256'].keyFile]);
    try {
      const port = Number((await child.waitFor(/listening on \S+:(\d+)/))[1]);
      const localPort = await new Promise<number>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, minVersion: 'TLSv1.3' }, () => {
          const p = s.localPort!;
          s.end();
          s.on('close', () => resolve(p));
        });
        s.on('error', reject);
        s.resume();
      });
      const who = `[trace #1 127.0.0.1:${localPort}]`;
      await child.waitFor(/>> Finished/, 'stderr');
      const traced = child.stderr().split('\n').filter((l) => l.startsWith('[trace'));
      expect(traced.length).toBeGreaterThan(10);
      for (const l of traced) expect(l.startsWith(who + ' ')).toBe(true);
      const titles = traced.map((l) => l.slice(who.length + 1)).filter((l) => /^(<<|>>)/.test(l));
      // The handshake in order, each message named once (then any NewSessionTickets).
      expect(titles.map((t) => t.replace(/, \d+ bytes$/, '')).slice(0, 7)).toEqual([
        '<< ClientHello', '>> ServerHello', '>> EncryptedExtensions', '>> Certificate', '>> CertificateVerify', '>> Finished', '<< Finished',
      ]);
      for (const t of titles.slice(7)) expect(t).toMatch(/^>> NewSessionTicket, \d+ bytes$/);
      expect(titles[0]).toMatch(/^<< ClientHello, \d+ bytes$/);
      expect(child.stderr()).toMatch(/cipher_suites: TLS_AES_\d+_GCM_SHA\d+/);
      expect(child.stderr()).toMatch(/supported_groups: .*x25519/);
      expect(child.stderr()).toMatch(/signature_scheme: ecdsa_secp256r1_sha256, signature: \d+ bytes/);
      expect(child.stderr()).toMatch(/certificate 0: CN=\S+ \[localhost, 127\.0\.0\.1\], issuer CN=/);
    } finally {
      await child.kill();
    }
  });

  it('the default host listens on 127.0.0.1 and ::1, and the development certificate names ::1', async () => {
    const child = run(process.execPath, [CLI, 'serve', '--port', '0'], { env: { HOME: home } });
    try {
      const m = await child.waitFor(/listening on 127\.0\.0\.1:(\d+) and \[::1\]:(\d+)/);
      expect(m[2]).toBe(m[1]);
      const ca = (await child.waitFor(/development CA: (\S+)/))[1]!;
      const g = run(process.execPath, [CLI, 'get', `https://[::1]:${m[1]}/`, '--ca', ca, '--quiet']);
      expect(await g.exit).toBe(0);
      expect(g.stdout()).toMatch(/protocol:\s+TLSv1\.3/);
    } finally {
      await child.kill();
    }
    const named = run(process.execPath, [CLI, 'serve', '--port', '0', '--host', 'localhost'], { env: { HOME: home } });
    try {
      await named.waitFor(/listening on 127\.0\.0\.1:(\d+) and \[::1\]:\1/);
    } finally {
      await named.kill();
    }
  });
});

it('a fatal alert from the peer is named once', async () => {
  const server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3',
    requestCert: true, rejectUnauthorized: true, ca: pki.ca.cert }, (s) => s.end('unreachable'));
  server.on('tlsClientError', () => undefined);
  const port = await listen(server);
  try {
    const c = run(process.execPath, [CLI, 'connect', `127.0.0.1:${port}`, '--servername', 'localhost', '--ca', pki.ca.certFile, '--quiet']);
    c.proc.stdin.write('x');
    expect(await c.exit).toBe(1);
    expect(c.stderr()).toMatch(/peer sent fatal alert certificate_required/);
    expect(c.stderr().match(/certificate_required/g)).toHaveLength(1);
  } finally {
    await closeServer(server);
  }
});
