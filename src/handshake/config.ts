/**
 * The resolved handshake configuration: the user's ClientConfig/ServerConfig
 * with documented defaults applied, copied and frozen at connect time.
 */
import type { CryptoProvider, NamedGroupName, RandomSource } from '../crypto/provider.js';
import { pureProvider } from '../crypto/pure/index.js';
import type { CertificateVerifier, ClientConfig, CommonConfig, ServerConfig } from './types.js';
import { TlsError } from '../errors.js';
import { utf8 } from '../util/bytes.js';
import { ALL_CIPHER_SUITES, cipherSuiteByName, type CipherSuite } from '../crypto/cipher-suites.js';
import { DEFAULT_SCHEMES, schemeByName, type SchemeInfo } from './common/schemes.js';

/**
 * Key-exchange preference, most preferred first: the X25519MLKEM768 hybrid
 * (post-quantum, draft-ietf-tls-ecdhe-mlkem; the default of Chrome, Firefox,
 * Go, rustls and OpenSSL 3.5), then the classical groups.
 */
export const DEFAULT_GROUPS: readonly NamedGroupName[] = ['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1'];
/** RFC 8446 §5.5 allows 2^24.5 AES-GCM records; we rekey long before. */
export const DEFAULT_KEY_UPDATE_AFTER_RECORDS = 1 << 23;
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 64 * 1024;
/**
 * The largest ClientHello body the wire format allows (RFC 8446 §4.1.2:
 * 2 + 32 + (1 + 32) + (2 + 65534) + (1 + 255) + (2 + 65535)), OpenSSL's
 * CLIENT_HELLO_MAX_LENGTH. The server's default limit, so that any
 * well-formed ClientHello is read (tlsfuzzer sends one with 32717
 * signature schemes, beyond 64 KiB).
 */
export const MAX_CLIENT_HELLO_SIZE = 131396;

export interface ResolvedCommon {
  readonly provider: CryptoProvider;
  readonly suites: readonly CipherSuite[];
  readonly groups: readonly NamedGroupName[];
  /** Schemes we accept in the peer's CertificateVerify (TLS 1.3 usable only). */
  readonly schemes: readonly SchemeInfo[];
  readonly alpn: readonly Uint8Array[];
  readonly ca: readonly (Uint8Array | string)[] | undefined;
  readonly verifyCertificate: CertificateVerifier | undefined;
  readonly rejectUnauthorized: boolean;
  readonly keyLog: ((line: string) => void) | undefined;
  readonly onHandshakeMessage: CommonConfig['onHandshakeMessage'];
  readonly now: () => Date;
  readonly random: RandomSource;
  readonly keyUpdateAfterRecords: number;
  readonly maxHandshakeMessageSize: number;
  /**
   * Test hook, not public API: rewrite each outgoing handshake message after
   * it entered our transcript (to play a misbehaving peer). Set through the
   * `__mutateHandshake` property of a config object.
   */
  readonly mutateHandshake: ((raw: Uint8Array) => Uint8Array | Uint8Array[]) | undefined;
}

export interface ResolvedClient extends ResolvedCommon {
  readonly role: 'client';
  readonly servername: string | undefined;
  readonly certificate: ClientConfig['certificate'];
  readonly middleboxCompat: boolean;
  readonly keyShareGroups: readonly NamedGroupName[];
}

export interface ResolvedServer extends ResolvedCommon {
  readonly role: 'server';
  readonly certificate: ServerConfig['certificate'];
  readonly selectCertificate: ServerConfig['selectCertificate'];
  readonly clientAuth: 'none' | 'request' | 'require';
  readonly clientCertificateAuthorities: readonly Uint8Array[];
}

function resolveCommon(c: CommonConfig): ResolvedCommon {
  const provider = c.provider ?? pureProvider;
  const suites = c.cipherSuites
    ? c.cipherSuites.map((n) => {
        const s = cipherSuiteByName(n);
        if (!s) throw new TlsError('internal_error', `config: unknown cipher suite ${n}`, { code: 'bad_config' });
        return s;
      })
    : ALL_CIPHER_SUITES;
  const groups = [...(c.groups ?? DEFAULT_GROUPS)];
  if (suites.length === 0 || groups.length === 0) throw new TlsError('internal_error', 'config: no cipher suites or groups', { code: 'bad_config' });
  const schemes = (c.signatureSchemes ?? DEFAULT_SCHEMES).map((n) => {
    const s = schemeByName(n);
    if (!s) throw new TlsError('internal_error', `config: unknown signature scheme ${n}`, { code: 'bad_config' });
    return s;
  }).filter((s) => s.tls13);
  const alpn = (c.ALPNProtocols ?? []).map((p) => {
    const b = utf8(p);
    if (b.length < 1 || b.length > 255) throw new TlsError('internal_error', `config: ALPN protocol "${p}" must be 1..255 bytes`, { code: 'bad_config' });
    return b;
  });
  const random: RandomSource = c.random ?? ((n) => provider.randomBytes(n));
  return Object.freeze({
    provider,
    suites: Object.freeze([...suites]),
    groups: Object.freeze(groups),
    schemes: Object.freeze(schemes),
    alpn: Object.freeze(alpn),
    ca: c.ca ? Object.freeze([...c.ca]) : undefined,
    verifyCertificate: c.verifyCertificate,
    rejectUnauthorized: c.rejectUnauthorized ?? true,
    keyLog: c.keyLog,
    onHandshakeMessage: c.onHandshakeMessage,
    now: c.now ?? (() => new Date()),
    random,
    keyUpdateAfterRecords: c.keyUpdateAfterRecords ?? DEFAULT_KEY_UPDATE_AFTER_RECORDS,
    maxHandshakeMessageSize: c.maxHandshakeMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE,
    mutateHandshake: (c as { __mutateHandshake?: ResolvedCommon['mutateHandshake'] }).__mutateHandshake,
  });
}

export function resolveClientConfig(c: ClientConfig): ResolvedClient {
  const common = resolveCommon(c);
  const keyShareGroups = [...(c.keyShareGroups ?? defaultKeyShares(common.groups))];
  for (const g of keyShareGroups) {
    if (!common.groups.includes(g)) throw new TlsError('internal_error', `config: key share group ${g} not in groups`, { code: 'bad_config' });
  }
  return Object.freeze({
    ...common,
    role: 'client' as const,
    servername: c.servername,
    certificate: c.certificate,
    middleboxCompat: c.middleboxCompat ?? true,
    keyShareGroups: Object.freeze(keyShareGroups),
  });
}

/**
 * The groups a client sends key shares for unless told: its first
 * preference, and when that is the X25519MLKEM768 hybrid, x25519 as well
 * (if listed), so that a server without the hybrid needs no
 * HelloRetryRequest. RFC 8446 §4.2.8: shares in supported_groups order.
 */
function defaultKeyShares(groups: readonly NamedGroupName[]): NamedGroupName[] {
  const first = groups[0]!;
  if (first === 'X25519MLKEM768' && groups.includes('x25519')) return [first, 'x25519'];
  return [first];
}

export function resolveServerConfig(c: ServerConfig): ResolvedServer {
  return Object.freeze({
    ...resolveCommon(c),
    maxHandshakeMessageSize: c.maxHandshakeMessageSize ?? MAX_CLIENT_HELLO_SIZE,
    role: 'server' as const,
    certificate: c.certificate,
    selectCertificate: c.selectCertificate,
    clientAuth: c.clientAuth ?? 'none',
    clientCertificateAuthorities: Object.freeze([...(c.clientCertificateAuthorities ?? [])]),
  });
}
