/**
 * Handshake message reassembly, RFC 8446 §5.1: handshake messages may be
 * coalesced into one record or fragmented across several; this rebuilds the
 * message sequence from the content of handshake records.
 *
 * A message that lies inside one record comes out as a view (no copy); one
 * that spans records is copied once into a buffer of exactly its size, after
 * its declared length was checked against `maxMessageSize`.
 */
import { TlsError } from '../errors.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE, HANDSHAKE_HEADER_LENGTH, MAX_HANDSHAKE_BODY_BY_TYPE } from './constants.js';

export interface HandshakeMessage {
  /** HandshakeType (RFC 8446 §4). */
  readonly type: number;
  /** The body (without the 4-byte header). */
  readonly body: Uint8Array;
  /** Header and body: what goes into the transcript hash (§4.4.1). */
  readonly raw: Uint8Array;
}

/**
 * Fragments shorter than this that continue a pending message are copied
 * into one growing buffer instead of being kept as views: a peer that sends
 * a message one byte per record must not cost us an object (and a retained
 * socket buffer) per byte — that was ~14 MB of heap for a 128 KiB
 * ClientHello sent in 1-byte records.
 */
const SMALL_FRAGMENT = 256;

export class HandshakeReassembler {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  /** The buffer small fragments are appended to, and the view of it that is the last chunk. */
  private owned: Uint8Array | undefined;
  private ownedView: Uint8Array | undefined;
  readonly maxMessageSize: number;

  constructor(maxMessageSize = DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE) {
    if (!(maxMessageSize >= 0 && maxMessageSize <= 0xffffff)) throw new RangeError('maxMessageSize out of range');
    this.maxMessageSize = maxMessageSize;
  }

  /** Bytes held: complete messages not yet taken plus any partial message. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  get isEmpty(): boolean {
    return this.buffered === 0;
  }

  /** Add the content of one handshake record (referenced; small fragments continuing a message are copied). */
  add(fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    if (fragment.length < SMALL_FRAGMENT && this.chunks.length > 0) this.appendSmall(fragment);
    else this.chunks.push(fragment);
    this.buffered += fragment.length;
    this.checkNextLength();
  }

  /** Append to the owned buffer when it is the last chunk (growing it by doubling), else start one. */
  private appendSmall(fragment: Uint8Array): void {
    const last = this.chunks.length - 1;
    const view = this.ownedView;
    if (view !== undefined && this.chunks[last] === view) {
      const owned = this.owned!;
      const end = view.byteOffset + view.length;
      if (end + fragment.length <= owned.length) {
        // Only bytes after the view are written: messages already returned as views stay intact.
        owned.set(fragment, end);
        this.ownedView = owned.subarray(view.byteOffset, end + fragment.length);
      } else {
        const buf = new Uint8Array(2 * (view.length + fragment.length));
        buf.set(view);
        buf.set(fragment, view.length);
        this.owned = buf;
        this.ownedView = buf.subarray(0, view.length + fragment.length);
      }
      this.chunks[last] = this.ownedView;
      return;
    }
    const buf = new Uint8Array(Math.max(1024, 2 * fragment.length));
    buf.set(fragment);
    this.owned = buf;
    this.ownedView = buf.subarray(0, fragment.length);
    this.chunks.push(this.ownedView);
  }

  /** The next complete message, or undefined. Throws TlsError if it is too large. */
  next(): HandshakeMessage | undefined {
    if (this.buffered < HANDSHAKE_HEADER_LENGTH) return undefined;
    const len = this.checkNextLength();
    const total = HANDSHAKE_HEADER_LENGTH + len;
    if (this.buffered < total) return undefined;
    let raw: Uint8Array;
    const first = this.chunks[0]!;
    if (first.length >= total) {
      raw = first.subarray(0, total);
      if (first.length === total) this.chunks.shift();
      else this.chunks[0] = first.subarray(total);
    } else {
      raw = new Uint8Array(total);
      let w = 0;
      while (w < total) {
        const c = this.chunks[0]!;
        const take = Math.min(total - w, c.length);
        raw.set(take === c.length ? c : c.subarray(0, take), w);
        w += take;
        if (take === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(take);
      }
    }
    this.buffered -= total;
    return { type: raw[0]!, body: raw.subarray(HANDSHAKE_HEADER_LENGTH), raw };
  }

  /** Drop everything (after a fatal error). */
  clear(): void {
    this.chunks = [];
    this.buffered = 0;
    this.owned = undefined;
    this.ownedView = undefined;
  }

  /**
   * The declared length of the message at the front, checked against the
   * limit as soon as its header is complete, so a peer cannot make us wait
   * for (and buffer) 16 MB. TLS allows 2^24-1; we cap at `maxMessageSize`
   * (64 KiB by default, like rustls and Go). The alert is decode_error, as
   * rustls sends (the message is refused as malformed peer input; Go sends
   * internal_error, but nothing is wrong on our side). Messages whose body
   * the grammar bounds tightly (MAX_HANDSHAKE_BODY_BY_TYPE: Finished,
   * KeyUpdate, EndOfEarlyData) are held to that bound, also decode_error.
   */
  private checkNextLength(): number {
    if (this.buffered < HANDSHAKE_HEADER_LENGTH) return -1;
    let type = 0;
    let len = 0;
    let need = HANDSHAKE_HEADER_LENGTH;
    let i = 0;
    for (let ci = 0; need > 0; ci++) {
      const c = this.chunks[ci]!;
      for (let j = 0; j < c.length && need > 0; j++, need--, i++) {
        if (i > 0) len = (len << 8) | c[j]!;
        else type = c[j]!;
      }
    }
    const bound = MAX_HANDSHAKE_BODY_BY_TYPE.get(type);
    if (bound !== undefined && len > bound) {
      throw new TlsError('decode_error', `handshake: message type ${type} of ${len} bytes; its body is at most ${bound} (RFC 8446 §4)`, {
        code: 'handshake_message_length',
      });
    }
    if (len > this.maxMessageSize) {
      throw new TlsError('decode_error', `handshake: message of ${len} bytes exceeds the limit of ${this.maxMessageSize}`, {
        code: 'handshake_message_too_large',
      });
    }
    return len;
  }
}
