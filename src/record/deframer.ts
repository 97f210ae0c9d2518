/**
 * TLSPlaintext / TLSCiphertext framing, RFC 8446 §5.1–5.2: turns a byte
 * stream into records.
 *
 * Zero-copy where possible: a record that lies wholly inside a pushed chunk
 * is returned as a view of that chunk (do not mutate chunks after pushing
 * them). Only a record that straddles chunk boundaries is copied, into a
 * buffer of exactly its size, so the deframer never holds more than one
 * partial record (≤ 5 + 2^14 + 256 bytes) of its own.
 *
 * Each header byte is checked as soon as it arrives, so garbage (an HTTP
 * request, a TLS 1.2-only SSLv2 hello) fails on its first bytes instead of
 * waiting for 18 KB.
 */
import { TlsError } from '../errors.js';
import {
  contentTypeName,
  isKnownContentType,
  MAX_CIPHERTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  type ContentTypeValue,
} from './constants.js';

/** One record as framed on the wire. All fields are views; nothing is copied. */
export interface RawRecord {
  readonly type: ContentTypeValue;
  /** legacy_record_version (ignored for all purposes, RFC 8446 §5.1). */
  readonly version: number;
  /** The 5-byte header; the AAD of a protected record (RFC 8446 §5.2). */
  readonly header: Uint8Array;
  /** TLSPlaintext.fragment or TLSCiphertext.encrypted_record. */
  readonly fragment: Uint8Array;
}

/**
 * Check the header bytes available so far (`n` of 5). Throws TlsError.
 * RFC 8446 §5.1: unknown content type → unexpected_message; the length is
 * bounded by 2^14 + 256 (§5.2) → record_overflow. legacy_record_version is
 * "ignored for all purposes", but its major byte is always 3 for any TLS
 * peer: anything else is not TLS and is rejected at once as a malformed
 * record (decode_error, as rustls does for an unknown record version).
 */
export function checkRecordHeader(h: Uint8Array, offset: number, n: number): void {
  if (n >= 1) {
    const t = h[offset]!;
    if (!isKnownContentType(t)) {
      throw new TlsError('unexpected_message', `record: unknown content type ${t} (${contentTypeName(t)}); not a TLS peer?`, {
        code: 'unknown_content_type',
      });
    }
  }
  if (n >= 2 && h[offset + 1] !== 0x03) {
    throw new TlsError('decode_error', `record: legacy_record_version major ${h[offset + 1]} is not 3; not a TLS peer?`, {
      code: 'bad_record_version',
    });
  }
  if (n >= 5) {
    const len = (h[offset + 3]! << 8) | h[offset + 4]!;
    if (len > MAX_CIPHERTEXT_LENGTH) {
      throw new TlsError('record_overflow', `record: length ${len} exceeds 2^14 + 256 (RFC 8446 §5.2)`);
    }
  }
}

export class RecordDeframer {
  /** Partial record: its buffer (5 bytes while the header is incomplete). */
  private partial: Uint8Array | undefined;
  private partialFill = 0;
  private failed: TlsError | undefined;

  /** Bytes of an incomplete record held (0 when between records). */
  get bufferedBytes(): number {
    return this.partialFill;
  }

  /**
   * Feed bytes; `onRecord` is called for every complete record, in order.
   * Throws TlsError on a malformed header, after delivering every complete
   * record that preceded it; the deframer then stays failed.
   */
  push(chunk: Uint8Array, onRecord: (r: RawRecord) => void): void {
    if (this.failed) throw this.failed;
    try {
      this.pushInner(chunk, onRecord);
    } catch (e) {
      this.failed = TlsError.from(e);
      throw this.failed;
    }
  }

  private pushInner(chunk: Uint8Array, onRecord: (r: RawRecord) => void): void {
    let pos = 0;
    const end = chunk.length;

    // 1. Complete a partial record first.
    if (this.partial) {
      let p = this.partial;
      if (p.length === RECORD_HEADER_LENGTH && this.partialFill < RECORD_HEADER_LENGTH) {
        const take = Math.min(RECORD_HEADER_LENGTH - this.partialFill, end);
        p.set(chunk.subarray(0, take), this.partialFill);
        this.partialFill += take;
        pos = take;
        checkRecordHeader(p, 0, this.partialFill);
        if (this.partialFill < RECORD_HEADER_LENGTH) return;
        const len = (p[3]! << 8) | p[4]!;
        const full = new Uint8Array(RECORD_HEADER_LENGTH + len);
        full.set(p);
        this.partial = p = full;
      }
      const take = Math.min(p.length - this.partialFill, end - pos);
      p.set(chunk.subarray(pos, pos + take), this.partialFill);
      this.partialFill += take;
      pos += take;
      if (this.partialFill < p.length) return;
      this.partial = undefined;
      this.partialFill = 0;
      onRecord(makeRecord(p, 0, p.length));
    }

    // 2. Whole records inside the chunk: views, no copies.
    while (end - pos >= RECORD_HEADER_LENGTH) {
      checkRecordHeader(chunk, pos, RECORD_HEADER_LENGTH);
      const len = (chunk[pos + 3]! << 8) | chunk[pos + 4]!;
      const recEnd = pos + RECORD_HEADER_LENGTH + len;
      if (recEnd > end) break;
      onRecord(makeRecord(chunk, pos, recEnd));
      pos = recEnd;
    }

    // 3. Keep the tail (bounded: at most one record).
    if (pos < end) {
      const rest = end - pos;
      checkRecordHeader(chunk, pos, Math.min(rest, RECORD_HEADER_LENGTH));
      let buf: Uint8Array;
      if (rest < RECORD_HEADER_LENGTH) {
        buf = new Uint8Array(RECORD_HEADER_LENGTH);
      } else {
        const len = (chunk[pos + 3]! << 8) | chunk[pos + 4]!;
        buf = new Uint8Array(RECORD_HEADER_LENGTH + len);
      }
      buf.set(chunk.subarray(pos, end));
      this.partial = buf;
      this.partialFill = rest;
    }
  }
}

function makeRecord(buf: Uint8Array, start: number, end: number): RawRecord {
  return {
    type: buf[start] as ContentTypeValue,
    version: (buf[start + 1]! << 8) | buf[start + 2]!,
    header: buf.subarray(start, start + RECORD_HEADER_LENGTH),
    fragment: buf.subarray(start + RECORD_HEADER_LENGTH, end),
  };
}
