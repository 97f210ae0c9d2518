/**
 * A minimal RFC 6455 WebSocket server endpoint for the browser test: the
 * opening handshake on node:http's 'upgrade' event, binary frames both ways,
 * ping/pong and the closing handshake. Just enough to tunnel TLS bytes from a
 * page to a TCP peer; no extensions, no subprotocols, no text messages.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** RFC 6455 §1.3: appended to Sec-WebSocket-Key before hashing. */
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Largest frame payload we accept from the page (a TLS record is < 17 KiB; Chromium does not fragment small sends). */
const MAX_FRAME = 1 << 20;

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

export interface WebSocketHandlers {
  onMessageData(data: Buffer): void;
  /** The page closed (close frame received) or the TCP connection ended. */
  onClose(code: number | undefined): void;
}

/** One accepted WebSocket connection (server side: frames we send are unmasked). */
export class ServerWebSocket {
  private buf: Buffer = Buffer.alloc(0);
  private sentClose = false;
  private gotClose = false;
  private closedReported = false;
  /** Opcode of the data message in progress (continuation frames carry 0). */
  private messageOp: number | undefined;

  constructor(readonly socket: Duplex, private readonly h: WebSocketHandlers, head: Buffer) {
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('end', () => this.reportClose(undefined));
    socket.on('close', () => this.reportClose(undefined));
    socket.on('error', () => this.reportClose(undefined));
    // Bytes that arrived with the upgrade request (frames the page sent right after it).
    if (head.length > 0) this.receive(head);
  }

  /** Send one binary message (one frame, FIN set). */
  send(data: Uint8Array): boolean {
    if (this.sentClose) return false;
    return this.socket.write(frame(OP_BINARY, data));
  }

  /** Start (or answer) the closing handshake, RFC 6455 §5.5.1. */
  close(code = 1000): void {
    if (this.sentClose) return;
    this.sentClose = true;
    const body = Buffer.alloc(2);
    body.writeUInt16BE(code);
    this.socket.write(frame(OP_CLOSE, body));
    // The server closes the TCP connection once both close frames were exchanged (§7.1.1).
    if (this.gotClose) this.socket.end();
  }

  private reportClose(code: number | undefined): void {
    if (this.closedReported) return;
    this.closedReported = true;
    this.h.onClose(code);
  }

  private fail(code: number): void {
    this.close(code);
    this.socket.end();
    this.reportClose(code);
  }

  private receive(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      const fin = (b0 & 0x80) !== 0;
      const op = b0 & 0x0f;
      // RFC 6455 §5.2: RSV bits must be 0 without a negotiated extension.
      if ((b0 & 0x70) !== 0) return this.fail(1002);
      // §5.1: every frame from a client is masked.
      if ((b1 & 0x80) === 0) return this.fail(1002);
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        const big = this.buf.readBigUInt64BE(2);
        if (big > BigInt(MAX_FRAME)) return this.fail(1009);
        len = Number(big);
        off = 10;
      }
      if (len > MAX_FRAME) return this.fail(1009);
      if (this.buf.length < off + 4 + len) return;
      const mask = this.buf.subarray(off, off + 4);
      const payload = Buffer.from(this.buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      this.buf = this.buf.subarray(off + 4 + len);

      if (op >= 0x8) {
        // §5.5: control frames are not fragmented and carry at most 125 bytes.
        if (!fin || len > 125) return this.fail(1002);
        if (op === OP_CLOSE) {
          this.gotClose = true;
          const code = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
          if (this.sentClose) this.socket.end();
          else this.close(code ?? 1000);
          this.reportClose(code);
          return;
        }
        if (op === OP_PING) {
          if (!this.sentClose) this.socket.write(frame(OP_PONG, payload));
          continue;
        }
        if (op === OP_PONG) continue;
        return this.fail(1002);
      }
      if (op === OP_CONT) {
        if (this.messageOp === undefined) return this.fail(1002);
      } else {
        if (this.messageOp !== undefined) return this.fail(1002);
        this.messageOp = op;
      }
      // The tunnel carries bytes: text messages are not part of it (§7.4.1 1003).
      if (this.messageOp !== OP_BINARY) return this.fail(op === OP_TEXT || this.messageOp === OP_TEXT ? 1003 : 1002);
      if (fin) this.messageOp = undefined;
      if (this.gotClose) continue;
      if (payload.length > 0) this.h.onMessageData(payload);
    }
  }
}

function frame(op: number, payload: Uint8Array): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | op;
  if (n < 126) head[1] = n;
  else if (n < 0x10000) {
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

/**
 * Complete the opening handshake (RFC 6455 §4.2) for an 'upgrade' request,
 * or answer 400 and return undefined. `allowedOrigin`: the page's own origin.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, allowedOrigin: string, handlers: WebSocketHandlers): ServerWebSocket | undefined {
  const key = req.headers['sec-websocket-key'];
  const ok = req.method === 'GET'
    && (req.headers.upgrade ?? '').toLowerCase() === 'websocket'
    && /\bupgrade\b/i.test(req.headers.connection ?? '')
    && req.headers['sec-websocket-version'] === '13'
    && typeof key === 'string' && Buffer.from(key, 'base64').length === 16
    && req.headers.origin === allowedOrigin;
  if (!ok) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return undefined;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  return new ServerWebSocket(socket, handlers, head);
}

export interface BridgeStats {
  /** Bytes the page sent toward the TLS server. */
  up: number;
  /** Bytes the TLS server sent toward the page. */
  down: number;
  /** The first bytes the page sent (a TLS record header: 16 03 01 …). */
  firstUp: Buffer | undefined;
  /** Resolves when both sides are done. */
  done: Promise<void>;
}

/**
 * Accept the WebSocket and pipe it to a new TCP connection to
 * 127.0.0.1:`port` (the TLS server), both ways, with backpressure. The
 * WebSocket's close ends the TCP connection; the TCP connection's end closes
 * the WebSocket.
 */
export function bridgeWebSocketToTcp(req: IncomingMessage, socket: Duplex, head: Buffer, allowedOrigin: string, port: number): BridgeStats | undefined {
  let tcp: Socket | undefined;
  let resolveDone!: () => void;
  const stats: BridgeStats = { up: 0, down: 0, firstUp: undefined, done: new Promise((r) => { resolveDone = r; }) };
  let wsClosed = false;
  let tcpClosed = false;
  const maybeDone = () => { if (wsClosed && tcpClosed) resolveDone(); };
  const pending: Buffer[] = [];
  const ws = acceptWebSocket(req, socket, head, allowedOrigin, {
    onMessageData(data) {
      stats.up += data.length;
      stats.firstUp ??= Buffer.from(data.subarray(0, 16));
      if (!tcp || tcp.connecting) pending.push(data);
      else if (!tcp.write(data)) {
        socket.pause();
        tcp.once('drain', () => socket.resume());
      }
    },
    onClose() {
      wsClosed = true;
      tcp?.end();
      maybeDone();
    },
  });
  if (!ws) return undefined;
  tcp = connect({ host: '127.0.0.1', port });
  tcp.on('connect', () => {
    for (const d of pending.splice(0)) tcp!.write(d);
  });
  tcp.on('data', (d: Buffer) => {
    stats.down += d.length;
    if (!ws.send(d)) {
      tcp!.pause();
      socket.once('drain', () => tcp!.resume());
    }
  });
  tcp.on('end', () => ws.close(1000));
  tcp.on('error', () => ws.close(1011));
  tcp.on('close', () => {
    tcpClosed = true;
    ws.close(1000);
    maybeDone();
  });
  return stats;
}
