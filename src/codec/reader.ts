/**
 * Reader over a Uint8Array for TLS presentation-language structures
 * (RFC 8446 §3). Never copies: opaque vectors are subarray views. Every
 * failure throws TlsError(decode_error).
 */
import { TlsError } from '../errors.js';

export class Reader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
    private readonly what = 'message',
  ) {
    this.pos = start;
    this.end = end;
  }

  private fail(msg: string): never {
    throw new TlsError('decode_error', `${this.what}: ${msg}`);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  private need(n: number): void {
    if (n > this.end - this.pos) this.fail(`truncated (need ${n} bytes, have ${this.end - this.pos})`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.buf, p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u24(): number {
    this.need(3);
    const b = this.buf, p = this.pos;
    this.pos = p + 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(): number {
    this.need(4);
    const b = this.buf, p = this.pos;
    this.pos = p + 4;
    return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** Fixed-length opaque field (a view, not a copy). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The rest of the input (a view). */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  private lengthPrefix(lenBytes: 1 | 2 | 3, min: number, max: number, field: string): number {
    const n = lenBytes === 1 ? this.u8() : lenBytes === 2 ? this.u16() : this.u24();
    if (n < min || n > max) this.fail(`${field} length ${n} outside <${min}..${max}>`);
    return n;
  }

  /** opaque field<min..max> with a 1-, 2- or 3-byte length prefix. */
  vec8(min = 0, max = 0xff, field = 'vector'): Uint8Array {
    return this.bytes(this.lengthPrefix(1, min, max, field));
  }

  vec16(min = 0, max = 0xffff, field = 'vector'): Uint8Array {
    return this.bytes(this.lengthPrefix(2, min, max, field));
  }

  vec24(min = 0, max = 0xffffff, field = 'vector'): Uint8Array {
    return this.bytes(this.lengthPrefix(3, min, max, field));
  }

  /**
   * A length-prefixed block read by a sub-Reader; the sub-reader must be
   * consumed exactly (its `expectEnd()` is called after `fn`).
   */
  block<T>(lenBytes: 1 | 2 | 3, min: number, max: number, field: string, fn: (r: Reader) => T): T {
    const n = this.lengthPrefix(lenBytes, min, max, field);
    this.need(n);
    const sub = new Reader(this.buf, this.pos, this.pos + n, `${this.what}.${field}`);
    this.pos += n;
    const v = fn(sub);
    sub.expectEnd();
    return v;
  }

  /** Vector of u16 values, `<min..max>` in bytes (must be even). */
  u16List(lenBytes: 1 | 2, min: number, max: number, field: string): number[] {
    return this.block(lenBytes, min, max, field, (r) => {
      if (r.remaining % 2 !== 0) r.fail(`${field} has odd length`);
      const out: number[] = [];
      while (r.remaining > 0) out.push(r.u16());
      return out;
    });
  }

  /** Fail unless every byte was consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} trailing bytes`);
  }
}
