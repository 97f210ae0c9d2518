/**
 * Options shared by the adapters, named like Node's `tls` where the meaning is
 * the same, and their translation into the core's ClientConfig/ServerConfig.
 * Portable: no node: imports (the Node adapter adds Buffer inputs, the
 * node:crypto provider and the platform roots on top).
 */
import type { CryptoProvider, NamedGroupName } from '../crypto/provider.js';
import { pureProvider } from '../crypto/pure/index.js';
import type {
  CommonConfig,
  CertificateVerifier,
  CertifiedKey,
  ClientConfig,
  ServerConfig,
  ServerIdentityCheck,
  SignatureSchemeName,
} from '../connection/types.js';
import { referenceName, requireReferenceName } from '../handshake/server-identity.js';
import { checkCount, checkLifetime, checkMaxEarlyData } from '../handshake/config.js';
import type { ExternalPsk } from '../handshake/types.js';
import { TicketKeys } from '../handshake/resumption/ticket-keys.js';
import { AntiReplay } from '../handshake/resumption/anti-replay.js';
import { cipherSuiteByName } from '../crypto/cipher-suites.js';
import { assertKeyMatchesCertificate, parsePrivateKey } from '../x509/index.js';
import { certificatesFrom, pemBlocks, pemText } from './pem.js';

/** PEM text or bytes (PEM or DER). */
export type PemInput = string | Uint8Array;

export type ProviderOption = 'pure' | 'webcrypto' | CryptoProvider;

/** A certificate chain and its private key, as PEM. */
export interface KeyCertPair {
  /** Leaf alone or leaf followed by intermediates (PEM), or a list of them. */
  cert: PemInput | readonly PemInput[];
  /** PKCS#8, SEC1 or PKCS#1 PEM (or DER). */
  key: PemInput;
}

export interface CommonSecureOptions {
  /** 'pure' (default), 'webcrypto', or a CryptoProvider object ('node' too, in the Node adapter). */
  provider?: ProviderOption | string;
  /** Trust anchors: PEM (one or many certificates per entry) or DER. */
  ca?: PemInput | readonly PemInput[];
  /** Our certificate (leaf or chain, PEM). */
  cert?: PemInput | readonly PemInput[];
  /** Our private key (PEM). */
  key?: PemInput;
  /** ALPN protocols in preference order. */
  ALPNProtocols?: readonly string[];
  /** Default true. */
  rejectUnauthorized?: boolean;
  /** Versions allowed (Node's names): the range must include 'TLSv1.3', the one version puretls speaks. */
  minVersion?: string;
  maxVersion?: string;
  /** OpenSSL-style list ("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"); TLS 1.2 names are ignored. */
  ciphers?: string;
  /** Cipher suites in preference order (IANA or short names: aes128gcm, aes256gcm, chacha20poly1305). */
  cipherSuites?: readonly string[];
  /** Node-style group list: "X25519:P-256:P-384". */
  ecdhCurve?: string;
  /** Key-exchange groups in preference order (X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, x25519, secp256r1/P-256/prime256v1, secp384r1/P-384, x448, secp521r1/P-521, ffdhe2048/3072/4096). Default: the first six, in that order. */
  groups?: readonly string[];
  /** OpenSSL-style signature algorithm list ("ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256"). */
  sigalgs?: string;
  signatureSchemes?: readonly SignatureSchemeName[];
  /** NSS key-log lines (no trailing newline). The Node adapter also emits 'keylog'. */
  keyLog?: (line: string) => void;
  /** Each handshake message sent/received (for tracing): its type, a one-line summary, and the message as on the wire (4-byte header included). */
  onHandshakeMessage?: (direction: 'sent' | 'received', type: string, summary: string, message: Uint8Array) => void;
  /** Replace the certificate check entirely. */
  verifyCertificate?: CertificateVerifier;
  /** Work units the built-in verifier may spend on the peer's chain (one ECDSA P-256 verification = 1), 1..1000. Default 12. */
  verifyBudget?: number;
  /** Injectable clock and randomness (tests). */
  now?: () => Date;
  random?: (n: number) => Uint8Array;
  keyUpdateAfterRecords?: number;
  maxHandshakeMessageSize?: number;
  /** record_size_limit (RFC 8449): the largest TLSInnerPlaintext we accept, 64..16385. Default 16385. */
  recordSizeLimit?: number;
  /**
   * Certificate compression (RFC 8879), most preferred first: codecs from
   * `puretls/compression`, or (Node entry) names 'brotli' | 'zlib' | 'zstd'.
   * Node entry default ['brotli', 'zlib', 'zstd']; elsewhere none. `false`: none.
   */
  certificateCompression?: CommonConfig['certificateCompression'];
}

export interface ClientSecureOptions extends CommonSecureOptions {
  /** The server's host name or IP address: the name its certificate is checked against unless `servername` is given. */
  host?: string;
  /**
   * The name checked against the server's certificate and sent as SNI.
   * Default: `host`. As in Node, `''` only suppresses SNI: the certificate is
   * then checked against `host`. IP literals are never sent as SNI and are
   * checked against the certificate's iPAddress names. A client that checks
   * certificates (the default) refuses to start without servername or host.
   */
  servername?: string;
  /**
   * false: skip the check of the certificate's name (the chain is still
   * verified). Explicit and insecure: any certificate a trusted CA issued,
   * for any name, is accepted. Separate from `rejectUnauthorized`. Default true.
   */
  checkServerName?: boolean;
  /**
   * Replaces the built-in name check: called after the chain verified, with
   * the reference name and the chain (DER, leaf first); return an Error to
   * reject the certificate (alert bad_certificate). The Node adapter's
   * option of the same name takes Node's arguments instead.
   */
  checkServerIdentity?: ServerIdentityCheck;
  /** Groups to send key shares for in the first ClientHello (default: the first group, plus x25519 when the first is X25519MLKEM768). */
  keyShareGroups?: readonly string[];
  /** RFC 8446 §D.4 middlebox compatibility mode. Default true. */
  middleboxCompat?: boolean;
  /** GREASE values in the ClientHello (RFC 8701). Default true. */
  grease?: boolean;
  /**
   * Offer post-handshake client authentication (RFC 8446 §4.6.2): the server
   * may ask for our certificate after the handshake. Default: true when
   * `cert`/`key` or `selectClientCertificate` are given.
   */
  postHandshakeAuth?: boolean;
  /** Pick the client certificate when the server asks (in or after the handshake); undefined falls back to `cert`/`key`. */
  selectClientCertificate?: ClientConfig['selectClientCertificate'];
  /** A session to resume: the bytes of a 'session' event / `onSession` (Node's `session` Buffer). */
  session?: Uint8Array;
  /** Called with each session (ticket) the server sends: opaque bytes to pass back as `session`. */
  onSession?: (session: Uint8Array) => void;
  /** Send data written before the handshake completes as 0-RTT early data when the session allows it (replayable: see README). */
  earlyData?: boolean;
  /** An external PSK to offer (RFC 8446 §2.2). */
  psk?: ExternalPsk;
}

export interface ServerSecureOptions extends CommonSecureOptions {
  /** Ask for a client certificate (Node's meaning: with rejectUnauthorized, require a valid one). */
  requestCert?: boolean;
  /** Explicit client-certificate policy; overrides requestCert/rejectUnauthorized. */
  clientAuth?: 'none' | 'request' | 'require';
  /** Certificates chosen by SNI name ("example.com", "*.example.com"); `cert`/`key` is the default. */
  sni?: Readonly<Record<string, KeyCertPair>>;
  /** Full control over certificate selection. */
  selectCertificate?: ServerConfig['selectCertificate'];
  /** Choose the ALPN protocol from the client's list (instead of ALPNProtocols); undefined refuses with no_application_protocol. */
  selectAlpnProtocol?: ServerConfig['selectAlpnProtocol'];
  /** Ticket keys: 48 bytes as Node's `ticketKeys` (or a TicketKeys shared between servers). */
  ticketKeys?: Uint8Array | TicketKeys;
  /** Ticket lifetime in seconds (Node's name; 1..604800). Default 7200. */
  sessionTimeout?: number;
  /** NewSessionTickets per handshake. Default 2; 0: no resumption. */
  sessionTickets?: number;
  /** NewSessionTickets after a resumed handshake. Default: sessionTickets; 0 as OpenSSL. */
  sessionTicketsOnResumption?: number;
  /** External PSKs accepted (RFC 8446 §2.2); with them, cert and key may be left out. */
  psks?: readonly ExternalPsk[];
  /**
   * 0-RTT (RFC 8446 §2.3): accept up to this many bytes of early data on
   * resumed connections (max_early_data_size, advertised in the tickets;
   * 1..16777216). Default 0: off. Early data is the first bytes the
   * connection reads, before the handshake completes, counted by
   * `earlyDataBytes`: it can be replayed by an attacker (RFC 8446 §8), so
   * act on it only when repeating it is harmless.
   */
  maxEarlyData?: number;
  /**
   * Decide per connection whether to accept the client's early data (called
   * with the resumed session's server name, ALPN protocol and client
   * certificates, after the ticket, freshness and replay checks passed).
   * Default: accept. Rejected early data is skipped (RFC 8446 §4.2.10); the
   * client sends it again after the handshake.
   */
  acceptEarlyData?: ServerConfig['acceptEarlyData'];
}

export class OptionError extends Error {
  override readonly name: string = 'OptionError';
  readonly code: string = 'ERR_PURETLS_INVALID_OPTION';
}

/** A documented option (of Node's tls, usually) that puretls does not implement: refused, never ignored. */
export class UnsupportedOptionError extends OptionError {
  override readonly name = 'UnsupportedOptionError';
  override readonly code = 'ERR_PURETLS_UNSUPPORTED_OPTION';
  constructor(
    /** The option's name. */
    readonly option: string,
    why: string,
  ) {
    super(`${option}: not supported by puretls (${why})`);
  }
}

function asList<T>(v: T | readonly T[] | undefined): T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

/**
 * Providers the `provider` option names: 'pure' always; 'webcrypto' once
 * registered (./web-webcrypto.ts: every entry point but a bare puretls/web,
 * whose bundles carry the WebCrypto provider only on request).
 */
const NAMED_PROVIDERS = new Map<string, CryptoProvider>([['pure', pureProvider]]);

export function registerNamedProvider(provider: CryptoProvider): void {
  NAMED_PROVIDERS.set(provider.name, provider);
}

/** Resolve the provider option (portable subset). */
export function resolveProvider(p: ProviderOption | string | undefined): CryptoProvider {
  if (p === undefined) return pureProvider;
  if (typeof p === 'object' && p !== null) return p;
  const named = NAMED_PROVIDERS.get(p);
  if (named) return named;
  if (p === 'webcrypto') {
    throw new OptionError("provider: 'webcrypto' is not part of puretls/web's default build: add `import 'puretls/web/webcrypto';` (or use puretls/core, or pass webCryptoProvider)");
  }
  throw new OptionError(`provider: unknown provider ${JSON.stringify(p)} (use 'pure', 'webcrypto'${p === 'node' ? " — 'node' is only available from the Node adapter" : ''}, or a CryptoProvider)`);
}

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * RFC 8446 only: TLS 1.3 is the one version this stack speaks, so the range
 * [minVersion, maxVersion] (Node's names) must include it; within such a
 * range TLS 1.3 is what is negotiated, as Node would with a TLS 1.3 peer.
 */
export function checkVersions(o: CommonSecureOptions): void {
  for (const k of ['minVersion', 'maxVersion'] as const) {
    const v = o[k];
    if (v !== undefined && !VERSIONS.includes(v)) throw new OptionError(`${k}: unknown version ${JSON.stringify(v)} (Node's names: ${VERSIONS.join(', ')})`);
  }
  if (o.maxVersion !== undefined && o.maxVersion !== 'TLSv1.3') {
    throw new OptionError(`maxVersion: puretls speaks only TLSv1.3, which maxVersion ${JSON.stringify(o.maxVersion)} excludes`);
  }
}

const GROUP_ALIASES: Record<string, NamedGroupName> = {
  x25519: 'x25519',
  secp256r1: 'secp256r1', prime256v1: 'secp256r1', 'p-256': 'secp256r1', p256: 'secp256r1',
  secp384r1: 'secp384r1', 'p-384': 'secp384r1', p384: 'secp384r1',
  x25519mlkem768: 'X25519MLKEM768',
  secp256r1mlkem768: 'SecP256r1MLKEM768',
  secp384r1mlkem1024: 'SecP384r1MLKEM1024',
  x448: 'x448',
  secp521r1: 'secp521r1', 'p-521': 'secp521r1', p521: 'secp521r1',
  ffdhe2048: 'ffdhe2048', ffdhe3072: 'ffdhe3072', ffdhe4096: 'ffdhe4096', ffdhe6144: 'ffdhe6144', ffdhe8192: 'ffdhe8192',
};

export function parseGroup(name: string): NamedGroupName {
  const g = GROUP_ALIASES[name.trim().toLowerCase()];
  if (!g) throw new OptionError(`unknown group ${JSON.stringify(name)} (supported: x25519, secp256r1, secp384r1, X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, x448, secp521r1, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192)`);
  return g;
}

function groupsOf(o: CommonSecureOptions): NamedGroupName[] | undefined {
  if (o.groups !== undefined) return o.groups.map(parseGroup);
  if (o.ecdhCurve !== undefined && o.ecdhCurve !== 'auto') return o.ecdhCurve.split(/[:,]/).filter(Boolean).map(parseGroup);
  return undefined;
}

export function parseSuite(name: string): string {
  const s = cipherSuiteByName(name);
  if (!s) throw new OptionError(`unknown TLS 1.3 cipher suite ${JSON.stringify(name)} (supported: TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256)`);
  return s.name;
}

function suitesOf(o: CommonSecureOptions): string[] | undefined {
  if (o.cipherSuites !== undefined) return o.cipherSuites.map(parseSuite);
  if (o.ciphers !== undefined) {
    // Node's `ciphers` mixes TLS 1.2 names (ignored: we speak 1.3 only) with TLS 1.3 suites.
    const names = o.ciphers.split(/[:,\s]+/).filter(Boolean);
    const suites = names.map((n) => cipherSuiteByName(n)?.name).filter((n): n is string => n !== undefined);
    if (suites.length === 0) throw new OptionError(`ciphers: no TLS 1.3 cipher suite in ${JSON.stringify(o.ciphers)}`);
    return [...new Set(suites)];
  }
  return undefined;
}

const SCHEMES: readonly SignatureSchemeName[] = [
  'ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ecdsa_secp521r1_sha512',
  'rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512',
  'rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512',
  'ed25519', 'ed448', 'mldsa44', 'mldsa65', 'mldsa87', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512',
];

function schemesOf(o: CommonSecureOptions): SignatureSchemeName[] | undefined {
  const list = o.signatureSchemes ?? o.sigalgs?.split(/[:,]/).filter(Boolean);
  if (list === undefined) return undefined;
  return list.map((s) => {
    const n = s.trim().toLowerCase() as SignatureSchemeName;
    if (!SCHEMES.includes(n)) throw new OptionError(`unknown signature scheme ${JSON.stringify(s)}`);
    return n;
  });
}

/** Trust anchors: each entry may hold several PEM certificates; split them. */
export function caList(ca: PemInput | readonly PemInput[] | undefined): Uint8Array[] | undefined {
  if (ca === undefined) return undefined;
  const out: Uint8Array[] = [];
  for (const entry of asList(ca)) out.push(...certificatesFrom(entry, 'ca'));
  return out;
}

/**
 * A CertifiedKey from PEM `cert` (leaf or chain) and `key`; refuses a key
 * that does not belong to the leaf ("key values mismatch", as Node does).
 */
export function certifiedKey(cert: PemInput | readonly PemInput[], key: PemInput, what = 'cert/key'): CertifiedKey {
  const chain: Uint8Array[] = [];
  for (const c of asList(cert)) chain.push(...certificatesFrom(c, 'cert'));
  if (chain.length === 0) throw new OptionError('cert: empty certificate chain');
  let keyInput: string | Uint8Array = key;
  const text = pemText(key);
  if (text !== undefined) {
    const blocks = pemBlocks(text).filter((b) => b.label.endsWith('PRIVATE KEY'));
    if (blocks.length === 0) throw new OptionError('key: no PEM PRIVATE KEY block found');
    if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY')) throw new OptionError('key: encrypted private keys are not supported');
    keyInput = text;
  }
  const parsed = parsePrivateKey(keyInput);
  assertKeyMatchesCertificate(chain[0]!, parsed, what);
  return { chain, key: parsed };
}

function common(o: CommonSecureOptions, extraRoots: readonly (string | Uint8Array)[] | undefined): ClientConfig & ServerConfig {
  checkVersions(o);
  const c: ClientConfig & ServerConfig = { provider: resolveProvider(o.provider) };
  const suites = suitesOf(o);
  if (suites) c.cipherSuites = suites;
  const groups = groupsOf(o);
  if (groups) c.groups = groups;
  const schemes = schemesOf(o);
  if (schemes) c.signatureSchemes = schemes;
  if (o.ALPNProtocols !== undefined) c.ALPNProtocols = [...o.ALPNProtocols];
  const ca = caList(o.ca);
  if (ca) c.ca = ca;
  else if (extraRoots) c.ca = extraRoots;
  if (o.verifyCertificate) c.verifyCertificate = o.verifyCertificate;
  if (o.verifyBudget !== undefined) c.verifyBudget = o.verifyBudget;
  if (o.keyLog) c.keyLog = o.keyLog;
  if (o.onHandshakeMessage) c.onHandshakeMessage = o.onHandshakeMessage;
  if (o.now) c.now = o.now;
  if (o.random) c.random = o.random;
  if (o.keyUpdateAfterRecords !== undefined) c.keyUpdateAfterRecords = o.keyUpdateAfterRecords;
  if (o.maxHandshakeMessageSize !== undefined) c.maxHandshakeMessageSize = o.maxHandshakeMessageSize;
  if (o.recordSizeLimit !== undefined) c.recordSizeLimit = o.recordSizeLimit;
  if (o.certificateCompression !== undefined) c.certificateCompression = o.certificateCompression;
  return c;
}

/**
 * ClientConfig from Node-style options. `defaultRoots` is used when `ca` is
 * not given (Node: tls.rootCertificates).
 */
export function clientConfig(o: ClientSecureOptions, defaultRoots?: readonly (string | Uint8Array)[]): ClientConfig {
  const base = common(o, defaultRoots);
  const c: ClientConfig = { ...base };
  delete (c as ServerConfig).certificate;
  // Node's rule (server-identity.ts): servername || host; '' suppresses SNI only.
  const ref = referenceName(o);
  if (ref.servername !== undefined) c.servername = ref.servername;
  if (!ref.sendServerName) c.sendServerName = false;
  if (o.checkServerName !== undefined) c.checkServerName = o.checkServerName;
  if (o.checkServerIdentity !== undefined) c.checkServerIdentity = o.checkServerIdentity;
  c.rejectUnauthorized = o.rejectUnauthorized !== false;
  requireReferenceName(c); // fail closed now, naming the option
  if (o.cert !== undefined || o.key !== undefined) {
    if (o.cert === undefined || o.key === undefined) throw new OptionError('cert and key must be given together');
    c.certificate = certifiedKey(o.cert, o.key);
  }
  if (o.keyShareGroups !== undefined) c.keyShareGroups = o.keyShareGroups.map(parseGroup);
  if (o.middleboxCompat !== undefined) c.middleboxCompat = o.middleboxCompat;
  if (o.grease !== undefined) c.grease = o.grease;
  if (o.postHandshakeAuth !== undefined) c.postHandshakeAuth = o.postHandshakeAuth;
  if (o.selectClientCertificate !== undefined) c.selectClientCertificate = o.selectClientCertificate;
  if (o.session !== undefined && o.session !== null) c.session = o.session;
  if (o.onSession) c.onSession = o.onSession;
  if (o.earlyData !== undefined) c.earlyData = o.earlyData;
  if (o.psk !== undefined) c.psk = o.psk;
  for (const k of ['maxEarlyData', 'acceptEarlyData'] as const) {
    if ((o as ServerSecureOptions)[k] !== undefined) throw new OptionError(`${k}: a server option (a client sends 0-RTT data with earlyData: true)`);
  }
  // As Node's tls: resume only with an explicit session (no store behind the user's back).
  c.ticketStore = false;
  return c;
}

function nameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase().replace(/\.$/, '');
  if (p === n) return true;
  if (p.startsWith('*.')) {
    const dot = n.indexOf('.');
    return dot > 0 && n.slice(dot + 1) === p.slice(2);
  }
  return false;
}

/** The core's check of a server option, run when the options are read; its error as an OptionError naming the option. */
function checkedNow(name: string, check: (n: number) => number, v: number): number {
  try {
    return check(v);
  } catch (e) {
    throw new OptionError(`${name}: ${(e as Error).message.replace(/^config: /, '')}`);
  }
}

interface SharedServerState {
  readonly keys: Uint8Array | undefined;
  readonly ticketKeys: TicketKeys;
  readonly antiReplay: AntiReplay;
}

/** Ticket keys and 0-RTT strike register of the connections made with one options object. */
const sharedServerState = new WeakMap<object, SharedServerState>();

/**
 * Strike registers of explicitly given ticket keys, by key name (RFC 5077 §4:
 * the key's public 16-byte identifier), for the options objects that share
 * no state otherwise (an options literal per connection, as secureStream
 * invites): tickets sealed with the same keys open on every one of them, so
 * without one register a 0-RTT ClientHello could be replayed to each
 * (RFC 8446 §8.2). Random keys need none: their tickets open only where
 * they were sealed. Bounded; the oldest is dropped past the bound.
 */
const registersByKeyName = new Map<string, AntiReplay>();
const MAX_KEY_REGISTERS = 64;
const registersByTicketKeys = new WeakMap<TicketKeys, AntiReplay>();

function registerFor(keys: Uint8Array | TicketKeys | undefined): AntiReplay | undefined {
  if (keys instanceof TicketKeys) {
    let r = registersByTicketKeys.get(keys);
    if (!r) registersByTicketKeys.set(keys, (r = new AntiReplay()));
    return r;
  }
  if (!(keys instanceof Uint8Array) || keys.length < 16) return undefined; // refused by TicketKeys
  const name = Array.from(keys.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  let r = registersByKeyName.get(name);
  if (!r) {
    registersByKeyName.set(name, (r = new AntiReplay()));
    if (registersByKeyName.size > MAX_KEY_REGISTERS) registersByKeyName.delete(registersByKeyName.keys().next().value!);
  }
  return r;
}

function serverState(owner: object, keys: Uint8Array | undefined): SharedServerState {
  let st = sharedServerState.get(owner);
  if (!st || st.keys !== keys) {
    st = { keys, ticketKeys: new TicketKeys(keys !== undefined ? { keys } : {}), antiReplay: st?.antiReplay ?? registerFor(keys) ?? new AntiReplay() };
    sharedServerState.set(owner, st);
  }
  return st;
}

/**
 * ServerConfig from Node-style options. The connections made with one
 * options object (`owner`) share ticket keys (unless `ticketKeys` is a
 * TicketKeys) and the 0-RTT strike register, so they resume each other's
 * sessions and a replayed 0-RTT ClientHello is caught (RFC 8446 §8.2).
 */
export function serverConfig(o: ServerSecureOptions, defaultRoots?: readonly (string | Uint8Array)[], owner: object = o): ServerConfig {
  const base = common(o, defaultRoots);
  const c: ServerConfig = { ...base };
  if (o.cert !== undefined || o.key !== undefined) {
    if (o.cert === undefined || o.key === undefined) throw new OptionError('cert and key must be given together');
    c.certificate = certifiedKey(o.cert, o.key);
  }
  if (o.selectCertificate) {
    c.selectCertificate = o.selectCertificate;
  } else if (o.sni) {
    const entries = Object.entries(o.sni).map(([name, p]) => [name, certifiedKey(p.cert, p.key, `sni[${JSON.stringify(name)}]`)] as const);
    c.selectCertificate = (servername) => {
      if (servername === undefined) return undefined;
      const exact = entries.find(([n]) => !n.startsWith('*.') && nameMatches(n, servername));
      return (exact ?? entries.find(([n]) => nameMatches(n, servername)))?.[1];
    };
  }
  if (o.selectAlpnProtocol !== undefined) c.selectAlpnProtocol = o.selectAlpnProtocol;
  const shared = serverState(owner, o.ticketKeys instanceof TicketKeys ? undefined : o.ticketKeys);
  c.ticketKeys = o.ticketKeys instanceof TicketKeys ? o.ticketKeys : shared.ticketKeys;
  c.antiReplay = o.ticketKeys instanceof TicketKeys ? registerFor(o.ticketKeys)! : shared.antiReplay;
  // Checked now, not at the first connection (an out-of-range value is refused, naming it).
  if (o.sessionTimeout !== undefined) c.ticketLifetime = checkedNow('sessionTimeout', checkLifetime, o.sessionTimeout);
  if (o.sessionTickets !== undefined) c.sessionTickets = checkedNow('sessionTickets', checkCount, o.sessionTickets);
  if (o.sessionTicketsOnResumption !== undefined) c.sessionTicketsOnResumption = checkedNow('sessionTicketsOnResumption', (n) => checkCount(n, 'sessionTicketsOnResumption'), o.sessionTicketsOnResumption);
  if (o.psks !== undefined) c.psks = o.psks;
  if ((o as ClientSecureOptions).earlyData !== undefined) throw new OptionError('earlyData: a client option (a server accepts 0-RTT data with maxEarlyData)');
  if (o.maxEarlyData !== undefined) c.maxEarlyData = checkedNow('maxEarlyData', checkMaxEarlyData, o.maxEarlyData);
  if (o.acceptEarlyData !== undefined) c.acceptEarlyData = o.acceptEarlyData;
  if (!c.certificate && !c.selectCertificate && !(c.psks && c.psks.length > 0)) {
    throw new OptionError('a server needs cert and key (or sni/selectCertificate, or psks)');
  }
  // Node's meaning: requestCert asks; rejectUnauthorized (default true) then requires a valid one.
  if (o.clientAuth !== undefined) {
    c.clientAuth = o.clientAuth;
    c.rejectUnauthorized = o.rejectUnauthorized !== false;
  } else if (o.requestCert) {
    const reject = o.rejectUnauthorized !== false;
    c.clientAuth = reject ? 'require' : 'request';
    c.rejectUnauthorized = reject;
  } else {
    c.clientAuth = 'none';
    c.rejectUnauthorized = o.rejectUnauthorized !== false;
  }
  return c;
}
