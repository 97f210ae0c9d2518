/**
 * ClientHello, RFC 8446 §4.1.2:
 *   ProtocolVersion legacy_version = 0x0303;
 *   Random random;                                  (32 bytes)
 *   opaque legacy_session_id<0..32>;
 *   CipherSuite cipher_suites<2..2^16-2>;
 *   opaque legacy_compression_methods<1..2^8-1>;
 *   Extension extensions<8..2^16-1>;
 */
import { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';
import { readExtensions, writeExtensions, type Extension } from '../extensions/list.js';

export interface ClientHello {
  readonly type: 'client_hello';
  readonly legacyVersion: number;
  readonly random: Uint8Array;
  readonly legacySessionId: Uint8Array;
  readonly cipherSuites: readonly number[];
  readonly legacyCompressionMethods: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function decodeClientHello(r: Reader): ClientHello {
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const legacySessionId = r.vec8(0, 32, 'legacy_session_id');
  const cipherSuites = r.u16List(2, 2, 0xfffe, 'cipher_suites');
  const legacyCompressionMethods = r.vec8(1, 0xff, 'legacy_compression_methods');
  // A TLS 1.2-and-below ClientHello may omit extensions entirely; TLS 1.3 requires
  // them (supported_versions at least). We parse an absent block as empty so the
  // caller can answer protocol_version rather than decode_error.
  const extensions = r.remaining === 0 ? [] : readExtensions(r, 0);
  return { type: 'client_hello', legacyVersion, random, legacySessionId, cipherSuites, legacyCompressionMethods, extensions };
}

export function encodeClientHello(w: Writer, m: ClientHello): void {
  w.u16(m.legacyVersion).bytes(m.random).vec8(m.legacySessionId, 0, 32);
  w.block(2, (w) => { for (const s of m.cipherSuites) w.u16(s); }, 2, 0xfffe);
  w.vec8(m.legacyCompressionMethods, 1, 0xff);
  writeExtensions(w, m.extensions, 8);
}

export function describeClientHello(m: ClientHello): string {
  return `suites=[${m.cipherSuites.map((s) => s.toString(16).padStart(4, '0')).join(',')}] session_id=${m.legacySessionId.length}B extensions=${m.extensions.length}`;
}
