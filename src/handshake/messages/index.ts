/**
 * Handshake message framing, RFC 8446 §4:
 *   struct { HandshakeType msg_type; uint24 length; select (msg_type) {...} body; } Handshake;
 * `decodeHandshake` takes one complete message (header included, as the
 * record layer reassembles it) and decodes its body strictly: trailing bytes
 * or a bound violation → decode_error; an unknown msg_type → unexpected_message.
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { toHex } from '../../util/bytes.js';
import { decodeCertificate, describeCertificate, encodeCertificate, type Certificate } from './certificate.js';
import { decodeCertificateRequest, encodeCertificateRequest, type CertificateRequest } from './certificate-request.js';
import { decodeCompressedCertificate, encodeCompressedCertificate, type CompressedCertificate } from './compressed-certificate.js';
import { decodeCertificateVerify, encodeCertificateVerify, type CertificateVerify } from './certificate-verify.js';
import { decodeClientHello, describeClientHello, encodeClientHello, type ClientHello } from './client-hello.js';
import { decodeEncryptedExtensions, encodeEncryptedExtensions, type EncryptedExtensions } from './encrypted-extensions.js';
import { decodeNewSessionTicket, encodeNewSessionTicket, type NewSessionTicket } from './new-session-ticket.js';
import { decodeServerHello, describeServerHello, encodeServerHello, type ServerHello } from './server-hello.js';
import {
  decodeEndOfEarlyData, decodeFinished, decodeKeyUpdate, decodeMessageHash, encodeFinished, encodeKeyUpdate,
  encodeMessageHash, type EndOfEarlyData, type Finished, type KeyUpdate, type MessageHash,
} from './simple.js';
import { HandshakeType, extensionTypeName, type HandshakeTypeName } from './types.js';

export type { Certificate, CertificateEntry } from './certificate.js';
export type { CertificateRequest } from './certificate-request.js';
export type { CertificateVerify } from './certificate-verify.js';
export type { CompressedCertificate } from './compressed-certificate.js';
export type { ClientHello } from './client-hello.js';
export type { EncryptedExtensions } from './encrypted-extensions.js';
export type { NewSessionTicket } from './new-session-ticket.js';
export type { ServerHello } from './server-hello.js';
export { isHelloRetryRequest } from './server-hello.js';
export type { EndOfEarlyData, Finished, KeyUpdate, MessageHash } from './simple.js';
export * from './types.js';

export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | EncryptedExtensions
  | Certificate
  | CertificateRequest
  | CertificateVerify
  | CompressedCertificate
  | Finished
  | NewSessionTicket
  | EndOfEarlyData
  | KeyUpdate
  | MessageHash;

/** The 4-byte header: type and 24-bit length. */
export const HANDSHAKE_HEADER_LENGTH = 4;

/** Decode one complete handshake message (header + body). */
export function decodeHandshake(bytes: Uint8Array): HandshakeMessage {
  const h = new Reader(bytes, 0, bytes.length, 'handshake');
  const type = h.u8();
  const len = h.u24();
  if (len !== h.remaining) throw new TlsError('decode_error', `handshake: length ${len} but ${h.remaining} body bytes`);
  const r = new Reader(bytes, HANDSHAKE_HEADER_LENGTH, bytes.length, handshakeName(type));
  const m = decodeBody(type, r);
  r.expectEnd();
  return m;
}

/** HandshakeType value → its name (for decode errors), built once. */
let handshakeNames: Map<number, string> | undefined;

function handshakeName(type: number): string {
  handshakeNames ??= new Map(Object.entries(HandshakeType).map(([k, v]) => [v as number, k]));
  return handshakeNames.get(type) ?? `handshake(${type})`;
}

function decodeBody(type: number, r: Reader): HandshakeMessage {
  switch (type) {
    case HandshakeType.client_hello: return decodeClientHello(r);
    case HandshakeType.server_hello: return decodeServerHello(r);
    case HandshakeType.encrypted_extensions: return decodeEncryptedExtensions(r);
    case HandshakeType.certificate: return decodeCertificate(r);
    case HandshakeType.certificate_request: return decodeCertificateRequest(r);
    case HandshakeType.certificate_verify: return decodeCertificateVerify(r);
    case HandshakeType.compressed_certificate: return decodeCompressedCertificate(r);
    case HandshakeType.finished: return decodeFinished(r);
    case HandshakeType.new_session_ticket: return decodeNewSessionTicket(r);
    case HandshakeType.end_of_early_data: return decodeEndOfEarlyData(r);
    case HandshakeType.key_update: return decodeKeyUpdate(r);
    // message_hash is synthetic (§4.4.1): it never arrives from a peer.
    default: throw new TlsError('unexpected_message', `unknown or unexpected handshake message type ${type}`);
  }
}

/** Decode a synthetic message_hash (tests and tracing only). */
export function decodeMessageHashMessage(bytes: Uint8Array): MessageHash {
  return decodeMessageHash(new Reader(bytes, HANDSHAKE_HEADER_LENGTH, bytes.length, 'message_hash'));
}

/** Encode a handshake message with its 4-byte header. */
export function encodeHandshake(m: HandshakeMessage): Uint8Array {
  const w = new Writer(256);
  w.u8(HandshakeType[m.type]);
  w.block(3, (w) => {
    switch (m.type) {
      case 'client_hello': return encodeClientHello(w, m);
      case 'server_hello': return encodeServerHello(w, m);
      case 'encrypted_extensions': return encodeEncryptedExtensions(w, m);
      case 'certificate': return encodeCertificate(w, m);
      case 'certificate_request': return encodeCertificateRequest(w, m);
      case 'certificate_verify': return encodeCertificateVerify(w, m);
      case 'compressed_certificate': return encodeCompressedCertificate(w, m);
      case 'finished': return encodeFinished(w, m);
      case 'new_session_ticket': return encodeNewSessionTicket(w, m);
      case 'end_of_early_data': return;
      case 'key_update': return encodeKeyUpdate(w, m);
      case 'message_hash': return encodeMessageHash(w, m);
    }
  });
  return w.finish();
}

export function handshakeTypeOf(m: HandshakeMessage): HandshakeTypeName {
  return m.type;
}

function extNames(exts: readonly { type: number }[]): string {
  return exts.map((e) => extensionTypeName(e.type)).join(',');
}

/** One line describing a message, for --trace. */
export function describe(m: HandshakeMessage): string {
  switch (m.type) {
    case 'client_hello': return `ClientHello ${describeClientHello(m)} [${extNames(m.extensions)}]`;
    case 'server_hello': return `ServerHello ${describeServerHello(m)} [${extNames(m.extensions)}]`;
    case 'encrypted_extensions': return `EncryptedExtensions [${extNames(m.extensions)}]`;
    case 'certificate': return `Certificate ${describeCertificate(m)}${m.context.length ? ` context=${toHex(m.context)}` : ''}`;
    case 'certificate_request': return `CertificateRequest context=${toHex(m.context)} [${extNames(m.extensions)}]`;
    case 'certificate_verify': return `CertificateVerify scheme=0x${m.scheme.toString(16).padStart(4, '0')} signature=${m.signature.length}B`;
    case 'compressed_certificate': return `CompressedCertificate algorithm=${m.algorithm} ${m.data.length}B of ${m.uncompressedLength}B`;
    case 'finished': return `Finished verify_data=${m.verifyData.length}B`;
    case 'new_session_ticket': return `NewSessionTicket lifetime=${m.lifetime}s ticket=${m.ticket.length}B [${extNames(m.extensions)}]`;
    case 'end_of_early_data': return 'EndOfEarlyData';
    case 'key_update': return `KeyUpdate request_update=${m.requestUpdate}`;
    case 'message_hash': return `message_hash ${toHex(m.hash)}`;
  }
}
