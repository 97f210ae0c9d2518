/**
 * ServerHello and HelloRetryRequest, RFC 8446 §4.1.3–4.1.4:
 *   ProtocolVersion legacy_version = 0x0303;
 *   Random random;                                  (HRR: SHA-256("HelloRetryRequest"))
 *   opaque legacy_session_id_echo<0..32>;
 *   CipherSuite cipher_suite;
 *   uint8 legacy_compression_method = 0;
 *   Extension extensions<6..2^16-1>;
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';
import { bytesEqual } from '../../util/bytes.js';
import { readExtensions, writeExtensions, type Extension } from '../extensions/list.js';
import { HELLO_RETRY_REQUEST_RANDOM } from './types.js';

export interface ServerHello {
  readonly type: 'server_hello';
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionIdEcho: Uint8Array;
  readonly cipherSuite: number;
  readonly legacyCompressionMethod: number;
  readonly extensions: readonly Extension[];
}

export function isHelloRetryRequest(m: ServerHello): boolean {
  return bytesEqual(m.random, HELLO_RETRY_REQUEST_RANDOM);
}

export function decodeServerHello(r: Reader): ServerHello {
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const legacySessionIdEcho = r.vec8(0, 32, 'legacy_session_id_echo');
  const cipherSuite = r.u16();
  const legacyCompressionMethod = r.u8();
  // A TLS 1.2 ServerHello may have no extensions; parse as empty so the
  // client reports the version problem, not a decode error.
  const extensions = r.remaining === 0 ? [] : readExtensions(r, 0);
  return { type: 'server_hello', legacyVersion, random, legacySessionIdEcho, cipherSuite, legacyCompressionMethod, extensions };
}

export function encodeServerHello(w: Writer, m: ServerHello): void {
  w.u16(m.legacyVersion).bytes(m.random).vec8(m.legacySessionIdEcho, 0, 32).u16(m.cipherSuite).u8(m.legacyCompressionMethod);
  writeExtensions(w, m.extensions, 6);
}

export function describeServerHello(m: ServerHello): string {
  return `${isHelloRetryRequest(m) ? 'HelloRetryRequest ' : ''}suite=${m.cipherSuite.toString(16).padStart(4, '0')} extensions=${m.extensions.length}`;
}
