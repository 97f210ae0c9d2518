/**
 * The Node adapter's options: Node's tls.connect / tls.createServer /
 * tls.createSecureContext options (and the net options they accept), each
 * either honoured with Node's meaning or refused with an error naming it
 * (UnsupportedOptionError, code ERR_PURETLS_UNSUPPORTED_OPTION) — never
 * accepted and ignored. NODE_OPTIONS below is the one table of what is
 * refused and why; test/io/node-options.test.ts walks Node's documented list
 * against it.
 */
import { nodeCertificateCompressors } from './compression.js';
import { createPrivateKey, KeyObject } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClientConfig, CommonConfig, ServerConfig } from '../../connection/types.js';
import { nodeProvider } from '../../crypto/node-provider.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import {
  clientConfig,
  OptionError,
  resolveProvider,
  serverConfig,
  UnsupportedOptionError,
  type ClientSecureOptions,
  type PemInput,
  type ProviderOption,
  type ServerSecureOptions,
} from '../options.js';
import { pemText } from '../pem.js';
import { peerCertificateOf, type PeerCertificate } from './certificate.js';
import { applyDefaults } from './defaults.js';
import { decodePfx } from './pkcs12.js';
import type { NodeAcceptEarlyData, SocketOptions } from './socket.js';
import { defaultRoots, sharedCa } from './trust.js';

export type NodeProviderOption = ProviderOption | 'node';

/** A private key as Node takes it: PEM/DER, a KeyObject, or `{ pem, passphrase }`. */
export type NodeKeyInput = PemInput | KeyObject | { pem: PemInput | KeyObject; passphrase?: string };

/** The tls.createSecureContext() options puretls honours (the others are refused). */
export interface SecureContextOptions
  extends Pick<ClientSecureOptions, 'ca' | 'cert' | 'ciphers' | 'ecdhCurve' | 'sigalgs' | 'minVersion' | 'maxVersion'> {
  /** The private key (encrypted PEM needs `passphrase`). One key: several keys (one per certificate type) are refused. */
  key?: NodeKeyInput | readonly NodeKeyInput[];
  /** Server ticket keys (48 bytes, Node's meaning) and ticket lifetime in seconds, applied by a server that uses this context. */
  ticketKeys?: ServerSecureOptions['ticketKeys'];
  sessionTimeout?: number;
  /** Passphrase of an encrypted `key` (PKCS#8 "ENCRYPTED PRIVATE KEY", or a legacy Proc-Type PEM) or of `pfx`, used with node:crypto. */
  passphrase?: string;
  /**
   * A PKCS#12 file (its bytes) holding the certificate chain and the private
   * key, instead of `cert` and `key` (pkcs12.ts: MAC checked; PBES2/AES or
   * 3DES; not RC2). One identity: an array of one entry, or `{ buf, passphrase }`.
   */
  pfx?: Uint8Array | { buf: Uint8Array; passphrase?: string } | readonly (Uint8Array | { buf: Uint8Array; passphrase?: string })[];
  /** true only: puretls always treats every `ca` certificate, self-signed or not, as a trust anchor. */
  allowPartialTrustChain?: boolean;
  /** true only (the server's preference order always decides, as Node's createServer default). */
  honorCipherOrder?: boolean;
  /** 'TLS_method', 'TLS_client_method', 'TLS_server_method' or 'TLSv1_3_method' (and their _client/_server forms). */
  secureProtocol?: string;
  /** 0 only: OpenSSL's SSL_OP_* flags have no meaning here. */
  secureOptions?: number;
}

/** A context made by createSecureContext(), usable as `secureContext` and from SNICallback. */
export class SecureContext {
  /** @internal the options it was made from, keys decoded. */
  readonly options: Readonly<SecureContextOptions>;
  /** @internal the certificate and key, when it has them (checked to match). */
  readonly certificate: ServerConfig['certificate'];

  constructor(options: SecureContextOptions) {
    checkNodeOptions(options, 'createSecureContext');
    const decoded = decodeContext(options);
    this.options = Object.freeze(decoded);
    // Building a server config validates everything now (ca, ciphers, the key matching the certificate).
    this.certificate = decoded.cert !== undefined || decoded.key !== undefined
      ? serverConfig({ ...(decoded as ServerSecureOptions) }, []).certificate
      : (checkContextWithoutCertificate(decoded), undefined);
  }
}

function checkContextWithoutCertificate(o: SecureContextOptions): void {
  clientConfig({ ...(o as ClientSecureOptions), checkServerName: false }, []);
}

/** Like tls.createSecureContext(): for `secureContext` and SNICallback. */
export function createSecureContext(options: SecureContextOptions = {}): SecureContext {
  return new SecureContext(options);
}

interface NodeCommonOptions extends SecureContextOptions {
  provider?: NodeProviderOption;
  /** A context from createSecureContext(); its options apply (an option may not be given both here and there). */
  secureContext?: SecureContext;
  /** Print each handshake message to stderr, as Node's enableTrace prints OpenSSL's trace. */
  enableTrace?: boolean;
}

export interface ConnectOptions
  extends Omit<ClientSecureOptions, 'provider' | 'key' | 'checkServerIdentity'>, NodeCommonOptions, SocketOptions {
  port?: number;
  /** IPC path (net.connect's `path`) instead of host/port. */
  path?: string | null;
  /** Start TLS on this stream instead of opening a TCP connection. */
  socket?: Duplex;
  localAddress?: string;
  localPort?: number;
  family?: number;
  hints?: number;
  lookup?: LookupFunction;
  autoSelectFamily?: boolean;
  autoSelectFamilyAttemptTimeout?: number;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** Aborting destroys the connection (net.connect's `signal`). */
  signal?: AbortSignal;
  /** ms; like socket.setTimeout(). */
  timeout?: number;
  /** TCP_NODELAY on the socket we open. Default true. */
  noDelay?: boolean;
  /**
   * Node's: called after the chain verified, with the reference name
   * (`servername || host`) and the certificate as getPeerCertificate(true)
   * shows it; an Error returned fails the handshake (alert bad_certificate,
   * 'error' gets that Error), or with rejectUnauthorized: false sets
   * authorizationError. Replaces the built-in name check (tls.checkServerIdentity
   * may be called from it).
   */
  checkServerIdentity?: (hostname: string, cert: PeerCertificate) => Error | undefined | void;
  /** Ignored safely: no finite-field Diffie-Hellman is ever used, so any minimum is met. Must be a positive number. */
  minDHSize?: number;
}

export interface ServerOptions extends Omit<ServerSecureOptions, 'provider' | 'key' | 'acceptEarlyData'>, NodeCommonOptions, SocketOptions {
  /**
   * Decide per connection whether to accept the client's 0-RTT early data
   * (with `maxEarlyData`): called with the resumed session's server name,
   * ALPN protocol and client certificates, and the socket (early data is the
   * first `socket.earlyDataBytes` bytes it reads, before 'secure'). Default:
   * accept. Rejected early data is skipped; the client sends it again after
   * the handshake.
   */
  acceptEarlyData?: NodeAcceptEarlyData;
  /** Abort handshakes that take longer (ms). Default 120000, like Node. */
  handshakeTimeout?: number;
  /** TCP_NODELAY on accepted sockets. Default true. */
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /**
   * Node's: `(servername, cb)`, called when the client sent SNI; `cb(err, ctx)`
   * with a context from createSecureContext() (or undefined: the default
   * certificate). An error aborts the handshake (internal_error alert,
   * 'tlsClientError'); no certificate at all → unrecognized_name.
   */
  SNICallback?: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
  /**
   * As Node's: pick the ALPN protocol from the client's list ({ servername,
   * protocols }); undefined refuses the connection (no_application_protocol).
   * Not with ALPNProtocols.
   */
  ALPNCallback?: (info: { servername: string | undefined; protocols: string[] }) => string | undefined;
}

export interface SecureStreamOptions
  extends Omit<ConnectOptions, 'port' | 'path' | 'socket' | 'lookup' | 'signal'>,
    Pick<ServerOptions, 'requestCert' | 'clientAuth' | 'sni' | 'selectCertificate' | 'SNICallback' | 'handshakeTimeout' | 'maxEarlyData' | 'acceptEarlyData'> {
  /** Server role (default: client). */
  isServer?: boolean;
}

/** Resolve a provider option including 'node' (node:crypto). */
export function resolveNodeProvider(p: NodeProviderOption | string | undefined): CryptoProvider {
  return p === 'node' ? nodeProvider : resolveProvider(p);
}

// ---------------------------------------------------------------------------
// What is refused, and why

type Where = 'connect' | 'createServer' | 'createSecureContext' | 'secureStream';

interface Refusal {
  readonly why: string;
  /** Refuse only these values (default: any value but undefined/null). */
  readonly refuses?: (v: unknown) => boolean;
}

const ENGINES = 'puretls has no OpenSSL engines or providers';

/** Node's documented options that puretls refuses (for the values `refuses` picks). */
export const NODE_OPTIONS_REFUSED: Readonly<Record<string, Refusal>> = {
  sessionIdContext: { why: 'TLS 1.2 session IDs do not exist in TLS 1.3; tickets are bound to the server name, ALPN protocol and cipher suite instead' },
  pskCallback: { why: "Node's PSK callback is not implemented; give external PSKs with puretls's `psk` (client) / `psks` (server) options" },
  pskIdentityHint: { why: 'TLS 1.3 has no PSK identity hint (RFC 8446 §2.2); give external PSKs with `psks`' },
  requestOCSP: { why: 'OCSP stapling is not supported' },
  crl: { why: 'certificate revocation lists are not processed' },
  dhparam: { why: 'TLS 1.3 uses only the named finite-field groups of RFC 7919 (ffdhe2048/3072/4096 in ecdhCurve), never custom parameters' },
  clientCertEngine: { why: ENGINES },
  privateKeyEngine: { why: ENGINES },
  privateKeyIdentifier: { why: ENGINES },
  onread: { why: 'reading into a caller-supplied buffer is not implemented' },
  fd: { why: 'adopting a file descriptor is not implemented; pass a connected `socket` instead' },
  readable: { why: 'only meaningful with fd, which is not implemented' },
  writable: { why: 'only meaningful with fd, which is not implemented' },
  pauseOnConnect: { why: 'the server reads every connection to run its handshake' },
  secureOptions: { why: "OpenSSL's SSL_OP_* flags have no meaning here (only 0 is accepted)", refuses: (v) => v !== 0 },
  allowPartialTrustChain: {
    why: 'puretls always treats every ca certificate as a trust anchor (only true is accepted)',
    refuses: (v) => v !== true,
  },
  honorCipherOrder: { why: "the server always uses its own preference order (only true is accepted)", refuses: (v) => v !== true },
  secureProtocol: {
    why: 'puretls speaks only TLS 1.3 (accepted: TLS_method, TLSv1_3_method and their _client/_server forms)',
    refuses: (v) => typeof v !== 'string' || !/^TLS(v1_3)?_(client_|server_)?method$/.test(v),
  },
};

/** Options meaningful only elsewhere, refused where they would be ignored. */
const ROLE_ONLY: Readonly<Record<string, { only: readonly Where[]; why: string }>> = {
  SNICallback: { only: ['createServer', 'secureStream'], why: 'a server option (SNICallback); a client names the server with servername' },
  checkServerIdentity: { only: ['connect', 'secureStream'], why: 'a client option (checkServerIdentity)' },
  secureContext: { only: ['connect', 'createServer', 'secureStream'], why: 'secureContext inside a secure context' },
  earlyData: { only: ['connect', 'secureStream'], why: 'a client option (earlyData); a server accepts 0-RTT data with maxEarlyData' },
  maxEarlyData: { only: ['createServer', 'secureStream'], why: 'a server option (maxEarlyData); a client sends 0-RTT data with earlyData: true' },
  acceptEarlyData: { only: ['createServer', 'secureStream'], why: 'a server option (acceptEarlyData)' },
};

/** Throw UnsupportedOptionError for the first refused option present in `o`. */
export function checkNodeOptions(o: object, where: Where): void {
  for (const [name, value] of Object.entries(o)) {
    if (value === undefined || value === null) continue;
    const r = NODE_OPTIONS_REFUSED[name];
    if (r && (r.refuses === undefined || r.refuses(value))) throw new UnsupportedOptionError(name, r.why);
    const role = ROLE_ONLY[name];
    if (role && !role.only.includes(where)) throw new UnsupportedOptionError(name, `${where}: ${role.why}`);
  }
  const m = (o as { minDHSize?: unknown }).minDHSize;
  if (m !== undefined && (typeof m !== 'number' || !(m > 0))) throw new OptionError('minDHSize: must be a positive number');
}

// ---------------------------------------------------------------------------
// Keys

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/;

/** One private key as PEM/DER the portable layer reads (PKCS#8 DER when node:crypto had to decrypt or export it). */
export function decodeKey(key: NodeKeyInput | readonly NodeKeyInput[] | undefined, passphrase: string | undefined): PemInput | undefined {
  if (key === undefined || key === null) return undefined;
  if (Array.isArray(key)) {
    if (key.length === 0) return undefined;
    if (key.length > 1) throw new UnsupportedOptionError('key', 'several keys (one certificate per key type) are not supported: pass one cert and key');
    return decodeKey(key[0] as NodeKeyInput, passphrase);
  }
  if (key instanceof KeyObject) return exportPkcs8(key);
  if (typeof key === 'object' && !(key instanceof Uint8Array)) {
    const k = key as { pem: PemInput | KeyObject; passphrase?: string };
    return decodeKey(k.pem, k.passphrase ?? passphrase);
  }
  const text = pemText(key as PemInput);
  const encrypted = text !== undefined && ENCRYPTED_PEM.test(text);
  if (!encrypted && passphrase === undefined) return key as PemInput;
  if (encrypted && passphrase === undefined) throw new OptionError('key: the private key is encrypted: pass its passphrase');
  let obj: KeyObject;
  try {
    obj = text !== undefined
      ? createPrivateKey({ key: text, format: 'pem', passphrase: passphrase! })
      : createPrivateKey({ key: Buffer.from(key as Uint8Array), format: 'der', type: 'pkcs8', passphrase: passphrase! });
  } catch (e) {
    throw new OptionError(`key: cannot read the private key with the passphrase given: ${e instanceof Error ? e.message : String(e)}`);
  }
  return exportPkcs8(obj);
}

function exportPkcs8(k: KeyObject): Uint8Array {
  if (k.type !== 'private') throw new OptionError(`key: a ${k.type} KeyObject is not a private key`);
  return new Uint8Array(k.export({ format: 'der', type: 'pkcs8' }));
}

/** The context options with `key` decoded (passphrase applied) and `pfx` turned into cert and key. */
function decodeContext<T extends SecureContextOptions>(o: T): T {
  if (o.pfx !== undefined && o.pfx !== null) return decodeContext(pfxToCertKey(o));
  const key = decodeKey(o.key, o.passphrase);
  const out = { ...o };
  delete out.passphrase;
  if (key === undefined) delete out.key;
  else out.key = key;
  return out;
}

function pfxToCertKey<T extends SecureContextOptions>(o: T): T {
  if (o.cert !== undefined || o.key !== undefined) throw new OptionError('pfx: give either pfx or cert and key, not both');
  let entry = o.pfx!;
  if (Array.isArray(entry)) {
    if (entry.length !== 1) throw new UnsupportedOptionError('pfx', 'one PKCS#12 identity only (an array of one entry)');
    entry = entry[0]!;
  }
  const { buf, passphrase } = entry instanceof Uint8Array ? { buf: entry, passphrase: o.passphrase } : (entry as { buf: Uint8Array; passphrase?: string });
  if (!(buf instanceof Uint8Array)) throw new OptionError('pfx: give the PKCS#12 file as bytes (a Buffer)');
  const { chain, key } = decodePfx(buf, passphrase ?? '');
  const out = { ...o, cert: chain, key };
  delete out.pfx;
  delete out.passphrase;
  return out;
}

// ---------------------------------------------------------------------------
// Node options → ClientConfig / ServerConfig

/** The options that make a secure context (secureContext, setSecureContext). */
export const CONTEXT_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'ciphers', 'ecdhCurve', 'sigalgs', 'minVersion', 'maxVersion'] as const;

/** Apply `secureContext`: its options are the context's; giving one both ways is an error naming it. */
function withSecureContext<T extends NodeCommonOptions>(o: T): T {
  const ctx = o.secureContext;
  if (ctx === undefined || ctx === null) return o;
  if (!(ctx instanceof SecureContext)) {
    throw new UnsupportedOptionError('secureContext', "only a context from puretls's createSecureContext() can be used (not one from node:tls)");
  }
  for (const k of CONTEXT_KEYS) {
    if (o[k] !== undefined && ctx.options[k] !== undefined) throw new OptionError(`${k}: given both in the options and in secureContext`);
  }
  return { ...o, ...stripUndefined(ctx.options) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** enableTrace: each handshake message to stderr, after the caller's own onHandshakeMessage. */
function traceHook(o: { enableTrace?: boolean; onHandshakeMessage?: CommonConfig['onHandshakeMessage'] }): CommonConfig['onHandshakeMessage'] {
  if (!o.enableTrace) return o.onHandshakeMessage;
  const user = o.onHandshakeMessage;
  const hook: CommonConfig['onHandshakeMessage'] & { tracesToStderr?: true } = (direction, type, summary, message) => {
    user?.(direction, type, summary, message);
    writeTraceLine(direction, type, summary, message);
  };
  hook.tracesToStderr = true;
  return hook;
}

/** One handshake message on stderr (the enableTrace option and TLSSocket#enableTrace()). */
export function writeTraceLine(direction: 'sent' | 'received', type: string, summary: string, message: Uint8Array): void {
  process.stderr.write(`TLS trace: ${direction === 'sent' ? 'Sent' : 'Received'} ${type} (${message.length} bytes)${summary ? `: ${summary}` : ''}\n`);
}

/** What the portable layer takes, from Node options (shared by both roles). */
function portable<T extends NodeCommonOptions & { ca?: ClientSecureOptions['ca']; onHandshakeMessage?: CommonConfig['onHandshakeMessage'] }>(
  options: T,
  where: Where,
): Omit<T, 'provider' | 'key'> & { provider?: CryptoProvider; key?: PemInput } {
  checkNodeOptions(options, where);
  // tls.DEFAULT_* (defaults.ts) fill what neither the options nor secureContext set, read now as Node reads them.
  const o = applyDefaults(decodeContext(withSecureContext(options)));
  const out: Record<string, unknown> = { ...(o as object) };
  if (o.ca !== undefined) out.ca = sharedCa(o.ca);
  if (o.provider !== undefined) out.provider = resolveNodeProvider(o.provider);
  // RFC 8879: names become codecs (node:zlib, fzstd: compression.ts); by default brotli, zlib and zstd are offered.
  const cc = (o as { certificateCompression?: CommonConfig['certificateCompression'] }).certificateCompression;
  if (cc !== false) out.certificateCompression = nodeCertificateCompressors(cc ?? undefined);
  const trace = traceHook(o);
  if (trace) out.onHandshakeMessage = trace;
  return out as Omit<T, 'provider' | 'key'> & { provider?: CryptoProvider; key?: PemInput };
}

/** Build the ClientConfig a connect() with these options would use (exported for the CLI and tests). */
export function nodeClientConfig(options: ConnectOptions, where: Where = 'connect'): ClientConfig {
  const o = portable(options, where);
  // Node: the reference name is servername || host || 'localhost' (server-identity.ts applies the first two).
  const host = o.host || 'localhost';
  const { checkServerIdentity: nodeCheck, ...rest } = o;
  const c = clientConfig({ ...(rest as ClientSecureOptions), host }, defaultRoots());
  if (nodeCheck) c.checkServerIdentity = (name, chain) => nodeCheck(name, peerCertificateOf(chain, true) as PeerCertificate);
  return c;
}

/** `owner`: connections made with the same owner share ticket keys and the 0-RTT strike register (../options.ts serverConfig). */
export function nodeServerConfig(options: ServerOptions, where: Where = 'createServer', owner: object = options): ServerConfig {
  const o = portable(options, where);
  const { SNICallback, ALPNCallback, ...rest } = o;
  if (SNICallback && (rest.sni !== undefined || rest.selectCertificate !== undefined)) {
    throw new OptionError('SNICallback: give one of SNICallback, sni and selectCertificate');
  }
  const s: ServerSecureOptions = { ...(rest as ServerSecureOptions) };
  if (SNICallback) s.selectCertificate = (servername) => sniLookup(SNICallback, servername);
  if (ALPNCallback !== undefined) s.selectAlpnProtocol = alpnCallback(ALPNCallback, s);
  return serverConfig(s, defaultRoots(), owner);
}

/**
 * Node's ALPNCallback({ servername, protocols }): one of protocols, or
 * undefined to refuse (no_application_protocol). As Node: a function, and
 * not together with ALPNProtocols (ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS).
 */
function alpnCallback(cb: unknown, s: ServerSecureOptions): ServerConfig['selectAlpnProtocol'] {
  if (typeof cb !== 'function') {
    const e = new TypeError('The "options.ALPNCallback" property must be of type function') as NodeJS.ErrnoException;
    e.code = 'ERR_INVALID_ARG_TYPE';
    throw e;
  }
  if (s.ALPNProtocols !== undefined || s.selectAlpnProtocol !== undefined) {
    const e = new TypeError('The ALPNCallback and ALPNProtocols TLS options are mutually exclusive') as NodeJS.ErrnoException;
    e.code = 'ERR_TLS_ALPN_CALLBACK_WITH_PROTOCOLS';
    throw e;
  }
  return ({ servername, protocols }) => (cb as (i: { servername: string | undefined; protocols: string[] }) => string | undefined)({ servername, protocols: [...protocols] });
}

/** Node calls SNICallback only when the client sent a name; its ctx (or none: the default certificate). */
function sniLookup(cb: NonNullable<ServerOptions['SNICallback']>, servername: string | undefined): Promise<ServerConfig['certificate']> | undefined {
  if (servername === undefined) return undefined;
  return new Promise((resolve, reject) => {
    let answered = false;
    try {
      cb(servername, (err, ctx) => {
        if (answered) return;
        answered = true;
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else if (ctx === undefined || ctx === null) resolve(undefined);
        else if (ctx instanceof SecureContext) resolve(ctx.certificate);
        else reject(new UnsupportedOptionError('SNICallback', "the context must come from puretls's createSecureContext() (not node:tls)"));
      });
    } catch (e) {
      answered = true;
      reject(e);
    }
  });
}
