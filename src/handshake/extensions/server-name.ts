/**
 * server_name, RFC 6066 §3 (RFC 8446 §4.2):
 *   struct { NameType name_type; select (name_type) { case host_name: HostName; } } ServerName;
 *   opaque HostName<1..2^16-1>;
 *   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
 * In EncryptedExtensions the server acknowledges with an empty body.
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { TlsError } from '../../errors.js';
import { fromUtf8, utf8 } from '../../util/bytes.js';
import { ExtensionType } from '../messages/types.js';
import type { Extension } from './list.js';

const HOST_NAME = 0;

/** Decode a ClientHello server_name; returns the host_name (undefined if none of that type). */
export function decodeServerName(data: Uint8Array): string | undefined {
  const r = new Reader(data, 0, data.length, 'server_name');
  let host: string | undefined;
  r.block(2, 1, 0xffff, 'server_name_list', (l) => {
    const seen = new Set<number>();
    while (l.remaining > 0) {
      const type = l.u8();
      const name = l.vec16(1, 0xffff, 'HostName');
      // RFC 6066 §3: "MUST NOT contain more than one name of the same name_type".
      if (seen.has(type)) throw new TlsError('illegal_parameter', 'server_name: duplicate name_type');
      seen.add(type);
      if (type !== HOST_NAME) continue;
      // A HostName is ASCII (an A-label DNS name), no trailing dot (RFC 6066 §3).
      for (const c of name) {
        if (c <= 0x20 || c >= 0x7f) throw new TlsError('illegal_parameter', 'server_name: HostName is not printable ASCII');
      }
      host = fromUtf8(name).toLowerCase();
    }
  });
  r.expectEnd();
  return host;
}

export function encodeServerName(host: string): Extension {
  const w = new Writer(host.length + 5);
  w.block(2, (w) => w.u8(HOST_NAME).vec16(utf8(host), 1, 0xffff), 1, 0xffff);
  return { type: ExtensionType.server_name, data: w.finish() };
}

/** The server's acknowledgement in EncryptedExtensions: empty extension_data. */
export function encodeServerNameAck(): Extension {
  return { type: ExtensionType.server_name, data: new Uint8Array(0) };
}

/** RFC 6066 §3: SNI carries DNS names, not IP literals. */
export function isIpLiteral(name: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return true;
  return name.includes(':') || (name.startsWith('[') && name.endsWith(']'));
}
