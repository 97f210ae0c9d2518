/**
 * Bun adapter (`puretls/bun`): Bun's TCP sockets (`Bun.connect`,
 * `Bun.listen`) are callback-driven; this turns each one into the Web
 * Streams `{ readable, writable }` pair that `secureWebStream` speaks TLS
 * over. No node: imports and no Bun types at compile time: the socket is
 * described by the few members used here.
 *
 * Backpressure, both ways:
 * - from the network: `data` is queued in `readable` (a byte-length queue of
 *   `highWaterMark`, default 64 KiB); when it is full the socket is paused
 *   and resumed on the next pull.
 * - toward the network: `socket.write` may take only part of a chunk; the
 *   rest waits for the `drain` callback, and the stream's write resolves
 *   only once every byte was taken, so the writer's `ready` follows the
 *   kernel's send buffer.
 *
 * Closing: `writable.close()` waits for pending bytes and then half-closes
 * (`socket.end()`); the peer's FIN ends `readable`. Sockets are opened with
 * `allowHalfOpen: true`, so the TLS close_notify exchange can finish in
 * either order (RFC 8446 §6.1).
 */
import './full.js';
import { serverConfig } from './options.js';
import { secureWebStream, type ByteStreamPair, type SecureWebStream, type WebSecureOptions } from './web.js';

/** The members of a Bun TCP socket this adapter uses. */
export interface BunSocket {
  /** Bytes taken (possibly fewer than given), or -1 when the socket is closed. */
  write(data: Uint8Array): number;
  end(): void;
  pause(): void;
  resume(): void;
  terminate?(): void;
}

/** The `socket` handler object Bun.connect / Bun.listen take. */
export interface BunSocketHandlers {
  open(socket: BunSocket): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  end(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  connectError?(socket: BunSocket, error: Error): void;
}

export interface BunStreamOptions {
  /** Bytes queued in `readable` before the socket is paused. Default 64 KiB. */
  highWaterMark?: number;
}

/** Per-socket state: the pair and how the callbacks reach it. */
interface SocketStreams {
  pair: ByteStreamPair;
  onData(data: Uint8Array): void;
  onDrain(): void;
  onEnd(): void;
  onClose(error?: Error): void;
}

function socketStreams(socket: BunSocket, opts: BunStreamOptions): SocketStreams {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let readDone = false;
  let paused = false;
  let pending: Uint8Array | undefined;
  let pendingDone: { resolve: () => void; reject: (e: Error) => void } | undefined;
  let closedError: Error | undefined;
  let socketClosed = false;

  const endRead = (e?: Error) => {
    if (readDone) return;
    readDone = true;
    try {
      if (e) controller.error(e);
      else controller.close();
    } catch { /* the reader cancelled */ }
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) { controller = c; },
      pull() {
        if (paused && !socketClosed) {
          paused = false;
          socket.resume();
        }
      },
      cancel() {
        readDone = true;
        if (paused && !socketClosed) { paused = false; socket.resume(); }
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: opts.highWaterMark ?? 64 * 1024 }),
  );

  /** Hand `bytes` to the socket; what it does not take waits for `drain`. */
  const push = (bytes: Uint8Array): Promise<void> => {
    if (closedError) return Promise.reject(closedError);
    if (socketClosed) return Promise.reject(new Error('Bun socket closed'));
    const n = socket.write(bytes);
    if (n < 0) return Promise.reject(new Error('Bun socket closed'));
    if (n === bytes.length) return Promise.resolve();
    pending = bytes.subarray(n);
    return new Promise<void>((resolve, reject) => { pendingDone = { resolve, reject }; });
  };

  const failPending = (e: Error) => {
    const d = pendingDone;
    pendingDone = undefined;
    pending = undefined;
    d?.reject(e);
  };

  const writable = new WritableStream<Uint8Array>({
    write(chunk) { return push(chunk); },
    close() {
      if (!socketClosed) socket.end();
    },
    abort() {
      if (socketClosed) return;
      if (socket.terminate) socket.terminate();
      else socket.end();
    },
  });

  return {
    pair: { readable, writable },
    onData(data) {
      if (readDone) return;
      // Bun may reuse the buffer it hands to `data`: keep a copy.
      controller.enqueue(data.slice());
      if ((controller.desiredSize ?? 1) <= 0 && !paused) {
        paused = true;
        socket.pause();
      }
    },
    onDrain() {
      if (!pending) return;
      const n = socket.write(pending);
      if (n < 0) { failPending(new Error('Bun socket closed')); return; }
      if (n === pending.length) {
        const d = pendingDone;
        pending = undefined;
        pendingDone = undefined;
        d?.resolve();
      } else {
        pending = pending.subarray(n);
      }
    },
    onEnd() { endRead(); },
    onClose(error) {
      socketClosed = true;
      if (error) closedError = error;
      failPending(error ?? new Error('Bun socket closed'));
      endRead(error);
    },
  };
}

const STATE = Symbol('puretls.bunStreams');
type WithState = BunSocket & { [STATE]?: SocketStreams };

/**
 * Socket handlers for `Bun.connect`/`Bun.listen` that give each socket a Web
 * Streams pair: `onOpen(pair, socket)` runs when the socket opens. Pass
 * `allowHalfOpen: true` to Bun alongside them (bunConnect/bunListen do).
 */
export function bunSocketHandlers(
  onOpen: (pair: ByteStreamPair, socket: BunSocket) => void,
  opts: BunStreamOptions = {},
  onConnectError?: (error: Error) => void,
): BunSocketHandlers {
  const state = (s: BunSocket) => (s as WithState)[STATE];
  return {
    open(socket) {
      const st = socketStreams(socket, opts);
      (socket as WithState)[STATE] = st;
      onOpen(st.pair, socket);
    },
    data(socket, data) { state(socket)?.onData(data); },
    drain(socket) { state(socket)?.onDrain(); },
    end(socket) { state(socket)?.onEnd(); },
    close(socket, error) { state(socket)?.onClose(error); },
    error(socket, error) { state(socket)?.onClose(error); },
    connectError(_socket, error) { onConnectError?.(error); },
  };
}

/** The part of the global `Bun` object used here. */
interface BunGlobal {
  connect(o: { hostname: string; port: number; allowHalfOpen?: boolean; socket: BunSocketHandlers }): Promise<BunSocket>;
  listen(o: { hostname: string; port: number; allowHalfOpen?: boolean; socket: BunSocketHandlers }): { port: number; hostname: string; stop(closeActive?: boolean): void };
}

function bun(): BunGlobal {
  const b = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!b) throw new Error('puretls/bun needs the Bun runtime (globalThis.Bun is missing)');
  return b;
}

export interface BunConnectOptions extends WebSecureOptions, BunStreamOptions {
  hostname: string;
  port: number;
}

/**
 * Open a TCP connection with `Bun.connect` and start TLS over it as a client
 * (`servername` defaults to `hostname`). Resolves once the TCP connection is
 * open; await `handshake` for the TLS one.
 */
export function bunConnect(options: BunConnectOptions): Promise<SecureWebStream> {
  const { hostname, port, highWaterMark, ...tls } = options;
  return new Promise<SecureWebStream>((resolve, reject) => {
    const handlers = bunSocketHandlers(
      (pair) => {
        try {
          resolve(secureWebStream(pair, { servername: hostname, ...tls, isServer: false }));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
      highWaterMark === undefined ? {} : { highWaterMark },
      reject,
    );
    bun().connect({ hostname, port, allowHalfOpen: true, socket: handlers }).catch(reject);
  });
}

export interface BunListenOptions extends WebSecureOptions, BunStreamOptions {
  hostname: string;
  /** 0 for any free port (read it back from the result). */
  port: number;
}

export interface BunTlsListener {
  readonly hostname: string;
  readonly port: number;
  /** Stop accepting; `closeActive` also drops open connections. */
  stop(closeActive?: boolean): void;
}

/**
 * Listen with `Bun.listen` and run TLS as a server on every connection:
 * `onConnection(tls)` gets the secure stream right away (await its
 * `handshake`). The TLS options are checked before listening.
 */
export function bunListen(options: BunListenOptions, onConnection: (tls: SecureWebStream) => void): BunTlsListener {
  const { hostname, port, highWaterMark, ...tls } = options;
  const serverOptions: WebSecureOptions = { ...tls, isServer: true };
  serverConfig(serverOptions); // refuse bad options now (OptionError), not at the first connection
  const handlers = bunSocketHandlers(
    (pair, socket) => {
      let s: SecureWebStream;
      try {
        s = secureWebStream(pair, serverOptions);
      } catch {
        socket.end();
        return;
      }
      onConnection(s);
    },
    highWaterMark === undefined ? {} : { highWaterMark },
  );
  const l = bun().listen({ hostname, port, allowHalfOpen: true, socket: handlers });
  return {
    get hostname() { return l.hostname; },
    get port() { return l.port; },
    stop: (closeActive) => l.stop(closeActive),
  };
}
