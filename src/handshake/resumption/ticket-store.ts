/**
 * The client's ticket store (RFC 8446 §4.6.1, Appendix C.4). The client
 * takes a ticket out when it offers it, so by default a ticket is used at
 * most once ("Clients SHOULD NOT reuse a ticket for multiple connections",
 * C.4); with `reuseTickets` it puts the ticket back. The store is keyed by
 * server name, port and ALPN protocols (see `ticketStoreKey`). Users can
 * plug in their own store (shared between processes, persistent, …).
 */
import { sessionAlive, type ClientSession } from './session.js';

export interface TicketStore {
  /** Keep a session for `key`. */
  put(key: string, session: ClientSession): void;
  /** Remove and return the newest live session for `key` (expired ones are dropped). */
  take(key: string, nowMs: number): ClientSession | undefined;
}

/** Tickets kept per key: servers send a few per connection (OpenSSL 2), we keep the newest. */
export const MAX_TICKETS_PER_KEY = 8;
/** Keys (server, port, ALPN) kept; the least recently stored goes first. */
export const DEFAULT_MAX_KEYS = 256;

/** In-memory store, bounded: at most `maxKeys` × MAX_TICKETS_PER_KEY sessions. */
export class InMemoryTicketStore implements TicketStore {
  private readonly map = new Map<string, ClientSession[]>();

  constructor(private readonly maxKeys = DEFAULT_MAX_KEYS) {}

  put(key: string, session: ClientSession): void {
    const list = this.map.get(key) ?? [];
    this.map.delete(key); // re-insert: most recently stored last
    list.push(session);
    while (list.length > MAX_TICKETS_PER_KEY) list.shift();
    this.map.set(key, list);
    while (this.map.size > this.maxKeys) this.map.delete(this.map.keys().next().value!);
  }

  take(key: string, nowMs: number): ClientSession | undefined {
    const list = this.map.get(key);
    if (!list) return undefined;
    let s: ClientSession | undefined;
    while (list.length > 0) {
      const c = list.pop()!;
      if (sessionAlive(c, nowMs)) {
        s = c;
        break;
      }
    }
    const live = list.filter((c) => sessionAlive(c, nowMs));
    if (live.length === 0) this.map.delete(key);
    else this.map.set(key, live);
    return s;
  }

  /** Sessions held (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const l of this.map.values()) n += l.length;
    return n;
  }
}

/** The store key: server name, port and the ALPN protocols offered. */
export function ticketStoreKey(servername: string | undefined, port: number | undefined, alpn: readonly string[]): string {
  return JSON.stringify([servername ?? '', port ?? 0, alpn]);
}
