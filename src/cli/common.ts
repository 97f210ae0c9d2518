/** Options shared by `serve`, `connect`, `get` and `bench`: files, lists, --trace, --keylog. */
import { appendFileSync, readFileSync } from 'node:fs';
import type { ConnectOptions, ServerOptions } from '../io/node.js';
import { DEFAULT_GROUPS, MAX_VERIFY_BUDGET } from '../handshake/config.js';
import { DEFAULT_VERIFY_BUDGET } from '../x509/verify-budget.js';
import { ALL_CIPHER_SUITES } from '../crypto/cipher-suites.js';
import { intOption, list, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { traceFor } from './trace.js';

export { traceFor };

/** Option rows common to every TLS command (the CA row differs between clients and servers). */
export const TLS_OPTIONS: readonly OptionSpec[] = [
  { name: 'cert', value: 'FILE', help: 'our certificate chain, PEM: the leaf first, then intermediates' },
  { name: 'key', value: 'FILE', help: 'the private key of --cert: PKCS#8, SEC1 or PKCS#1 PEM' },
  { name: 'alpn', value: 'LIST', help: 'ALPN protocols in preference order, comma-separated (h2,http/1.1)' },
  { name: 'groups', value: 'LIST', help: 'key-exchange groups in preference order', default: DEFAULT_GROUPS.join(',') },
  {
    name: 'suites', value: 'LIST',
    help: `cipher suites in preference order (IANA names, or ${ALL_CIPHER_SUITES.map((s) => s.shortName).join(', ')})`,
    default: "all three, in the provider's preference order",
  },
  { name: 'sigalgs', value: 'LIST', help: 'signature schemes to accept and offer, colon- or comma-separated (ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256)', default: 'every TLS 1.3 scheme' },
  { name: 'provider', value: 'NAME', help: "crypto provider: pure (portable TypeScript), webcrypto (crypto.subtle) or node (node:crypto)", default: 'pure' },
  { name: 'keylog', value: 'FILE', help: 'append NSS key-log lines (for Wireshark) to FILE, created mode 0600', default: '$SSLKEYLOGFILE when set, else none' },
  { name: 'trace', help: 'print every handshake message, decoded, on stderr (like openssl s_client -msg)' },
  { name: 'verify-budget', value: 'N', help: `work units verifying the peer's chain may spend (one ECDSA P-256 verification = 1; 1..${MAX_VERIFY_BUDGET})`, default: String(DEFAULT_VERIFY_BUDGET) },
];

/** Read a file named by an option; the error names the option and the path. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** NSS key-log lines appended to FILE (the format Wireshark and SSLKEYLOGFILE use); `what` names the option in errors. */
export function keyLogWriter(path: string, what = '--keylog'): (line: string) => void {
  // Synchronous appends: every secret is on disk before the handshake moves on.
  try {
    appendFileSync(path, '', { mode: 0o600 });
  } catch (e) {
    throw new UsageError(`${what}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return (line: string) => appendFileSync(path, line + '\n');
}

/** The TLS options common to client and server commands. */
export function commonTlsOptions(args: ParsedArgs): ConnectOptions & ServerOptions {
  const o: ConnectOptions & ServerOptions = {};
  const v = args.values;
  if (v.has('ca')) o.ca = readText(v.get('ca')!, '--ca');
  if (v.has('cert') !== v.has('key')) throw new UsageError('--cert and --key go together');
  if (v.has('cert')) {
    o.cert = readText(v.get('cert')!, '--cert');
    o.key = readText(v.get('key')!, '--key');
  }
  const alpn = list(v.get('alpn'));
  if (alpn) o.ALPNProtocols = alpn;
  const groups = list(v.get('groups'));
  if (groups) o.groups = groups;
  const suites = list(v.get('suites'));
  if (suites) o.cipherSuites = suites;
  if (v.has('sigalgs')) o.sigalgs = v.get('sigalgs')!;
  // --keylog FILE, else the SSLKEYLOGFILE convention of curl, Firefox and Chrome (explicitly set by the user).
  const keylog = v.get('keylog') ?? (process.env.SSLKEYLOGFILE || undefined);
  if (keylog !== undefined) o.keyLog = keyLogWriter(keylog, v.has('keylog') ? '--keylog' : 'SSLKEYLOGFILE');
  if (v.has('provider')) {
    const p = v.get('provider')!;
    if (p !== 'pure' && p !== 'webcrypto' && p !== 'node') throw new UsageError(`--provider: pure, webcrypto or node (got ${p})`);
    o.provider = p;
  }
  if (args.flags.has('trace')) o.onHandshakeMessage = traceFor();
  if (v.has('verify-budget')) o.verifyBudget = intOption(args, 'verify-budget', 1, MAX_VERIFY_BUDGET, DEFAULT_VERIFY_BUDGET);
  return o;
}

/** "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=h2" */
export function describeSession(s: { getProtocol(): string | null; info?: { cipherSuite: string; group?: string | undefined; signatureScheme?: string | undefined; alpnProtocol?: string | undefined; helloRetry?: boolean; resumed?: boolean; earlyData?: 'accepted' | 'rejected' | undefined } | undefined; earlyDataBytes?: number }): string {
  const i = s.info;
  if (!i) return 'no session';
  const parts = [s.getProtocol() ?? 'TLSv1.3', i.cipherSuite, i.group ?? '-', i.signatureScheme ?? '-'];
  if (i.alpnProtocol) parts.push(`alpn=${i.alpnProtocol}`);
  if (i.helloRetry) parts.push('hrr');
  if (i.resumed) parts.push('resumed');
  if (i.earlyData) parts.push(`early data ${i.earlyData}${i.earlyData === 'accepted' && s.earlyDataBytes !== undefined ? ` (${s.earlyDataBytes} bytes)` : ''}`);
  return parts.join(' ');
}

/** One line for an error: the alert name when there is one. */
export function describeError(e: unknown): string {
  if (e && typeof e === 'object') {
    const err = e as { message?: string; alert?: string; received?: boolean; code?: string };
    if (err.alert !== undefined) {
      // The alert is named once: a message that only restates it adds nothing.
      const msg = err.message && !err.message.replace(/^peer sent (fatal )?alert /, '').startsWith(err.alert) ? err.message : undefined;
      return err.received
        ? `peer sent fatal alert ${err.alert}${msg ? ` (${msg})` : ''}`
        : `TLS error: ${msg ?? err.alert} (alert ${err.alert} sent)`;
    }
    return `${err.message ?? String(e)}${err.code ? ` (${err.code})` : ''}`;
  }
  return String(e);
}
