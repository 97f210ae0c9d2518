/**
 * The HTTP/1.x side of `puretls serve`: every request gets a text page
 * describing the TLS session (like `openssl s_server -www`), then the
 * connection is closed with close_notify.
 */
import { X509Certificate } from 'node:crypto';
import type { ClientCertificateResult } from '../connection/types.js';
import type { TlsSocket } from '../io/node.js';

const MAX_REQUEST_HEAD = 16 * 1024;

function certLine(der: Uint8Array | undefined): string {
  if (!der) return 'none';
  try {
    const c = new X509Certificate(der);
    return `${c.subject.replace(/\n/g, ', ')} (issuer ${c.issuer.replace(/\n/g, ', ')}; valid until ${c.validTo})`;
  } catch {
    return `(${der.length} bytes, unparsable)`;
  }
}

/** The outcome of a post-handshake certificate request, for the page. */
export type PostHandshakeAuthOutcome =
  | { kind: 'answered'; result: ClientCertificateResult }
  | { kind: 'refused'; reason: string };

function phaLine(o: PostHandshakeAuthOutcome): string {
  if (o.kind === 'refused') return `not possible: ${o.reason}`;
  const r = o.result;
  if (r.peerCertificates.length === 0) return 'declined (the client sent no certificate)';
  return r.peerVerified ? 'certificate received and verified' : `certificate received, NOT verified (${r.peerVerifyError ?? 'not checked'})`;
}

/** The page: what was negotiated, as text. */
export function sessionPage(sock: TlsSocket, requestLine: string, keyUpdated: boolean, pha?: PostHandshakeAuthOutcome): string {
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
    `PSK:                ${i.psk ?? '-'}`,
    `early data:         ${i.earlyData === 'accepted' ? `accepted (${sock.earlyDataBytes} bytes, replayable)` : (i.earlyData ?? 'not offered')}`,
    `client certificate: ${certLine(i.peerCertificates[0])}`,
    `client verified:    ${i.peerCertificates.length ? (i.peerVerified ? 'yes' : `no (${i.peerVerifyError ?? 'not checked'})`) : '-'}`,
  ];
  if (keyUpdated) lines.push('key update:         sent KeyUpdate(update_requested) before this response');
  if (pha) lines.push(`post-handshake auth: ${phaLine(pha)}`);
  return lines.join('\n') + '\n';
}

function respond(sock: TlsSocket, status: string, body: string): void {
  const head = `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nServer: puretls\r\n\r\n`;
  sock.write(head + body);
  sock.end(); // close_notify after the response (the caller bounds how long we wait for the peer's)
}

export interface ResponderOptions {
  /** Ask for a client certificate after the handshake (RFC 8446 §4.6.2) when this path is requested. */
  phaPath?: string;
}

/**
 * `--pha-path`: request a client certificate now (verified against --ca,
 * reported rather than fatal), then answer 200 with a verified one, 403
 * otherwise; the page says what happened.
 */
function authenticateThenRespond(sock: TlsSocket, requestLine: string, head: boolean): void {
  const page = (o: PostHandshakeAuthOutcome) => (head ? '' : sessionPage(sock, requestLine, false, o));
  const opts = { require: false, rejectUnauthorized: false };
  try {
    sock.connection.checkClientCertificateRequest(opts);
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^requestClientCertificate: /, '');
    respond(sock, '403 Forbidden', page({ kind: 'refused', reason }));
    return;
  }
  sock.connection.requestClientCertificate(opts).then(
    (result) => respond(sock, result.peerCertificates.length > 0 && result.peerVerified ? '200 OK' : '403 Forbidden', page({ kind: 'answered', result })),
    () => undefined, // the connection failed (the socket reports it) or the client closed its side
  );
}

/** Serve one HTTP/1.x request, then close with close_notify. */
export function httpResponder(sock: TlsSocket, opts: ResponderOptions = {}): void {
  let head = Buffer.alloc(0);
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
    sock.resume(); // discard anything after the request
    const requestLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(requestLine);
    if (!m) {
      respond(sock, '400 Bad Request', 'not an HTTP/1.x request\n');
      return;
    }
    const path = m[2]!.split('?')[0];
    if (opts.phaPath !== undefined && path === opts.phaPath) {
      authenticateThenRespond(sock, requestLine, m[1] === 'HEAD');
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
