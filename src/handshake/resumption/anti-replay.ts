/**
 * 0-RTT anti-replay, RFC 8446 §8.2–8.3: a strike register of ClientHello
 * binders plus a freshness window.
 *
 * A ClientHello's early data is accepted only if (1) the ticket age the
 * client reports (obfuscated_ticket_age − ticket_age_add) is within
 * `windowMs` of the age the server computes from the ticket's issue time
 * (§8.3), and (2) its PSK binder was never seen before (§8.2: binders are
 * unique per ClientHello). A replay of the same ClientHello after the entry
 * was forgotten fails (1), because entries are kept for 2 × windowMs.
 *
 * Memory bound: at most `maxEntries` entries of one binder each (32 or 48
 * bytes, kept as a hex string key in a Map: about 150–200 bytes per entry
 * in V8), so the default 16384 entries use about 3 MB at most. When the
 * register is full of live entries, 0-RTT is rejected (the handshake goes
 * on in 1-RTT), as §8.2 asks when the server cannot tell.
 *
 * The register lives in one process: servers sharing ticket keys across
 * processes or machines do not see each other's ClientHellos, so a replay
 * to another server is not caught (§8: "0-RTT ... not replay-protected
 * across connections" in that deployment). Early data is handed to the
 * application marked as early for that reason.
 */
import { toHex } from '../../util/bytes.js';

export class AntiReplay {
  private readonly seen = new Map<string, number>();
  /** Until then every 0-RTT is refused: a binder refused unrecorded (register full) may still be replayed fresh. */
  private saturatedUntil = -Infinity;

  constructor(
    readonly maxEntries = 16384,
    readonly windowMs = 10_000,
  ) {}

  /** Is the client's view of the ticket age fresh (§8.3)? */
  fresh(clientAgeMs: number, serverAgeMs: number): boolean {
    return Math.abs(clientAgeMs - serverAgeMs) <= this.windowMs;
  }

  /**
   * True the first time `binder` is seen (and records it); false for a
   * repeat or when full. A binder refused because the register was full is
   * not recorded, so until its freshness window has surely passed (2 ×
   * windowMs) every binder is refused, recorded or not: otherwise a replay of
   * it, once entries expired, would be accepted though the client had sent
   * its data again in 1-RTT (§8.2: when in doubt, reject 0-RTT).
   */
  firstUse(binder: Uint8Array, nowMs: number): boolean {
    for (const [k, expiry] of this.seen) {
      if (expiry > nowMs) break; // insertion order is time order
      this.seen.delete(k);
    }
    const key = toHex(binder);
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.maxEntries) {
      this.saturatedUntil = nowMs + 2 * this.windowMs;
      return false;
    }
    this.seen.set(key, nowMs + 2 * this.windowMs);
    return nowMs >= this.saturatedUntil;
  }

  get size(): number {
    return this.seen.size;
  }
}
