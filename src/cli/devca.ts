/**
 * The development CA used by `serve` without --cert and by the demo: a CA and
 * a localhost certificate made with `puretls cert`, kept in ~/.puretls/dev
 * (or a temporary directory when the home directory is not writable) and
 * reused while valid.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCert } from './cert.js';

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

/** The certificate and key PEM files in a directory written by `puretls cert`. */
export function findPair(dir: string): PemPair | undefined {
  if (!existsSync(dir)) return undefined;
  let certFile: string | undefined;
  let keyFile: string | undefined;
  for (const f of readdirSync(dir).sort()) {
    const path = join(dir, f);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    if (!keyFile && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) keyFile = path;
    else if (!certFile && text.includes('-----BEGIN CERTIFICATE-----')) certFile = path;
  }
  if (!certFile || !keyFile) return undefined;
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
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

async function cert(argv: string[]): Promise<void> {
  // runCert prints what it wrote; keep our own output to the lines users need.
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let code: unknown;
  try {
    code = await runCert(argv);
  } finally {
    process.stdout.write = write;
  }
  if (typeof code === 'number' && code !== 0) throw new Error(`puretls cert ${argv.join(' ')} failed (exit ${code})`);
}

/** Make (or reuse) a CA in `dir`/ca and a certificate for `names` in `dir`/`leafName`. */
export async function makePki(dir: string, opts: { names?: string; keyType?: string; leafName?: string; client?: boolean; reuse?: boolean } = {}): Promise<DevPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caDir = join(dir, 'ca');
  const leafDir = join(dir, opts.leafName ?? 'localhost');
  let ca = findPair(caDir);
  const reuse = opts.reuse !== false;
  if (!ca || !reuse || !stillValid(ca, 30)) {
    await cert(['ca', '--out', caDir, '--name', 'puretls development CA', ...(opts.keyType ? ['--key', opts.keyType] : [])]);
    ca = findPair(caDir);
    if (!ca) throw new Error(`puretls cert ca wrote no certificate/key in ${caDir}`);
  }
  let server = findPair(leafDir);
  if (!server || !reuse || !stillValid(server, 7) || !issuedBy(server, ca)) {
    await cert(['issue', '--ca', caDir, '--out', leafDir, '--name', opts.names ?? 'localhost,127.0.0.1,::1',
      ...(opts.client ? ['--client'] : [])]);
    server = findPair(leafDir);
    if (!server) throw new Error(`puretls cert issue wrote no certificate/key in ${leafDir}`);
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

/** ~/.puretls/dev, or a per-user temporary directory when home is not writable. */
export function devDir(): string {
  const candidates = [join(homedir(), '.puretls', 'dev'), join(tmpdir(), `puretls-dev-${process.getuid?.() ?? 'user'}`)];
  for (const d of candidates) {
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      return d;
    } catch {
      /* try the next */
    }
  }
  throw new Error('no writable directory for the development CA');
}
