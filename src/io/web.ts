/**
 * Web Streams adapter: TLS 1.3 over a `{ readable, writable }` byte-stream pair
 * (Cloudflare `connect()`, Deno.connect, a WebSocket bridge, an in-memory
 * pipe). No node: imports; runs in browsers, Workers, Deno, Bun and Node.
 *
 * Backpressure, both ways:
 * - toward the peer: every record goes to the transport's writer and counts as
 *   unsent until that write resolves. While more than `maxUnsentBytes` (1 MiB)
 *   waits unsent — a peer that sends but never reads, making us answer (e.g.
 *   KeyUpdates) — we stop reading from the transport, as src/io/node.ts does.
 * - toward the user: a write is cut into pieces of at most 256 KiB; each
 *   resolves once its records were handed to the transport's writer, the
 *   writer is ready (desiredSize > 0) and at most a quarter of
 *   `maxUnsentBytes` waits unsent. Application writes alone thus never reach
 *   the limit that stops reading (no deadlock between two writers).
 * - from the peer: the transport is read only while our readable side wants
 *   data (desiredSize > 0).
 *
 * Closing (RFC 8446 §6.1), in whichever order the two sides close:
 * - closing `writable` sends close_notify after the data written before it
 *   (and after the handshake, when it is closed before that) and resolves
 *   once it was handed to the transport; the transport stays open while the
 *   peer may still send (half-close);
 * - the peer's close_notify ends `readable`; `writable` stays usable until
 *   the user closes it (the writer finishes);
 * - once both close_notify alerts went, the transport's writer is closed and
 *   its reader cancelled (the peer need not end the transport), and `closed`
 *   resolves with `cleanly: true`. A transport that ends (or whose reading is
 *   cancelled or fails) while either side is closing is the end of it, not
 *   a failure; without the peer's close_notify it is a truncation:
 *   `readable` ends and `closed` resolves with `cleanly: false`.
 */
import { Connection, RECEIVE_BACKLOG_PAUSE } from '../connection/connection.js';
import type { SessionInfo } from '../connection/types.js';
import { TlsError } from '../errors.js';
import { clientConfig, type ClientSecureOptions, type ServerSecureOptions } from './options.js';
import { webServerConfig } from './server-options.js';
import { Linger } from './linger.js';

export interface WebSecureOptions extends ClientSecureOptions, ServerSecureOptions {
  /** Server role (default: client). */
  isServer?: boolean;
  /** Bytes of plaintext buffered in `readable` before we stop reading the transport. Default 64 KiB. */
  readableHighWaterMark?: number;
  /**
   * Fail the handshake if it is not done after this many ms: `handshake`
   * rejects (TlsError code `handshake_timeout`) and both transport streams
   * are cancelled/aborted. Default: none for a client, 120000 for a server
   * (like Node's tls.Server). 0 disables.
   */
  handshakeTimeout?: number;
  /** Bytes written to the transport and not yet accepted by it above which we stop reading from it. Default 1 MiB. */
  maxUnsentBytes?: number;
}

export interface ByteStreamPair {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

export interface SecureWebStream extends ByteStreamPair {
  /** Resolves with what was negotiated; rejects if the handshake fails. */
  handshake: Promise<SessionInfo>;
  /**
   * Resolves when both directions are finished — our close_notify sent and the
   * peer's received, or the transport ended — and the transport was released.
   * `cleanly` is true when the peer's close_notify arrived (no truncation).
   * Never rejects: a failure resolves it with `cleanly: false`.
   */
  closed: Promise<{ cleanly: boolean }>;
  /** The sans-I/O core, for keyUpdate(), exportKeyingMaterial(), … */
  connection: Connection;
  /** Bytes handed to the transport's writer whose write has not resolved yet. */
  readonly unsentBytes: number;
  /**
   * Server with `maxEarlyData`: how many bytes at the start of `readable`
   * arrived as 0-RTT early data (RFC 8446 §2.3), before the handshake
   * completed. They can be a replay (§8): act on them only when repeating
   * that is harmless.
   */
  readonly earlyDataBytes: number;
}

/** Default for `maxUnsentBytes`. */
const MAX_UNSENT_BYTES = 1 << 20;

/** Largest piece of a user write handed to the connection at once. */
const WRITE_PIECE = 256 * 1024;

/** Default handshake timeout of the server role (ms), like Node's tls.Server. */
const SERVER_HANDSHAKE_TIMEOUT = 120_000;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Start TLS over `transport`. Writing to the returned `writable` sends
 * application data (queued until the handshake is done); closing it sends
 * close_notify. `readable` yields the peer's application data and ends at its
 * close_notify.
 */
/** Lingering close (./linger.ts): keep reading and dropping until the peer ends or a bound is hit, then cancel. */
function lingerThenCancel(reader: ReadableStreamDefaultReader<Uint8Array>, e: Error): void {
  let over = false;
  const linger = new Linger(() => { over = true; void reader.cancel(e).catch(() => undefined); });
  void (async () => {
    try {
      while (!over) {
        const { value, done } = await reader.read();
        if (done) break;
        linger.discard(value?.length ?? 0);
      }
    } catch {
      // transport errored: nothing left to drain
    }
    linger.end();
  })();
}

export function secureWebStream(transport: ByteStreamPair, options: WebSecureOptions = {}): SecureWebStream {
  const config = options.isServer ? webServerConfig(options) : clientConfig(options);
  const writer = transport.writable.getWriter();
  const reader = transport.readable.getReader();
  const maxUnsent = Math.max(1, options.maxUnsentBytes ?? MAX_UNSENT_BYTES);
  const userLimit = Math.floor(maxUnsent / 4);
  const piece = Math.max(1, Math.min(WRITE_PIECE, userLimit));

  let out!: ReadableStreamDefaultController<Uint8Array>;
  let wantMore: (() => void) | undefined;
  let failed: Error | undefined;
  let handshakeDone = false;
  let peerClosed = false;
  let outClosed = false;
  /** The user closed `writable`: our close_notify is on its way. */
  let closing = false;
  /** Our close_notify was handed to the transport's writer. */
  let sentClose = false;
  /** The transport's readable ended (or was cancelled or failed) during an orderly close. */
  let transportEnded = false;
  let finished = false;
  let unsent = 0;
  let earlyBytes = 0;
  let sentWaiters: (() => void)[] = [];
  let handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  let resolveHandshake!: (i: SessionInfo) => void;
  let rejectHandshake!: (e: Error) => void;
  const handshake = new Promise<SessionInfo>((res, rej) => { resolveHandshake = res; rejectHandshake = rej; });
  handshake.catch(() => undefined); // the caller may only watch `readable`/`writable`
  let resolveClosed!: (v: { cleanly: boolean }) => void;
  const closed = new Promise<{ cleanly: boolean }>((res) => { resolveClosed = res; });

  /** Wake whoever waits for a transport write to resolve (or for a failure). */
  const wakeSent = () => {
    const w = sentWaiters;
    sentWaiters = [];
    for (const f of w) f();
  };
  const nextSent = () => new Promise<void>((r) => { sentWaiters.push(r); });

  const stopTimer = () => {
    if (handshakeTimer !== undefined) clearTimeout(handshakeTimer);
    handshakeTimer = undefined;
  };

  const closeOut = () => {
    if (outClosed) return;
    outClosed = true;
    try { out.close(); } catch { /* already errored */ }
  };

  /**
   * The end of an orderly close: release the transport (our last records are
   * queued on its writer before the close) and resolve `closed`.
   */
  const finish = async (cleanly: boolean): Promise<void> => {
    if (finished || failed) return;
    finished = true;
    stopTimer();
    closeOut();
    wakeSent();
    await writer.close().catch(() => undefined);
    void reader.cancel().catch(() => undefined);
    resolveClosed({ cleanly });
  };

  /** `abort`: drop what waits unsent instead of flushing it (no alert is due). */
  const fail = (e: Error, abort = false) => {
    if (failed || finished) return;
    failed = e;
    stopTimer();
    if (!handshakeDone) rejectHandshake(e);
    if (!outClosed) {
      outClosed = true;
      try { out.error(e); } catch { /* closed */ }
    }
    wantMore?.();
    wakeSent();
    // The fatal alert (if any) was written already: flush it, then release the transport.
    if (abort) void writer.abort(e).catch(() => undefined);
    else void writer.close().catch(() => undefined);
    // After an alert we sent, read and drop input for a while before cancelling (./linger.ts).
    if (!abort && e instanceof TlsError && !e.received) lingerThenCancel(reader, e);
    else void reader.cancel(e).catch(() => undefined);
    resolveClosed({ cleanly: false });
  };

  const handlers = {
    onTransmit(bytes: Uint8Array) {
      const n = bytes.length;
      unsent += n;
      writer.write(bytes).then(
        () => { unsent -= n; wakeSent(); },
        (e: unknown) => {
          unsent -= n;
          // The peer closed and went while we were sending our close_notify: the end, not a failure.
          if (!(peerClosed && closing)) fail(asError(e));
          wakeSent();
        },
      );
    },
    onData(plain: Uint8Array) {
      if (!outClosed && plain.length > 0) out.enqueue(plain);
    },
    // 0-RTT data comes first in `readable`, counted (and so marked) by earlyDataBytes.
    onEarlyData(plain: Uint8Array) {
      earlyBytes += plain.length;
      if (!outClosed && plain.length > 0) out.enqueue(plain);
    },
    onHandshakeDone(info: SessionInfo) {
      handshakeDone = true;
      stopTimer();
      resolveHandshake(info);
    },
    onPeerClose() {
      peerClosed = true;
      closeOut();
      if (sentClose) void finish(true);
    },
    onError(e: TlsError) {
      fail(e);
    },
  };
  const connection = options.isServer
    ? Connection.server(config, handlers)
    : Connection.client(config, handlers);

  /** Resolves once at most `limit` bytes wait unsent and the transport's writer is ready. */
  const sendRoom = async (limit: number): Promise<void> => {
    for (;;) {
      if (failed) throw failed;
      if (unsent > limit) {
        await nextSent();
        continue;
      }
      await writer.ready; // rejects when the transport errored
      if (failed) throw failed;
      if (unsent <= limit) return;
    }
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) { out = c; },
      pull() {
        const w = wantMore;
        wantMore = undefined;
        w?.();
      },
      cancel() {
        // The reader is gone: nothing more will be read; the writable side stays usable.
        outClosed = true;
        wantMore?.();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: options.readableHighWaterMark ?? 64 * 1024 }),
  );

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (failed) throw failed;
      // Piece by piece, so one huge write cannot put more than a piece into the transport's queue.
      let off = 0;
      do {
        await connection.write(chunk.subarray(off, off + piece));
        await sendRoom(userLimit);
        off += piece;
      } while (off < chunk.length);
    },
    async close() {
      if (failed) throw failed;
      // Closed before the handshake is done (a client with nothing to send): close_notify
      // once it is, as the end of our writing, not an abandoned handshake.
      if (!handshakeDone) await handshake;
      if (failed) throw failed;
      closing = true;
      connection.close(); // close_notify, RFC 8446 §6.1
      // Every record, close_notify last, handed to the transport's writer (an async AEAD seals later).
      await connection.drained();
      if (failed) throw failed;
      sentClose = true;
      if (peerClosed || transportEnded) await finish(peerClosed);
      // Otherwise keep the transport open: the peer may still send (half-close).
    },
    abort(reason) {
      const e = asError(reason ?? 'aborted');
      connection.destroy(e);
      fail(e, true);
    },
  });

  /** The transport's readable is done: end of input, then finish or wait for the user's close. */
  const transportDone = async (): Promise<void> => {
    transportEnded = true;
    await connection.drained().catch(() => undefined);
    if (failed || finished) return;
    if (!handshakeDone) {
      fail(new TlsError('handshake_failure', 'transport closed before the TLS handshake completed', { code: 'transport_closed' }));
      return;
    }
    // The peer's close_notify came: the writer may finish; `closed` resolves once ours went.
    if (peerClosed && !sentClose) return;
    // Without close_notify this is a truncation (RFC 8446 §6.1): `readable` ends, not cleanly.
    await finish(peerClosed);
  };

  // Pump the transport into the connection, pausing while `readable` is full
  // or too much of our output waits unsent.
  void (async () => {
    try {
      for (;;) {
        for (;;) {
          if (failed || finished) return;
          if (!outClosed && out.desiredSize !== null && out.desiredSize <= 0) {
            await new Promise<void>((r) => { wantMore = r; });
          } else if (unsent > maxUnsent) {
            // A peer that sends but never reads would make us buffer our answers to it without bound.
            await nextSent();
          } else break;
        }
        const { value, done } = await reader.read();
        if (done || finished) break;
        if (value && value.length > 0) connection.receive(value);
        // A fast peer can outrun an asynchronous AEAD: stop reading until the backlog is processed.
        if (connection.pendingRecords > RECEIVE_BACKLOG_PAUSE) await connection.drained();
      }
    } catch (e) {
      // Reading cancelled or failed while either side is closing: the transport is done, not broken.
      if (!(closing || peerClosed) || failed || finished) {
        fail(asError(e));
        return;
      }
    }
    await transportDone();
  })();

  const timeout = options.handshakeTimeout ?? (options.isServer ? SERVER_HANDSHAKE_TIMEOUT : 0);
  if (timeout > 0) {
    handshakeTimer = setTimeout(() => {
      handshakeTimer = undefined;
      if (handshakeDone || failed) return;
      // No alert: like Node, a timed-out handshake just drops the transport.
      const e = new TlsError('user_canceled', `TLS handshake timed out after ${timeout} ms`, { code: 'handshake_timeout' });
      connection.destroy(e);
      fail(e, true);
    }, timeout);
    // Do not keep a Node/Deno/Bun process alive for this timer alone (a number in browsers: no unref).
    (handshakeTimer as { unref?: () => void }).unref?.();
  }

  connection.start();
  return {
    readable, writable, handshake, closed, connection,
    get unsentBytes() { return unsent; },
    get earlyDataBytes() { return earlyBytes; },
  };
}
