/**
 * `puretls serve`: an HTTPS responder (every HTTP/1.x request gets a page
 * describing the session, like `openssl s_server -www`) or, with --echo, an
 * echo server. One bad client never takes it down.
 */
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type ServerOptions, type TlsSocket } from '../io/node.js';
import { parseArgs, UsageError } from './args.js';
import { commonTlsOptions, describeError, describeSession, TLS_FLAG_OPTIONS, TLS_VALUE_OPTIONS } from './common.js';
import { devDir, makePki } from './devca.js';

export const SERVE_USAGE = `usage: puretls serve [--host H] [--port P] [--cert F --key F] [--ca F]
                     [--verify-client | --request-client-cert] [--alpn LIST] [--echo]
                     [--groups LIST] [--suites LIST] [--provider pure|webcrypto|node]
                     [--handshake-timeout MS] [--keylog F] [--trace]`;

const MAX_REQUEST_HEAD = 16 * 1024;
/** An established connection that sends no request is closed after this long (Node's http: 60 s). */
const REQUEST_IDLE_TIMEOUT_MS = 60_000;

function peerName(s: TlsSocket): string {
  const a = s.remoteAddress;
  return a === undefined ? 'peer' : `${a.includes(':') ? `[${a}]` : a}:${s.remotePort}`;
}

function certLine(der: Uint8Array | undefined): string {
  if (!der) return 'none';
  try {
    const c = new X509Certificate(der);
    return `${c.subject.replace(/\n/g, ', ')} (issuer ${c.issuer.replace(/\n/g, ', ')}; valid until ${c.validTo})`;
  } catch {
    return `(${der.length} bytes, unparsable)`;
  }
}

/** The page: what was negotiated, as text. */
export function sessionPage(sock: TlsSocket, requestLine: string, keyUpdated: boolean): string {
  const i = sock.info!;
  const lines = [
    'puretls: TLS 1.3 session',
    '',
    `request:            ${requestLine}`,
    `protocol:           ${sock.getProtocol()}`,
    `cipher suite:       ${i.cipherSuite}`,
    `group:              ${i.group ?? '-'}`,
    `signature scheme:   ${i.signatureScheme ?? '-'}`,
    `ALPN:               ${i.alpnProtocol ?? '-'}`,
    `server name (SNI):  ${i.servername ?? '-'}`,
    `hello retry:        ${i.helloRetry ? 'yes' : 'no'}`,
    `resumed:            ${i.resumed ? 'yes' : 'no'}`,
    `client certificate: ${certLine(i.peerCertificates[0])}`,
    `client verified:    ${i.peerCertificates.length ? (i.peerVerified ? 'yes' : `no (${i.peerVerifyError ?? 'not checked'})`) : '-'}`,
  ];
  if (keyUpdated) lines.push('key update:         sent KeyUpdate(update_requested) before this response');
  return lines.join('\n') + '\n';
}

function respond(sock: TlsSocket, status: string, body: string): void {
  const head = `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nServer: puretls\r\n\r\n`;
  sock.write(head + body);
  sock.end(); // close_notify after the response
}

/** Serve one HTTP/1.x request, then close with close_notify. */
function httpResponder(sock: TlsSocket): void {
  let head = Buffer.alloc(0);
  sock.setTimeout(REQUEST_IDLE_TIMEOUT_MS, () => sock.end());
  const onData = (d: Buffer) => {
    head = Buffer.concat([head, d]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > MAX_REQUEST_HEAD) {
        sock.off('data', onData);
        sock.resume();
        respond(sock, '431 Request Header Fields Too Large', 'request head too large\n');
      }
      return;
    }
    sock.off('data', onData);
    sock.setTimeout(0);
    sock.resume(); // discard anything after the request
    const requestLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
    if (!m) {
      respond(sock, '400 Bad Request', 'not an HTTP/1.x request\n');
      return;
    }
    let keyUpdated = false;
    if (m[2] === '/keyupdate' || m[2]!.startsWith('/keyupdate?')) {
      // Exercise the peer's KeyUpdate handling: RFC 8446 §4.6.3, update_requested.
      sock.keyUpdate(true);
      keyUpdated = true;
    }
    respond(sock, '200 OK', m[1] === 'HEAD' ? '' : sessionPage(sock, requestLine, keyUpdated));
  };
  sock.on('data', onData);
}

export async function runServe(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    [...TLS_VALUE_OPTIONS, 'host', 'port', 'handshake-timeout'],
    [...TLS_FLAG_OPTIONS, 'verify-client', 'request-client-cert', 'echo', 'help'],
  );
  if (args.flags.has('help')) {
    process.stdout.write(SERVE_USAGE + '\n');
    return 0;
  }
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const o: ServerOptions = commonTlsOptions(args);
  const host = args.values.get('host') ?? '127.0.0.1';
  const port = Number(args.values.get('port') ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: 0..65535');
  // A client that connects and never finishes its handshake is dropped after this long (like Node's tls, 120 s).
  if (args.values.has('handshake-timeout')) {
    const ms = Number(args.values.get('handshake-timeout'));
    if (!Number.isInteger(ms) || ms <= 0) throw new UsageError('--handshake-timeout: a positive number of milliseconds');
    o.handshakeTimeout = ms;
  }
  let caFile: string | undefined;
  if (!o.cert) {
    const pki = await makePki(devDir());
    o.cert = pki.server.cert;
    o.key = pki.server.key;
    caFile = pki.ca.certFile;
    // Client certificates issued by the same development CA are trusted.
    if (o.ca === undefined) o.ca = pki.ca.cert;
  }
  if (args.flags.has('verify-client') && args.flags.has('request-client-cert')) {
    throw new UsageError('--verify-client and --request-client-cert are exclusive');
  }
  if (args.flags.has('verify-client')) o.clientAuth = 'require';
  else if (args.flags.has('request-client-cert')) o.clientAuth = 'request';
  const echo = args.flags.has('echo');
  if (!echo && o.ALPNProtocols === undefined) o.ALPNProtocols = ['http/1.1'];

  const server = createServer(o, (sock) => {
    process.stderr.write(`${peerName(sock)}: ${describeSession(sock)}\n`);
    sock.on('error', (e) => process.stderr.write(`${peerName(sock)}: ${describeError(e)}\n`));
    if (echo) sock.pipe(sock); // ends (close_notify) when the peer's close_notify arrives
    else httpResponder(sock);
  });
  server.on('tlsClientError', (e: Error, sock?: TlsSocket) => {
    process.stderr.write(`${sock ? peerName(sock) : 'client'}: handshake failed: ${describeError(e)}\n`);
  });
  // A last line of defence: a bug triggered by one client must not stop the others.
  process.on('uncaughtException', (e) => process.stderr.write(`internal error (continuing): ${e.stack ?? e}\n`));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  if (caFile) {
    process.stdout.write(`development CA: ${caFile}\n`);
    process.stdout.write(`try: curl --cacert ${caFile} https://localhost:${addr.port}/\n`);
  }
  process.stdout.write(`listening on ${shown}:${addr.port}\n`);
  server.on('error', (e) => process.stderr.write(`server error: ${describeError(e)}\n`));

  return new Promise<number>((resolve) => {
    const stop = () => {
      server.close(() => resolve(0));
      setTimeout(() => resolve(0), 1000).unref();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
