/**
 * The public shape of the sans-I/O connection core (the contract between the
 * handshake/connection implementation and the adapters in src/io).
 *
 * Bytes in (`receive`), bytes out (`onTransmit`), plaintext out (`onData`),
 * events. No sockets, no timers, no node: imports. Processing may be
 * asynchronous (async crypto providers); ordering is always preserved.
 */
import type { TlsError } from '../errors.js';
import type { ClientCertificateResult, SessionInfo } from '../handshake/types.js';

export type { SignatureSchemeName } from '../crypto/schemes.js';
export type {
  CertifiedKey,
  CertificateCheck,
  ClientCertificateRequest,
  ClientCertificateRequestOptions,
  ClientCertificateResult,
  CertificateVerifier,
  CommonConfig,
  ClientConfig,
  ServerConfig,
  SessionInfo,
  PskKeyExchangeModeName,
  ServerIdentityCheck,
} from '../handshake/types.js';

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
  /**
   * Server: 0-RTT early data from the client (RFC 8446 §2.3), before the
   * handshake completes. It is NOT protected against replay across
   * connections beyond the anti-replay checks (§8): treat it as replayable.
   * Required when `maxEarlyData` > 0.
   */
  onEarlyData?(plaintext: Uint8Array): void;
  onHandshakeDone?(info: SessionInfo): void;
  /**
   * Server: the client answered a post-handshake certificate request
   * (requestClientCertificate, RFC 8446 §4.6.2); `info` is the connection's
   * info after it (naming the new certificate, unless the client declined).
   */
  onClientCertificate?(result: ClientCertificateResult, info: SessionInfo): void;
  /** The peer sent close_notify: no more data will arrive (we may still write). */
  onPeerClose?(): void;
  /** Fatal error; the alert (if any) was already passed to onTransmit. Called once. */
  onError?(error: TlsError): void;
}

export type ConnectionState = 'handshaking' | 'connected' | 'closed' | 'failed';
