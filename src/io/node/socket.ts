/**
 * The TLS socket of the Node adapter: a Duplex carrying application data over
 * an underlying Duplex carrying TLS records (a net.Socket or anything else),
 * shaped like Node's tls.TLSSocket.
 *
 * Backpressure both ways:
 * - receive: when our readable side is full (push() returns false) we pause
 *   the underlying stream, and resume it from _read();
 * - send: a write's callback runs only once its records were handed to the
 *   underlying stream and that stream is below its highWaterMark.
 */
import { X509Certificate } from 'node:crypto';
import type * as net from 'node:net';
import { Duplex } from 'node:stream';
import '../full.js';
import { Connection, RECEIVE_BACKLOG_PAUSE } from '../../connection/connection.js';
import type { ClientCertificateResult, ClientConfig, ServerConfig, SessionInfo, SignatureSchemeName } from '../../connection/types.js';
import type { NamedGroupName } from '../../crypto/provider.js';
import type { TlsError } from '../../errors.js';
import { Linger } from '../linger.js';
import { peerCertificateOf, type PeerCertificate } from './certificate.js';
import { HandshakeRecord } from './handshake-record.js';
import { nodeAuthorizationError } from './verify-codes.js';
import { writeTraceLine } from './options.js';
import { decodeClientSession } from '../../handshake/resumption/session.js';

type AcceptEarlyDataParams = Parameters<NonNullable<ServerConfig['acceptEarlyData']>>[0];

/** The Node adapter's acceptEarlyData: the core's, with the socket as a second argument. */
export type NodeAcceptEarlyData = (params: AcceptEarlyDataParams, socket: TlsSocket) => boolean;

type NodeServerConfig = Omit<ServerConfig, 'acceptEarlyData'> & { acceptEarlyData?: NodeAcceptEarlyData };

export interface SocketOptions {
  /** Like net.Socket: when false (default) we end our side once the peer has closed its side. */
  allowHalfOpen?: boolean;
  /** highWaterMark of the TLS socket's readable and writable sides. */
  highWaterMark?: number;
}

function u8(chunk: Buffer | Uint8Array): Uint8Array {
  return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function buf(bytes: Uint8Array): Buffer {
  if (Buffer.isBuffer(bytes)) return bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Chunks up to this size are joined with their small neighbours before a socket write. */
const SMALL_CHUNK = 64;

/** Bytes waiting in the transport's write buffer above which we stop reading from the peer. */
const MAX_UNSENT_BYTES = 1 << 20;

/** Client with earlyData: bytes written before the handshake that need not wait for it (writePieces). */
const MAX_UNAWAITED_EARLY_WRITES = 64 * 1024;

/** Largest piece handed to the connection at once, so a huge write still honours backpressure. */
const WRITE_PIECE = 256 * 1024;

const GROUP_NODE_NAMES: Record<NamedGroupName, string> = {
  x25519: 'X25519', secp256r1: 'prime256v1', secp384r1: 'secp384r1', X25519MLKEM768: 'X25519MLKEM768', SecP256r1MLKEM768: 'SecP256r1MLKEM768', SecP384r1MLKEM1024: 'SecP384r1MLKEM1024', x448: 'X448', secp521r1: 'secp521r1', ffdhe2048: 'ffdhe2048', ffdhe3072: 'ffdhe3072', ffdhe4096: 'ffdhe4096', ffdhe6144: 'ffdhe6144', ffdhe8192: 'ffdhe8192',
};


/**
 * The TLS socket: a Duplex carrying application data, over an underlying
 * Duplex carrying TLS records.
 */
export class TlsSocket extends Duplex {
  readonly encrypted = true;
  /** The stream carrying the records (a net.Socket for connect()/createServer()). */
  readonly socket: Duplex;
  readonly connection: Connection;
  readonly isServer: boolean;
  /** True once the peer's certificate verified (client: always after a successful default handshake). */
  authorized = false;
  /**
   * Why the peer's certificate did not verify (only with rejectUnauthorized:
   * false), as Node reports it: UNABLE_TO_VERIFY_LEAF_SIGNATURE,
   * CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, … (verify-codes.ts), or
   * the code (else the message) of the Error checkServerIdentity returned.
   */
  authorizationError: string | undefined;
  /** The negotiated ALPN protocol, false when none (like Node). */
  alpnProtocol: string | false = false;
  /** SNI name (client: sent; server: received). */
  servername: string | false = false;
  /** What was negotiated; undefined until the handshake is done. */
  info: SessionInfo | undefined;
  /** True while the handshake is running. */
  secureConnecting = true;
  /** True once the peer sent close_notify; false if its stream ended without one (truncation). */
  peerClosedCleanly = false;
  /**
   * Server: how many bytes at the start of what this socket reads arrived as
   * 0-RTT early data (RFC 8446 §2.3), before the handshake completed. They
   * can be a replay (§8): act on them only when repeating that is harmless.
   */
  earlyDataBytes = 0;

  private rawEnded = false;
  /** Set when we sent a fatal alert: the transport lingers before it is closed (../linger.ts). */
  private lingerAfterAlert = false;
  private lingering: Linger | undefined;
  private corked = false;
  private readingPaused = false;
  /** Reading paused because the connection has a backlog of records to process (async AEAD). */
  private backlogPaused = false;
  /** Reading paused because the peer does not read what we send (our answers pile up). */
  private sendBlocked = false;
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** Finished messages, our chain and the peer's signature_algorithms, for getFinished() and friends. */
  private readonly record: HandshakeRecord;
  /** 'close' carries it, as net.Socket's does: whether the socket closed because of an error. */
  private hadError = false;
  private lastSession: Uint8Array | undefined;
  /** Client with earlyData: bytes written before the handshake whose write callback did not wait for them (see writePieces). */
  private earlyWindow: number;
  /** The configured rejectUnauthorized: renegotiate()'s default, as Node's. */
  private readonly serverRejectUnauthorized: boolean;
  /** Application bytes delivered to / accepted from the application (net.Socket's bytesRead/bytesWritten). */
  private appBytesRead = 0;
  private appBytesWritten = 0;
  /** Set by enableTrace() (the enableTrace option traces through options.ts instead). */
  private tracing = false;
  private readonly userTrace: ClientConfig['onHandshakeMessage'];

  constructor(raw: Duplex, config: ClientConfig | ServerConfig, role: 'client' | 'server', opts: SocketOptions & { handshakeTimeout?: number } = {}) {
    super({
      allowHalfOpen: opts.allowHalfOpen ?? false,
      ...(opts.highWaterMark !== undefined ? { highWaterMark: opts.highWaterMark } : {}),
    });
    this.socket = raw;
    this.isServer = role === 'server';
    this.earlyWindow = role === 'client' && (config as ClientConfig).earlyData ? MAX_UNAWAITED_EARLY_WRITES : 0;
    const userKeyLog = config.keyLog;
    const userTrace = (this.userTrace = config.onHandshakeMessage);
    const codecs = config.certificateCompression ? config.certificateCompression.filter((c) => typeof c !== 'string') : [];
    const record = (this.record = new HandshakeRecord(config.signatureSchemes, codecs));
    const userOnSession = (config as ClientConfig).onSession;
    const userAcceptEarly = (config as NodeServerConfig).acceptEarlyData;
    const cfg = {
      ...config,
      ...(role === 'client'
        ? {
            // Node's 'session' event: an opaque Buffer to pass back as `session`.
            onSession: (s: Uint8Array) => {
              this.lastSession = s;
              userOnSession?.(s);
              this.emit('session', buf(s));
            },
          }
        : {}),
      // The Node adapter's acceptEarlyData also gets the socket (to read the early data as it comes).
      ...(role === 'server' && userAcceptEarly ? { acceptEarlyData: (p: AcceptEarlyDataParams) => userAcceptEarly(p, this) } : {}),
      keyLog: (line: string) => {
        userKeyLog?.(line);
        if (this.listenerCount('keylog') > 0) this.emit('keylog', Buffer.from(line + '\n'));
      },
      onHandshakeMessage: (direction: 'sent' | 'received', type: string, summary: string, message: Uint8Array) => {
        userTrace?.(direction, type, summary, message);
        if (this.tracing) writeTraceLine(direction, type, summary, message);
        record.observe(direction, type, message);
      },
    };
    const handlers = {
      onTransmit: (bytes: Uint8Array) => this.transmit([bytes]),
      onTransmitChunks: (chunks: readonly Uint8Array[]) => this.transmit(chunks),
      onData: (plain: Uint8Array) => this.deliver(plain),
      // 0-RTT data comes first in the stream, counted (and so marked) by earlyDataBytes.
      onEarlyData: (plain: Uint8Array) => {
        this.earlyDataBytes += plain.length;
        this.deliver(plain);
      },
      onHandshakeDone: (info: SessionInfo) => this.handshakeDone(info),
      onClientCertificate: (_r: ClientCertificateResult, info: SessionInfo) => this.applyPeer(info),
      onPeerClose: () => this.peerClose(),
      onError: (err: TlsError) => this.fail(err),
    };
    this.connection = role === 'client'
      ? Connection.client(cfg as ClientConfig, handlers)
      : Connection.server(cfg as ServerConfig, handlers);
    if (role === 'client') this.servername = (config as ClientConfig).servername ?? false;
    this.serverRejectUnauthorized = config.rejectUnauthorized !== false;

    raw.on('data', (chunk: Buffer | string) => {
      if (typeof chunk === 'string') chunk = Buffer.from(chunk);
      if (this.lingering) return this.lingering.discard(chunk.length);
      this.connection.receive(u8(chunk));
      this.throttleReceive();
    });
    // A socket handed over paused (STARTTLS: the caller paused it after the
    // plaintext exchange) must flow now; throttleReceive() does the pausing.
    raw.resume();
    raw.on('end', () => this.rawEnd());
    raw.on('error', (err: Error) => this.destroy(err));
    raw.on('close', () => {
      if (!this.destroyed && !this.rawEnded) this.destroy(this.secureConnecting ? disconnected(this.isServer) : undefined);
    });
    raw.on('connect', () => this.emit('connect'));
    raw.on('timeout', () => this.emit('timeout'));
    if (opts.handshakeTimeout !== undefined && opts.handshakeTimeout > 0) {
      this.handshakeTimer = setTimeout(() => {
        const e = new Error('TLS handshake timeout') as NodeJS.ErrnoException;
        e.code = 'ERR_TLS_HANDSHAKE_TIMEOUT';
        this.destroy(e);
      }, opts.handshakeTimeout);
      this.handshakeTimer.unref?.();
    }
    this.connection.start();
  }

  // ---- connection → stream ----

  private transmit(chunks: readonly Uint8Array[]): void {
    const raw = this.socket;
    if (raw.destroyed || raw.writableEnded) return;
    // Coalesce the records of one flight (e.g. CCS + Finished), and the
    // records of a bulk write, into one socket writev: separate small writes
    // meet Nagle + delayed ACK (~40 ms), and records need no copy to join.
    if (!this.corked) {
      this.corked = true;
      raw.cork();
      process.nextTick(() => {
        this.corked = false;
        raw.uncork();
      });
    }
    // Runs of small chunks (a record's tag and the next record's header) are
    // joined into one small buffer: fewer write() calls, same bytes.
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      let j = i;
      let len = 0;
      while (j < chunks.length && chunks[j]!.length <= SMALL_CHUNK) len += chunks[j++]!.length;
      if (j - i < 2) {
        raw.write(buf(c));
        continue;
      }
      const joined = Buffer.allocUnsafe(len);
      for (let k = i, off = 0; k < j; off += chunks[k++]!.length) joined.set(chunks[k]!, off);
      raw.write(joined);
      i = j - 1;
    }
  }

  private deliver(plain: Uint8Array): void {
    if (this.destroyed || plain.length === 0) return;
    this.appBytesRead += plain.length;
    if (!this.push(buf(plain)) && !this.readingPaused) {
      this.readingPaused = true;
      this.socket.pause();
    }
  }

  private handshakeDone(info: SessionInfo): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.info = info;
    this.secureConnecting = false;
    this.alpnProtocol = info.alpnProtocol ?? false;
    if (info.servername !== undefined) this.servername = info.servername;
    this.applyPeer(info);
    this.emit(this.isServer ? 'secure' : 'secureConnect');
  }

  /** The peer's authentication as Node reports it: after the handshake, and after a post-handshake certificate (RFC 8446 §4.6.2). */
  private applyPeer(info: SessionInfo): void {
    this.info = info;
    this.authorized = info.peerCertificates.length > 0 && info.peerVerified;
    this.authorizationError = undefined;
    if (info.peerVerifyError !== undefined) {
      const message = info.peerVerifyError.slice((info.peerVerifyCode ?? '').length + 2);
      this.authorizationError = nodeAuthorizationError(info.peerVerifyCode, message, info.peerCertificates);
    } else if (!this.authorized && !this.isServer) {
      this.authorizationError = nodeAuthorizationError(undefined, undefined, info.peerCertificates);
    }
  }

  /**
   * Node's renegotiate(), which TLS 1.3 does not have, mapped onto
   * post-handshake client authentication (RFC 8446 §4.6.2): on a server,
   * `{ requestCert: true }` sends a CertificateRequest and `callback(null)`
   * runs once the client's answer verified (getPeerCertificate(),
   * `authorized` and `authorizationError` then reflect it); with
   * `rejectUnauthorized` (default: the server's), a client that sends no
   * certificate or one that does not verify is refused with the alert and
   * `callback(err)`. Returns false, and calls `callback(err)` on the next
   * tick, when it cannot: on a client, without requestCert, when the client
   * did not send post_handshake_auth, or while a request is outstanding.
   * No 'secure' event follows (no new handshake takes place).
   */
  renegotiate(options: { requestCert?: boolean; rejectUnauthorized?: boolean }, callback?: (err: Error | null) => void): boolean {
    if (callback !== undefined && typeof callback !== 'function') throw new TypeError('renegotiate: callback must be a function');
    if (this.destroyed) return false;
    const refuse = (message: string, code: string, cause?: unknown): false => {
      const e = new Error(`renegotiate: ${message}`, cause === undefined ? undefined : { cause }) as NodeJS.ErrnoException;
      e.code = code;
      if (callback) process.nextTick(callback, e);
      return false;
    };
    if (typeof options !== 'object' || options === null) throw new TypeError('renegotiate: options must be an object');
    for (const k of ['requestCert', 'rejectUnauthorized'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'boolean') throw new TypeError(`renegotiate: ${k} must be true or false`);
    }
    if (!this.isServer) return refuse('TLS 1.3 has no renegotiation, and only a server asks for a certificate after the handshake', 'ERR_TLS_RENEGOTIATE');
    if (options.requestCert !== true) {
      return refuse('TLS 1.3 has no renegotiation: only { requestCert: true } (post-handshake client authentication, RFC 8446 §4.6.2) is supported', 'ERR_TLS_RENEGOTIATE');
    }
    const rejectUnauthorized = options.rejectUnauthorized ?? this.serverRejectUnauthorized;
    const opts = { require: rejectUnauthorized, rejectUnauthorized };
    try {
      this.connection.checkClientCertificateRequest(opts);
    } catch (e) {
      return refuse(e instanceof Error ? e.message : String(e), 'ERR_TLS_RENEGOTIATE', e);
    }
    this.connection.requestClientCertificate(opts).then(() => callback?.(null), (e: unknown) => callback?.(e instanceof Error ? e : new Error(String(e))));
    return true;
  }

  private peerClose(): void {
    this.peerClosedCleanly = true;
    this.push(null);
  }

  private fail(err: TlsError): void {
    // The alert (if any) went to transmit() already: flush it, then tear down.
    if (!err.received) this.lingerAfterAlert = true;
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
    // As Node: the Error checkServerIdentity returned is the one 'error' gets.
    const identity = err.code === 'certificate_identity' && err.cause instanceof Error ? err.cause : undefined;
    this.destroy(identity ?? err);
  }

  private rawEnd(): void {
    this.rawEnded = true;
    // Let the connection finish processing what it already received (it may be async).
    void this.connection.drained().catch(() => undefined).then(() => setImmediate(() => {
      if (this.destroyed) return;
      if (this.secureConnecting) {
        this.destroy(disconnected(this.isServer));
      } else if (!this.peerClosedCleanly) {
        // Stream ended without close_notify (RFC 8446 §6.1: truncation). Node
        // (SSL_OP_IGNORE_UNEXPECTED_EOF) reports a plain end; so do we, and
        // `peerClosedCleanly` stays false for callers that care.
        this.push(null);
      }
    }));
  }

  // ---- stream → connection ----

  override _read(): void {
    if (this.readingPaused) {
      this.readingPaused = false;
      this.resumeIfIdle();
    }
  }

  private resumeIfIdle(): void {
    if (!this.readingPaused && !this.backlogPaused && !this.sendBlocked && !this.destroyed) this.socket.resume();
  }

  /** A fast peer can outrun an asynchronous AEAD: stop reading until the backlog is processed. */
  private throttleReceive(): void {
    const raw = this.socket;
    // A peer that sends but never reads would make us buffer our answers to it
    // (KeyUpdate responses, …) without bound: stop reading until it drains.
    if (!this.sendBlocked && raw.writableNeedDrain && raw.writableLength > MAX_UNSENT_BYTES) {
      this.sendBlocked = true;
      raw.pause();
      const go = () => {
        raw.off('drain', go);
        raw.off('close', go);
        this.sendBlocked = false;
        this.resumeIfIdle();
      };
      raw.on('drain', go);
      raw.on('close', go);
    }
    if (this.backlogPaused || this.connection.pendingRecords <= RECEIVE_BACKLOG_PAUSE) return;
    this.backlogPaused = true;
    raw.pause();
    void this.connection.drained().catch(() => undefined).then(() => {
      this.backlogPaused = false;
      this.resumeIfIdle();
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    void this.writePieces(u8(chunk)).then(() => {
      this.appBytesWritten += chunk.length;
      cb();
    }, (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))));
  }

  private async writePieces(data: Uint8Array): Promise<void> {
    // 0-RTT: Writable hands us one write at a time, and a write sent as early data completes only
    // when the server accepts it (or, rejected, after the handshake). So that several writes made
    // before the handshake all go out as early data, their callbacks do not wait, up to a bound;
    // a failure then surfaces as the connection's 'error'.
    if (this.secureConnecting && data.length <= this.earlyWindow) {
      this.earlyWindow -= data.length;
      // A copy: the callback runs now, after which the application may reuse its buffer
      // (Writable's contract), but these bytes are sealed later, and sent again after the
      // handshake if the server rejects 0-RTT (RFC 8446 §4.2.10). Bounded by earlyWindow.
      this.connection.write(data.slice()).catch(() => undefined);
      return;
    }
    let off = 0;
    do {
      await this.connection.write(data.subarray(off, off + WRITE_PIECE));
      await this.socketDrained();
      off += WRITE_PIECE;
    } while (off < data.length);
  }

  /** Resolves when the underlying stream is below its highWaterMark. */
  private socketDrained(): Promise<void> {
    const raw = this.socket;
    if (!raw.writableNeedDrain || raw.destroyed) {
      return raw.destroyed ? Promise.reject(new Error('socket closed')) : Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        raw.off('drain', onDrain);
        raw.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new Error('socket closed'));
      raw.on('drain', onDrain);
      raw.on('close', onClose);
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.connection.state === 'failed' || this.socket.destroyed) return cb();
    if (this.secureConnecting) {
      // end() before the handshake is done: close_notify once it is (the end of
      // our writing, as with Node's tls; closing now would abandon the handshake).
      const ready = this.isServer ? 'secure' : 'secureConnect';
      const go = (): void => {
        this.off(ready, go);
        this.off('close', go);
        this._final(cb);
      };
      this.once(ready, go);
      this.once('close', go);
      return;
    }
    try {
      this.connection.close(); // close_notify (RFC 8446 §6.1); we may still receive
    } catch (e) {
      return cb(e as Error);
    }
    void this.connection.drained().catch(() => undefined).then(() => {
      if (this.socket.destroyed || this.socket.writableEnded) return cb();
      this.socket.end(() => cb());
    });
  }

  /** net.Socket's 'close' passes hadError; a Duplex's passes nothing. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'close' && args.length === 0) return super.emit('close', this.hadError);
    return super.emit(event, ...args);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (err) this.hadError = true;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    const state = this.connection.state;
    if (state !== 'failed' && state !== 'closed') this.connection.destroy(err ?? undefined);
    const raw = this.socket;
    if (!raw.destroyed) {
      if (this.lingerAfterAlert) {
        // After our fatal alert and FIN: read and drop the peer's input for a while (../linger.ts).
        const linger = new Linger(() => raw.destroy());
        this.lingering = linger;
        raw.once('end', () => linger.end());
        raw.once('close', () => linger.end());
        raw.resume();
      } else if (raw.writableEnded && !raw.writableFinished) {
        // Let a final alert/close_notify leave, but never wait forever.
        const t = setTimeout(() => raw.destroy(), 2000);
        t.unref?.();
        raw.once('finish', () => { clearTimeout(t); raw.destroy(); });
        raw.resume();
      } else {
        raw.destroy();
      }
    }
    cb(err);
  }

  // ---- Node tls.TLSSocket-like API ----

  getProtocol(): string | null {
    return this.info ? 'TLSv1.3' : null;
  }

  getCipher(): { name: string; standardName: string; version: string } | undefined {
    if (!this.info) return undefined;
    return { name: this.info.cipherSuite, standardName: this.info.cipherSuite, version: 'TLSv1.3' };
  }

  /** The negotiated key-exchange group (x25519, secp256r1, …). */
  get group(): NamedGroupName | undefined {
    return this.info?.group;
  }

  /** The signature scheme of the peer's CertificateVerify. */
  get signatureScheme(): SignatureSchemeName | undefined {
    return this.info?.signatureScheme;
  }

  /** Like Node's: { type: 'ECDH', name, size } on a client; null on a server (as Node); {} before the handshake or without (EC)DHE. */
  getEphemeralKeyInfo(): { type: string; name: string; size: number } | Record<string, never> | null {
    if (this.isServer) return null;
    const g = this.info?.group;
    if (!g) return {};
    const size = { x25519: 253, secp256r1: 256, secp384r1: 384, X25519MLKEM768: 253, SecP256r1MLKEM768: 256, SecP384r1MLKEM1024: 384, x448: 448, secp521r1: 521, ffdhe2048: 2048, ffdhe3072: 3072, ffdhe4096: 4096, ffdhe6144: 6144, ffdhe8192: 8192 }[g];
    return { type: g.startsWith('ffdhe') ? 'DH' : 'ECDH', name: GROUP_NODE_NAMES[g], size };
  }

  /** verify_data of the last Finished we sent (RFC 8446 §4.4.4), as Node's getFinished(); undefined before. */
  getFinished(): Buffer | undefined {
    return this.record.finished ? Buffer.from(this.record.finished) : undefined;
  }

  /** verify_data of the last Finished the peer sent, as Node's getPeerFinished(). */
  getPeerFinished(): Buffer | undefined {
    return this.record.peerFinished ? Buffer.from(this.record.peerFinished) : undefined;
  }

  /** Our certificate as sent, in getPeerCertificate()'s shape; {} when we sent none. */
  getCertificate(): PeerCertificate | Record<string, never> {
    return peerCertificateOf(this.record.localChain ?? [], false);
  }

  /** Our certificate as Node's X509Certificate; undefined when we sent none. */
  getX509Certificate(): X509Certificate | undefined {
    const leaf = this.record.localChain?.[0];
    return leaf ? new X509Certificate(leaf) : undefined;
  }

  /** The peer's certificate as Node's X509Certificate; undefined when it sent none. */
  getPeerX509Certificate(): X509Certificate | undefined {
    const leaf = this.info?.peerCertificates[0];
    return leaf ? new X509Certificate(leaf) : undefined;
  }

  /**
   * Signature algorithms both sides accept, ours first, in OpenSSL's names
   * ('ECDSA+SHA256', 'RSA-PSS+SHA256', 'Ed25519', …) as Node reports them.
   * A server knows the client's from its ClientHello; a client knows the
   * server's only if the server asked for a certificate ([] otherwise).
   */
  getSharedSigalgs(): string[] {
    return this.record.sharedSigalgs();
  }

  /**
   * Node's setServername() names the server before the handshake starts;
   * ours starts when the socket is made (the ClientHello is already sent), so
   * it is refused: pass `servername` to connect() or new TLSSocket().
   */
  setServername(name: string): void {
    const e = new Error(this.isServer
      ? 'Cannot issue SNI from a TLS server-side socket'
      : `setServername(${JSON.stringify(name)}): the ClientHello was sent when the socket was made; pass servername in the options`) as NodeJS.ErrnoException;
    e.code = this.isServer ? 'ERR_TLS_SNI_FROM_SERVER' : 'ERR_PURETLS_TOO_LATE';
    throw e;
  }

  /** The last session received (Node: a Buffer to pass as `session` to resume), or undefined. */
  getSession(): Buffer | undefined {
    return this.lastSession ? buf(this.lastSession) : undefined;
  }

  /**
   * 0-RTT: 'accepted' or 'rejected' when the client offered early data,
   * undefined when it did not (final once the handshake is done; a server
   * says 'accepted' as soon as early data arrives).
   */
  get earlyData(): 'accepted' | 'rejected' | undefined {
    return this.info ? this.info.earlyData : this.earlyDataBytes > 0 ? 'accepted' : undefined;
  }

  /** True when this connection resumed a session (RFC 8446 §2.2). */
  isSessionReused(): boolean {
    return this.info?.resumed === true;
  }

  /** The ticket of the last session received (client), or undefined. */
  getTLSTicket(): Buffer | undefined {
    return this.lastSession ? buf(decodeClientSession(this.lastSession).ticket) : undefined;
  }

  /** Peer chain, DER, leaf first. */
  getPeerCertificateChain(): Buffer[] {
    return (this.info?.peerCertificates ?? []).map(buf);
  }

  /**
   * The peer's leaf in Node's shape (subject, issuer, valid_from, valid_to,
   * subjectaltname, fingerprint256, raw, …); `{}` when there is none. With
   * `detailed`, issuerCertificate links the rest of the chain.
   */
  getPeerCertificate(detailed = false): PeerCertificate | Record<string, never> {
    return peerCertificateOf(this.info?.peerCertificates ?? [], detailed);
  }

  /** RFC 8446 §7.5 exporter, Node's argument order (length, label, context). */
  exportKeyingMaterial(length: number, label: string, context?: Buffer | Uint8Array): Buffer {
    return buf(this.connection.exportKeyingMaterial(length, label, context === undefined ? undefined : u8(context)));
  }

  /** Send a KeyUpdate (RFC 8446 §4.6.3); with requestPeer, ask the peer to update too. */
  keyUpdate(requestPeer = false): void {
    this.connection.keyUpdate(requestPeer);
  }

  /** End our side after pending writes (like net.Socket#destroySoon). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  // net.Socket conveniences, delegated when the underlying stream is a socket.
  setTimeout(ms: number, cb?: () => void): this {
    const s = this.socket as Partial<net.Socket>;
    if (typeof s.setTimeout === 'function') s.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(noDelay = true): this {
    (this.socket as Partial<net.Socket>).setNoDelay?.(noDelay);
    return this;
  }
  setKeepAlive(enable = false, delay = 0): this {
    (this.socket as Partial<net.Socket>).setKeepAlive?.(enable, delay);
    return this;
  }
  ref(): this {
    (this.socket as Partial<net.Socket>).ref?.();
    return this;
  }
  unref(): this {
    (this.socket as Partial<net.Socket>).unref?.();
    return this;
  }
  address(): ReturnType<net.Socket['address']> | Record<string, never> {
    return (this.socket as Partial<net.Socket>).address?.() ?? {};
  }
  get remoteAddress(): string | undefined { return (this.socket as Partial<net.Socket>).remoteAddress; }
  get remotePort(): number | undefined { return (this.socket as Partial<net.Socket>).remotePort; }
  get remoteFamily(): string | undefined { return (this.socket as Partial<net.Socket>).remoteFamily; }
  get localAddress(): string | undefined { return (this.socket as Partial<net.Socket>).localAddress; }
  get localPort(): number | undefined { return (this.socket as Partial<net.Socket>).localPort; }
  get localFamily(): string | undefined { return (this.socket as Partial<net.Socket>).localFamily; }
  /** True while the underlying socket is still connecting (TCP), as net.Socket's. */
  get connecting(): boolean { return (this.socket as Partial<net.Socket>).connecting === true; }
  /**
   * As net.Socket's: true until the underlying socket is connected, and
   * again once this socket is destroyed.
   */
  get pending(): boolean {
    if (this.destroyed) return true;
    return (this.socket as Partial<net.Socket>).pending === true;
  }
  /** As net.Socket's: 'opening' while connecting, then 'open', 'readOnly', 'writeOnly' or 'closed'. */
  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }
  /** Application bytes received (decrypted), as Node's TLSSocket counts them. */
  get bytesRead(): number { return this.appBytesRead; }
  /** Application bytes written: those sent plus those still queued, as net.Socket's. */
  get bytesWritten(): number { return this.appBytesWritten + this.writableLength; }
  /** Deprecated in Node (use writableLength); kept for parity. */
  get bufferSize(): number { return this.writableLength; }

  /**
   * Node's setMaxSendFragment: the largest plaintext per record we send from
   * now on. true when `size` is in 512..16384 (Node's range), false otherwise
   * (nothing changes), as Node answers.
   */
  setMaxSendFragment(size: number): boolean {
    if (typeof size !== 'number' || !Number.isInteger(size)) throw new TypeError(`setMaxSendFragment: size must be an integer, got ${String(size)}`);
    if (size < 512 || size > 16384) return false;
    this.connection.setMaxSendFragment(size);
    return true;
  }

  /** Node's enableTrace(): each handshake message from now on to stderr. */
  enableTrace(): void {
    // The enableTrace option traces already (options.ts): never twice.
    const hook = this.userTrace as { tracesToStderr?: true } | undefined;
    if (!hook?.tracesToStderr) this.tracing = true;
  }

  /**
   * As net.Socket's resetAndDestroy(): close the TCP connection with a reset
   * (no close_notify, no FIN) and destroy this socket.
   */
  resetAndDestroy(): this {
    const s = this.socket as Partial<net.Socket>;
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else this.socket.destroy();
    this.destroy();
    return this;
  }
}

function disconnected(isServer: boolean): Error {
  const e = new Error(isServer
    ? 'Client network socket disconnected before secure TLS connection was established'
    : 'Client network socket disconnected before secure TLS connection was established') as NodeJS.ErrnoException;
  e.code = 'ECONNRESET';
  return e;
}
