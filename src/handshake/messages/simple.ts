/**
 * The small handshake messages:
 *   Finished, RFC 8446 §4.4.4:  opaque verify_data[Hash.length];
 *     (the length is checked by the receiver, which knows the hash)
 *   KeyUpdate, §4.6.3:          KeyUpdateRequest request_update;  (u8)
 *   EndOfEarlyData, §4.5:       empty
 *   message_hash, §4.4.1:       the hash of ClientHello1 (synthetic, never on the wire)
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';

export interface Finished {
  readonly type: 'finished';
  readonly verifyData: Uint8Array;
}

export interface KeyUpdate {
  readonly type: 'key_update';
  /** 0 update_not_requested, 1 update_requested; other values are rejected by the receiver (illegal_parameter). */
  readonly requestUpdate: number;
}

export interface EndOfEarlyData {
  readonly type: 'end_of_early_data';
}

export interface MessageHash {
  readonly type: 'message_hash';
  readonly hash: Uint8Array;
}

export function decodeFinished(r: Reader): Finished {
  return { type: 'finished', verifyData: r.rest() };
}
export function encodeFinished(w: Writer, m: Finished): void {
  w.bytes(m.verifyData);
}

export function decodeKeyUpdate(r: Reader): KeyUpdate {
  return { type: 'key_update', requestUpdate: r.u8() };
}
export function encodeKeyUpdate(w: Writer, m: KeyUpdate): void {
  w.u8(m.requestUpdate);
}

export function decodeEndOfEarlyData(_r: Reader): EndOfEarlyData {
  return { type: 'end_of_early_data' };
}

export function decodeMessageHash(r: Reader): MessageHash {
  return { type: 'message_hash', hash: r.rest() };
}
export function encodeMessageHash(w: Writer, m: MessageHash): void {
  w.bytes(m.hash);
}
