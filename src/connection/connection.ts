/**
 * The sans-I/O TLS 1.3 connection: bytes in (`receive`), bytes out
 * (`onTransmit`), plaintext out (`onData`), events. No sockets, timers or
 * node: imports. Processing may be asynchronous (async crypto providers)
 * but is strictly ordered: one task at a time, in arrival order.
 *
 * Errors are caught in ONE place (`fail`): the fatal alert is sent once
 * (unless the error reports an alert the peer sent), the state becomes
 * 'failed' for good and `onError` is called once.
 */
import type { CryptoProvider } from '../crypto/provider.js';
import { TlsError } from '../errors.js';
import type { CipherSuite } from '../crypto/cipher-suites.js';
import { resolveClientConfig, type ResolvedCommon } from '../handshake/config.js';
import { Connected } from '../handshake/common/connected.js';
import type { HandshakeContext, HandshakeState } from '../handshake/common/context.js';
import type { HandshakeIo, HandshakeResult } from '../handshake/common/io.js';
import { startClient } from '../handshake/client/index.js';
import { exportKeyingMaterial } from '../handshake/key-schedule.js';
import { decodeHandshake } from '../handshake/messages/index.js';
import type { ServerPostHandshakeAuth } from '../handshake/server/post-handshake-auth.js';
import { ContentType, createRecordProtection, LEGACY_RECORD_VERSION, LEGACY_RECORD_VERSION_INITIAL, MessageReader, RecordWriter, type InboundMessage } from '../record/index.js';
import { concatBytes, isPromise, wipe, type MaybePromise } from '../util/bytes.js';
import { classifyAlert, encodeAlert } from './alerts.js';
import { checkExporterArguments } from './exporter.js';
import { FloodGuard } from './flood-guard.js';
import { serverRole } from './server-role.js';
import type {
  ClientCertificateRequestOptions, ClientCertificateResult, ClientConfig, ConnectionHandlers, ConnectionState, ServerConfig, SessionInfo,
} from './types.js';

/** Records received but not yet processed before we refuse more (≈ 68 MB of full records). */
export const MAX_PENDING_RECORDS = 4096;
/** Backlog at which adapters stop reading the transport until the connection drains (≈ 4 MB of full records). */
export const RECEIVE_BACKLOG_PAUSE = 256;

interface PendingWrite {
  data: Uint8Array;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class Connection {
  private readonly rx: MessageReader;
  private readonly tx: RecordWriter;
  private readonly io: HandshakeIo;
  private handshake: HandshakeState | undefined;
  private hctx: HandshakeContext | undefined;
  private connected: Connected | undefined;
  private _state: ConnectionState = 'handshaking';
  private _info: SessionInfo | undefined;
  private suite: CipherSuite | undefined;
  private exporterSecret: Uint8Array | undefined;
  private error: TlsError | undefined;
  private started = false;
  /** Client: the first flight (ClientHello) has not been written yet (RFC 8446 §5.1 record version). */
  private initialHello = true;
  /** Client: while 0-RTT data may be sent, the bytes left and the writes sent early (re-sent if rejected). */
  private early: { left: number; sent: PendingWrite[] } | undefined;
  /** Server: 0-RTT bytes still acceptable before EndOfEarlyData (RFC 8446 §4.2.10), or undefined. */
  private earlyReceiveLeft: number | undefined;
  /** Server: our record_size_limit, applied once accepted early data ends. */
  private pendingReceiveLimit: number | undefined;
  /** Handshake messages waiting to be coalesced into one flight. */
  private flight: Uint8Array[] = [];
  private queuedWrites: PendingWrite[] = [];
  /** Set while a write-key change is in progress (async providers): app writes wait. */
  private writeKeyChange: Promise<void> | undefined;
  private sentCloseNotify = false;
  private receivedCloseNotify = false;
  private alertSent = false;
  private ccsReceived = false;
  // The task queue: everything that touches protocol state runs here, in order.
  private tasks: (() => MaybePromise<void>)[] = [];
  private running = false;
  private readScheduled = false;
  private drainWaiters: (() => void)[] = [];
  /** Set while a fatal alert is being sealed by an asynchronous AEAD (see fail()). */
  private alertSealing: Promise<unknown> | undefined;
  /** Record writes handed to the writer and not yet passed to onTransmit (asynchronous AEADs). */
  private writesInFlight = 0;
  /** destroy() was called: no callback, no output, no input from now on. */
  private destroyed = false;
  /** The record keys and the secrets kept after the handshake were destroyed (the connection is over). */
  private keysReleased = false;
  /** Bounds on runs of peer input that makes no progress (empty records, KeyUpdates, tickets, CertificateRequests, user_canceled). */
  private readonly flood = new FloodGuard();
  /** Server: the caller waiting for the answer to our post-handshake CertificateRequest (one at a time). */
  private clientAuthWaiter: { resolve: (r: ClientCertificateResult) => void; reject: (e: unknown) => void } | undefined;

  private constructor(
    private readonly role: 'client' | 'server',
    private readonly config: ResolvedCommon,
    private readonly handlers: ConnectionHandlers,
    private readonly begin: (io: HandshakeIo) => MaybePromise<{ ctx: HandshakeContext; state: HandshakeState }>,
  ) {
    this.rx = new MessageReader({
      maxHandshakeMessageSize: config.maxHandshakeMessageSize,
      onChangeCipherSpec: () => this.onChangeCipherSpec(),
    });
    this.tx = new RecordWriter({ emit: (chunks) => this.transmit(chunks) });
    this.io = {
      sendHandshake: (raw) => {
        const m = config.mutateHandshake ? config.mutateHandshake(raw) : raw;
        if (m instanceof Uint8Array) this.flight.push(m);
        else this.flight.push(...m);
      },
      sendChangeCipherSpec: () => {
        this.flushFlight();
        if (!this.outputClosed) this.track(this.tx.writeChangeCipherSpec());
      },
      setWriteKey: (suite, secret) => this.setWriteKey(suite, secret),
      setReadKey: (suite, secret) => this.setReadKey(suite, secret),
      skipEarlyData: (n) => this.rx.skipEarlyData(n),
      setRecordSizeLimits: (send, receive) => {
        if (send !== undefined) this.tx.setRecordSizeLimit(send);
        if (receive === undefined) return;
        // Accepted 0-RTT records were sealed before the client saw our limit (RFC 8449 §4:
        // records follow the limits of the handshake that made their keys): ours applies
        // from the handshake keys on, at EndOfEarlyData.
        if (this.role === 'server' && this.earlyReceiveLeft !== undefined) this.pendingReceiveLimit = receive;
        else this.rx.records.maxInnerPlaintext = receive;
      },
      requireRecordBoundary: (message) => {
        if (this.rx.bufferedHandshakeBytes > 0) {
          throw new TlsError('unexpected_message', `handshake: data after ${message} in its record (RFC 8446 §5.1: it must end at a record boundary)`, {
            code: 'handshake_not_record_aligned',
          });
        }
      },
      beginEarlyData: (n) => this.beginEarlyData(n),
      endEarlyData: (accepted, plaintextAgain) => this.endEarlyData(accepted, plaintextAgain),
      handshakeComplete: (r) => this.onHandshakeComplete(r),
      clientAuthenticated: (r) => this.onClientAuthenticated(r),
    };
  }

  static client(config: ClientConfig, handlers: ConnectionHandlers): Connection {
    const resolved = resolveClientConfig(config);
    return new Connection('client', resolved, handlers, (io) => startClient(resolved, io));
  }

  /** The server role is registered (./server-role.ts): every entry point but a bare puretls/web has it. */
  static server(config: ServerConfig, handlers: ConnectionHandlers): Connection {
    const role = serverRole();
    const resolved = role.resolve(config);
    if (resolved.maxEarlyData > 0 && !handlers.onEarlyData) {
      throw new TlsError('internal_error', 'maxEarlyData needs an onEarlyData handler (0-RTT data is replayable and kept apart from onData)', { code: 'bad_config' });
    }
    const c = new Connection('server', resolved, handlers, (io) => role.start(resolved, io));
    c.startHandshake();
    return c;
  }

  get state(): ConnectionState {
    return this._state;
  }

  get info(): SessionInfo | undefined {
    return this._info;
  }

  /** True once the peer sent close_notify (it will send no more data). */
  get peerClosed(): boolean {
    return this.receivedCloseNotify;
  }

  /** Received bytes held without being processed yet: a partial record plus a partial handshake message (bounded). */
  get bufferedBytes(): number {
    return this.rx.records.bufferedBytes + this.rx.bufferedHandshakeBytes;
  }

  /**
   * Records received but not processed yet. An adapter stops reading its
   * transport while this is high (see MAX_PENDING_RECORDS) and resumes on
   * drained(): with an asynchronous AEAD a fast peer can outrun decryption.
   */
  get pendingRecords(): number {
    return this.rx.records.pendingRecords;
  }

  get provider(): CryptoProvider {
    return this.config.provider;
  }

  /** Client: build and send the ClientHello. Server: no-op. */
  start(): void {
    if (this.role === 'client') this.startHandshake();
  }

  private startHandshake(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(() => {
      const r = this.begin(this.io);
      const done = (v: { ctx: HandshakeContext; state: HandshakeState }): void => {
        this.hctx = v.ctx;
        this.handshake = v.state;
        this.flushFlight();
        // RFC 8446 §5: a CCS may arrive from the first ClientHello on.
        if (this.role === 'client') this.rx.allowChangeCipherSpec = true;
      };
      return isPromise(r) ? r.then(done) : done(r);
    });
  }

  /** Network bytes in. Processed in order, possibly asynchronously; errors go to onError. */
  receive(bytes: Uint8Array): void {
    if (this.inputClosed || bytes.length === 0) return;
    try {
      this.rx.push(bytes);
    } catch (e) {
      this.fail(e);
      return;
    }
    if (!this.readScheduled) {
      this.readScheduled = true;
      this.schedule(() => this.readMessages());
    }
    // Counted after scheduling: with a synchronous provider the records of this
    // chunk were processed just now, so only a real backlog counts.
    if ((this._state as ConnectionState) !== 'failed' && this.rx.records.pendingRecords > MAX_PENDING_RECORDS) {
      this.fail(new TlsError('internal_error', 'receive buffer full: the peer sends faster than we process', { code: 'receive_buffer_overflow' }));
    }
  }

  /** Application data out. Queued until the handshake completes; resolves once its records went to onTransmit. */
  write(data: Uint8Array): Promise<void> {
    if (this._state === 'failed') return Promise.reject(this.error);
    if (this.sentCloseNotify || this._state === 'closed' || this.destroyed) return Promise.reject(new Error('puretls: write after close'));
    return new Promise<void>((resolve, reject) => {
      this.queuedWrites.push({ data, resolve, reject });
      if (this._state === 'connected') this.schedule(() => this.flushWrites());
      else if (this.early) this.schedule(() => this.flushEarly());
    });
  }

  /**
   * Send close_notify (RFC 8446 §6.1) after the writes already queued. We can
   * still receive (half-close); we send nothing more, not even the KeyUpdate
   * a peer asks for. During the handshake it abandons the handshake.
   */
  close(): void {
    if (this._state === 'failed' || this.sentCloseNotify || this.destroyed) return;
    this.schedule(() => {
      if (this._state === 'failed' || this.sentCloseNotify) return;
      const w = this.flushWrites();
      const send = (): void => {
        if (this.sentCloseNotify || this._state === 'failed' || this.destroyed) return;
        this.flushFlight();
        this.sentCloseNotify = true;
        this.track(this.tx.write(ContentType.alert, encodeAlert('close_notify')));
        if (this._state === 'handshaking') this.rejectWrites(new Error('puretls: closed before the handshake completed'));
        if (this.receivedCloseNotify || this._state === 'handshaking') this.setClosed();
      };
      return isPromise(w) ? w.then(send) : send();
    });
  }

  /**
   * Largest plaintext per record we send from now on, 64..2^14 (RFC 8449's
   * lowest record_size_limit is 64); smaller records cost more overhead but
   * let a slow link deliver the first bytes of a large write sooner. A
   * record_size_limit from the peer still applies. Throws RangeError outside
   * the range, leaving the connection as it was.
   */
  setMaxSendFragment(size: number): void {
    if (!Number.isInteger(size) || size < 64 || size > 1 << 14) {
      throw new RangeError(`setMaxSendFragment: size must be an integer in 64..16384, got ${String(size)}`);
    }
    this.tx.setMaxFragmentLength(size);
  }

  /** Send a KeyUpdate (RFC 8446 §4.6.3), asking the peer to update too when `requestPeer`. */
  keyUpdate(requestPeer = false): void {
    if (this._state !== 'connected') throw new TlsError('internal_error', 'keyUpdate: the connection is not established', { code: 'not_connected' });
    this.schedule(() => this.sendKeyUpdate(requestPeer));
  }

  /**
   * Throws (a TlsError with a `code`; the connection untouched) when
   * requestClientCertificate(options) would be refused; see there.
   */
  checkClientCertificateRequest(options: ClientCertificateRequestOptions = {}): void {
    const refuse = (code: string, message: string): TlsError => new TlsError('internal_error', `requestClientCertificate: ${message}`, { code });
    if (this.role !== 'server') throw refuse('not_server', 'only a server asks for a client certificate (RFC 8446 §4.6.2)');
    if (typeof options !== 'object' || options === null) throw refuse('bad_options', 'options must be an object');
    for (const k of ['require', 'rejectUnauthorized'] as const) {
      const v = options[k];
      if (v !== undefined && typeof v !== 'boolean') throw refuse('bad_options', `${k} must be true or false, not ${JSON.stringify(v) ?? String(v)}`);
    }
    if (this._state !== 'connected' || this.sentCloseNotify || this.destroyed) throw refuse('not_connected', 'the connection is not established (or we closed it)');
    if (this.receivedCloseNotify) throw refuse('peer_closed', 'the client closed its side: it can send no answer');
    if (!this._info?.postHandshakeAuth) {
      throw refuse('pha_not_offered', 'the client did not send the post_handshake_auth extension, so it must not be asked for a certificate after the handshake (RFC 8446 §4.2.6, §4.6.2)');
    }
    if (this.clientAuthWaiter) throw refuse('pha_in_progress', 'a certificate request is already outstanding (one at a time)');
  }

  /**
   * Server: ask the client for a certificate now that the handshake is done
   * (post-handshake authentication, RFC 8446 §4.6.2). Resolves with the
   * client's answer once its Finished verified; `info` then names the new
   * certificate (a declined request leaves it as it was). A certificate that
   * fails verification (with `rejectUnauthorized`), a bad CertificateVerify
   * or Finished, or an empty answer with `require` end the connection with
   * the alert (bad_certificate …, decrypt_error, certificate_required) and
   * reject. Refused (rejects, the connection untouched) when the client did
   * not send post_handshake_auth (§4.6.2: "Servers MUST NOT send a
   * post-handshake CertificateRequest to clients which do not offer this
   * extension"), when a request is already outstanding, on a client, or
   * when the connection is not established. The client may take its time
   * (§4.6.2); other traffic goes on meanwhile.
   */
  requestClientCertificate(options: ClientCertificateRequestOptions = {}): Promise<ClientCertificateResult> {
    try {
      this.checkClientCertificateRequest(options);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<ClientCertificateResult>((resolve, reject) => {
      this.clientAuthWaiter = { resolve, reject };
      // A task: the handshake's last message may still be settling (the Connected state
      // takes over once it has been processed, which the queue waits for).
      this.schedule(() => {
        // A server's Connected holds a ServerPostHandshakeAuth exactly when the client offered
        // post_handshake_auth (server/expect-client-flight.ts); a type, not a class reference,
        // so that a client's bundle does not carry the server's half.
        const pha = this.connected?.pha as ServerPostHandshakeAuth | undefined;
        if (this.outputClosed || !this.connected || !pha || pha.outstanding) {
          return this.rejectClientAuth(new TlsError('internal_error', 'requestClientCertificate: the connection closed first', { code: 'not_connected' }));
        }
        pha.send(this.connected, options);
        this.flushFlight();
      });
    });
  }

  /**
   * TLS-Exporter, RFC 8446 §7.5, in Node's argument order (length, label,
   * context). An empty label and an empty or absent context are allowed
   * (RFC 5705 §4; TLS 1.3 treats an absent context as empty). A bad call
   * throws to the caller (TypeError/RangeError, or not_connected) and leaves
   * the connection as it was.
   */
  exportKeyingMaterial(length: number, label: string, context: Uint8Array = new Uint8Array(0)): Uint8Array {
    if (!this.suite || !this.exporterSecret) {
      throw new TlsError('internal_error', 'exportKeyingMaterial: the handshake is not complete', { code: 'not_connected' });
    }
    checkExporterArguments(length, label, context, this.suite.hashLength);
    return exportKeyingMaterial(this.config.provider, this.suite, this.exporterSecret, label, context, length);
  }

  /**
   * Resolves once everything received so far has been processed and every
   * record written so far — application data, close_notify, KeyUpdate, a
   * fatal alert — has been passed to onTransmit (with an asynchronous AEAD a
   * record is sealed after write() or close() returned). Adapters end the
   * transport only after it resolves (RFC 8446 §6.1: no truncation).
   */
  drained(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Stop at once, for good: no alert, no more callbacks (onData,
   * onHandshakeDone, onPeerClose, onError), no more output (results of
   * asynchronous work still under way are dropped), receive() ignored.
   * The keys are destroyed.
   */
  destroy(error?: Error): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this._state !== 'failed' && this._state !== 'closed') {
      this.error = error ? TlsError.from(error) : new TlsError('user_canceled', 'connection destroyed', { code: 'destroyed' });
      this._state = error ? 'failed' : 'closed';
    }
    this.tasks = [];
    this.flight = [];
    this.rejectWrites(this.error ?? new Error('puretls: connection destroyed'));
    this.rejectClientAuth(this.error ?? new Error('puretls: connection destroyed'));
    this.releaseKeys();
    this.resolveDrain();
  }

  // ---- task queue ----

  private schedule(task: () => MaybePromise<void>): void {
    if (this._state === 'failed' || this.destroyed) return;
    this.tasks.push(task);
    if (!this.running) void this.runTasks();
  }

  private async runTasks(): Promise<void> {
    this.running = true;
    try {
      while (this.tasks.length > 0 && this._state !== 'failed' && !this.destroyed) {
        const t = this.tasks.shift()!;
        const r = t();
        if (isPromise(r)) await r;
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.running = false;
      this.resolveDrain();
    }
  }

  /** Work still under way that drained() waits for. */
  private get busy(): boolean {
    if (this.destroyed) return false;
    return (this.running && this._state !== 'failed') || this.tasks.length > 0 || this.alertSealing !== undefined || this.writesInFlight > 0;
  }

  private resolveDrain(): void {
    if (this.busy) return;
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const r of w) r();
  }

  // ---- receiving ----

  private async readMessages(): Promise<void> {
    this.readScheduled = false;
    try {
      for (;;) {
        if (this._state === 'failed' || this.destroyed) return;
        let m = this.inputClosed ? undefined : this.rx.next();
        if (isPromise(m)) m = await m;
        if (!m || this.inputClosed) return;
        const r = this.onMessage(m);
        if (isPromise(r)) await r;
        // RFC 8446 §4.6.3: a KeyUpdate(update_requested) is answered by one
        // KeyUpdate(update_not_requested), before the next message is read
        // (see Connected.keyUpdateOwed for why each request gets its own).
        const a = this.answerKeyUpdate();
        if (isPromise(a)) await a;
      }
    } catch (e) {
      // Fail at once (not a microtask later), so receive() sees the failure
      // of records it just handed over before judging the backlog.
      this.fail(e);
    }
  }

  private onMessage(m: InboundMessage): MaybePromise<void> {
    switch (m.kind) {
      case 'handshake': {
        const state = this.handshake;
        if (!state) throw new TlsError('unexpected_message', 'handshake message before the handshake started');
        const msg = decodeHandshake(m.raw);
        if (msg.type === 'key_update') this.flood.keyUpdate();
        else if (msg.type === 'new_session_ticket') this.flood.sessionTicket();
        else if (msg.type === 'certificate_request' && this._state !== 'handshaking') this.flood.certificateRequest();
        return state.handle(msg, m.raw).then((next) => {
          if (this.destroyed) return;
          this.handshake = next;
          if (next instanceof Connected) {
            this.connected = next;
            if (this.keysReleased) next.destroy();
          }
          // RFC 8446 §5: the server accepts a CCS once it has the first ClientHello
          // (and only one: see onChangeCipherSpec).
          if (this.role === 'server' && this._state === 'handshaking' && !this.ccsReceived) this.rx.allowChangeCipherSpec = true;
          this.flushFlight();
        });
      }
      case 'alert': {
        const a = classifyAlert(m.description);
        if (a === 'user_canceled') return this.flood.warningAlert();
        if (a === 'close_notify') return this.onCloseNotify();
        throw a;
      }
      case 'application_data':
        if (this._state === 'handshaking' && this.earlyReceiveLeft !== undefined) return this.onEarlyData(m.data);
        // Before the handshake completes the peer may send no other application data.
        if (this._state !== 'connected' && this._state !== 'closed') {
          throw new TlsError('unexpected_message', 'application data before the handshake completed');
        }
        if (this.handshake?.consecutive) {
          throw new TlsError('unexpected_message', `application data inside a post-handshake authentication answer (${this.handshake.name}; RFC 8446 §4.6.2: its messages appear consecutively)`);
        }
        if (m.data.length === 0) return this.flood.emptyRecord(); // RFC 8446 §5.4: allowed, but not forever
        this.flood.progress();
        this.handlers.onData?.(m.data);
        return;
    }
  }

  /** Server: accepted 0-RTT data, before EndOfEarlyData, within max_early_data_size. */
  private onEarlyData(data: Uint8Array): void {
    // §4.2.10: "If ... the server receives more than max_early_data_size ... it SHOULD
    // terminate the connection with an unexpected_message alert."
    if (data.length > this.earlyReceiveLeft!) throw new TlsError('unexpected_message', '0-RTT: more early data than max_early_data_size (RFC 8446 §4.2.10)', { code: 'too_much_early_data' });
    this.earlyReceiveLeft! -= data.length;
    if (data.length === 0) return this.flood.emptyRecord();
    this.flood.progress();
    this.handlers.onEarlyData?.(data);
  }

  /**
   * A compatibility CCS was dropped (RFC 8446 §5, §D.4). A client sends it
   * once; the server refuses a second one with unexpected_message, as
   * tlsfuzzer test-tls13-multiple-ccs-messages expects (CVE-2020-25648: a
   * peer must not be able to keep us busy with CCS records). The client
   * stays lenient (the record layer bounds consecutive CCS records).
   */
  private onChangeCipherSpec(): void {
    this.ccsReceived = true;
    if (this.role === 'server') this.rx.allowChangeCipherSpec = false;
  }

  /** Input is over: failed, destroyed, the peer's close_notify received, or the connection closed. */
  private get inputClosed(): boolean {
    return this._state === 'failed' || this.destroyed || this.receivedCloseNotify || this.keysReleased;
  }

  /** Output is over: our close_notify was sent (RFC 8446 §6.1: nothing after it), or destroyed. */
  private get outputClosed(): boolean {
    return this.sentCloseNotify || this.destroyed;
  }

  private onCloseNotify(): void {
    this.receivedCloseNotify = true;
    if (this._state === 'handshaking') {
      // The peer gave up before the handshake finished: an error for us, no alert back.
      throw new TlsError('close_notify', 'peer closed the connection during the handshake', { received: true, code: 'peer_closed_in_handshake' });
    }
    if (this.sentCloseNotify) this.setClosed();
    this.rejectClientAuth(new TlsError('close_notify', 'the client closed its side without answering the certificate request', { received: true, code: 'pha_unanswered' }));
    this.handlers.onPeerClose?.();
  }

  /** Both close_notify alerts went (or ours during the handshake): nothing more in or out. */
  private setClosed(): void {
    if (this._state === 'failed') return;
    this._state = 'closed';
    this.releaseKeys();
  }

  /**
   * The connection is over: destroy the record keys (each once the records
   * written with it were emitted) and the traffic secrets kept for KeyUpdate
   * (RFC 8446 §7.2). The exporter secret stays for exportKeyingMaterial()
   * after a clean close; a failure or destroy() wipes it too.
   */
  private releaseKeys(): void {
    if (!this.keysReleased) {
      this.keysReleased = true;
      this.tx.destroy();
      this.rx.destroy();
      this.connected?.destroy();
      this.hctx = undefined;
    }
    if (this._state === 'failed' || this.destroyed) {
      if (this.exporterSecret) wipe(this.exporterSecret);
      this.exporterSecret = undefined;
    }
  }

  // ---- sending ----

  private transmit(chunks: Uint8Array[]): void {
    if (this.destroyed) return; // results of sealing under way when destroy() was called
    if (this.handlers.onTransmitChunks) return this.handlers.onTransmitChunks(chunks);
    const bytes = chunks.length === 1 ? chunks[0]! : concatBytes(...chunks);
    this.handlers.onTransmit(bytes);
  }

  /**
   * Keep an eye on a record write: drained() waits until an asynchronous one
   * was passed to onTransmit, and its failure fails the connection.
   * `settled` hears the outcome (application writes resolve or reject).
   */
  private track(r: MaybePromise<void>, settled?: (error?: unknown) => void): MaybePromise<void> {
    if (!isPromise(r)) {
      settled?.();
      return r;
    }
    this.writesInFlight++;
    return r.then(
      () => {
        this.writesInFlight--;
        settled?.();
        this.resolveDrain();
      },
      (e: unknown) => {
        this.writesInFlight--;
        settled?.(e ?? new Error('record write failed'));
        this.fail(e);
        this.resolveDrain();
      },
    );
  }

  /** Send the coalesced flight; after our close_notify nothing is sent (RFC 8446 §6.1), so it is dropped. */
  private flushFlight(): void {
    if (this.flight.length === 0) return;
    const f = this.flight;
    this.flight = [];
    if (this.outputClosed) return;
    if (this.role === 'client' && this.initialHello) {
      // RFC 8446 §5.1: the initial ClientHello's record MAY carry 0x0301 for
      // compatibility (what OpenSSL, Go and browsers send); 0x0303 afterwards.
      this.initialHello = false;
      this.tx.recordVersion = LEGACY_RECORD_VERSION_INITIAL;
      this.track(this.tx.write(ContentType.handshake, f));
      this.tx.recordVersion = LEGACY_RECORD_VERSION;
      return;
    }
    this.track(this.tx.write(ContentType.handshake, f));
  }

  // ---- 0-RTT (RFC 8446 §2.3, §4.2.10) ----

  private beginEarlyData(maxBytes: number): void {
    if (this.role === 'server') {
      this.earlyReceiveLeft = maxBytes;
      return;
    }
    this.early = { left: maxBytes, sent: [] };
    if (this.queuedWrites.length > 0) this.tasks.push(() => this.flushEarly());
  }

  /**
   * End of 0-RTT. Client: accepted → the early writes are done; rejected →
   * they go out again after the handshake, first (never silently lost).
   * `plaintextAgain`: after a HelloRetryRequest the second ClientHello is
   * sent in the clear again.
   */
  private endEarlyData(accepted: boolean, plaintextAgain = false): void {
    if (this.role === 'server') {
      this.earlyReceiveLeft = undefined;
      if (this.pendingReceiveLimit !== undefined) this.rx.records.maxInnerPlaintext = this.pendingReceiveLimit;
      this.pendingReceiveLimit = undefined;
      return;
    }
    const e = this.early;
    this.early = undefined;
    if (plaintextAgain) {
      this.flushFlight();
      this.tx.setProtection(undefined);
    }
    if (!e) return;
    if (accepted) for (const w of e.sent) w.resolve();
    else this.queuedWrites.unshift(...e.sent);
  }

  /** Client: send queued writes as early data while they fit the ticket's max_early_data_size (whole writes, in order). */
  private flushEarly(): MaybePromise<void> {
    if (!this.early || this._state !== 'handshaking' || this.outputClosed) return;
    if (this.writeKeyChange) return this.writeKeyChange.then(() => this.flushEarly());
    const e = this.early;
    while (this.queuedWrites.length > 0 && this.queuedWrites[0]!.data.length <= e.left) {
      const w = this.queuedWrites.shift()!;
      e.left -= w.data.length;
      e.sent.push(w);
      this.track(this.tx.write(ContentType.application_data, w.data), (err) => { if (err !== undefined) w.reject(err); });
    }
    // A write that does not fit waits for the handshake, and so does everything after it.
    if (this.queuedWrites.length > 0) e.left = 0;
  }

  private setWriteKey(suite: CipherSuite, secret: Uint8Array): MaybePromise<void> {
    this.flushFlight();
    if (this.outputClosed || this.keysReleased) return; // nothing more will be written
    const p = createRecordProtection(this.config.provider, suite, secret);
    if (!isPromise(p)) {
      this.tx.setProtection(p);
      return;
    }
    const change = p.then((prot) => {
      if (this.writeKeyChange === change) this.writeKeyChange = undefined;
      if (this.keysReleased) prot.destroy();
      else this.tx.setProtection(prot);
    });
    this.writeKeyChange = change;
    return change;
  }

  private setReadKey(suite: CipherSuite, secret: Uint8Array): MaybePromise<void> {
    if (this.keysReleased) return; // nothing more will be read
    const p = createRecordProtection(this.config.provider, suite, secret);
    if (!isPromise(p)) return this.rx.setProtection(p);
    return p.then((prot) => {
      if (this.keysReleased) prot.destroy();
      else this.rx.setProtection(prot);
    });
  }

  private onHandshakeComplete(r: HandshakeResult): void {
    if (this.destroyed || this._state !== 'handshaking') return; // destroyed, or abandoned by close()
    this.flushFlight();
    this.hctx = undefined; // the handshake context is no longer needed (memory of idle connections)
    this.suite = r.suite;
    this.exporterSecret = r.exporterSecret;
    this._info = Object.freeze({ ...r.info });
    this._state = 'connected';
    // RFC 8446 §5: no CCS after the peer's Finished.
    this.rx.allowChangeCipherSpec = false;
    this.handlers.onHandshakeDone?.(this._info);
    if (this.queuedWrites.length > 0) this.tasks.unshift(() => this.flushWrites());
  }

  /** Server: the client's post-handshake answer verified (RFC 8446 §4.6.2). */
  private onClientAuthenticated(r: ClientCertificateResult): void {
    if (this.destroyed || !this._info) return;
    // A declined request (empty Certificate) leaves the handshake's authentication as it was.
    if (r.peerCertificates.length > 0) {
      this._info = Object.freeze({
        ...this._info,
        peerCertificates: r.peerCertificates,
        peerVerified: r.peerVerified,
        peerVerifyError: r.peerVerifyError,
        peerVerifyCode: r.peerVerifyCode,
      });
    }
    this.handlers.onClientCertificate?.(r, this._info);
    const w = this.clientAuthWaiter;
    this.clientAuthWaiter = undefined;
    w?.resolve(r);
  }

  private rejectClientAuth(e: unknown): void {
    const w = this.clientAuthWaiter;
    this.clientAuthWaiter = undefined;
    w?.reject(e);
  }

  private flushWrites(): MaybePromise<void> {
    if (this._state !== 'connected' && this._state !== 'closed') return;
    if (this.writeKeyChange) return this.writeKeyChange.then(() => this.flushWrites());
    // RFC 8446 §4.6.3: an owed KeyUpdate goes "prior to sending its next Application Data record".
    if (this.queuedWrites.length > 0 && this.connected?.keyUpdateOwed) {
      const a = this.answerKeyUpdate();
      if (isPromise(a)) return a.then(() => this.flushWrites());
    }
    const writes = this.queuedWrites;
    this.queuedWrites = [];
    for (const w of writes) {
      let r: MaybePromise<void>;
      try {
        r = this.tx.write(ContentType.application_data, w.data);
      } catch (e) {
        w.reject(e);
        throw e;
      }
      // Dropped by destroy() before it reached onTransmit: not sent.
      this.track(r, (e) => (e === undefined && !this.destroyed ? w.resolve() : w.reject(e ?? this.error)));
    }
    // RFC 8446 §5.5: rekey well before the AEAD limit.
    if (this.connected && this.tx.recordsSealed >= this.config.keyUpdateAfterRecords) return this.sendKeyUpdate(false);
    return undefined;
  }

  private answerKeyUpdate(): MaybePromise<void> {
    if (!this.connected?.keyUpdateOwed || this.outputClosed || this.keysReleased || this._state === 'failed') return;
    return this.sendKeyUpdate(false);
  }

  private sendKeyUpdate(requestPeer: boolean): MaybePromise<void> {
    if (!this.connected || this.sentCloseNotify || this._state === 'failed') return;
    return this.connected.sendKeyUpdate(requestPeer);
  }

  private rejectWrites(e: unknown): void {
    const w = this.queuedWrites;
    this.queuedWrites = [];
    for (const x of w) x.reject(e);
  }

  // ---- the one error path ----

  private fail(e: unknown): void {
    if (this._state === 'failed' || this.destroyed) return;
    const err = TlsError.from(e);
    this.error = err;
    const wasClosed = this._state === 'closed';
    this._state = 'failed';
    this.tasks = [];
    this.flight = [];
    let alertSealing: Promise<unknown> | undefined;
    if (!err.received && !this.alertSent && !wasClosed) {
      this.alertSent = true;
      try {
        const r = this.tx.write(ContentType.alert, encodeAlert(err.alert));
        if (isPromise(r)) alertSealing = r.catch(() => undefined);
      } catch {
        // The writer itself failed: no alert can be sent.
      }
    }
    this.rejectWrites(err);
    this.rejectClientAuth(err);
    const report = () => {
      this.alertSealing = undefined;
      this.releaseKeys();
      this.resolveDrain();
      if (!this.destroyed) this.handlers.onError?.(err);
    };
    // RFC 8446 §6.2: the fatal alert goes out before the connection closes. With an
    // asynchronous AEAD it is sealed later: report (adapters then close the transport)
    // and settle drained() only once it was handed to onTransmit.
    if (alertSealing) {
      this.alertSealing = alertSealing;
      void alertSealing.then(report);
    } else {
      report();
    }
  }
}
