/**
 * The public shape of the sans-I/O connection core (the contract between the
 * handshake/connection implementation and the adapters in src/io).
 *
 * Bytes in (`receive`), bytes out (`onTransmit`), plaintext out (`onData`),
 * events. No sockets, no timers, no node: imports. Processing may be
 * asynchronous (async crypto providers); ordering is always preserved.
 */
import type { CryptoProvider, NamedGroupName, PrivateKey } from '../crypto/provider.js';
import type { TlsError } from '../errors.js';

/** A TLS SignatureScheme name as in RFC 8446 §4.2.3 (e.g. `ecdsa_secp256r1_sha256`). */
export type SignatureSchemeName =
  | 'ecdsa_secp256r1_sha256' | 'ecdsa_secp384r1_sha384' | 'ecdsa_secp521r1_sha512'
  | 'rsa_pss_rsae_sha256' | 'rsa_pss_rsae_sha384' | 'rsa_pss_rsae_sha512'
  | 'rsa_pss_pss_sha256' | 'rsa_pss_pss_sha384' | 'rsa_pss_pss_sha512'
  | 'ed25519'
  | 'rsa_pkcs1_sha256' | 'rsa_pkcs1_sha384' | 'rsa_pkcs1_sha512';

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
 * certificate_expired, … → bad_certificate).
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
  /** Key-exchange groups in preference order. Default: X25519MLKEM768, x25519, secp256r1, secp384r1 (client key shares: X25519MLKEM768 and x25519). */
  groups?: readonly NamedGroupName[];
  /** Signature schemes we accept from the peer, in preference order. */
  signatureSchemes?: readonly SignatureSchemeName[];
  /** ALPN protocols in preference order. */
  ALPNProtocols?: readonly string[];
  /** Trust anchors (DER or PEM). Default: the verifier's platform roots. */
  ca?: readonly (Uint8Array | string)[];
  /** Replace the certificate check entirely. */
  verifyCertificate?: CertificateVerifier;
  /** Reject peers whose certificate fails verification. Default true; false is explicit and insecure. */
  rejectUnauthorized?: boolean;
  /** NSS key-log callback: `${label} ${clientRandomHex} ${secretHex}` lines. Never called unless set. */
  keyLog?: (line: string) => void;
  /** Called for each handshake message sent/received (for --trace). */
  onHandshakeMessage?: (direction: 'sent' | 'received', type: string, summary: string) => void;
  /** Injectable clock (tests). Default: () => new Date(). */
  now?: () => Date;
  /** Injectable randomness (tests). Default: provider.randomBytes. */
  random?: (n: number) => Uint8Array;
  /** Records sealed before a KeyUpdate is sent automatically. Default: well under the AEAD limits (RFC 8446 §5.5). */
  keyUpdateAfterRecords?: number;
  /** Maximum total handshake message size accepted. Default 64 KiB (certificate chains). */
  maxHandshakeMessageSize?: number;
}

export interface ClientConfig extends CommonConfig {
  /** SNI and the name checked against the server certificate. */
  servername?: string;
  /** Client certificate for mutual TLS. */
  certificate?: CertifiedKey;
  /** Send a fake legacy_session_id and CCS (RFC 8446 §D.4). Default true. */
  middleboxCompat?: boolean;
  /** Groups to send key shares for in the first ClientHello. Default: the first group, plus x25519 when the first is X25519MLKEM768. */
  keyShareGroups?: readonly NamedGroupName[];
}

export interface ServerConfig extends CommonConfig {
  /** Default certificate. */
  certificate?: CertifiedKey;
  /** Pick a certificate by SNI name; falls back to `certificate`. */
  selectCertificate?: (servername: string | undefined) => CertifiedKey | undefined;
  /** Client certificates: none (default), request, require (certificate_required alert when absent). */
  clientAuth?: 'none' | 'request' | 'require';
  /** certificate_authorities sent in CertificateRequest (DER distinguished names). */
  clientCertificateAuthorities?: readonly Uint8Array[];
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
  readonly helloRetry: boolean;
  readonly resumed: boolean;
}

export interface ConnectionHandlers {
  /** Bytes for the network, in order. */
  onTransmit(bytes: Uint8Array): void;
  /**
   * Optional: bytes for the network as several chunks (whole records, or
   * record headers and bodies), to be sent in order with no gap — e.g. one
   * writev on a corked socket. When present it replaces `onTransmit`, and
   * the connection does not copy records to join them.
   */
  onTransmitChunks?(chunks: readonly Uint8Array[]): void;
  /** Application data from the peer, in order. */
  onData?(plaintext: Uint8Array): void;
  onHandshakeDone?(info: SessionInfo): void;
  /** The peer sent close_notify: no more data will arrive (we may still write). */
  onPeerClose?(): void;
  /** Fatal error; the alert (if any) was already passed to onTransmit. Called once. */
  onError?(error: TlsError): void;
}

export type ConnectionState = 'handshaking' | 'connected' | 'closed' | 'failed';
