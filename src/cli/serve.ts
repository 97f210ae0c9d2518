/**
 * `puretls serve`: an HTTPS responder (every HTTP/1.x request gets a page
 * describing the session, like `openssl s_server -www`) or, with --echo, an
 * echo server. One bad client never takes it down; a flood of them cannot
 * exhaust it (serve-limits.ts).
 */
import net from 'node:net';
import { AntiReplay } from '../handshake/resumption/anti-replay.js';
import { nodeServerConfig, TlsSocket, type ServerOptions } from '../io/node.js';
import { intOption, UsageError, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { checkServerCertificate } from './cert-check.js';
import { commonTlsOptions, describeError, describeSession, TLS_OPTIONS, traceFor } from './common.js';
import { devDir, makePki } from './devca.js';
import { httpResponder } from './http-responder.js';
import { ConnectionGuard } from './serve-limits.js';
import { externalPsk, SERVER_SESSION_OPTIONS, serverMaxEarlyData, serverTicketKeys, serverTickets } from './session-options.js';

export { sessionPage } from './http-responder.js';

const DEFAULT_PORT = 8443;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONNECTIONS = 1024;
/** After our close_notify, how long the peer has to close its side (then our descriptor is closed). */
const CLOSE_LINGER_MS = 2_000;

/** address:port as a client is named in the log. */
export function endpointName(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return 'peer';
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run a TLS 1.3 server: an HTTPS page describing each session, or an echo server.',
  description:
    'Without --cert, a development CA and a certificate for localhost, 127.0.0.1 and ::1 are made (or reused) in ' +
    '~/.puretls/dev, and the CA file is printed for curl --cacert. Every connection is closed with close_notify after ' +
    'its response; idle connections are closed, and at most --max-connections are open at once.',
  options: [
    { name: 'host', value: 'ADDR', help: 'address to listen on; localhost means both 127.0.0.1 and ::1', default: 'localhost' },
    { name: 'port', value: 'PORT', help: 'TCP port (0: any free port)', default: String(DEFAULT_PORT) },
    { name: 'ca', value: 'FILE', help: 'CA certificates (PEM) that client certificates must chain to', default: 'the development CA when --cert is not given, else none' },
    ...TLS_OPTIONS,
    { name: 'verify-client', help: 'require a client certificate that chains to --ca (mutual TLS)' },
    { name: 'request-client-cert', help: 'ask for a client certificate but accept the connection without one (shown on the page)' },
    { name: 'pha-path', value: 'PATH', help: 'on a request for PATH, ask for a client certificate after the handshake (post-handshake auth, RFC 8446 §4.6.2; the client must offer it): 200 with a certificate that chains to --ca, else 403; the page says which' },
    ...SERVER_SESSION_OPTIONS,
    { name: 'echo', help: 'echo every byte back instead of answering HTTP' },
    { name: 'handshake-timeout', value: 'MS', help: 'drop a client whose handshake is not done after MS milliseconds', default: String(DEFAULT_HANDSHAKE_TIMEOUT_MS) },
    { name: 'idle-timeout', value: 'MS', help: 'close a connection (close_notify) when no byte moved for MS milliseconds', default: String(DEFAULT_IDLE_TIMEOUT_MS) },
    { name: 'max-connections', value: 'N', help: 'open connections at most; more are reset on arrival', default: String(DEFAULT_MAX_CONNECTIONS) },
  ],
  examples: [
    'puretls serve                                   # dev CA in ~/.puretls/dev, https://localhost:8443/',
    'puretls serve --cert cert.pem --key key.pem --port 443 --host 0.0.0.0',
    'puretls serve --echo --verify-client --ca ca.pem --trace',
    'puretls serve --ca ca.pem --pha-path /secure      # client certificate asked only for /secure',
    'puretls serve --tickets 1 --psk-identity client1 --psk 00112233445566778899aabbccddeeff',
    'puretls serve --early-data --max-early-data 4096     # 0-RTT: openssl s_client -sess_in S -early_data FILE',
  ],
  run: runServeArgs,
};

/** Listen on `host` (both loopbacks when undefined); resolves with the servers and the port. */
async function listenAll(host: string | undefined, port: number, onRaw: (raw: net.Socket) => void): Promise<{ servers: net.Server[]; port: number; shown: string[] }> {
  const listen = (h: string, p: number) => new Promise<net.Server>((resolve, reject) => {
    // allowHalfOpen: our close_notify must be able to follow the peer's FIN.
    const s = net.createServer({ allowHalfOpen: true }, onRaw);
    s.once('error', reject);
    s.listen(p, h, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
  // "localhost" is both loopbacks (it resolves to 127.0.0.1 and ::1; listening on one would miss clients of the other).
  const both = host === undefined || host === 'localhost';
  const first = await listen(both ? '127.0.0.1' : host, port);
  const addr = first.address() as net.AddressInfo;
  const servers = [first];
  const shown = [endpointName(addr.address, addr.port)];
  if (both) {
    try {
      servers.push(await listen('::1', addr.port));
      shown.push(endpointName('::1', addr.port));
    } catch (e) {
      process.stderr.write(`warning: not listening on [::1]:${addr.port}: ${describeError(e)}\n`);
    }
  }
  return { servers, port: addr.port, shown };
}

async function runServeArgs(args: ParsedArgs): Promise<number> {
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const o: ServerOptions = commonTlsOptions(args);
  const host = args.values.get('host');
  const port = intOption(args, 'port', 0, 65535, DEFAULT_PORT);
  const handshakeTimeout = intOption(args, 'handshake-timeout', 1, 3_600_000, DEFAULT_HANDSHAKE_TIMEOUT_MS);
  const idleTimeoutMs = intOption(args, 'idle-timeout', 1, 86_400_000, DEFAULT_IDLE_TIMEOUT_MS);
  const maxConnections = intOption(args, 'max-connections', 1, 1_000_000, DEFAULT_MAX_CONNECTIONS);
  if (args.flags.has('verify-client') && args.flags.has('request-client-cert')) {
    throw new UsageError('--verify-client and --request-client-cert are exclusive');
  }
  let caFile: string | undefined;
  if (!o.cert) {
    const pki = await makePki(devDir());
    o.cert = pki.server.cert;
    o.key = pki.server.key;
    caFile = pki.ca.certFile;
    // Client certificates issued by the same development CA are trusted.
    if (o.ca === undefined) o.ca = pki.ca.cert;
  } else {
    checkServerCertificate({ cert: args.values.get('cert')!, key: args.values.get('key')! }, o.cert as string, o.key as string, (w) => process.stderr.write(`warning: --cert: ${w}\n`));
  }
  if (args.flags.has('verify-client')) o.clientAuth = 'require';
  else if (args.flags.has('request-client-cert')) o.clientAuth = 'request';
  const echo = args.flags.has('echo');
  const phaPath = args.values.get('pha-path');
  if (phaPath !== undefined && !phaPath.startsWith('/')) throw new UsageError('--pha-path must be a path starting with /');
  if (phaPath !== undefined && echo) throw new UsageError('--pha-path answers HTTP requests; it does not go with --echo');
  if (!echo && o.ALPNProtocols === undefined) o.ALPNProtocols = ['http/1.1'];
  const trace = args.flags.has('trace');
  delete o.onHandshakeMessage; // set per connection below, naming the client
  // One set of ticket keys for every connection: TlsSocket copies the config per connection, and the
  // default keys belong to a config object, so without this no ticket would open on another connection.
  const psk = externalPsk(args);
  // Likewise one 0-RTT strike register (RFC 8446 §8.2), or a replayed ClientHello would find an empty one.
  const maxEarlyData = serverMaxEarlyData(args);
  const sessionTickets = serverTickets(args);
  if (maxEarlyData > 0 && sessionTickets === 0) throw new UsageError('--early-data needs tickets (--tickets 0 disables resumption, so no 0-RTT)');
  const config = {
    ...nodeServerConfig(o), ticketKeys: serverTicketKeys(args), antiReplay: new AntiReplay(), sessionTickets, maxEarlyData, ...(psk ? { psks: [psk] } : {}),
  };
  const log = (line: string) => process.stderr.write(line + '\n');
  const guard = new ConnectionGuard({ maxConnections, idleTimeoutMs, lingerMs: CLOSE_LINGER_MS }, log);

  let connections = 0;
  const onRaw = (raw: net.Socket) => {
    if (!guard.admit(raw)) return;
    raw.setNoDelay(true);
    const n = ++connections;
    const name = `#${n} ${endpointName(raw.remoteAddress, raw.remotePort)}`;
    let sock: TlsSocket;
    try {
      sock = new TlsSocket(raw, trace ? { ...config, onHandshakeMessage: traceFor(name) } : config, 'server', { handshakeTimeout });
    } catch (e) {
      raw.destroy();
      log(`${name}: ${describeError(e)}`);
      return;
    }
    const onHandshakeError = (e: Error) => log(`${name}: handshake failed: ${describeError(e)}`);
    sock.on('error', onHandshakeError);
    sock.once('secure', () => {
      sock.off('error', onHandshakeError);
      sock.on('error', (e) => log(`${name}: ${describeError(e)}`));
      log(`${name}: ${describeSession(sock)}`);
      guard.established(sock, raw);
      if (echo) sock.pipe(sock); // ends (close_notify) when the peer's close_notify arrives
      else httpResponder(sock, { phaPath });
    });
  };
  // A last line of defence: a bug triggered by one client must not stop the others.
  process.on('uncaughtException', (e) => process.stderr.write(`internal error (continuing): ${e.stack ?? e}\n`));

  const { servers, port: bound, shown } = await listenAll(host, port, onRaw);
  if (caFile) {
    process.stdout.write(`development CA: ${caFile}\n`);
    process.stdout.write(`try: curl --cacert ${caFile} https://localhost:${bound}/\n`);
  }
  process.stdout.write(`listening on ${shown.join(' and ')}\n`);
  for (const s of servers) s.on('error', (e) => log(`server error: ${describeError(e)}`));

  return new Promise<number>((resolve) => {
    const stop = () => {
      let left = servers.length;
      for (const s of servers) s.close(() => --left === 0 && resolve(0));
      for (const raw of guard.open) raw.destroy();
      setTimeout(() => resolve(0), 1000).unref();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
