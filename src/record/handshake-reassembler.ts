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
import { DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE, HANDSHAKE_HEADER_LENGTH } from './constants.js';

export interface HandshakeMessage {
  /** HandshakeType (RFC 8446 §4). */
  readonly type: number;
  /** The body (without the 4-byte header). */
  readonly body: Uint8Array;
  /** Header and body: what goes into the transcript hash (§4.4.1). */
  readonly raw: Uint8Array;
}

export class HandshakeReassembler {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
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

  /** Add the content of one handshake record (referenced, not copied). */
  add(fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    this.chunks.push(fragment);
    this.buffered += fragment.length;
    this.checkNextLength();
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
  }

  /**
   * The declared length of the message at the front, checked against the
   * limit as soon as its header is complete, so a peer cannot make us wait
   * for (and buffer) 16 MB. TLS allows 2^24-1; we cap at `maxMessageSize`
   * (64 KiB by default, like rustls and Go). The alert is decode_error, as
   * rustls sends (the message is refused as malformed peer input; Go sends
   * internal_error, but nothing is wrong on our side).
   */
  private checkNextLength(): number {
    if (this.buffered < HANDSHAKE_HEADER_LENGTH) return -1;
    let len = 0;
    let need = HANDSHAKE_HEADER_LENGTH;
    let i = 0;
    for (let ci = 0; need > 0; ci++) {
      const c = this.chunks[ci]!;
      for (let j = 0; j < c.length && need > 0; j++, need--, i++) {
        if (i > 0) len = (len << 8) | c[j]!;
      }
    }
    if (len > this.maxMessageSize) {
      throw new TlsError('decode_error', `handshake: message of ${len} bytes exceeds the limit of ${this.maxMessageSize}`, {
        code: 'handshake_message_too_large',
      });
    }
    return len;
  }
}
