/**
 * `--trace`: each handshake message decoded, in the spirit of
 * `openssl s_client -msg -trace`: the message name once, its size on the wire,
 * then its fields by name (cipher suites, groups, signature schemes,
 * extensions and what they carry). Every line carries the same prefix, so on
 * `serve` each line names its client.
 *
 *   [trace] >> ClientHello, 1597 bytes
 *   [trace]      cipher_suites: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256
 *   [trace]      server_name: localhost
 *   [trace]      key_share: X25519MLKEM768 (1216 bytes), x25519 (32 bytes)
 */
import { cipherSuiteByCode } from '../crypto/cipher-suites.js';
import { decodeAlpn } from '../handshake/extensions/alpn.js';
import { decodeKeyShareClient, decodeKeyShareHrr, decodeKeyShareServer } from '../handshake/extensions/key-share.js';
import type { Extension } from '../handshake/extensions/list.js';
import {
  decodePskKeyExchangeModes, decodeSignatureAlgorithms, decodeSupportedGroups, decodeSupportedVersionsClient, decodeSupportedVersionsServer,
} from '../handshake/extensions/lists.js';
import { decodeCertificateAuthorities, decodeCookie } from '../handshake/extensions/misc.js';
import { decodeOfferedPsks, decodeSelectedIdentity } from '../handshake/extensions/psk.js';
import { decodeServerName } from '../handshake/extensions/server-name.js';
import { groupName } from '../handshake/common/groups.js';
import { schemeName } from '../handshake/common/schemes.js';
import { decodeHandshake, extensionTypeName, ExtensionType, isHelloRetryRequest, type HandshakeMessage } from '../handshake/messages/index.js';
import { parseCertificate } from '../x509/index.js';

type Where = 'CH' | 'SH' | 'HRR' | 'EE' | 'CR' | 'CT' | 'NST';

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const suiteName = (c: number) => cipherSuiteByCode(c)?.name ?? `unknown(${hex4(c)})`;
/** IANA names of groups puretls does not implement, so a peer's offer still reads by name. */
const OTHER_GROUPS: Record<number, string> = {
  0x0019: 'secp521r1', 0x001e: 'x448', 0x0100: 'ffdhe2048', 0x0101: 'ffdhe3072', 0x0102: 'ffdhe4096', 0x0103: 'ffdhe6144',
  0x0104: 'ffdhe8192', 0x11eb: 'SecP256r1MLKEM768', 0x11ed: 'SecP384r1MLKEM1024', 0x6399: 'X25519Kyber768Draft00',
};
const group = (c: number) => groupName(c) ?? OTHER_GROUPS[c] ?? `unknown(${hex4(c)})`;
const version = (v: number) => (v === 0x0304 ? 'TLS 1.3' : v === 0x0303 ? 'TLS 1.2' : v === 0x0302 ? 'TLS 1.1' : v === 0x0301 ? 'TLS 1.0' : hex4(v));
const bytes = (n: number) => `${n} byte${n === 1 ? '' : 's'}`;
const PSK_MODES = ['psk_ke', 'psk_dhe_ke'];

/** What one extension carries, in words. */
function extensionValue(e: Extension, where: Where): string {
  const d = e.data;
  switch (e.type) {
    case ExtensionType.server_name:
      return d.length === 0 ? '(acknowledged)' : decodeServerName(d) ?? '(none)';
    case ExtensionType.supported_groups:
      return decodeSupportedGroups(d).map(group).join(', ');
    case ExtensionType.signature_algorithms:
    case ExtensionType.signature_algorithms_cert:
      return decodeSignatureAlgorithms(d).map(schemeName).join(', ');
    case ExtensionType.supported_versions:
      return where === 'CH' ? decodeSupportedVersionsClient(d).map(version).join(', ') : version(decodeSupportedVersionsServer(d));
    case ExtensionType.key_share:
      if (where === 'CH') return decodeKeyShareClient(d).map((k) => `${group(k.group)} (${bytes(k.keyExchange.length)})`).join(', ') || '(empty: waiting for HelloRetryRequest)';
      if (where === 'HRR') return `retry with ${group(decodeKeyShareHrr(d))}`;
      {
        const k = decodeKeyShareServer(d);
        return `${group(k.group)} (${bytes(k.keyExchange.length)})`;
      }
    case ExtensionType.application_layer_protocol_negotiation:
      return decodeAlpn(d).map((p) => new TextDecoder().decode(p)).join(', ');
    case ExtensionType.psk_key_exchange_modes:
      return decodePskKeyExchangeModes(d).map((m) => PSK_MODES[m] ?? `unknown(${m})`).join(', ');
    case ExtensionType.pre_shared_key:
      if (where === 'CH') {
        const p = decodeOfferedPsks(d);
        return p.identities.map((i, n) => `identity ${n}: ${bytes(i.identity.length)}, binder ${bytes(p.binders[n]?.length ?? 0)}`).join('; ');
      }
      return `selected identity ${decodeSelectedIdentity(d)}`;
    case ExtensionType.early_data:
      return where === 'NST' && d.length === 4 ? `max_early_data_size ${new DataView(d.buffer, d.byteOffset, 4).getUint32(0)}` : '(present)';
    case ExtensionType.cookie:
      return bytes(decodeCookie(d).length);
    case ExtensionType.certificate_authorities:
      return `${decodeCertificateAuthorities(d).length} name(s)`;
    default:
      return d.length ? bytes(d.length) : '(empty)';
  }
}

function extensionLines(exts: readonly Extension[], where: Where): string[] {
  return exts.map((e) => {
    let v: string;
    try {
      v = extensionValue(e, where);
    } catch (err) {
      v = `${bytes(e.data.length)}, undecodable: ${(err as Error).message}`;
    }
    return `${extensionTypeName(e.type)}: ${v}`;
  });
}

function certificateLine(der: Uint8Array, i: number): string {
  try {
    const s = parseCertificate(der);
    const names = [...s.subjectAltNames.dns, ...s.subjectAltNames.ip];
    return `certificate ${i}: ${s.subject}${names.length ? ` [${names.join(', ')}]` : ''}, issuer ${s.issuer}, ${s.publicKeyType}, ${bytes(der.length)}`;
  } catch {
    return `certificate ${i}: ${bytes(der.length)} (unparsable)`;
  }
}

/** RFC 8879 §7.3. */
const COMPRESSION: Record<number, string> = { 1: 'zlib', 2: 'brotli', 3: 'zstd' };

const NAMES: Record<HandshakeMessage['type'], string> = {
  client_hello: 'ClientHello', server_hello: 'ServerHello', encrypted_extensions: 'EncryptedExtensions', certificate: 'Certificate',
  certificate_request: 'CertificateRequest', certificate_verify: 'CertificateVerify', finished: 'Finished',
  new_session_ticket: 'NewSessionTicket', end_of_early_data: 'EndOfEarlyData', key_update: 'KeyUpdate', message_hash: 'message_hash',
  compressed_certificate: 'CompressedCertificate',
};

/** The title line and the detail lines of one message. */
export function describeMessage(m: HandshakeMessage): { name: string; details: string[] } {
  switch (m.type) {
    case 'client_hello':
      return {
        name: NAMES[m.type],
        details: [
          `cipher_suites: ${m.cipherSuites.map(suiteName).join(', ')}`,
          ...(m.legacySessionId.length ? [`legacy_session_id: ${bytes(m.legacySessionId.length)}`] : []),
          ...extensionLines(m.extensions, 'CH'),
        ],
      };
    case 'server_hello': {
      const hrr = isHelloRetryRequest(m);
      return { name: hrr ? 'HelloRetryRequest' : 'ServerHello', details: [`cipher_suite: ${suiteName(m.cipherSuite)}`, ...extensionLines(m.extensions, hrr ? 'HRR' : 'SH')] };
    }
    case 'encrypted_extensions':
      return { name: NAMES[m.type], details: extensionLines(m.extensions, 'EE') };
    case 'certificate':
      return {
        name: NAMES[m.type],
        details: [
          ...(m.context.length ? [`certificate_request_context: ${bytes(m.context.length)}`] : []),
          ...(m.entries.length ? m.entries.map((e, i) => certificateLine(e.data, i)) : ['no certificate']),
        ],
      };
    case 'certificate_request':
      return { name: NAMES[m.type], details: [...(m.context.length ? [`certificate_request_context: ${bytes(m.context.length)}`] : []), ...extensionLines(m.extensions, 'CR')] };
    case 'certificate_verify':
      return { name: NAMES[m.type], details: [`signature_scheme: ${schemeName(m.scheme)}, signature: ${bytes(m.signature.length)}`] };
    case 'compressed_certificate':
      return { name: NAMES[m.type], details: [`algorithm: ${COMPRESSION[m.algorithm] ?? m.algorithm}, uncompressed_length: ${bytes(m.uncompressedLength)}, compressed: ${bytes(m.data.length)}`] };
    case 'finished':
      return { name: NAMES[m.type], details: [`verify_data: ${bytes(m.verifyData.length)}`] };
    case 'new_session_ticket':
      return { name: NAMES[m.type], details: [`ticket_lifetime: ${m.lifetime} s, ticket: ${bytes(m.ticket.length)}`, ...extensionLines(m.extensions, 'NST')] };
    case 'key_update':
      return { name: NAMES[m.type], details: [m.requestUpdate ? 'update_requested' : 'update_not_requested'] };
    case 'end_of_early_data':
    case 'message_hash':
      return { name: NAMES[m.type], details: [] };
  }
}

/** The lines `--trace` prints for one message (without the prefix). */
export function traceLines(direction: 'sent' | 'received', wire: Uint8Array): string[] {
  const arrow = direction === 'sent' ? '>>' : '<<';
  let m: HandshakeMessage;
  try {
    m = decodeHandshake(wire);
  } catch (e) {
    return [`${arrow} handshake message, ${bytes(wire.length)} (undecodable: ${(e as Error).message})`];
  }
  const { name, details } = describeMessage(m);
  return [`${arrow} ${name}, ${bytes(wire.length)}`, ...details.map((d) => `     ${d}`)];
}

/** A trace callback writing to stderr, every line prefixed by `[trace]` or `[trace WHO]` (a client, on serve). */
export function traceFor(who?: string): (direction: 'sent' | 'received', type: string, summary: string, message: Uint8Array) => void {
  const prefix = who ? `[trace ${who}]` : '[trace]';
  return (direction, _type, _summary, message) => {
    process.stderr.write(traceLines(direction, message).map((l) => `${prefix} ${l}\n`).join(''));
  };
}
