/**
 * NewSessionTicket, RFC 8446 §4.6.1:
 *   uint32 ticket_lifetime; uint32 ticket_age_add;
 *   opaque ticket_nonce<0..255>; opaque ticket<1..2^16-1>;
 *   Extension extensions<0..2^16-2>;
 */
import type { Reader } from '../../codec/reader.js';
import type { Writer } from '../../codec/writer.js';
import { readExtensions, writeExtensions, type Extension } from '../extensions/list.js';

export interface NewSessionTicket {
  readonly type: 'new_session_ticket';
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly nonce: Uint8Array;
  readonly ticket: Uint8Array;
  readonly extensions: readonly Extension[];
}

export function decodeNewSessionTicket(r: Reader): NewSessionTicket {
  const lifetime = r.u32();
  const ageAdd = r.u32();
  const nonce = r.vec8(0, 255, 'ticket_nonce');
  const ticket = r.vec16(1, 0xffff, 'ticket');
  const extensions = readExtensions(r, 0, 0xfffe);
  return { type: 'new_session_ticket', lifetime, ageAdd, nonce, ticket, extensions };
}

export function encodeNewSessionTicket(w: Writer, m: NewSessionTicket): void {
  w.u32(m.lifetime).u32(m.ageAdd).vec8(m.nonce, 0, 255).vec16(m.ticket, 1, 0xffff);
  writeExtensions(w, m.extensions, 0, 0xfffe);
}
