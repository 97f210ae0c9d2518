/**
 * The development CA used by `serve` without --cert and by the demo: a CA and
 * a localhost certificate (the layout `puretls cert` writes), kept in ~/.puretls/dev
 * (or a temporary directory when the home directory is not writable) and
 * reused while valid.
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
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
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function save(dir: string, made: IssuedCertificate): PemPair {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
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
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caDir = join(dir, 'ca');
  const leafDir = join(dir, opts.leafName ?? 'localhost');
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
