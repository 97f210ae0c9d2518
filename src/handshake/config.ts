/**
 * The resolved handshake configuration: the user's ClientConfig/ServerConfig
 * with documented defaults applied, copied and frozen at connect time.
 */
import type { CryptoProvider, NamedGroupName, RandomSource } from '../crypto/provider.js';
import { pureProvider } from '../crypto/pure/index.js';
import type { CertificateVerifier, ClientConfig, CommonConfig, ExternalPsk, ServerConfig, ServerIdentityCheck } from './types.js';
import { requireReferenceName } from './server-identity.js';
import { TlsError } from '../errors.js';
import type { CertificateCompressor } from './compression.js';
import { MIN_RECORD_SIZE_LIMIT, TLS13_RECORD_SIZE_LIMIT } from './extensions/record-size-limit.js';
import { utf8 } from '../util/bytes.js';
import { ALL_CIPHER_SUITES, TLS_CHACHA20_POLY1305_SHA256, cipherSuiteByName, type CipherSuite } from '../crypto/cipher-suites.js';
import { DEFAULT_SCHEMES, schemeByName, type SchemeInfo } from './common/schemes.js';
import { requireGroup } from './common/groups.js';
import { MLDSA_NOT_INSTALLED, mlDsaInstalled } from '../crypto/pure/mldsa.js';
import { ED448_NOT_INSTALLED, ed448Installed } from '../crypto/pure/ed448.js';
import { PskKeyExchangeMode } from './messages/types.js';
import { decodeClientSession, MAX_TICKET_LIFETIME, type ClientSession } from './resumption/session.js';
import { TicketKeys } from './resumption/ticket-keys.js';
import { AntiReplay } from './resumption/anti-replay.js';
import { InMemoryTicketStore, ticketStoreKey, type TicketStore } from './resumption/ticket-store.js';
import { DEFAULT_VERIFY_BUDGET } from '../x509/verify-budget.js';

/**
 * Key-exchange preference, most preferred first: the post-quantum hybrids of
 * draft-ietf-tls-ecdhe-mlkem (X25519MLKEM768 is the default of Chrome,
 * Firefox, Go, rustls and OpenSSL 3.5; Go 1.26 also enables
 * SecP256r1MLKEM768 and SecP384r1MLKEM1024, in this order), then the
 * classical groups. Only supported_groups lists them all: a client sends key
 * shares for X25519MLKEM768 and x25519 alone (defaultKeyShares), and a server
 * takes a group the client sent a share for before asking for a preferred one.
 */
export const DEFAULT_GROUPS: readonly NamedGroupName[] = ['X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024', 'x25519', 'secp256r1', 'secp384r1'];
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
  /** Work units the built-in chain verifier may spend (CommonConfig.verifyBudget). */
  readonly verifyBudget: number;
  readonly rejectUnauthorized: boolean;
  readonly keyLog: ((line: string) => void) | undefined;
  readonly onHandshakeMessage: CommonConfig['onHandshakeMessage'];
  readonly now: () => Date;
  readonly random: RandomSource;
  readonly keyUpdateAfterRecords: number;
  readonly maxHandshakeMessageSize: number;
  /** RFC 8449: our own record_size_limit. */
  readonly recordSizeLimit: number;
  /** RFC 8879: the certificate compression codecs, most preferred first (empty: none). */
  readonly certificateCompression: readonly CertificateCompressor[];
  /** PskKeyExchangeMode codepoints, in preference order (RFC 8446 §4.2.9). */
  readonly pskModes: readonly number[];
  /**
   * Test hook, not public API: rewrite each outgoing handshake message after
   * it entered our transcript (to play a misbehaving peer). Set through the
   * `__mutateHandshake` property of a config object.
   */
  readonly mutateHandshake: ((raw: Uint8Array) => Uint8Array | Uint8Array[]) | undefined;
}

export interface ResolvedClient extends ResolvedCommon {
  readonly role: 'client';
  /** The reference name the server certificate is checked against (server-identity.ts). */
  readonly servername: string | undefined;
  /** Whether `servername` goes into SNI (never for IP literals). */
  readonly sendServerName: boolean;
  readonly checkServerName: boolean;
  readonly checkServerIdentity: ServerIdentityCheck | undefined;
  readonly certificate: ClientConfig['certificate'];
  readonly selectClientCertificate: ClientConfig['selectClientCertificate'];
  /** Send post_handshake_auth (RFC 8446 §4.2.6) and answer post-handshake CertificateRequests. */
  readonly postHandshakeAuth: boolean;
  readonly middleboxCompat: boolean;
  readonly grease: boolean;
  readonly keyShareGroups: readonly NamedGroupName[];
  /** The session given in the config (offered before the store's). */
  readonly session: ClientSession | undefined;
  readonly ticketStore: TicketStore | undefined;
  /** This connection's key in the ticket store. */
  readonly ticketStoreKey: string;
  readonly onSession: ((session: Uint8Array) => void) | undefined;
  readonly reuseTickets: boolean;
  readonly earlyData: boolean;
  readonly externalPsk: ResolvedPsk | undefined;
}

/** An external PSK as the handshake uses it. */
export interface ResolvedPsk {
  readonly identity: Uint8Array;
  readonly key: Uint8Array;
  readonly hash: 'SHA-256' | 'SHA-384';
}

function resolvePsk(p: ExternalPsk, what: string): ResolvedPsk {
  const identity = typeof p.identity === 'string' ? utf8(p.identity) : p.identity;
  if (!(identity instanceof Uint8Array) || identity.length < 1 || identity.length > 0xffff) throw badConfig(`${what}: identity must be 1..65535 bytes`);
  if (!(p.key instanceof Uint8Array) || p.key.length < 16) throw badConfig(`${what}: key must be at least 16 bytes`);
  const hash = p.hash ?? 'SHA-256';
  if (hash !== 'SHA-256' && hash !== 'SHA-384') throw badConfig(`${what}: hash must be SHA-256 or SHA-384`);
  return Object.freeze({ identity: identity.slice(), key: p.key.slice(), hash });
}

export interface ResolvedServer extends ResolvedCommon {
  readonly role: 'server';
  readonly certificate: ServerConfig['certificate'];
  readonly selectCertificate: ServerConfig['selectCertificate'];
  readonly selectAlpnProtocol: ServerConfig['selectAlpnProtocol'];
  readonly clientAuth: 'none' | 'request' | 'require';
  readonly clientCertificateAuthorities: readonly Uint8Array[];
  readonly sessionTickets: number;
  readonly sessionTicketsOnResumption: number;
  /** Seconds. */
  readonly ticketLifetime: number;
  readonly ticketKeys: TicketKeys;
  readonly maxEarlyData: number;
  readonly acceptEarlyData: ServerConfig['acceptEarlyData'];
  readonly antiReplay: AntiReplay;
  readonly externalPsks: readonly ResolvedPsk[];
}

/** Default ticket stores and ticket keys belong to the user's config object, so connections made with it share them. */
const defaultStores = new WeakMap<ClientConfig, TicketStore>();
const defaultTicketKeys = new WeakMap<ServerConfig, TicketKeys>();
const defaultAntiReplay = new WeakMap<ServerConfig, AntiReplay>();

function resolveAntiReplay(c: ServerConfig): AntiReplay {
  if (c.antiReplay !== undefined) {
    if (!(c.antiReplay instanceof AntiReplay)) throw badConfig('antiReplay must be an AntiReplay');
    return c.antiReplay;
  }
  let a = defaultAntiReplay.get(c);
  if (!a) defaultAntiReplay.set(c, (a = new AntiReplay()));
  return a;
}

/** The largest max_early_data_size we accept to configure (each byte may be held until the handshake ends). */
const MAX_EARLY_DATA_LIMIT = 16 * 1024 * 1024;

function badConfig(message: string): TlsError {
  return new TlsError('internal_error', `config: ${message}`, { code: 'bad_config' });
}

function resolvePskModes(modes: CommonConfig['pskKeyExchangeModes']): number[] {
  const list = modes ?? ['psk_dhe_ke'];
  return list.map((m) => {
    if (m !== 'psk_dhe_ke' && m !== 'psk_ke') throw badConfig(`unknown pskKeyExchangeModes entry ${String(m)}`);
    return PskKeyExchangeMode[m];
  });
}

/**
 * The default suite order. A provider whose AES-GCM is not constant time
 * (`preferChaCha20`, the pure provider) puts ChaCha20-Poly1305 first: the
 * client offers it first and the server, which picks in its own order
 * (negotiate.ts), takes it whenever the client offers it, as BoringSSL does
 * without AES instructions. Explicit `cipherSuites` always win.
 */
export function defaultSuites(provider: CryptoProvider): readonly CipherSuite[] {
  if (!provider.preferChaCha20) return ALL_CIPHER_SUITES;
  return [TLS_CHACHA20_POLY1305_SHA256, ...ALL_CIPHER_SUITES.filter((s) => s !== TLS_CHACHA20_POLY1305_SHA256)];
}

/**
 * A security switch must be a real boolean: `0`, `''` or `NaN` are falsy and
 * would turn a check off by accident (a value read from an environment
 * variable or a form field, say), so anything but true/false/undefined is
 * refused, naming the option.
 */
function securitySwitch(value: unknown, option: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw badConfig(`${option} must be true or false, not ${typeof value} ${JSON.stringify(value) ?? String(value)} (a non-boolean never disables verification)`);
}

/** A misspelt policy ('required') must not quietly mean 'request' (§4.3.2: the server decides whether a certificate is required). */
function resolveClientAuth(v: unknown): 'none' | 'request' | 'require' {
  if (v === undefined) return 'none';
  if (v === 'none' || v === 'request' || v === 'require') return v;
  throw badConfig(`clientAuth must be 'none', 'request' or 'require', not ${JSON.stringify(v) ?? String(v)}`);
}

function resolveCommon(c: CommonConfig): ResolvedCommon {
  const provider = c.provider ?? pureProvider;
  const suites = c.cipherSuites
    ? c.cipherSuites.map((n) => {
        const s = cipherSuiteByName(n);
        if (!s) throw new TlsError('internal_error', `config: unknown cipher suite ${n}`, { code: 'bad_config' });
        return s;
      })
    : defaultSuites(provider);
  const groups = [...(c.groups ?? DEFAULT_GROUPS)];
  if (suites.length === 0 || groups.length === 0) throw new TlsError('internal_error', 'config: no cipher suites or groups', { code: 'bad_config' });
  // Every group we may negotiate must exist now, not after a HelloRetryRequest picked it.
  for (const g of groups) requireGroup(provider, g);
  // A bare puretls/web has no Ed448 until puretls/web/signatures is imported: not offered by default then.
  const schemes = (c.signatureSchemes ?? DEFAULT_SCHEMES.filter((n) => n !== 'ed448' || ed448Installed())).map((n) => {
    const s = schemeByName(n);
    if (!s) throw new TlsError('internal_error', `config: unknown signature scheme ${n}`, { code: 'bad_config' });
    if (s.algorithm.kind === 'mldsa' && !mlDsaInstalled()) throw new TlsError('internal_error', `config: signatureSchemes lists ${n}, but ${MLDSA_NOT_INSTALLED}`, { code: 'bad_config' });
    if (s.algorithm.kind === 'ed448' && !ed448Installed()) throw new TlsError('internal_error', `config: signatureSchemes lists ${n}, but ${ED448_NOT_INSTALLED}`, { code: 'bad_config' });
    return s;
  }).filter((s) => s.tls13);
  const alpn = (c.ALPNProtocols ?? []).map((p) => {
    const b = utf8(p);
    if (b.length < 1 || b.length > 255) throw new TlsError('internal_error', `config: ALPN protocol "${p}" must be 1..255 bytes`, { code: 'bad_config' });
    return b;
  });
  const random: RandomSource = c.random ?? ((n) => provider.randomBytes(n));
  const recordSizeLimit = c.recordSizeLimit ?? TLS13_RECORD_SIZE_LIMIT;
  if (!Number.isInteger(recordSizeLimit) || recordSizeLimit < MIN_RECORD_SIZE_LIMIT || recordSizeLimit > TLS13_RECORD_SIZE_LIMIT) {
    throw new TlsError('internal_error', `config: recordSizeLimit must be an integer in ${MIN_RECORD_SIZE_LIMIT}..${TLS13_RECORD_SIZE_LIMIT} (RFC 8449)`, { code: 'bad_config' });
  }
  return Object.freeze({
    provider,
    suites: Object.freeze([...suites]),
    groups: Object.freeze(groups),
    schemes: Object.freeze(schemes),
    alpn: Object.freeze(alpn),
    ca: c.ca ? Object.freeze([...c.ca]) : undefined,
    verifyCertificate: c.verifyCertificate,
    verifyBudget: resolveVerifyBudget(c),
    rejectUnauthorized: securitySwitch(c.rejectUnauthorized, 'rejectUnauthorized') ?? true,
    keyLog: c.keyLog,
    onHandshakeMessage: c.onHandshakeMessage,
    now: c.now ?? (() => new Date()),
    random,
    keyUpdateAfterRecords: c.keyUpdateAfterRecords ?? DEFAULT_KEY_UPDATE_AFTER_RECORDS,
    maxHandshakeMessageSize: c.maxHandshakeMessageSize ?? DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE,
    recordSizeLimit,
    certificateCompression: resolveCertificateCompression(c.certificateCompression),
    pskModes: Object.freeze(resolvePskModes(c.pskKeyExchangeModes)),
    mutateHandshake: (c as { __mutateHandshake?: ResolvedCommon['mutateHandshake'] }).__mutateHandshake,
  });
}

/** The largest verifyBudget accepted: ~1000 P-256 verifications, a few hundred handshakes of CPU per chain. */
export const MAX_VERIFY_BUDGET = 1000;

function resolveVerifyBudget(c: CommonConfig): number {
  if (c.verifyBudget === undefined) return DEFAULT_VERIFY_BUDGET;
  const b = c.verifyBudget;
  if (typeof b !== 'number' || !Number.isInteger(b) || b < 1 || b > MAX_VERIFY_BUDGET) {
    throw badConfig(`verifyBudget must be a whole number of work units, 1..${MAX_VERIFY_BUDGET} (got ${String(b)})`);
  }
  if (c.verifyCertificate) throw badConfig('verifyBudget bounds the built-in verifier, which verifyCertificate replaces: give one or the other');
  return b;
}

function resolveCertificateCompression(v: CommonConfig['certificateCompression']): readonly CertificateCompressor[] {
  const list = v || [];
  const bad = (why: string): TlsError => badConfig(`certificateCompression: ${why}`);
  if (!Array.isArray(list)) throw bad('an array of codecs, or false');
  const seen = new Set<number>();
  for (const k of list as readonly CertificateCompressor[]) {
    if (typeof k === 'string') throw bad(`"${k}": import { ${k} } from 'puretls/compression'`);
    const a = k?.algorithm;
    if (typeof k?.decompress !== 'function' || !(a >= 0 && a <= 0xffff) || a % 1) throw bad('not a codec');
    if (seen.has(a)) throw bad(`algorithm ${a} listed twice`);
    // RFC 8879 §3: algorithms<2..2^8-2>
    if (seen.add(a).size > 127) throw bad('at most 127 algorithms');
  }
  return Object.freeze([...list]);
}

export function resolveClientConfig(c: ClientConfig): ResolvedClient {
  securitySwitch(c.rejectUnauthorized, 'rejectUnauthorized');
  securitySwitch(c.checkServerName, 'checkServerName');
  requireReferenceName(c);
  const common = resolveCommon(c);
  const keyShareGroups = [...(c.keyShareGroups ?? defaultKeyShares(common.groups))];
  for (const g of keyShareGroups) {
    if (!common.groups.includes(g)) throw new TlsError('internal_error', `config: key share group ${g} not in groups`, { code: 'bad_config' });
  }
  return Object.freeze({
    ...common,
    role: 'client' as const,
    servername: c.servername === '' ? undefined : c.servername,
    sendServerName: c.sendServerName ?? true,
    checkServerName: securitySwitch(c.checkServerName, 'checkServerName') ?? true,
    checkServerIdentity: c.checkServerIdentity,
    certificate: c.certificate,
    selectClientCertificate: c.selectClientCertificate,
    postHandshakeAuth: resolvePostHandshakeAuth(c),
    middleboxCompat: c.middleboxCompat ?? true,
    grease: c.grease ?? true,
    keyShareGroups: Object.freeze(keyShareGroups),
    ...resolveClientResumption(c),
  });
}

/** RFC 8446 §4.2.6: offered by default only when we have something to answer with. */
function resolvePostHandshakeAuth(c: ClientConfig): boolean {
  if (c.selectClientCertificate !== undefined && typeof c.selectClientCertificate !== 'function') throw badConfig('selectClientCertificate must be a function');
  if (c.postHandshakeAuth !== undefined && typeof c.postHandshakeAuth !== 'boolean') throw badConfig('postHandshakeAuth must be true or false');
  return c.postHandshakeAuth ?? (c.certificate !== undefined || c.selectClientCertificate !== undefined);
}

function resolveClientResumption(c: ClientConfig): Pick<ResolvedClient, 'session' | 'ticketStore' | 'ticketStoreKey' | 'onSession' | 'reuseTickets' | 'earlyData' | 'externalPsk'> {
  let session: ClientSession | undefined;
  if (c.session !== undefined) {
    if (!(c.session instanceof Uint8Array)) throw badConfig('session must be the bytes given to onSession');
    try {
      session = decodeClientSession(c.session);
    } catch (e) {
      throw new TlsError('internal_error', `config: session is not a puretls session (${e instanceof Error ? e.message : String(e)})`, { code: 'bad_config', cause: e });
    }
  }
  let store: TicketStore | undefined;
  if (c.ticketStore === false) store = undefined;
  else if (c.ticketStore !== undefined) {
    if (typeof c.ticketStore.put !== 'function' || typeof c.ticketStore.take !== 'function') throw badConfig('ticketStore must have put() and take()');
    store = c.ticketStore;
  } else {
    store = defaultStores.get(c);
    if (!store) defaultStores.set(c, (store = new InMemoryTicketStore()));
  }
  if (c.port !== undefined && !(Number.isInteger(c.port) && c.port >= 0 && c.port <= 0xffff)) throw badConfig(`port ${c.port} is not a port number`);
  return {
    session,
    ticketStore: store,
    ticketStoreKey: ticketStoreKey(c.servername, c.port, c.ALPNProtocols ?? []),
    onSession: c.onSession,
    reuseTickets: c.reuseTickets ?? false,
    earlyData: c.earlyData ?? false,
    externalPsk: c.psk !== undefined ? resolvePsk(c.psk, 'psk') : undefined,
  };
}

function resolveTicketKeys(c: ServerConfig): TicketKeys {
  if (c.ticketKeys instanceof TicketKeys) return c.ticketKeys;
  let k = defaultTicketKeys.get(c);
  if (!k) {
    k = new TicketKeys(c.ticketKeys !== undefined ? { keys: c.ticketKeys } : {});
    defaultTicketKeys.set(c, k);
  }
  return k;
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
  if (c.selectAlpnProtocol !== undefined) {
    if (typeof c.selectAlpnProtocol !== 'function') throw badConfig('selectAlpnProtocol must be a function');
    if (c.ALPNProtocols !== undefined && c.ALPNProtocols.length > 0) throw badConfig('selectAlpnProtocol and ALPNProtocols cannot both be given');
  }
  const ticketLifetime = checkLifetime(c.ticketLifetime ?? 7200);
  const ticketKeys = resolveTicketKeys(c);
  // Replaced ticket keys open tickets for as long as the tickets we issue live (ticket-keys.ts).
  ticketKeys.honourLifetime(ticketLifetime);
  return Object.freeze({
    ...resolveCommon(c),
    maxHandshakeMessageSize: c.maxHandshakeMessageSize ?? MAX_CLIENT_HELLO_SIZE,
    role: 'server' as const,
    certificate: c.certificate,
    selectCertificate: c.selectCertificate,
    selectAlpnProtocol: c.selectAlpnProtocol,
    clientAuth: resolveClientAuth(c.clientAuth),
    clientCertificateAuthorities: Object.freeze([...(c.clientCertificateAuthorities ?? [])]),
    sessionTickets: checkCount(c.sessionTickets ?? 2),
    sessionTicketsOnResumption: checkCount(c.sessionTicketsOnResumption ?? c.sessionTickets ?? 2, 'sessionTicketsOnResumption'),
    ticketLifetime,
    ticketKeys,
    maxEarlyData: checkMaxEarlyData(c.maxEarlyData ?? 0),
    acceptEarlyData: c.acceptEarlyData,
    antiReplay: resolveAntiReplay(c),
    externalPsks: Object.freeze((c.psks ?? []).map((p, i) => resolvePsk(p, `psks[${i}]`))),
  });
}

export function checkMaxEarlyData(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_EARLY_DATA_LIMIT) throw badConfig(`maxEarlyData must be an integer 0..${MAX_EARLY_DATA_LIMIT}`);
  return n;
}

/** At most this many tickets after one handshake (each costs an AEAD seal and a record). */
const MAX_SESSION_TICKETS = 16;

export function checkCount(n: number, name = 'sessionTickets'): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SESSION_TICKETS) throw badConfig(`${name} must be an integer 0..${MAX_SESSION_TICKETS}`);
  return n;
}

export function checkLifetime(n: number): number {
  // RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)."
  if (!Number.isInteger(n) || n < 1 || n > MAX_TICKET_LIFETIME) throw badConfig(`ticketLifetime must be an integer 1..${MAX_TICKET_LIFETIME} seconds`);
  return n;
}
