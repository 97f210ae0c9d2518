/**
 * Writer for TLS presentation-language structures (RFC 8446 §3). A growable
 * buffer; length-prefixed blocks are written as a placeholder and patched
 * when the block closes, with the block's `<min..max>` bounds checked.
 */
import { TlsError } from '../errors.js';

export class Writer {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2 || 64;
    while (cap < this.pos + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    this.buf[this.pos++] = v >>> 16;
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf[this.pos++] = v >>> 24;
    this.buf[this.pos++] = v >>> 16;
    this.buf[this.pos++] = v >>> 8;
    this.buf[this.pos++] = v;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /**
   * Write a length-prefixed block: a placeholder of `lenBytes` bytes, the
   * body written by `fn`, then the length patched in and checked against
   * `<min..max>` (a bound violation is our own bug: internal_error).
   */
  block(lenBytes: 1 | 2 | 3, fn: (w: this) => void, min = 0, max = (1 << (8 * lenBytes)) - 1): this {
    this.ensure(lenBytes);
    const at = this.pos;
    this.pos += lenBytes;
    fn(this);
    const n = this.pos - at - lenBytes;
    if (n < min || n > max) {
      throw new TlsError('internal_error', `encoding: block length ${n} outside <${min}..${max}>`);
    }
    for (let i = lenBytes - 1, v = n; i >= 0; i--, v >>>= 8) this.buf[at + i] = v & 0xff;
    return this;
  }

  vec8(b: Uint8Array, min = 0, max = 0xff): this {
    return this.block(1, (w) => w.bytes(b), min, max);
  }

  vec16(b: Uint8Array, min = 0, max = 0xffff): this {
    return this.block(2, (w) => w.bytes(b), min, max);
  }

  vec24(b: Uint8Array, min = 0, max = 0xffffff): this {
    return this.block(3, (w) => w.bytes(b), min, max);
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** A view of what was written (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
