/**
 * `puretls cert`: make a development CA and certificates it issues, keeping
 * the PKI intact: an existing CA is not overwritten without --force, only a
 * real CA issues, and every name is checked before anything is written.
 *
 *   puretls cert ca --out DIR [--name N] [--key TYPE] [--days N] [--force]
 *   puretls cert issue --ca DIR --out DIR --name localhost[,127.0.0.1,…] [--client] [--days N] [--key TYPE]
 *
 * Writes DIR/cert.pem and DIR/key.pem (PKCS#8, mode 0600) and prints what it wrote.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertKeyMatchesCertificate, decodeCertificate, parseCertificate, parsePrivateKey, pemDecode } from '../x509/index.js';
import { KeyUsageBit, hasKeyUsage } from '../x509/certificate.js';
import { createCertificateAuthority, issueCertificate, KEY_TYPES, type IssuedCertificate, type KeyType } from '../cert/index.js';
import { intOption, list, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { nameProblem } from './names.js';

/** A failure that is not a usage error (exit 1): the files on disk are not what the command needs. */
export class CertError extends Error {
  override readonly name = 'CertError';
}

const KEY_OPTION: OptionSpec = { name: 'key', value: 'TYPE', help: `key type: ${KEY_TYPES.join(', ')}`, default: 'ecdsa-p256' };

function keyType(args: ParsedArgs): KeyType | undefined {
  const v = args.values.get('key');
  if (v === undefined) return undefined;
  if (!KEY_TYPES.includes(v as KeyType)) throw new UsageError(`--key must be one of ${KEY_TYPES.join(', ')} (got ${JSON.stringify(v)})`);
  return v as KeyType;
}

function days(args: ParsedArgs): number | undefined {
  return args.values.has('days') ? intOption(args, 'days', 1, 36500, 0) : undefined;
}

function required(args: ParsedArgs, name: string, cmd: string): string {
  const v = args.values.get(name);
  if (v === undefined || v === '') throw new UsageError(`${cmd}: --${name} is required`);
  return v;
}

function noPositionals(args: ParsedArgs): void {
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
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

/** The CA in `dir`, checked to be one: RFC 5280 §4.2.1.9 cA=TRUE and §4.2.1.3 keyCertSign, still valid. */
function readCa(dir: string): { certPem: string; keyPem: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) throw new CertError(`--ca ${dir} does not hold cert.pem and key.pem (make one with: puretls cert ca --out ${dir})`);
  const certPem = readFileSync(certFile, 'utf8');
  const der = pemDecode(certPem, 'CERTIFICATE')[0];
  if (!der) throw new CertError(`--ca: ${certFile} holds no CERTIFICATE`);
  let c;
  try {
    c = decodeCertificate(der);
  } catch (e) {
    throw new CertError(`--ca: ${certFile} is not a valid certificate: ${(e as Error).message}`);
  }
  if (!c.basicConstraints?.ca) throw new CertError(`--ca: ${certFile} is not a CA certificate (basicConstraints cA is not TRUE); certificates it signed would not verify`);
  // A CA whose keyUsage omits keyCertSign must not sign certificates (RFC 5280 §4.2.1.3).
  if (c.keyUsage && !hasKeyUsage(c, KeyUsageBit.keyCertSign)) throw new CertError(`--ca: ${certFile} is not allowed to sign certificates (its keyUsage lacks keyCertSign)`);
  if (Date.now() > c.notAfter) throw new CertError(`--ca: ${certFile} expired on ${new Date(c.notAfter).toISOString()}`);
  const keyPem = readFileSync(keyFile, 'utf8');
  // Certificates signed with another key would never verify against this CA.
  assertKeyMatchesCertificate(der, parsePrivateKey(keyPem), `--ca ${dir}: key.pem and cert.pem`);
  return { certPem, keyPem };
}

/** Does `dir` hold a CA certificate? */
function holdsCa(dir: string): boolean {
  try {
    const der = pemDecode(readFileSync(join(dir, 'cert.pem'), 'utf8'), 'CERTIFICATE')[0];
    return der !== undefined && decodeCertificate(der).basicConstraints?.ca === true;
  } catch {
    return false;
  }
}

function sameDir(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

export const certCaCommand: Command = {
  name: 'cert ca',
  summary: 'Make a certificate authority for development: DIR/cert.pem and DIR/key.pem (mode 0600).',
  description: 'Refuses to replace a CA already in DIR (every certificate it issued would stop verifying) unless --force is given.',
  options: [
    { name: 'out', value: 'DIR', help: 'directory to write cert.pem and key.pem into (required)' },
    { name: 'name', value: 'NAME', help: 'the CA\'s common name', default: 'puretls development CA' },
    KEY_OPTION,
    { name: 'days', value: 'N', help: 'validity in days', default: '3650' },
    { name: 'force', help: 'replace an existing cert.pem/key.pem in DIR' },
  ],
  examples: ['puretls cert ca --out ca', 'puretls cert ca --out ca --key ed25519 --name "My test CA" --days 365'],
  async run(args) {
    noPositionals(args);
    const out = required(args, 'out', 'cert ca');
    if (!args.flags.has('force') && (existsSync(join(out, 'cert.pem')) || existsSync(join(out, 'key.pem')))) {
      throw new CertError(`${out} already holds a certificate and key; replacing a CA breaks every certificate it issued. Use --force to replace it`);
    }
    const kt = keyType(args);
    const d = days(args);
    const made = await createCertificateAuthority({
      ...(args.values.has('name') ? { name: args.values.get('name')! } : {}),
      ...(kt ? { keyType: kt } : {}),
      ...(d ? { days: d } : {}),
    });
    write(out, made, 'CA certificate');
    return 0;
  },
};

export const certIssueCommand: Command = {
  name: 'cert issue',
  summary: 'Issue a server (or client) certificate signed by a CA made with `cert ca`.',
  description:
    'NAMES are DNS names (a leading *. label for a wildcard) and IP addresses; the first is also the subject CN. ' +
    'The issuer must be a CA (basicConstraints cA=TRUE, keyCertSign) and still valid.',
  options: [
    { name: 'ca', value: 'DIR', help: 'the issuing CA\'s directory (cert.pem, key.pem) (required)' },
    { name: 'out', value: 'DIR', help: 'directory to write cert.pem and key.pem into (required)' },
    { name: 'name', value: 'NAMES', help: 'comma-separated DNS names and IP addresses (required); --names is the same' },
    { name: 'names', value: 'NAMES', help: 'same as --name' },
    { name: 'client', help: 'a client certificate (extendedKeyUsage clientAuth) instead of a server one (serverAuth)' },
    KEY_OPTION,
    { name: 'days', value: 'N', help: 'validity in days (never beyond the CA\'s)', default: '365' },
    { name: 'force', help: 'write into a directory that holds a CA certificate' },
  ],
  examples: [
    'puretls cert issue --ca ca --out server --name localhost,127.0.0.1,::1',
    'puretls cert issue --ca ca --out alice --name alice --client --days 30',
  ],
  async run(args) {
    noPositionals(args);
    const caDir = required(args, 'ca', 'cert issue');
    const out = required(args, 'out', 'cert issue');
    if (args.values.has('name') && args.values.has('names')) throw new UsageError('--name and --names are the same option; give one');
    const names = list(args.values.get('name') ?? args.values.get('names')) ?? [];
    if (!names.length) throw new UsageError('cert issue: --name NAMES is required (DNS names and IP addresses, comma-separated)');
    for (const n of names) {
      const problem = nameProblem(n);
      if (problem) throw new UsageError(`--name: ${problem}`);
    }
    if (sameDir(caDir, out)) throw new UsageError(`--out ${out} is the CA's own directory: that would overwrite the CA`);
    if (!args.flags.has('force') && holdsCa(out)) throw new CertError(`${out} holds a CA certificate; writing a leaf over it would destroy the CA. Use --force to do it anyway`);
    const ca = readCa(caDir);
    const client = args.flags.has('client');
    const kt = keyType(args);
    const d = days(args);
    const made = await issueCertificate({ ca, names, client, ...(kt ? { keyType: kt } : {}), ...(d ? { days: d } : {}) });
    write(out, made, client ? 'client certificate' : 'server certificate');
    return 0;
  },
};
