/**
 * The HTTP/1.x side of `puretls serve`: every request gets a text page
 * describing the TLS session (like `openssl s_server -www`), then the
 * connection is closed with close_notify.
 */
import { X509Certificate } from 'node:crypto';
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
    `PSK:                ${i.psk ?? '-'}`,
    `early data:         ${i.earlyData === 'accepted' ? `accepted (${sock.earlyDataBytes} bytes, replayable)` : (i.earlyData ?? 'not offered')}`,
    `client certificate: ${certLine(i.peerCertificates[0])}`,
    `client verified:    ${i.peerCertificates.length ? (i.peerVerified ? 'yes' : `no (${i.peerVerifyError ?? 'not checked'})`) : '-'}`,
  ];
  if (keyUpdated) lines.push('key update:         sent KeyUpdate(update_requested) before this response');
  return lines.join('\n') + '\n';
}

function respond(sock: TlsSocket, status: string, body: string): void {
  const head = `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nServer: puretls\r\n\r\n`;
  sock.write(head + body);
  sock.end(); // close_notify after the response (the caller bounds how long we wait for the peer's)
}

/** Serve one HTTP/1.x request, then close with close_notify. */
export function httpResponder(sock: TlsSocket): void {
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
