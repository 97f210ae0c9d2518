/**
 * `puretls connect HOST:PORT`: stdin to the peer, the peer to stdout (like
 * `openssl s_client -quiet`). Exit 0 when the peer closes with close_notify
 * (even while stdin is still open); 1 with the alert or reason on stderr
 * otherwise (certificate failure, fatal alert, connection lost).
 */
import { isIP } from 'node:net';
import { connect, type ConnectOptions, type TlsSocket } from '../io/node.js';
import { parseHostPort, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { commonTlsOptions, describeError, describeSession, TLS_OPTIONS } from './common.js';

/** Option rows of every client command (connect, get, bench). */
export const CLIENT_OPTIONS: readonly OptionSpec[] = [
  { name: 'servername', value: 'NAME', help: 'server name sent in SNI and checked against the certificate', default: 'the host (no SNI for an IP address, which is checked against the certificate\'s IP addresses)' },
  { name: 'ca', value: 'FILE', help: 'trust only these CA certificates (PEM) for the server', default: "Node's bundled roots (tls.rootCertificates)" },
  ...TLS_OPTIONS,
  { name: 'insecure', help: 'do not fail on an unverified server certificate (still reported)' },
  { name: 'quiet', help: 'print nothing on stderr but errors' },
];

/** Client options from the parsed command line. */
export function clientOptions(args: ParsedArgs, host: string, port: number): ConnectOptions {
  const o: ConnectOptions = { ...commonTlsOptions(args), host, port };
  const sn = args.values.get('servername');
  if (sn !== undefined) o.servername = sn;
  else if (isIP(host)) o.servername = host;
  if (args.flags.has('insecure')) o.rejectUnauthorized = false;
  return o;
}

export const connectCommand: Command = {
  name: 'connect',
  args: 'HOST:PORT',
  summary: 'Open a TLS 1.3 connection: stdin to the server, the server to stdout (like openssl s_client -quiet).',
  description:
    'Exits 0 when the server closes with close_notify, 1 on a handshake failure, a fatal alert or a connection ' +
    'closed without close_notify (truncation). When stdin ends, close_notify is sent and reading goes on. ' +
    'HOST:PORT takes [v6]:PORT for IPv6; the port defaults to 443.',
  options: CLIENT_OPTIONS,
  examples: [
    'puretls connect example.com:443 --trace < /dev/null',
    'echo hello | puretls connect localhost:8443 --ca ~/.puretls/dev/ca/cert.pem',
    'puretls connect [::1]:8443 --servername localhost --cert client.pem --key client.key',
  ],
  run: runConnectArgs,
};

async function runConnectArgs(args: ParsedArgs): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError('connect: expected one HOST:PORT');
  const { host, port } = parseHostPort(args.positionals[0]!, 443);
  const o = clientOptions(args, host, port);
  const quiet = args.flags.has('quiet');
  // Half-open: when stdin ends we send close_notify and keep reading.
  o.allowHalfOpen = true;

  return new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number, message?: string) => {
      if (done) return;
      done = true;
      if (message) process.stderr.write(message + '\n');
      process.stdin.unpipe(sock);
      process.stdin.pause();
      // Exit only once everything the peer sent is on stdout.
      process.stdout.write('', () => resolve(code));
    };
    let sock: TlsSocket;
    try {
      sock = connect(o);
    } catch (e) {
      resolve(2);
      process.stderr.write(`error: ${describeError(e)}\n`);
      return;
    }
    sock.on('secureConnect', () => {
      if (!quiet) process.stderr.write(`connected to ${host}:${port}: ${describeSession(sock)}${sock.authorized ? '' : ' (peer NOT verified: --insecure)'}\n`);
      process.stdin.pipe(sock);
    });
    sock.on('data', (d: Buffer) => {
      if (!process.stdout.write(d)) {
        sock.pause();
        process.stdout.once('drain', () => sock.resume());
      }
    });
    sock.on('end', () => {
      if (sock.peerClosedCleanly) finish(0);
      else finish(1, 'error: connection closed without close_notify (truncated)');
      sock.destroy();
    });
    sock.on('error', (e) => finish(1, `error: ${describeError(e)}`));
    sock.on('close', () => finish(1, 'error: connection closed'));
  });
}
