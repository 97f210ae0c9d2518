/**
 * How `puretls serve` keeps itself available: a cap on open connections
 * (excess ones are reset at once, so a flood cannot exhaust descriptors and
 * honest clients get in as soon as slots free up), an idle timeout (a quiet
 * connection gets close_notify, a stalled handshake is dropped), and a
 * bounded linger after our close_notify (RFC 8446 §6.1 lets us close our
 * side without waiting for the peer's close_notify; a peer that neither
 * answers nor closes its side must not keep the socket, half-closed, in
 * FIN-WAIT-2 for ever). When the linger ends the descriptor is closed, not
 * reset: data still queued in the kernel (a slow reader, a retransmission)
 * is delivered, and the kernel drops the orphaned socket after
 * net.ipv4.tcp_fin_timeout.
 */
import type * as net from 'node:net';
import type { TlsSocket } from '../io/node.js';

export interface ConnectionLimits {
  /** Open TCP connections at most; more are reset on arrival. */
  maxConnections: number;
  /** No bytes either way for this long: an established connection is closed with close_notify, a handshake dropped. */
  idleTimeoutMs: number;
  /** After our close_notify and FIN, the peer has this long to close its side; then our descriptor is closed. */
  lingerMs: number;
}

/** Reset (RST) and free a TCP socket at once. */
function reset(raw: net.Socket): void {
  if (raw.destroyed) return;
  if (typeof raw.resetAndDestroy === 'function') raw.resetAndDestroy();
  else raw.destroy();
}

export class ConnectionGuard {
  /** Open TCP connections, handshaking or established. */
  readonly open = new Set<net.Socket>();
  /** Connections refused because `maxConnections` were open. */
  refused = 0;
  private readonly tls = new WeakMap<net.Socket, TlsSocket>();
  private refusedLogged = 0;
  private lastRefusalLog = 0;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly log: (line: string) => void,
  ) {}

  /** Admit a new TCP connection (true), or reset it because the server is full (false). */
  admit(raw: net.Socket): boolean {
    if (this.open.size >= this.limits.maxConnections) {
      this.refused++;
      reset(raw);
      // One line per second at most: a flood must not flood the log too.
      const now = Date.now();
      if (now - this.lastRefusalLog >= 1000) {
        this.log(`refused ${this.refused - this.refusedLogged} connection(s): ${this.open.size} open (--max-connections ${this.limits.maxConnections})`);
        this.refusedLogged = this.refused;
        this.lastRefusalLog = now;
      }
      return false;
    }
    this.open.add(raw);
    raw.once('close', () => this.open.delete(raw));
    raw.setTimeout(this.limits.idleTimeoutMs);
    raw.on('timeout', () => this.idle(raw));
    return true;
  }

  /** An established TLS connection over `raw`: bound how long it lingers after our close_notify. */
  established(sock: TlsSocket, raw: net.Socket): void {
    this.tls.set(raw, sock);
    sock.once('finish', () => this.linger(raw));
  }

  private idle(raw: net.Socket): void {
    const sock = this.tls.get(raw);
    if (sock && sock.writable && !sock.destroyed) {
      this.log(`${sock.remoteAddress ?? 'peer'}: idle for ${this.limits.idleTimeoutMs} ms, closing`);
      sock.end(); // close_notify, then the linger bound applies
    } else if (!sock) {
      reset(raw); // a handshake that stalled
    }
  }

  private linger(raw: net.Socket): void {
    if (raw.destroyed) return;
    const t = setTimeout(() => raw.destroy(), this.limits.lingerMs);
    t.unref();
    raw.once('close', () => clearTimeout(t));
  }
}
