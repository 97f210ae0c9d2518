/**
 * `puretls connect HOST:PORT`: stdin to the peer, the peer to stdout (like
 * `openssl s_client -quiet`). Exit 0 when the peer closes with close_notify
 * (even while stdin is still open); 1 with the alert or reason on stderr
 * otherwise (certificate failure, fatal alert, connection lost).
 */
import { isIP } from 'node:net';
import { connect, type ConnectOptions, type TlsSocket } from '../io/node.js';
import { parseArgs, parseHostPort, UsageError } from './args.js';
import { commonTlsOptions, describeError, describeSession, TLS_FLAG_OPTIONS, TLS_VALUE_OPTIONS } from './common.js';

export const CONNECT_USAGE = `usage: puretls connect HOST:PORT [--servername N] [--ca F] [--cert F --key F]
                       [--alpn LIST] [--groups LIST] [--suites LIST] [--provider pure|webcrypto|node]
                       [--insecure] [--keylog F] [--trace] [--quiet] [--resume]`;

export const CLIENT_VALUE_OPTIONS = [...TLS_VALUE_OPTIONS, 'servername'] as const;
export const CLIENT_FLAG_OPTIONS = [...TLS_FLAG_OPTIONS, 'insecure', 'quiet', 'resume', 'help'] as const;

/** Client options from the parsed command line. */
export function clientOptions(args: ReturnType<typeof parseArgs>, host: string, port: number): ConnectOptions {
  const o: ConnectOptions = { ...commonTlsOptions(args), host, port };
  const sn = args.values.get('servername');
  if (sn !== undefined) o.servername = sn;
  if (args.flags.has('insecure')) o.rejectUnauthorized = false;
  if (args.flags.has('resume')) {
    process.stderr.write('warning: --resume: session resumption is not available in this build; doing a full handshake\n');
  }
  return o;
}

export async function runConnect(argv: string[]): Promise<number> {
  const args = parseArgs(argv, CLIENT_VALUE_OPTIONS, CLIENT_FLAG_OPTIONS);
  if (args.flags.has('help')) {
    process.stdout.write(CONNECT_USAGE + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(CONNECT_USAGE);
  const { host, port } = parseHostPort(args.positionals[0]!, 443);
  const o = clientOptions(args, host, port);
  if (isIP(host) && o.servername === undefined) o.servername = host;
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
