/**
 * record_size_limit, RFC 8449 §4:  uint16 RecordSizeLimit;
 * The largest TLSInnerPlaintext (content, content type and padding, in TLS
 * 1.3) the sender is willing to receive in a protected record.
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

/** RFC 8449 §4: "Endpoints MUST NOT send a "record_size_limit" extension with a value smaller than 64." */
export const MIN_RECORD_SIZE_LIMIT = 64;
/** RFC 8449 §4: the protocol-defined maximum for TLS 1.3 is 2^14 + 1 (the content type byte included). */
export const TLS13_RECORD_SIZE_LIMIT = (1 << 14) + 1;

export function encodeRecordSizeLimit(limit: number): Extension {
  return { type: ExtensionType.record_size_limit, data: new Writer(2).u16(limit).finish() };
}

/** The peer's value: exactly two bytes (else decode_error), at least 64 (else illegal_parameter). */
export function decodeRecordSizeLimit(d: Uint8Array): number {
  const r = new Reader(d, 0, d.length, 'record_size_limit');
  const v = r.u16();
  r.expectEnd();
  if (v < MIN_RECORD_SIZE_LIMIT) {
    throw new TlsError('illegal_parameter', `record_size_limit ${v} is below ${MIN_RECORD_SIZE_LIMIT} (RFC 8449 §4)`);
  }
  return v;
}
