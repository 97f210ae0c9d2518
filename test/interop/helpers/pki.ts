/**
 * Test PKI made with the openssl command line (once per test file): a CA,
 * server certificates for each key type, SNI certificates, a client
 * certificate. Loopback names: localhost and 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa2048' | 'rsa-pss' | 'ed25519';

export interface Pem {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  dir: string;
  ca: Pem;
  server: Record<KeyType, Pem>;
  sni: Record<string, Pem>;
  client: Pem;
  /** A client certificate from a CA nobody trusts. */
  strangerClient: Pem;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function genKey(dir: string, name: string, type: KeyType): string {
  const file = join(dir, `${name}.key`);
  const algo: Record<KeyType, string[]> = {
    'ecdsa-p256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    'ecdsa-p384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    'rsa-pss': ['-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048'],
    ed25519: ['-algorithm', 'ED25519'],
  };
  openssl(['genpkey', ...algo[type], '-out', file], dir);
  return file;
}

function makeCa(dir: string, name: string): Pem {
  const keyFile = genKey(dir, name, 'ecdsa-p256');
  const certFile = join(dir, `${name}.pem`);
  openssl(['req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-days', '30', '-sha256', '-out', certFile,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash'], dir);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

function issue(dir: string, ca: Pem, name: string, type: KeyType, sans: string, usage: 'serverAuth' | 'clientAuth', serial: number): Pem {
  const keyFile = genKey(dir, name, type);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, [
    'basicConstraints=critical,CA:FALSE',
    `keyUsage=critical,digitalSignature${type.startsWith('rsa') ? ',keyEncipherment' : ''}`,
    `extendedKeyUsage=${usage}`,
    ...(sans ? [`subjectAltName=${sans}`] : []),
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
  ].join('\n') + '\n');
  openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(serial),
    '-days', '30', '-sha256', '-extfile', ext, '-out', certFile], dir);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

export function makeTestPki(opts: { keyTypes?: KeyType[]; sni?: string[] } = {}): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-test-pki-'));
  const ca = makeCa(dir, 'puretls-test-ca');
  const types = opts.keyTypes ?? ['ecdsa-p256'];
  const server = {} as Record<KeyType, Pem>;
  let serial = 100;
  for (const t of types) server[t] = issue(dir, ca, `server-${t}`, t, 'DNS:localhost,IP:127.0.0.1', 'serverAuth', serial++);
  const sni: Record<string, Pem> = {};
  for (const n of opts.sni ?? []) sni[n] = issue(dir, ca, n, 'ecdsa-p256', `DNS:${n}`, 'serverAuth', serial++);
  const client = issue(dir, ca, 'client', 'ecdsa-p256', 'DNS:client.test', 'clientAuth', serial++);
  const stranger = makeCa(dir, 'stranger-ca');
  const strangerClient = issue(dir, stranger, 'stranger-client', 'ecdsa-p256', 'DNS:stranger.test', 'clientAuth', serial++);
  return { dir, ca, server, sni, client, strangerClient, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
