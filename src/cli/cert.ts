/**
 * `puretls cert`: make a development CA and certificates it issues.
 *
 *   puretls cert ca --out DIR [--name N] [--key TYPE] [--days N]
 *   puretls cert issue --ca DIR --out DIR --name localhost[,127.0.0.1,…] [--client] [--days N] [--key TYPE]
 *
 * Writes DIR/cert.pem and DIR/key.pem (PKCS#8, mode 0600) and prints what it wrote.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate, type KeyType } from '../cert/index.js';
import { parseCertificate } from '../x509/index.js';

export const CERT_USAGE = `usage:
  puretls cert ca --out DIR [--name NAME] [--key ecdsa-p256|ecdsa-p384|ed25519|rsa2048] [--days N]
  puretls cert issue --ca DIR --out DIR --name localhost[,127.0.0.1,...] [--client] [--days N]
                     [--key ecdsa-p256|ecdsa-p384|ed25519|rsa2048]
Writes DIR/cert.pem and DIR/key.pem (PKCS#8, mode 0600).`;

const KEY_TYPES: readonly KeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa2048'];

class UsageError extends Error {}

interface Parsed {
  flags: Map<string, string>;
  bools: Set<string>;
}

function parseArgs(argv: string[], valued: string[], booleans: string[]): Parsed {
  const flags = new Map<string, string>();
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? (eq > 0 ? a.slice(2, eq) : a.slice(2)) : undefined;
    if (name && valued.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, v);
    } else if (name && booleans.includes(name)) {
      bools.add(name);
    } else {
      throw new UsageError(`unknown argument ${a}`);
    }
  }
  return { flags, bools };
}

function keyType(v: string | undefined): KeyType | undefined {
  if (v === undefined) return undefined;
  if (!KEY_TYPES.includes(v as KeyType)) throw new UsageError(`--key must be one of ${KEY_TYPES.join(', ')}`);
  return v as KeyType;
}

function days(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 36500) throw new UsageError('--days must be a whole number of days from 1 to 36500');
  return n;
}

function write(dir: string, made: IssuedCertificate, what: string): void {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, made.certPem, { mode: 0o644 });
  writeFileSync(keyFile, made.keyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // mode is ignored when the file already existed
  const s = parseCertificate(made.certDer);
  const names = [...s.subjectAltNames.dns, ...s.subjectAltNames.ip];
  process.stdout.write(
    `wrote ${certFile} (${what}: ${s.subject}${names.length ? `; names ${names.join(', ')}` : ''}; ${s.publicKeyType}; ` +
      `valid until ${s.notAfter.toISOString()}; sha256 ${s.fingerprintSha256})\n` +
      `wrote ${keyFile} (private key, PKCS#8, mode 0600)\n`,
  );
}

function readCa(dir: string): { certPem: string; keyPem: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) throw new Error(`${dir} does not hold cert.pem and key.pem (make one with: puretls cert ca --out ${dir})`);
  return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
}

export async function runCert(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'ca') {
      const p = parseArgs(rest, ['out', 'name', 'key', 'days'], []);
      const out = p.flags.get('out');
      if (!out) throw new UsageError('cert ca: --out DIR is required');
      const made = await createCertificateAuthority({
        ...(p.flags.has('name') ? { name: p.flags.get('name')! } : {}),
        ...(p.flags.has('key') ? { keyType: keyType(p.flags.get('key'))! } : {}),
        ...(p.flags.has('days') ? { days: days(p.flags.get('days'))! } : {}),
      });
      write(out, made, 'CA certificate');
      return 0;
    }
    if (sub === 'issue') {
      const p = parseArgs(rest, ['ca', 'out', 'name', 'names', 'key', 'days'], ['client']);
      const caDir = p.flags.get('ca');
      const out = p.flags.get('out');
      const nameList = p.flags.get('name') ?? p.flags.get('names');
      if (!caDir || !out || !nameList) throw new UsageError('cert issue: --ca DIR, --out DIR and --name NAMES are required');
      const names = nameList.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
      if (!names.length) throw new UsageError('cert issue: --name needs at least one name');
      const client = p.bools.has('client');
      const made = await issueCertificate({
        ca: readCa(caDir),
        names,
        client,
        ...(p.flags.has('key') ? { keyType: keyType(p.flags.get('key'))! } : {}),
        ...(p.flags.has('days') ? { days: days(p.flags.get('days'))! } : {}),
      });
      write(out, made, client ? 'client certificate' : 'server certificate');
      return 0;
    }
    if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
      process.stdout.write(CERT_USAGE + '\n');
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown cert command ${sub}`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`puretls cert: ${e.message}\n${CERT_USAGE}\n`);
      return 2;
    }
    process.stderr.write(`puretls cert: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
