/**
 * TLS over a WebSocket to a TCP relay (`puretls relay`, websockify, or any
 * bridge speaking websockify's binary protocol: each binary message carries
 * raw TCP bytes). This is how a page, which cannot open TCP connections,
 * reaches a TLS server: the relay sees only ciphertext; certificates are
 * checked here, in the page.
 *
 * Backpressure: a write resolves once the WebSocket's `bufferedAmount` is
 * below `maxBufferedAmount` (default 1 MiB), polled while above it (the
 * WebSocket API has no event for it). Incoming messages cannot be paused
 * (the WebSocket API has no way to); the adapter stops reading them into TLS
 * while the application does not read, and fails the connection if more than
 * `maxReceiveBuffer` (default 16 MiB) piles up unread.
 *
 * Closing: WebSocket has no half-close, so closing the TLS writable (our
 * close_notify) keeps the WebSocket open for the peer's close_notify; the
 * WebSocket closes when the relay closes it (the server ended the TCP
 * connection) or once both directions are done.
 */
import { secureWebStream, type ByteStreamPair, type SecureWebStream, type WebSecureOptions } from './web.js';

/** The WebSocket members used (the browser/Deno/Bun/Node 22 global, or the `ws` package's class). */
interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (ev: { data?: unknown; code?: number; reason?: string; message?: string }) => void): void;
}
type WebSocketClass = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface WebSocketSecureOptions extends Omit<WebSecureOptions, 'isServer'> {
  /** The WebSocket class (default: the global one; pass `ws`'s on Node 20). */
  WebSocket?: WebSocketClass;
  /** Writes wait while more than this many bytes are unsent on the WebSocket. Default 1 MiB. */
  maxBufferedAmount?: number;
  /** Received bytes held unread above which the connection fails. Default 16 MiB. */
  maxReceiveBuffer?: number;
  /** WebSocket subprotocols offered. Default ['binary'] (websockify's). */
  protocols?: string[];
}

/** Close codes `puretls relay` uses to refuse (see src/cli/relay.ts). */
const REFUSALS: Record<number, string> = {
  4403: 'the relay refused the target',
  4429: 'the relay refused: too many connections',
  4502: 'the relay could not reach the target',
  4408: 'the relay closed an idle connection',
};

const OPEN = 1;
const POLL_MS = 5;

/** An error from the WebSocket transport, with the close code when there is one. */
export class WebSocketTransportError extends Error {
  override readonly name = 'WebSocketTransportError';
  constructor(message: string, readonly closeCode?: number, readonly closeReason?: string) {
    super(message);
  }
}

/** The WebSocket as a `{ readable, writable }` byte-stream pair. */
export function webSocketStreams(url: string, opts: Pick<WebSocketSecureOptions, 'WebSocket' | 'maxBufferedAmount' | 'maxReceiveBuffer' | 'protocols'> = {}): ByteStreamPair {
  const WS = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (!WS) throw new Error('connectWebSocket: no WebSocket class in this runtime: pass options.WebSocket (e.g. the ws package)');
  const maxBuffered = Math.max(1, opts.maxBufferedAmount ?? 1 << 20);
  const maxReceive = Math.max(1, opts.maxReceiveBuffer ?? 16 << 20);
  const ws = new WS(url, opts.protocols ?? ['binary']);
  ws.binaryType = 'arraybuffer';

  let opened = false;
  let readDone = false;
  let writeDone = false;
  let failure: Error | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let closeSeen!: () => void;
  /** Resolves at the close event, which carries the code and reason (a refusal, say). */
  const closeEvent = new Promise<void>((r) => { closeSeen = r; });

  const settleOpen = (e?: Error) => {
    const w = openWaiters;
    openWaiters = [];
    for (const x of w) e ? x.reject(e) : x.resolve();
  };
  const whenOpen = (): Promise<void> => {
    if (failure) return Promise.reject(failure);
    if (opened) return Promise.resolve();
    return new Promise((resolve, reject) => { openWaiters.push({ resolve, reject }); });
  };
  const maybeClose = () => { if (readDone && writeDone && ws.readyState === OPEN) ws.close(1000); };
  const fail = (e: Error) => {
    if (failure) return;
    failure = e;
    settleOpen(e);
    if (!readDone) {
      readDone = true;
      try { controller.error(e); } catch { /* cancelled */ }
    }
  };

  ws.addEventListener('open', () => { opened = true; settleOpen(); });
  ws.addEventListener('message', (ev) => {
    if (readDone) return;
    const d = ev.data;
    if (!(d instanceof ArrayBuffer)) {
      fail(new WebSocketTransportError('connectWebSocket: the relay sent a text message (websockify binary protocol expected)'));
      ws.close(1003, 'binary only');
      return;
    }
    const bytes = new Uint8Array(d);
    if ((controller.desiredSize ?? 0) < -maxReceive) {
      fail(new WebSocketTransportError(`connectWebSocket: more than ${maxReceive} received bytes unread (maxReceiveBuffer)`));
      ws.close(1008, 'receive buffer full');
      return;
    }
    controller.enqueue(bytes);
  });
  // 'error' carries no detail in browsers; the 'close' event that always follows has the code and reason.
  ws.addEventListener('error', () => undefined);
  ws.addEventListener('close', (ev) => {
    closeSeen();
    const code = ev.code ?? 1005;
    const reason = ev.reason ?? '';
    if (code === 1000 || (code === 1005 && opened)) {
      if (!readDone) {
        readDone = true;
        try { controller.close(); } catch { /* cancelled */ }
      }
      writeDone = true;
      fail(new WebSocketTransportError('connectWebSocket: the WebSocket is closed', code, reason));
      return;
    }
    const what = REFUSALS[code] ?? (opened ? 'the WebSocket closed abnormally' : `could not open a WebSocket to ${url}`);
    fail(new WebSocketTransportError(`connectWebSocket: ${what} (close code ${code}${reason ? `: ${reason}` : ''})`, code, reason));
  });

  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) { controller = c; },
      cancel() {
        readDone = true;
        maybeClose();
      },
    },
    // Counted in bytes: desiredSize is minus the bytes held unread.
    new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
  );

  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      await whenOpen();
      if (failure) throw failure;
      if (ws.readyState !== OPEN) {
        // Closing: report why (the relay's close code and reason), not just that it is closed.
        await closeEvent;
        throw failure ?? new WebSocketTransportError('connectWebSocket: the WebSocket is closed');
      }
      ws.send(chunk);
      while (ws.bufferedAmount > maxBuffered) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        if (failure) throw failure;
      }
    },
    close() {
      writeDone = true;
      maybeClose();
    },
    abort() {
      writeDone = true;
      readDone = true;
      if (ws.readyState <= OPEN) ws.close(1000, 'aborted');
    },
  });
  return { readable, writable };
}

/**
 * TLS over a WebSocket relay: `url` names the relay (and, for `puretls relay`
 * with several allowed targets, `?target=host:port`). Returns what
 * `secureWebStream` returns; `servername` is required (the relay's host
 * name is not the server's). A refused target rejects `handshake` with a
 * WebSocketTransportError naming the relay's reason.
 */
export function connectWebSocket(url: string | URL, options: WebSocketSecureOptions): SecureWebStream {
  const { WebSocket, maxBufferedAmount, maxReceiveBuffer, protocols, ...tls } = options;
  if (!tls.servername) throw new Error('connectWebSocket: options.servername is required (the TLS server name, not the relay\'s)');
  const pair = webSocketStreams(String(url), {
    ...(WebSocket ? { WebSocket } : {}),
    ...(maxBufferedAmount !== undefined ? { maxBufferedAmount } : {}),
    ...(maxReceiveBuffer !== undefined ? { maxReceiveBuffer } : {}),
    ...(protocols ? { protocols } : {}),
  });
  return secureWebStream(pair, { ...tls, isServer: false });
}
