/**
 * A throw-away PostgreSQL server from Debian's package on a loopback port,
 * with TLS required (`hostssl` only) and `ssl_min_protocol_version =
 * 'TLSv1.3'`: initdb into a temporary directory, certificate and key from
 * the test PKI, `postgres -D DIR` as a child. Run as root (CI), the server
 * runs as the `postgres` user (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface Postgres {
  port: number;
  stop(): Promise<void>;
}

/** The directory of Debian's PostgreSQL server binaries (newest version); throws when missing. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres'))) : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL server is not installed: this test needs it (apt-get install -y postgresql; .ci/run installs it)');
  }
  return join(base, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startPostgres(tls: { cert: string; key: string }): Promise<Postgres> {
  const bin = postgresBinDir();
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? execFileSync('id', ['-u', 'postgres']).toString().trim() : undefined;
  const group = asRoot ? execFileSync('id', ['-g', 'postgres']).toString().trim() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'puretls-pg-'));
  const data = join(dir, 'data');
  const own = (path: string): void => {
    if (owner !== undefined) chownSync(path, Number(owner), Number(group));
  };
  own(dir);
  const asServer = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const [c, a] = asServer(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  execFileSync(c, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await freePort();
  writeFileSync(join(data, 'server.crt'), tls.cert);
  writeFileSync(join(data, 'server.key'), tls.key);
  chmodSync(join(data, 'server.key'), 0o600);
  own(join(data, 'server.crt'));
  own(join(data, 'server.key'));
  writeFileSync(join(data, 'postgresql.auto.conf'), [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    'ssl = on',
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    "ssl_min_protocol_version = 'TLSv1.3'",
    'fsync = off',
  ].join('\n') + '\n');
  // Only TLS connections from loopback are let in (hostnossl is rejected).
  writeFileSync(join(data, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n');
  own(join(data, 'postgresql.auto.conf'));
  own(join(data, 'pg_hba.conf'));
  const [sc, sa] = asServer(join(bin, 'postgres'), ['-D', data]);
  // Its own process group: runuser does not pass signals on, so stop() signals the group.
  const child: ChildProcess = spawn(sc, sa, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postgres did not start in 30 s:\n${log}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`postgres exited (${code}):\n${log}`));
    });
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid!, 'SIGINT'); // fast shutdown of postgres and its workers
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
