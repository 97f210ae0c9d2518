/**
 * GnuTLS command-line peers (Debian gnutls-bin): gnutls-cli as a client of
 * `puretls serve`, gnutls-serv as a server for `puretls connect`/`get`, and
 * the mapping between GnuTLS's names and ours.
 */
import { run, type Child } from './net.js';
import { requireBinary, waitForListeningPort } from './tools.js';

/** GnuTLS priority-string / description names for our cipher suites, groups and schemes. */
export const GNUTLS_CIPHER: Record<string, string> = {
  TLS_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
};
export const GNUTLS_GROUP: Record<string, string> = {
  x25519: 'X25519',
  secp256r1: 'SECP256R1',
  secp384r1: 'SECP384R1',
};
/** What gnutls prints in its Description for the server's CertificateVerify scheme. */
export const GNUTLS_SIGN: Record<string, string> = {
  ecdsa_secp256r1_sha256: 'ECDSA-SECP256R1-SHA256',
  rsa_pss_rsae_sha256: 'RSA-PSS-RSAE-SHA256',
  ed25519: 'EdDSA-Ed25519',
};

/** TLS 1.3 only, plus extra priority-string items (e.g. `-GROUP-ALL:+GROUP-X25519`). */
export function tls13Priority(...items: string[]): string {
  return ['NORMAL', '-VERS-ALL', '+VERS-TLS1.3', ...items].join(':');
}

/** `(TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-128-GCM)` for these names of ours. */
export function gnutlsDescription(group: string, scheme: string, suite: string): string {
  return `(TLS1.3-X.509)-(ECDHE-${GNUTLS_GROUP[group]!})-(${GNUTLS_SIGN[scheme]!})-(${GNUTLS_CIPHER[suite]!})`;
}

export interface CliResult {
  code: number | null;
  /** stdout and stderr together (gnutls-cli splits its messages between them). */
  all: string;
  stdout: string;
}

/**
 * Run `gnutls-cli` against 127.0.0.1:PORT (SNI localhost), feeding `input`
 * on stdin; resolves once it exits. After stdin ends gnutls-cli still reads
 * until the server closes, so a server that answers then closes needs no timer.
 */
export async function gnutlsCli(port: number, args: string[], input: string): Promise<CliResult> {
  const bin = requireBinary('gnutls-cli', 'gnutls-bin');
  const c = run(bin, ['--port', String(port), '--sni-hostname', 'localhost', ...args, '127.0.0.1']);
  c.proc.stdin.end(input);
  const code = await c.exit;
  return { code, all: c.stdout() + '\n' + c.stderr(), stdout: c.stdout() };
}

/**
 * Start `gnutls-serv` on an ephemeral port (it listens on every address and
 * does not print the port: read from /proc). Returns once it accepts.
 */
export async function gnutlsServ(args: string[]): Promise<{ child: Child; port: number }> {
  const bin = requireBinary('gnutls-serv', 'gnutls-bin');
  const child = run(bin, ['--port', '0', ...args]);
  const port = await waitForListeningPort(child, /listening on IPv4 .*done/, 'stderr');
  return { child, port };
}
