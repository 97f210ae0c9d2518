/** Options shared by `serve`, `connect` and `get`: files, lists, --trace, --keylog. */
import { appendFileSync, readFileSync } from 'node:fs';
import type { ConnectOptions, ServerOptions } from '../io/node.js';
import { list, UsageError, type ParsedArgs } from './args.js';

/** Options taking a value, common to every TLS command. */
export const TLS_VALUE_OPTIONS = ['ca', 'cert', 'key', 'alpn', 'groups', 'suites', 'keylog', 'provider', 'sigalgs'] as const;
export const TLS_FLAG_OPTIONS = ['trace'] as const;

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** RFC 8446 spelling of a handshake message type: client_hello → ClientHello. */
export function messageName(type: string): string {
  return type.includes('_') || /^[a-z]/.test(type)
    ? type.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')
    : type;
}

/** Writes to stderr: one line per handshake message, with its direction. */
export function traceLine(direction: 'sent' | 'received', type: string, summary: string): void {
  const arrow = direction === 'sent' ? '>>' : '<<';
  process.stderr.write(`[trace] ${arrow} ${direction === 'sent' ? 'sent    ' : 'received'} ${messageName(type)}${summary ? ' ' + summary : ''}\n`);
}

/** NSS key-log lines appended to FILE (the format Wireshark and SSLKEYLOGFILE use). */
export function keyLogWriter(path: string): (line: string) => void {
  // Synchronous appends: every secret is on disk before the handshake moves on.
  appendFileSync(path, '', { mode: 0o600 });
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
  if (keylog !== undefined) o.keyLog = keyLogWriter(keylog);
  if (v.has('provider')) {
    const p = v.get('provider')!;
    if (p !== 'pure' && p !== 'webcrypto' && p !== 'node') throw new UsageError(`--provider: pure, webcrypto or node (got ${p})`);
    o.provider = p;
  }
  if (args.flags.has('trace')) o.onHandshakeMessage = traceLine;
  return o;
}

/** "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=h2" */
export function describeSession(s: { getProtocol(): string | null; info?: { cipherSuite: string; group?: string | undefined; signatureScheme?: string | undefined; alpnProtocol?: string | undefined; helloRetry?: boolean; resumed?: boolean } | undefined }): string {
  const i = s.info;
  if (!i) return 'no session';
  const parts = [s.getProtocol() ?? 'TLSv1.3', i.cipherSuite, i.group ?? '-', i.signatureScheme ?? '-'];
  if (i.alpnProtocol) parts.push(`alpn=${i.alpnProtocol}`);
  if (i.helloRetry) parts.push('hrr');
  if (i.resumed) parts.push('resumed');
  return parts.join(' ');
}

/** One line for an error: the alert name when there is one. */
export function describeError(e: unknown): string {
  if (e && typeof e === 'object') {
    const err = e as { message?: string; alert?: string; received?: boolean; code?: string };
    if (err.alert !== undefined) {
      return err.received
        ? `peer sent fatal alert ${err.alert}${err.message ? ` (${err.message})` : ''}`
        : `TLS error: ${err.message ?? err.alert} (alert ${err.alert} sent)`;
    }
    return `${err.message ?? String(e)}${err.code ? ` (${err.code})` : ''}`;
  }
  return String(e);
}
