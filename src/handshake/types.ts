/**
 * The configuration and session shapes the handshake consumes and produces:
 * certificates with their keys, the certificate-check hook, the client and
 * server configurations and what was negotiated. They live here, below the
 * connection, so the handshake never imports upwards; src/connection/types.ts
 * re-exports them as part of the public contract.
 */
import type { CryptoProvider, NamedGroupName, PrivateKey } from '../crypto/provider.js';
import type { SignatureSchemeName } from '../crypto/schemes.js';
import type { TicketKeys } from './resumption/ticket-keys.js';
import type { TicketStore } from './resumption/ticket-store.js';
import type { AntiReplay } from './resumption/anti-replay.js';
import type { CertificateCompressionName, CertificateCompressor } from './compression.js';

/**
 * An external (out-of-band) pre-shared key, RFC 8446 §2.2 (as OpenSSL's
 * `-psk_identity` / `-psk`). Its hash decides the cipher suites it can be
 * used with (default SHA-256: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256).
 */
export interface ExternalPsk {
  /** The PSK identity (UTF-8 when a string), 1..65535 bytes. */
  readonly identity: string | Uint8Array;
  /** The key (≥ 16 bytes). */
  readonly key: Uint8Array;
  readonly hash?: 'SHA-256' | 'SHA-384';
}

/** PskKeyExchangeMode names, RFC 8446 §4.2.9. */
export type PskKeyExchangeModeName = 'psk_dhe_ke' | 'psk_ke';

/** See ClientConfig.checkServerIdentity. */
export type ServerIdentityCheck = (
  name: string,
  chain: readonly Uint8Array[],
) => Error | undefined | void | Promise<Error | undefined | void>;

/** What a server's CertificateRequest asks for (RFC 8446 §4.3.2), given to `selectClientCertificate`. */
export interface ClientCertificateRequest {
  /** signature_algorithms: the schemes the server accepts in CertificateVerify, by name (unknown codepoints left out). */
  readonly signatureSchemes: readonly SignatureSchemeName[];
  /** certificate_authorities (DER distinguished names), empty when the server named none. */
  readonly certificateAuthorities: readonly Uint8Array[];
  /** True for a request after the handshake (RFC 8446 §4.6.2). */
  readonly postHandshake: boolean;
}

/** Options of a post-handshake certificate request (server; RFC 8446 §4.6.2). */
export interface ClientCertificateRequestOptions {
  /** An empty Certificate ends the connection with certificate_required. Default: the config's `clientAuth === 'require'`. */
  readonly require?: boolean;
  /** A certificate that does not verify ends the connection with its alert. Default: the config's `rejectUnauthorized`. */
  readonly rejectUnauthorized?: boolean;
}

/** The answer to a post-handshake certificate request. */
export interface ClientCertificateResult {
  /** The chain the client sent (DER, leaf first); empty when it declined (sent an empty Certificate). */
  readonly peerCertificates: readonly Uint8Array[];
  /** Whether that chain verified (false when declined, or with rejectUnauthorized: false and a failure). */
  readonly peerVerified: boolean;
  readonly peerVerifyError: string | undefined;
  readonly peerVerifyCode: string | undefined;
  /** The scheme of the client's CertificateVerify, when it sent a certificate. */
  readonly signatureScheme: SignatureSchemeName | undefined;
}

/** A certificate chain with its private key (DER certificates, leaf first). */
export interface CertifiedKey {
  readonly chain: readonly Uint8Array[];
  readonly key: PrivateKey;
}

/** The result of checking a peer's chain (see src/x509 verifyCertificateChain). */
export type CertificateCheck =
  | { ok: true; chain?: readonly Uint8Array[] }
  | { ok: false; code: string; message: string };

/**
 * Called with the peer's certificate chain (DER, as sent, leaf first).
 * The default verifier validates against `ca` (or the platform roots) and
 * the server name. Return `{ ok: false, ... }` to abort the handshake; the
 * code maps to an alert (unknown-issuer → unknown_ca, expired →
 * certificate_expired, … → bad_certificate). A custom verifier replaces the
 * chain check and the built-in name check alike: on the client it is given
 * `name` and must check it itself. Only `{ ok: true }` (the boolean) accepts;
 * any other answer (true, undefined, `{ ok: 'yes' }`, a throw) fails closed
 * with bad_certificate.
 */
export type CertificateVerifier = (params: {
  chain: readonly Uint8Array[];
  /** The name we expect (client side: servername); undefined on the server. */
  name: string | undefined;
  usage: 'server' | 'client';
  now: Date;
}) => CertificateCheck | Promise<CertificateCheck>;

export interface CommonConfig {
  /** Crypto provider. Default: the pure provider. */
  provider?: CryptoProvider;
  /** Cipher suites in preference order (IANA or short names). Default: AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305. */
  cipherSuites?: readonly string[];
  /** Key-exchange groups in preference order. Default: X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, x25519, secp256r1, secp384r1 (client key shares: X25519MLKEM768 and x25519). */
  groups?: readonly NamedGroupName[];
  /** Signature schemes we accept from the peer, in preference order. */
  signatureSchemes?: readonly SignatureSchemeName[];
  /**
   * record_size_limit (RFC 8449): the largest TLSInnerPlaintext (content,
   * content type and padding) we accept in a protected record, 64..16385.
   * Sent in every ClientHello (as RFC 8449 §4 advises) and in the server's
   * EncryptedExtensions when the client sent one; the peer's limit always
   * sizes the records we send. Default 16385 (no limit below TLS 1.3's).
   */
  recordSizeLimit?: number;
  /**
   * Certificate compression (RFC 8879), most preferred first: the
   * algorithms offered for the peer's certificate (ClientHello, or the
   * server's CertificateRequest) and used for ours when the peer offers
   * them. Codec objects from `puretls/compression` (`zlib`, `brotli`,
   * `zstd`; zstd only decompresses); the Node entry (`puretls`,
   * `puretls/node`) also takes names and defaults to
   * ['brotli', 'zlib', 'zstd']. Default here: none. `false`: none.
   */
  certificateCompression?: readonly (CertificateCompressor | CertificateCompressionName)[] | false;
  /** ALPN protocols in preference order. */
  ALPNProtocols?: readonly string[];
  /** Trust anchors (DER or PEM). Default: the verifier's platform roots. */
  ca?: readonly (Uint8Array | string)[];
  /** Replace the certificate check entirely. */
  verifyCertificate?: CertificateVerifier;
  /**
   * Work the built-in verifier may spend validating the peer's chain, in
   * units of one ECDSA P-256 verification (src/x509/verify-budget.ts: P-384
   * 3, P-521 5, RSA by size); a chain that needs more fails as `too-complex`
   * (bad_certificate). A whole number, 1..1000. Default 12. Refused together
   * with `verifyCertificate`, which replaces the built-in verifier.
   */
  verifyBudget?: number;
  /** Reject peers whose certificate fails verification. Default true; false is explicit and insecure. */
  rejectUnauthorized?: boolean;
  /** NSS key-log callback: `${label} ${clientRandomHex} ${secretHex}` lines. Never called unless set. */
  keyLog?: (line: string) => void;
  /** Called for each handshake message sent/received (for --trace): its type, a one-line summary, and the message as on the wire (4-byte header included). */
  onHandshakeMessage?: (direction: 'sent' | 'received', type: string, summary: string, message: Uint8Array) => void;
  /** Injectable clock (tests). Default: () => new Date(). */
  now?: () => Date;
  /** Injectable randomness (tests). Default: provider.randomBytes. */
  random?: (n: number) => Uint8Array;
  /** Records sealed before a KeyUpdate is sent automatically. Default: well under the AEAD limits (RFC 8446 §5.5). */
  keyUpdateAfterRecords?: number;
  /** Maximum total handshake message size accepted. Default 64 KiB (certificate chains). */
  maxHandshakeMessageSize?: number;
  /**
   * PSK key exchange modes (RFC 8446 §4.2.9) we offer (client) or accept
   * (server), in preference order. Default ['psk_dhe_ke']; 'psk_ke' (no
   * (EC)DHE, so no forward secrecy for the resumed session) only when listed.
   */
  pskKeyExchangeModes?: readonly PskKeyExchangeModeName[];
}

export interface ClientConfig extends CommonConfig {
  /**
   * The reference name (RFC 9525 §6): the DNS name or IP address the server's
   * certificate is checked against; also sent as SNI (RFC 6066 §3) unless it
   * is an IP literal or `sendServerName` is false. Required while the
   * certificate is checked (`rejectUnauthorized` not false): without it the
   * connection refuses to start, unless `checkServerName: false` says so.
   */
  servername?: string;
  /** Send `servername` as SNI. Default true (never for IP literals). Node's `servername: ''`. */
  sendServerName?: boolean;
  /**
   * false: do not check the server's certificate against any name (the chain
   * is still verified). Explicit and insecure: any certificate from a trusted
   * CA is accepted for any server. Default true.
   */
  checkServerName?: boolean;
  /**
   * Replaces the built-in name check (like Node's option): called after the
   * chain verified, with `servername` and the chain as sent (DER, leaf first).
   * Return (or resolve to) an Error to reject the certificate (alert
   * bad_certificate); undefined to accept it.
   */
  checkServerIdentity?: ServerIdentityCheck;
  /** Client certificate for mutual TLS (in the handshake, and after it when the server asks: see `postHandshakeAuth`). */
  certificate?: CertifiedKey;
  /**
   * Pick the client certificate when the server asks for one (RFC 8446
   * §4.3.2), in the handshake or after it (§4.6.2); may be asynchronous.
   * Returning undefined falls back to `certificate` (none: an empty
   * Certificate, which the server may refuse with certificate_required).
   * Throwing (or rejecting) aborts the connection with the error's alert (a
   * TlsError's) or internal_error.
   */
  selectClientCertificate?: (request: ClientCertificateRequest) => CertifiedKey | undefined | Promise<CertifiedKey | undefined>;
  /**
   * Offer post-handshake client authentication (RFC 8446 §4.2.6, §4.6.2):
   * the server may then ask for a certificate at any time after the
   * handshake, and we answer with Certificate, CertificateVerify and Finished
   * (or an empty Certificate and Finished when we have none that fits).
   * Default: true when `certificate` or `selectClientCertificate` is set.
   */
  postHandshakeAuth?: boolean;
  /** Send a fake legacy_session_id and CCS (RFC 8446 §D.4). Default true. */
  middleboxCompat?: boolean;
  /**
   * GREASE (RFC 8701): reserved values in the ClientHello's cipher suites,
   * extensions, groups and key shares, versions, signature schemes and PSK
   * modes, as Chrome sends, so that intolerant servers show up. Default true.
   */
  grease?: boolean;
  /** Groups to send key shares for in the first ClientHello. Default: the first group, plus x25519 when the first is X25519MLKEM768. */
  keyShareGroups?: readonly NamedGroupName[];
  /**
   * A session to resume (RFC 8446 §2.2): the opaque bytes given to
   * `onSession` (Node's `session` Buffer). Offered instead of a ticket from
   * the store. If the server does not accept it, a full handshake follows.
   */
  session?: Uint8Array;
  /**
   * Where tickets from this server are kept and taken from (keyed by
   * servername, `port` and ALPN). Default: an in-memory store (bounded)
   * belonging to this config object, so connections made with the same
   * config object resume; `false`: no store (resume only with `session`).
   */
  ticketStore?: TicketStore | false;
  /** The server's port, part of the ticket store key (the adapters set it). */
  port?: number;
  /** Called with each session ticket received (opaque bytes to keep and pass back as `session`). */
  onSession?: (session: Uint8Array) => void;
  /** Offer a ticket again after it was used. Default false (RFC 8446 Appendix C.4: a ticket is used once). */
  reuseTickets?: boolean;
  /**
   * Send data written before the handshake completes as 0-RTT early data
   * (RFC 8446 §2.3) when the resumed ticket allows it (up to its
   * max_early_data_size). Early data can be replayed by an attacker: use it
   * only for requests that are safe to repeat. If the server rejects it, it
   * is sent again after the handshake (`info.earlyData` says which).
   * Default false.
   */
  earlyData?: boolean;
  /**
   * An external PSK to offer (RFC 8446 §2.2). When the server selects it the
   * handshake has no certificates (the PSK authenticates both sides); when
   * it does not, the server's certificate is checked as usual. Offered
   * instead of a session ticket.
   */
  psk?: ExternalPsk;
}

export interface ServerConfig extends CommonConfig {
  /** Default certificate. */
  certificate?: CertifiedKey;
  /**
   * Pick a certificate by SNI name; falls back to `certificate`. May be
   * asynchronous. Throwing (or rejecting) aborts the handshake with the
   * error's alert (a TlsError's) or internal_error; when no certificate is
   * found the client gets unrecognized_name if it sent SNI (RFC 6066 §3),
   * handshake_failure otherwise.
   */
  selectCertificate?: (servername: string | undefined) => CertifiedKey | undefined | Promise<CertifiedKey | undefined>;
  /**
   * Choose the ALPN protocol (RFC 7301 §3.2) from the client's list, instead
   * of `ALPNProtocols` (Node's ALPNCallback): return one of `protocols`, or
   * undefined to refuse the connection with no_application_protocol.
   * Called once per connection, only when the client sent ALPN. Returning a
   * protocol the client did not offer, or throwing, aborts the handshake
   * (internal_error, or a thrown TlsError's alert). Not with `ALPNProtocols`.
   */
  selectAlpnProtocol?: (params: { servername: string | undefined; protocols: readonly string[] }) => string | undefined;
  /** Client certificates: none (default), request, require (certificate_required alert when absent). */
  clientAuth?: 'none' | 'request' | 'require';
  /** certificate_authorities sent in CertificateRequest (DER distinguished names). */
  clientCertificateAuthorities?: readonly Uint8Array[];
  /**
   * NewSessionTickets sent after each full or resumed handshake (RFC 8446
   * §4.6.1). Default 2 (as OpenSSL); 0 disables resumption. A client that
   * sent no psk_key_exchange_modes gets none (§4.2.9).
   */
  sessionTickets?: number;
  /**
   * NewSessionTickets after a handshake that resumed a ticket: 0..16,
   * default `sessionTickets`. 0 is what OpenSSL does with its stateless
   * tickets (and NSS in RFC 8448 §4): the client resumes with the tickets it
   * still holds. Handshakes with an external PSK use `sessionTickets`.
   */
  sessionTicketsOnResumption?: number;
  /** ticket_lifetime in seconds, 1..604800 (7 days, §4.6.1). Default 7200 (2 hours). */
  ticketLifetime?: number;
  /**
   * The keys that seal and open tickets (see TicketKeys; 48 bytes as Node's
   * `ticketKeys`). Share one TicketKeys (or the same 48 bytes) between
   * servers that should resume each other's sessions. Default: random keys
   * belonging to this config object, rotated every 12 hours.
   */
  ticketKeys?: TicketKeys | Uint8Array;
  /**
   * Accept up to this many bytes of 0-RTT early data (RFC 8446 §2.3,
   * §4.2.10) on resumed connections; advertised in the tickets. Default 0:
   * no 0-RTT. Early data is replayable: it reaches `onEarlyData`, never
   * `onData`, and is accepted at most once per ClientHello binder within
   * the freshness window (§8; see `antiReplay`). Requires an `onEarlyData` handler.
   */
  maxEarlyData?: number;
  /** Decide per connection whether to accept 0-RTT data (after the ticket and anti-replay checks passed). Default: accept. */
  acceptEarlyData?: (params: { servername: string | undefined; alpnProtocol: string | undefined; peerCertificates: readonly Uint8Array[] }) => boolean;
  /** The 0-RTT strike register (RFC 8446 §8.2). Default: one per config object, 16384 entries, 10 s window. */
  antiReplay?: AntiReplay;
  /**
   * External PSKs we accept (RFC 8446 §2.2), found by identity. A handshake
   * with one sends no certificate; `certificate` may then be left out (such
   * a server only serves clients that have one of these PSKs).
   */
  psks?: readonly ExternalPsk[];
}

/** What was negotiated, readable after the handshake. */
export interface SessionInfo {
  readonly protocol: 'TLSv1.3';
  readonly cipherSuite: string;
  readonly group: NamedGroupName | undefined;
  readonly signatureScheme: SignatureSchemeName | undefined;
  readonly alpnProtocol: string | undefined;
  readonly servername: string | undefined;
  /** Peer chain as sent (DER, leaf first); empty if the peer sent none. */
  readonly peerCertificates: readonly Uint8Array[];
  /** Whether the peer chain was verified (false only with rejectUnauthorized: false or no cert). */
  readonly peerVerified: boolean;
  /** Why verification failed, when rejectUnauthorized was false. */
  readonly peerVerifyError: string | undefined;
  /** The failure's code alone (src/x509 VerifyErrorCode, `no-reference-name`, or a checkServerIdentity error's `code`). */
  readonly peerVerifyCode: string | undefined;
  readonly helloRetry: boolean;
  /** True when the handshake resumed a session with a PSK (no certificates exchanged: peerCertificates are the first handshake's). */
  readonly resumed: boolean;
  /** 0-RTT: 'accepted' or 'rejected' when the client offered early data, undefined when it did not. */
  readonly earlyData?: 'accepted' | 'rejected';
  /** The handshake used a PSK: 'resumption' (a ticket) or 'external' (RFC 8446 §2.2); undefined for certificates only. */
  readonly psk?: 'resumption' | 'external';
  /** The client sent post_handshake_auth (RFC 8446 §4.2.6): the server may ask it for a certificate after the handshake. */
  readonly postHandshakeAuth: boolean;
}
