/**
 * A strict DER reader (X.690 §10) for certificates and keys.
 *
 * asn1js accepts BER; certificate validation must not: a signature covers the
 * exact bytes, and two parsers that disagree on lenient input are a classic
 * source of bypasses. This reader rejects indefinite lengths, non-minimal
 * lengths, high tag numbers, constructed encodings of primitive types,
 * non-minimal INTEGERs, BOOLEANs other than 00/FF, BIT STRINGs with non-zero
 * unused bits, and trailing data. Every failure throws `DerError`.
 * It never copies: contents are subarray views of the input.
 */

export class DerError extends Error {
  override readonly name = 'DerError';
}

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Maximum nesting we accept; certificates need about 10. */
const MAX_DEPTH = 32;

/** One decoded TLV. `tag` is the full identifier octet (class | constructed | number). */
export interface Tlv {
  readonly tag: number;
  /** The whole encoding (header + contents). */
  readonly raw: Uint8Array;
  /** The contents octets. */
  readonly value: Uint8Array;
}

/** Context-specific tag helpers: [n] IMPLICIT primitive / constructed. */
export const ctx = (n: number): number => 0x80 | n;
export const ctxCons = (n: number): number => 0xa0 | n;

export class DerReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    private readonly depth = 0,
  ) {
    if (depth > MAX_DEPTH) throw new DerError('DER nesting too deep');
    this.pos = 0;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Tag of the next element, or -1 at the end. */
  peekTag(): number {
    return this.pos < this.buf.length ? this.buf[this.pos]! : -1;
  }

  expectEnd(what = 'structure'): void {
    if (this.pos !== this.buf.length) throw new DerError(`${what}: trailing data`);
  }

  /** Read any TLV. */
  readAny(): Tlv {
    const b = this.buf;
    const start = this.pos;
    if (start >= b.length) throw new DerError('unexpected end of data');
    const tag = b[start]!;
    if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used in X.509');
    let p = start + 1;
    if (p >= b.length) throw new DerError('truncated length');
    const first = b[p++]!;
    let len: number;
    if (first < 0x80) {
      len = first;
    } else {
      const n = first & 0x7f;
      // X.690 §10.1: definite form only; 0x80 is the (BER) indefinite form.
      if (n === 0) throw new DerError('indefinite length is not DER');
      if (n > 4) throw new DerError('length too large');
      if (p + n > b.length) throw new DerError('truncated length');
      if (b[p] === 0) throw new DerError('non-minimal length encoding');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[p + i]!;
      p += n;
      // X.690 §10.1: the long form only when the short form cannot express it.
      if (len < 0x80) throw new DerError('non-minimal length encoding');
    }
    if (len > b.length - p) throw new DerError('truncated value');
    this.pos = p + len;
    return { tag, raw: b.subarray(start, p + len), value: b.subarray(p, p + len) };
  }

  /** Read a TLV that must have `tag`. */
  read(tag: number, what = 'element'): Tlv {
    if (this.peekTag() !== tag) {
      throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got ${this.done ? 'end' : '0x' + this.peekTag().toString(16)}`);
    }
    const t = this.readAny();
    checkPrimitiveForm(t);
    return t;
  }

  /** Read an optional TLV with `tag`. */
  optional(tag: number): Tlv | undefined {
    if (this.peekTag() !== tag) return undefined;
    return this.read(tag);
  }

  /** Enter a SEQUENCE (or another constructed tag); returns a reader over its contents. */
  sequence(what = 'SEQUENCE', tag: number = Tag.SEQUENCE): DerReader {
    return new DerReader(this.read(tag, what).value, this.depth + 1);
  }

  /** Reader over the contents of a constructed element already read. */
  static inside(t: Tlv, depth = 1): DerReader {
    return new DerReader(t.value, depth);
  }

  child(t: Tlv): DerReader {
    return new DerReader(t.value, this.depth + 1);
  }

  integer(what = 'INTEGER'): Uint8Array {
    return checkInteger(this.read(Tag.INTEGER, what).value, what);
  }

  /** A small non-negative INTEGER as a number. */
  smallInt(what = 'INTEGER'): number {
    return intToNumber(this.integer(what), what);
  }

  boolean(what = 'BOOLEAN'): boolean {
    return decodeBoolean(this.read(Tag.BOOLEAN, what).value, what);
  }

  oid(what = 'OBJECT IDENTIFIER'): string {
    return decodeOid(this.read(Tag.OID, what).value);
  }

  null(what = 'NULL'): void {
    if (this.read(Tag.NULL, what).value.length !== 0) throw new DerError(`${what}: NULL with contents`);
  }

  octetString(what = 'OCTET STRING'): Uint8Array {
    return this.read(Tag.OCTET_STRING, what).value;
  }

  /** A BIT STRING whose length is a whole number of octets (keys, signatures). */
  bitStringOctets(what = 'BIT STRING'): Uint8Array {
    const bs = decodeBitString(this.read(Tag.BIT_STRING, what).value, what);
    if (bs.unusedBits !== 0) throw new DerError(`${what}: not a whole number of octets`);
    return bs.bytes;
  }
}

/** Primitive universal types must use the primitive form in DER (X.690 §10.2). */
function checkPrimitiveForm(t: Tlv): void {
  const cls = t.tag & 0xc0;
  if (cls !== 0) return;
  const num = t.tag & 0x1f;
  const constructed = (t.tag & 0x20) !== 0;
  if (num === 0x10 || num === 0x11) {
    if (!constructed) throw new DerError('SEQUENCE/SET must be constructed');
  } else if (constructed) {
    throw new DerError('constructed encoding of a primitive type is not DER');
  }
}

export function checkInteger(v: Uint8Array, what = 'INTEGER'): Uint8Array {
  if (v.length === 0) throw new DerError(`${what}: empty INTEGER`);
  // X.690 §8.3.2: the first nine bits must not be all zeros or all ones.
  if (v.length > 1 && ((v[0] === 0x00 && (v[1]! & 0x80) === 0) || (v[0] === 0xff && (v[1]! & 0x80) !== 0))) {
    throw new DerError(`${what}: non-minimal INTEGER`);
  }
  return v;
}

export function intToNumber(v: Uint8Array, what = 'INTEGER'): number {
  if (v[0]! & 0x80) throw new DerError(`${what}: negative`);
  if (v.length > 6) throw new DerError(`${what}: too large`);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Unsigned big-endian bytes of a non-negative INTEGER as a bigint. */
export function intToBigint(v: Uint8Array, what = 'INTEGER'): bigint {
  if (v[0]! & 0x80) throw new DerError(`${what}: negative`);
  // Through hex: linear in the length (shifting a growing bigint byte by byte is quadratic).
  let hex = '';
  for (const b of v) hex += HEX[b]!;
  return hex === '' ? 0n : BigInt('0x' + hex);
}

export function decodeBoolean(v: Uint8Array, what = 'BOOLEAN'): boolean {
  // X.690 §11.1: DER TRUE is 0xFF.
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError(`${what}: invalid BOOLEAN`);
  return v[0] === 0xff;
}

export function decodeBitString(v: Uint8Array, what = 'BIT STRING'): { unusedBits: number; bytes: Uint8Array } {
  if (v.length === 0) throw new DerError(`${what}: empty BIT STRING`);
  const unused = v[0]!;
  if (unused > 7 || (v.length === 1 && unused !== 0)) throw new DerError(`${what}: invalid unused-bits count`);
  // X.690 §11.2.1: unused bits are zero in DER.
  if (unused !== 0 && (v[v.length - 1]! & ((1 << unused) - 1)) !== 0) throw new DerError(`${what}: non-zero unused bits`);
  return { unusedBits: unused, bytes: v.subarray(1) };
}

export function decodeOid(v: Uint8Array): string {
  if (v.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  if (v.length > 64) throw new DerError('OBJECT IDENTIFIER too long');
  const parts: string[] = [];
  let n = 0;
  let started = false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i]!;
    // X.690 §8.19.2: no leading 0x80 octets in a sub-identifier.
    if (!started && b === 0x80) throw new DerError('non-minimal OBJECT IDENTIFIER');
    started = true;
    n = n * 128 + (b & 0x7f);
    if (n > Number.MAX_SAFE_INTEGER / 256) throw new DerError('OBJECT IDENTIFIER arc too large');
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = n < 40 ? 0 : n < 80 ? 1 : 2;
        parts.push(String(first), String(n - first * 40));
      } else {
        parts.push(String(n));
      }
      n = 0;
      started = false;
    }
  }
  if (started) throw new DerError('truncated OBJECT IDENTIFIER');
  return parts.join('.');
}

/**
 * UTCTime / GeneralizedTime as RFC 5280 §4.1.2.5 profiles them: UTCTime is
 * exactly YYMMDDHHMMSSZ (YY ≥ 50 → 19YY), GeneralizedTime exactly
 * YYYYMMDDHHMMSSZ (no fractions, always Z). Returns milliseconds since epoch.
 */
export function decodeTime(t: Tlv, what = 'time'): number {
  const s = ascii(t.value);
  let year: number;
  let rest: string;
  if (t.tag === Tag.UTCTime) {
    if (!/^\d{12}Z$/.test(s)) throw new DerError(`${what}: UTCTime must be YYMMDDHHMMSSZ`);
    const yy = Number(s.slice(0, 2));
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = s.slice(2);
  } else if (t.tag === Tag.GeneralizedTime) {
    if (!/^\d{14}Z$/.test(s)) throw new DerError(`${what}: GeneralizedTime must be YYYYMMDDHHMMSSZ`);
    year = Number(s.slice(0, 4));
    rest = s.slice(4);
  } else {
    throw new DerError(`${what}: expected UTCTime or GeneralizedTime`);
  }
  const month = Number(rest.slice(0, 2));
  const day = Number(rest.slice(2, 4));
  const hour = Number(rest.slice(4, 6));
  const minute = Number(rest.slice(6, 8));
  const second = Number(rest.slice(8, 10));
  const dim = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > dim[month - 1]! || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`${what}: invalid date`);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function ascii(v: Uint8Array): string {
  let s = '';
  for (const b of v) s += String.fromCharCode(b);
  return s;
}
