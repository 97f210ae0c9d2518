/**
 * Extensions whose body is a single list of 16- or 8-bit codepoints:
 *   supported_groups:        NamedGroup named_group_list<2..2^16-1>            (RFC 8446 §4.2.7)
 *   signature_algorithms(_cert): SignatureScheme supported_signature_algorithms<2..2^16-2> (§4.2.3)
 *   supported_versions (CH): ProtocolVersion versions<2..254>                  (§4.2.1)
 *   supported_versions (SH/HRR): ProtocolVersion selected_version
 *   psk_key_exchange_modes:  PskKeyExchangeMode ke_modes<1..255>               (§4.2.9)
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

function readU16List(data: Uint8Array, lenBytes: 1 | 2, min: number, max: number, field: string): number[] {
  const r = new Reader(data, 0, data.length, field);
  const v = r.u16List(lenBytes, min, max, field);
  r.expectEnd();
  return v;
}

function writeU16List(type: number, values: readonly number[], lenBytes: 1 | 2, min: number, max: number): Extension {
  const w = new Writer(2 + values.length * 2);
  w.block(lenBytes, (w) => { for (const v of values) w.u16(v); }, min, max);
  return { type, data: w.finish() };
}

export const decodeSupportedGroups = (d: Uint8Array): number[] => readU16List(d, 2, 2, 0xffff, 'supported_groups');
export const encodeSupportedGroups = (groups: readonly number[]): Extension =>
  writeU16List(ExtensionType.supported_groups, groups, 2, 2, 0xffff);

export const decodeSignatureAlgorithms = (d: Uint8Array, field = 'signature_algorithms'): number[] =>
  readU16List(d, 2, 2, 0xfffe, field);
export const encodeSignatureAlgorithms = (schemes: readonly number[], cert = false): Extension =>
  writeU16List(cert ? ExtensionType.signature_algorithms_cert : ExtensionType.signature_algorithms, schemes, 2, 2, 0xfffe);

export const decodeSupportedVersionsClient = (d: Uint8Array): number[] =>
  readU16List(d, 1, 2, 254, 'supported_versions');
export const encodeSupportedVersionsClient = (versions: readonly number[]): Extension =>
  writeU16List(ExtensionType.supported_versions, versions, 1, 2, 254);

export function decodeSupportedVersionsServer(d: Uint8Array): number {
  const r = new Reader(d, 0, d.length, 'supported_versions');
  const v = r.u16();
  r.expectEnd();
  return v;
}
export function encodeSupportedVersionsServer(version: number): Extension {
  return { type: ExtensionType.supported_versions, data: new Writer(2).u16(version).finish() };
}

export function decodePskKeyExchangeModes(d: Uint8Array): number[] {
  const r = new Reader(d, 0, d.length, 'psk_key_exchange_modes');
  const modes = Array.from(r.vec8(1, 255, 'ke_modes'));
  r.expectEnd();
  return modes;
}
export function encodePskKeyExchangeModes(modes: readonly number[]): Extension {
  return { type: ExtensionType.psk_key_exchange_modes, data: new Writer(4).vec8(Uint8Array.from(modes), 1, 255).finish() };
}
