/**
 * Lingering close, the adapters' policy after we sent a fatal alert (RFC
 * 8446 §6.2): the transport is not closed at once. Closing a TCP socket with
 * unread input makes the kernel answer with a reset, and a peer still
 * sending then fails its write (EPIPE/ECONNRESET) and may never read the
 * alert that explains why. So after the alert and our FIN the adapter keeps
 * reading and dropping input until the peer closes, is quiet for
 * LINGER_IDLE_MS, LINGER_BYTES were dropped, or LINGER_MAX_MS passed,
 * whichever comes first (the bounds keep a hostile peer from holding the
 * socket; Apache httpd's "lingering close" does the same).
 */

/** The linger ends when the peer sent nothing for this long. */
export const LINGER_IDLE_MS = 1000;
/** ... and at the latest after this long. */
export const LINGER_MAX_MS = 5000;
/**
 * Most input we read and drop after a fatal alert: the largest handshake
 * message TLS can declare (2^24 - 1 bytes plus its header) in records of
 * 2^14 bytes with their headers, so that a peer that writes such a message
 * whole before it reads (as tlsfuzzer does) gets to read the alert we sent
 * after its header.
 */
export const LINGER_BYTES = 17 * 1024 * 1024;

export class Linger {
  private left: number;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private readonly max: ReturnType<typeof setTimeout>;
  private done = false;

  /** `finish` runs once, when the linger ends for any reason (close the transport there). */
  constructor(private readonly finish: () => void, bytes = LINGER_BYTES, idleMs = LINGER_IDLE_MS, maxMs = LINGER_MAX_MS) {
    this.left = bytes;
    this.max = unref(setTimeout(() => this.end(), maxMs));
    this.idle = unref(setTimeout(() => this.end(), idleMs));
    this.idleMs = idleMs;
  }

  private readonly idleMs: number;

  /** `n` bytes were read and dropped; ends the linger once over budget, else restarts the idle clock. */
  discard(n: number): void {
    if (this.done) return;
    this.left -= n;
    if (this.left <= 0) return this.end();
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = unref(setTimeout(() => this.end(), this.idleMs));
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.max);
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = undefined;
    this.finish();
  }
}

function unref<T>(t: T): T {
  (t as { unref?: () => void }).unref?.();
  return t;
}
