/**
 * `puretls bench handshakes|bulk HOST:PORT`: a load generator for any TLS 1.3
 * server (what `openssl s_time` is for OpenSSL), with each crypto provider.
 * A live progress line on a terminal, a summary (or --json) at the end.
 */
import { isIP } from 'node:net';
import { nodeClientConfig, type ConnectOptions } from '../io/node.js';
import { intOption, parseHostPort, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { benchBulk, benchHandshakes, type BulkResult, type HandshakeResult, type Target } from './bench-run.js';
import type { Command } from './command.js';
import { commonTlsOptions, TLS_OPTIONS } from './common.js';

/** Client options for bench: no --trace (it would drown the measurement) and no --keylog defaults. */
const BENCH_CLIENT_OPTIONS: readonly OptionSpec[] = [
  { name: 'servername', value: 'NAME', help: 'server name sent in SNI and checked against the certificate', default: 'the host (none for an IP address)' },
  { name: 'ca', value: 'FILE', help: 'trust only these CA certificates (PEM) for the server', default: "Node's bundled roots" },
  ...TLS_OPTIONS.filter((o) => o.name !== 'trace'),
  { name: 'insecure', help: 'do not verify the server certificate (measures the handshake without path validation)' },
  { name: 'json', help: 'print the summary as one JSON object on stdout' },
];

function target(args: ParsedArgs, cmd: string): Target & { provider: string } {
  if (args.positionals.length !== 1) throw new UsageError(`${cmd}: expected one HOST:PORT`);
  const { host, port } = parseHostPort(args.positionals[0]!);
  const o: ConnectOptions = { ...commonTlsOptions(args), host, port };
  const sn = args.values.get('servername');
  if (sn !== undefined) o.servername = sn;
  else if (isIP(host)) o.servername = host;
  if (args.flags.has('insecure')) o.rejectUnauthorized = false;
  return { host, port, config: nodeClientConfig(o), provider: args.values.get('provider') ?? 'pure' };
}

/** The progress line, rewritten in place, only on a terminal and never with --json. */
function progressLine(args: ParsedArgs): ((text: string) => void) | undefined {
  if (args.flags.has('json') || !process.stderr.isTTY) return undefined;
  return (text) => process.stderr.write(`\r\x1b[K${text}`);
}

function endProgress(show: ((t: string) => void) | undefined): void {
  if (show) process.stderr.write('\r\x1b[K');
}

function errorLines(r: { errors: number; errorMessages: { message: string; count: number }[] }): string[] {
  return r.errorMessages.map((e) => `  error ×${e.count}: ${e.message}`);
}

function printHandshakes(r: HandshakeResult, json: boolean): void {
  if (json) return void process.stdout.write(JSON.stringify(r) + '\n');
  const lines = [
    `${r.target}: ${r.handshakes} handshakes in ${r.seconds} s with ${r.concurrency} connection(s) at a time (provider ${r.provider}${r.resume ? `, ${r.resumed} resumed` : ''})`,
    `  ${r.handshakesPerSecond} handshakes/s; latency (connect to handshake done) p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`,
    `  errors: ${r.errors}`,
    ...errorLines(r),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function printBulk(r: BulkResult, json: boolean): void {
  if (json) return void process.stdout.write(JSON.stringify(r) + '\n');
  const lines = [
    `${r.target}: ${r.direction === 'up' ? 'sent' : 'received'} ${r.bytes} bytes in ${r.seconds} s: ${r.MBps} MB/s (${r.cipherSuite ?? 'no session'}, provider ${r.provider}; handshake ${r.handshakeMs} ms)`,
    `  errors: ${r.errors}`,
    ...errorLines(r),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** A positive number of seconds (fractions allowed). */
function seconds(args: ParsedArgs): number {
  const v = args.values.get('seconds');
  if (v === undefined) return 10;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 86_400) throw new UsageError(`--seconds: a number of seconds above 0 (got ${JSON.stringify(v)})`);
  return n;
}

/** N, or N with K/M/G (powers of 1024). */
export function byteCount(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const m = /^(\d+)([KMG]i?B?)?$/i.exec(v.trim());
  const n = m ? Number(m[1]) * 1024 ** (m[2] ? 'KMG'.indexOf(m[2][0]!.toUpperCase()) + 1 : 0) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--bytes: a byte count such as 1048576, 64M or 1G (got ${JSON.stringify(v)})`);
  return n;
}

export const benchHandshakesCommand: Command = {
  name: 'bench handshakes',
  args: 'HOST:PORT',
  summary: 'Full (or resumed) TLS 1.3 handshakes per second against any server, like openssl s_time.',
  description:
    'Each of --concurrency loops connects over TCP, completes a handshake (certificate verified unless --insecure), ' +
    'sends close_notify and closes, until --seconds have passed. Latency is measured from the TCP connect to the ' +
    'handshake done. Exit 1 when no handshake succeeded.',
  options: [
    { name: 'seconds', value: 'S', help: 'how long to run (fractions allowed)', default: '10' },
    { name: 'concurrency', value: 'N', help: 'handshakes in flight at once', default: '1' },
    { name: 'resume', help: 'resume with the session tickets of earlier connections (RFC 8446 §2.2); the summary counts resumed handshakes' },
    ...BENCH_CLIENT_OPTIONS,
  ],
  examples: [
    'puretls bench handshakes localhost:8443 --ca ~/.puretls/dev/ca/cert.pem --seconds 5 --concurrency 4',
    'puretls bench handshakes 127.0.0.1:4433 --insecure --provider node --groups x25519 --json',
  ],
  async run(args) {
    const t = target(args, 'bench handshakes');
    const show = progressLine(args);
    const r = await benchHandshakes(
      t,
      { seconds: seconds(args), concurrency: intOption(args, 'concurrency', 1, 10_000, 1), resume: args.flags.has('resume'), provider: t.provider },
      show && ((n, e, s) => show(`${n} handshakes, ${Math.round(n / s)}/s, ${e} errors, ${s.toFixed(1)} s`)),
    );
    endProgress(show);
    printHandshakes(r, args.flags.has('json'));
    return r.handshakes > 0 ? 0 : 1;
  },
};

export const benchBulkCommand: Command = {
  name: 'bench bulk',
  args: 'HOST:PORT',
  summary: 'Bulk transfer rate over one TLS 1.3 connection, either way.',
  description:
    'up: sends --bytes then close_notify, and stops the clock when the server closes its side (it has read ' +
    'everything; an echo server\'s answer is read and dropped): works with puretls serve --echo, a Node tls ' +
    'server, openssl s_server. down: reads until --bytes have arrived: the server must send data on its own ' +
    '(e.g. openssl s_server < bigfile). MB/s are 10^6 bytes per second. Exit 1 on an error.',
  options: [
    { name: 'bytes', value: 'N', help: 'bytes to move; K, M, G suffixes are powers of 1024', default: '64M' },
    { name: 'direction', value: 'up|down', help: 'up: client to server; down: server to client', default: 'up' },
    ...BENCH_CLIENT_OPTIONS,
  ],
  examples: [
    'puretls bench bulk localhost:8443 --ca ~/.puretls/dev/ca/cert.pem --bytes 256M   # against puretls serve --echo',
    'puretls bench bulk 127.0.0.1:4433 --insecure --direction down --bytes 1G --provider node --json',
  ],
  async run(args) {
    const t = target(args, 'bench bulk');
    const direction = args.values.get('direction') ?? 'up';
    if (direction !== 'up' && direction !== 'down') throw new UsageError(`--direction: up or down (got ${JSON.stringify(direction)})`);
    const show = progressLine(args);
    const r = await benchBulk(
      t,
      { bytes: byteCount(args.values.get('bytes'), 64 * 1024 * 1024), direction, provider: t.provider },
      show && ((n, s) => show(`${(n / 1e6).toFixed(1)} MB, ${(n / 1e6 / s).toFixed(1)} MB/s, ${s.toFixed(1)} s`)),
    );
    endProgress(show);
    printBulk(r, args.flags.has('json'));
    return r.errors === 0 ? 0 : 1;
  },
};
