/**
 * What a handshake state machine needs from the connection that drives it:
 * a way to send handshake messages and the dummy ChangeCipherSpec, to
 * install traffic keys in each direction, and to report completion. The
 * connection implements it over the record layer.
 */
import type { ClientCertificateResult, SessionInfo } from '../types.js';
import type { MaybePromise } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';

export interface HandshakeIo {
  /** Send one encoded handshake message (header included) under the current write key. */
  sendHandshake(raw: Uint8Array): void;
  /** Send the middlebox-compatibility ChangeCipherSpec record (RFC 8446 §D.4), always in plaintext. */
  sendChangeCipherSpec(): void;
  /** Messages sent after this use `secret`'s keys (RFC 8446 §7.3). */
  setWriteKey(suite: CipherSuite, secret: Uint8Array): MaybePromise<void>;
  /** Records received after the current handshake message use `secret`'s keys. */
  setReadKey(suite: CipherSuite, secret: Uint8Array): MaybePromise<void>;
  /**
   * RFC 8446 §4.2.10: we reject 0-RTT, so skip up to `maxBytes` of the
   * client's early data (records we cannot decrypt / application data
   * before ClientHello2). Server only.
   */
  skipEarlyData(maxBytes: number): void;
  /**
   * RFC 8446 §5.1: a message that can precede a key change (ClientHello,
   * ServerHello/HelloRetryRequest, EndOfEarlyData, Finished, KeyUpdate) must
   * end its record. Where no key change follows (a HelloRetryRequest and the
   * ClientHello it answers), the state calls this: handshake bytes still
   * buffered from the same record → unexpected_message.
   */
  requireRecordBoundary(message: string): void;
  /**
   * 0-RTT begins (RFC 8446 §2.3). Client: application data written from now
   * on goes out under the current (early) write key, up to `maxBytes`.
   * Server: application data received before EndOfEarlyData is early data,
   * up to `maxBytes`.
   */
  beginEarlyData(maxBytes: number): void;
  /**
   * 0-RTT ends. Client: `accepted` false → what was sent early is sent again
   * after the handshake; `plaintextAgain` → records are unprotected again
   * (the second ClientHello after a HelloRetryRequest).
   */
  endEarlyData(accepted: boolean, plaintextAgain?: boolean): void;
  /**
   * RFC 8449: protected records we send from now on hold at most `send`
   * bytes of TLSInnerPlaintext (the peer's record_size_limit), and protected
   * records we receive from now on more than `receive` → record_overflow.
   */
  setRecordSizeLimits(send: number | undefined, receive: number | undefined): void;
  /** Both directions now use application traffic keys. */
  handshakeComplete(result: HandshakeResult): void;
  /** Server: the client answered a post-handshake CertificateRequest and its Finished verified (RFC 8446 §4.6.2). */
  clientAuthenticated(result: ClientCertificateResult): void;
}

export interface HandshakeResult {
  readonly info: SessionInfo;
  readonly suite: CipherSuite;
  readonly exporterSecret: Uint8Array;
}
