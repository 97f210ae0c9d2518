/**
 * The configuration and session shapes the handshake consumes and produces:
 * certificates with their keys, the certificate-check hook, the client and
 * server configurations and what was negotiated. They live here, below the
 * connection, so the handshake never imports upwards; src/connection/types.ts
 * re-exports them as part of the public contract.
 */
import type { CryptoProvider, NamedGroupName, PrivateKey } from '../crypto/provider.js';
import type { SignatureSchemeName } from '../crypto/schemes.js';

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
