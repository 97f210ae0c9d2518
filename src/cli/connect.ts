/**
 * `puretls connect HOST:PORT`: stdin to the peer, the peer to stdout (like
 * `openssl s_client -quiet`). Exit 0 when the peer closes with close_notify
 * (even while stdin is still open); 1 with the alert or reason on stderr
 * otherwise (certificate failure, fatal alert, connection lost).
 */
import net, { isIP } from 'node:net';
import { nodeClientConfig, TlsSocket, type ConnectOptions } from '../io/node.js';
import type { ClientConfig } from '../connection/types.js';
import { parseHostPort, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { commonTlsOptions, describeError, describeSession, TLS_OPTIONS } from './common.js';
import { CLIENT_SESSION_OPTIONS, clientSessionArgs, sessionWriter, type ClientSessionArgs } from './session-options.js';

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
  options: [...CLIENT_OPTIONS, ...CLIENT_SESSION_OPTIONS],
  examples: [
    'puretls connect localhost:8443 --resume < /dev/null',
    'puretls connect localhost:8443 --sess-out sess.bin < /dev/null && puretls connect localhost:8443 --sess-in sess.bin',
    'puretls connect example.com:443 --trace < /dev/null',
    'echo hello | puretls connect localhost:8443 --ca ~/.puretls/dev/ca/cert.pem',
    'puretls connect [::1]:8443 --servername localhost --cert client.pem --key client.key',
  ],
  run: runConnectArgs,
};

/** How long --resume waits for the first connection's ticket (servers send it right after the handshake). */
const TICKET_WAIT_MS = 3_000;

/** The client config of one connection, with the session options. */
function sessionConfig(o: ConnectOptions, sa: ClientSessionArgs, session: Uint8Array | undefined, onSession?: (s: Uint8Array) => void): ClientConfig {
  const config: ClientConfig = { ...nodeClientConfig(o), ticketStore: false };
  if (session) config.session = session;
  if (sa.psk) config.psk = sa.psk;
  if (session && sa.earlyData) config.earlyData = true;
  const out = sa.sessOut ? sessionWriter(sa.sessOut) : undefined;
  if (out || onSession) {
    config.onSession = (s) => {
      out?.(s);
      onSession?.(s);
    };
  }
  return config;
}

function open(o: ConnectOptions, config: ClientConfig): TlsSocket {
  const raw = net.connect({ host: o.host || 'localhost', port: o.port!, allowHalfOpen: true, noDelay: true });
  return new TlsSocket(raw, config, 'client', { allowHalfOpen: true });
}

/** --resume, first connection: a full handshake, then the first ticket (or undefined), then close_notify. */
function firstSession(o: ConnectOptions, sa: ClientSessionArgs, quiet: boolean): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    let got: Uint8Array | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (e?: Error) => {
      if (timer) clearTimeout(timer);
      sock.removeAllListeners('close');
      sock.on('error', () => undefined);
      sock.end();
      if (got) resolve(got);
      else reject(e ?? new Error(`no session ticket from the server within ${TICKET_WAIT_MS} ms of the handshake: nothing to resume`));
    };
    const sock = open(o, sessionConfig(o, sa, undefined, (s) => {
      if (!got) {
        got = s;
        finish();
      }
    }));
    sock.on('secureConnect', () => {
      if (!quiet) process.stderr.write(`connected to ${o.host}:${o.port}: ${describeSession(sock)} (first connection, waiting for a ticket)\n`);
      timer = setTimeout(() => finish(), TICKET_WAIT_MS);
    });
    sock.resume(); // what the server says on the first connection is dropped
    sock.on('error', (e) => (got ? undefined : finish(e)));
    sock.on('close', () => finish());
  });
}

async function runConnectArgs(args: ParsedArgs): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError('connect: expected one HOST:PORT');
  const { host, port } = parseHostPort(args.positionals[0]!, 443);
  const o = clientOptions(args, host, port);
  const sa = clientSessionArgs(args);
  const quiet = args.flags.has('quiet');
  let session = sa.session;
  if (sa.resume) {
    try {
      session = await firstSession(o, sa, quiet);
    } catch (e) {
      process.stderr.write(`error: --resume: ${describeError(e)}\n`);
      return 1;
    }
  }

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
      sock = open(o, sessionConfig(o, sa, session));
      // 0-RTT: written before the handshake completes, so it goes in early data when the ticket allows it
      // (and again after the handshake if the server rejects it).
      if (session && sa.earlyData) sock.write(sa.earlyData);
    } catch (e) {
      resolve(2);
      // A refused config (e.g. a --sess-in file that is not a session) sends no alert: say only what is wrong.
      const bad = (e as { code?: string }).code === 'bad_config';
      process.stderr.write(`error: ${bad ? `${sa.session ? '--sess-in: ' : ''}${(e as Error).message}` : describeError(e)}\n`);
      return;
    }
    sock.on('secureConnect', () => {
      if (!quiet) {
        const i = sock.info;
        // An external PSK authenticates the server (RFC 8446 §2.2): there is no certificate to verify.
        const auth = i?.psk === 'external' ? ' (authenticated by the external PSK)' : sock.authorized ? '' : ' (peer NOT verified: --insecure)';
        process.stderr.write(`connected to ${host}:${port}: ${describeSession(sock)}${auth}\n`);
        if (session) process.stderr.write(`session resumed: ${i?.resumed ? 'yes' : 'no (full handshake)'}\n`);
        if (sa.psk) process.stderr.write(`external PSK: ${i?.psk === 'external' ? 'used' : 'not used'}\n`);
        if (session && sa.earlyData) {
          process.stderr.write(`early data: ${i?.earlyData === 'accepted' ? 'accepted' : `${i?.earlyData === 'rejected' ? 'rejected' : 'not offered'} (sent again after the handshake)`}\n`);
        }
      }
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
