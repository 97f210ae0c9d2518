/** EncryptedExtensions, RFC 8446 §4.3.1: Extension extensions<0..2^16-1>. */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';
import { readExtensions, writeExtensions, type Extension } from '../extensions/list.js';

export interface EncryptedExtensions {
  readonly type: 'encrypted_extensions';
  readonly extensions: readonly Extension[];
}

export function decodeEncryptedExtensions(r: Reader): EncryptedExtensions {
  return { type: 'encrypted_extensions', extensions: readExtensions(r, 0) };
}

export function encodeEncryptedExtensions(w: Writer, m: EncryptedExtensions): void {
  writeExtensions(w, m.extensions);
}
