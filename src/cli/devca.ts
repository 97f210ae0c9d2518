/**
 * The development CA used by `serve` without --cert and by the demo: a CA and
 * a localhost certificate (the layout `puretls cert` writes), kept in the
 * user's own ~/.puretls/dev and reused while valid. Never a shared temporary
 * directory: another local user could plant a CA there or read its key.
 * Before anything is reused, the directories must be the user's own and
 * closed to others (0700) and the keys 0600; otherwise serve refuses.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate, type KeyType } from '../cert/index.js';

export interface PemPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface DevPki {
  dir: string;
  ca: PemPair;
  server: PemPair;
}

/** DIR/cert.pem and DIR/key.pem, the layout `puretls cert` writes. */
export function findPair(dir: string): PemPair | undefined {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  checkPrivate(keyFile, 'file');
  checkOwned(certFile, 'file');
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function save(dir: string, made: IssuedCertificate): PemPair {
  privateDir(dir);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, made.certPem, { mode: 0o644 });
  writeFileSync(keyFile, made.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { certFile, keyFile, cert: made.certPem, key: made.keyPem };
}

function stillValid(p: PemPair | undefined, days: number): boolean {
  if (!p) return false;
  try {
    const c = new X509Certificate(p.cert);
    return Date.parse(c.validTo) - Date.now() > days * 86_400_000;
  } catch {
    return false;
  }
}

/** Make (or reuse) a CA in `dir`/ca and a certificate for `names` in `dir`/`leafName`. */
export async function makePki(dir: string, opts: { names?: string; keyType?: KeyType; leafName?: string; client?: boolean; reuse?: boolean } = {}): Promise<DevPki> {
  privateDir(dir);
  const caDir = join(dir, 'ca');
  const leafDir = join(dir, opts.leafName ?? 'localhost');
  if (existsSync(caDir)) privateDir(caDir);
  if (existsSync(leafDir)) privateDir(leafDir);
  let ca = findPair(caDir);
  const reuse = opts.reuse !== false;
  if (!ca || !reuse || !stillValid(ca, 30)) {
    ca = save(caDir, await createCertificateAuthority({ name: 'puretls development CA', ...(opts.keyType ? { keyType: opts.keyType } : {}) }));
  }
  let server = findPair(leafDir);
  if (!server || !reuse || !stillValid(server, 7) || !issuedBy(server, ca)) {
    server = save(leafDir, await issueCertificate({
      ca: { certPem: ca.cert, keyPem: ca.key },
      names: (opts.names ?? 'localhost,127.0.0.1,::1').split(','),
      ...(opts.client ? { client: true } : {}),
      ...(opts.keyType ? { keyType: opts.keyType } : {}),
    }));
  }
  return { dir, ca, server };
}

function issuedBy(leaf: PemPair, ca: PemPair): boolean {
  try {
    return new X509Certificate(leaf.cert).checkIssued(new X509Certificate(ca.cert));
  } catch {
    return false;
  }
}

/** Thrown when the development CA's directory or keys are not private to the user. */
export class DevCaPermissionError extends Error {
  override readonly name = 'DevCaPermissionError';
}

const uid = (): number | undefined => process.getuid?.();

/** `path` exists, is not a symbolic link, is a `kind`, and belongs to the current user. */
function checkOwned(path: string, kind: 'file' | 'directory'): number {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) throw new DevCaPermissionError(`${path} is a symbolic link; the development CA needs a real ${kind} of yours (remove it to start afresh)`);
  if (kind === 'file' ? !st.isFile() : !st.isDirectory()) throw new DevCaPermissionError(`${path} is not a ${kind}`);
  const me = uid();
  if (me !== undefined && st.uid !== me) {
    throw new DevCaPermissionError(`${path} belongs to uid ${st.uid}, not to you (uid ${me}); refusing to use a development CA another user controls (remove it, or pass --cert and --key)`);
  }
  return st.mode & 0o777;
}

/** `path` is the user's own and closed to group and others (0700 directory, 0600 key). */
function checkPrivate(path: string, kind: 'file' | 'directory'): void {
  const mode = checkOwned(path, kind);
  // Windows has no POSIX modes: ownership is all that can be checked there.
  if (process.platform === 'win32') return;
  if (mode & 0o077) {
    const want = kind === 'file' ? '600' : '700';
    throw new DevCaPermissionError(
      `${path} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}); the development CA's private keys must be yours alone: ` +
        `run chmod ${want} ${path} (or remove it to start afresh)`,
    );
  }
}

/** Create `dir` (0700) if needed, then check it is private. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkPrivate(dir, 'directory');
}

/**
 * ~/.puretls/dev: the user's own directory, never a shared temporary one.
 * Refuses (DevCaPermissionError) when it, or ~/.puretls, is not private.
 */
export function devDir(home = homedir()): string {
  if (!home) throw new DevCaPermissionError('no home directory for the development CA: set HOME, or pass --cert and --key');
  const base = join(home, '.puretls');
  const dir = join(base, 'dev');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new DevCaPermissionError(`cannot create ${dir} for the development CA (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): set HOME to a directory of yours, or pass --cert and --key`);
  }
  checkPrivate(base, 'directory');
  checkPrivate(dir, 'directory');
  return dir;
}
