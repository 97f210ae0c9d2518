/**
 * Web Streams adapter: TLS 1.3 over a `{ readable, writable }` byte-stream pair
 * (Cloudflare `connect()`, Deno.connect, a WebSocket bridge, an in-memory
 * pipe). No node: imports; runs in browsers, Workers, Deno, Bun and Node.
 *
 * Backpressure: the transport is read only while our readable side wants
 * data (desiredSize > 0); a write resolves once its records were accepted by
 * the transport's writer and the writer is ready for more.
 */
import { Connection, RECEIVE_BACKLOG_PAUSE } from '../connection/connection.js';
import type { SessionInfo } from '../connection/types.js';
import { TlsError } from '../errors.js';
import { clientConfig, serverConfig, type ClientSecureOptions, type ServerSecureOptions } from './options.js';

export interface WebSecureOptions extends ClientSecureOptions, ServerSecureOptions {
  /** Server role (default: client). */
  isServer?: boolean;
  /** Bytes of plaintext buffered in `readable` before we stop reading the transport. Default 64 KiB. */
  readableHighWaterMark?: number;
}

export interface ByteStreamPair {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

export interface SecureWebStream extends ByteStreamPair {
  /** Resolves with what was negotiated; rejects if the handshake fails. */
  handshake: Promise<SessionInfo>;
  /** Resolves when the transport is done: `cleanly` is true when the peer sent close_notify. */
  closed: Promise<{ cleanly: boolean }>;
  /** The sans-I/O core, for keyUpdate(), exportKeyingMaterial(), … */
  connection: Connection;
}

/**
 * Start TLS over `transport`. Writing to the returned `writable` sends
 * application data (queued until the handshake is done); closing it sends
 * close_notify. `readable` yields the peer's application data and ends at its
 * close_notify.
 */
export function secureWebStream(transport: ByteStreamPair, options: WebSecureOptions = {}): SecureWebStream {
  const config = options.isServer ? serverConfig(options) : clientConfig(options);
  const writer = transport.writable.getWriter();
  const reader = transport.readable.getReader();

  let out!: ReadableStreamDefaultController<Uint8Array>;
  let wantMore: (() => void) | undefined;
  let failed: Error | undefined;
  let handshakeDone = false;
  let peerClosed = false;
  let outClosed = false;

  let resolveHandshake!: (i: SessionInfo) => void;
  let rejectHandshake!: (e: Error) => void;
  const handshake = new Promise<SessionInfo>((res, rej) => { resolveHandshake = res; rejectHandshake = rej; });
  handshake.catch(() => undefined); // the caller may only watch `readable`/`writable`
  let resolveClosed!: (v: { cleanly: boolean }) => void;
  const closed = new Promise<{ cleanly: boolean }>((res) => { resolveClosed = res; });

  const closeOut = () => {
    if (outClosed) return;
    outClosed = true;
    try { out.close(); } catch { /* already errored */ }
  };

  const fail = (e: Error) => {
    if (failed) return;
    failed = e;
    if (!handshakeDone) rejectHandshake(e);
    if (!outClosed) {
      outClosed = true;
      try { out.error(e); } catch { /* closed */ }
    }
    wantMore?.();
    // The fatal alert (if any) was written already; release the transport.
    void writer.close().catch(() => undefined);
    void reader.cancel(e).catch(() => undefined);
    resolveClosed({ cleanly: false });
  };

  const handlers = {
    onTransmit(bytes: Uint8Array) {
      writer.write(bytes).catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
    },
    onData(plain: Uint8Array) {
      if (!outClosed && plain.length > 0) out.enqueue(plain);
    },
    onHandshakeDone(info: SessionInfo) {
      handshakeDone = true;
      resolveHandshake(info);
    },
    onPeerClose() {
      peerClosed = true;
      closeOut();
    },
    onError(e: TlsError) {
      fail(e);
    },
  };
  const connection = options.isServer
    ? Connection.server(config, handlers)
    : Connection.client(config, handlers);

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
      await connection.write(chunk);
      await writer.ready;
    },
    async close() {
      if (failed) throw failed;
      connection.close(); // close_notify, RFC 8446 §6.1
      await connection.drained();
      if (peerClosed || outClosed) await writer.close().catch(() => undefined);
      // Otherwise keep the transport open: the peer may still send (half-close).
    },
    abort(reason) {
      const e = reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
      connection.destroy(e);
      fail(e);
    },
  });

  // Pump the transport into the connection, pausing while `readable` is full.
  void (async () => {
    try {
      for (;;) {
        while (!outClosed && !failed && out.desiredSize !== null && out.desiredSize <= 0) {
          await new Promise<void>((r) => { wantMore = r; });
        }
        if (failed) return;
        const { value, done } = await reader.read();
        if (done) break;
        if (value && value.length > 0) connection.receive(value);
        // A fast peer can outrun an asynchronous AEAD: stop reading until the backlog is processed.
        if (connection.pendingRecords > RECEIVE_BACKLOG_PAUSE) await connection.drained();
      }
      await connection.drained().catch(() => undefined);
      if (failed) return;
      if (!handshakeDone) {
        fail(new TlsError('handshake_failure', 'transport closed before the TLS handshake completed', { code: 'transport_closed' }));
        return;
      }
      // Transport ended; without close_notify this is a truncation (RFC 8446 §6.1).
      closeOut();
      await writer.close().catch(() => undefined);
      resolveClosed({ cleanly: peerClosed });
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)));
    }
  })();

  connection.start();
  return { readable, writable, handshake, closed, connection };
}
