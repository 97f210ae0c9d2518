/**
 * What a session ticket carries, in both roles (RFC 8446 §4.6.1, §2.2).
 *
 * Server: `TicketState` is the plaintext the server seals into the opaque
 * `ticket` of NewSessionTicket (stateless tickets; see ticket-keys.ts): the
 * PSK derived from the resumption master secret with the ticket_nonce, the
 * cipher suite, ALPN, SNI, creation time, ticket_age_add, max_early_data_size
 * and the client's authentication (its chain) for mutual TLS.
 *
 * Client: `ClientSession` is what the client keeps to resume: the ticket as
 * received, the same PSK, the server's lifetime, age_add and early-data
 * allowance, the time it was received, and what the first handshake learned
 * (ALPN, server name, the server's chain). `encodeClientSession` is the
 * opaque byte string handed to applications (Node's `session` Buffer): it
 * holds the PSK, so it is as secret as a key.
 */
import { Reader } from '../../codec/reader.js';
import { Writer } from '../../codec/writer.js';
import { fromUtf8, utf8 } from '../../util/bytes.js';

const TICKET_STATE_VERSION = 1;
const CLIENT_SESSION_VERSION = 1;

/** Fields both roles keep about the session the ticket resumes. */
export interface SessionBase {
  /** Cipher suite codepoint of the handshake that issued the ticket. */
  readonly suite: number;
  /** PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length). */
  readonly psk: Uint8Array;
  /** ms since 1970 (server: when issued; client: when received). */
  readonly time: number;
  /** ticket_lifetime, seconds. */
  readonly lifetime: number;
  readonly ageAdd: number;
  /** max_early_data_size (0: no 0-RTT with this ticket). */
  readonly maxEarlyData: number;
  readonly alpn: string | undefined;
  readonly servername: string | undefined;
  /** The peer's chain as it authenticated in the first handshake (DER, leaf first; empty when none). */
  readonly peerCertificates: readonly Uint8Array[];
  readonly peerVerified: boolean;
}

export type TicketState = SessionBase;

export interface ClientSession extends SessionBase {
  /** The opaque ticket (the PSK identity). */
  readonly ticket: Uint8Array;
}

function writeTime(w: Writer, ms: number): void {
  const t = Math.max(0, Math.floor(ms));
  w.u32(Math.floor(t / 0x100000000)).u32(t >>> 0);
}

function readTime(r: Reader): number {
  const hi = r.u32();
  return hi * 0x100000000 + r.u32();
}

function writeBase(w: Writer, s: SessionBase): void {
  w.u16(s.suite);
  writeTime(w, s.time);
  w.u32(s.lifetime).u32(s.ageAdd).u32(s.maxEarlyData);
  w.vec8(s.psk, 32, 64);
  w.vec8(s.alpn === undefined ? new Uint8Array(0) : utf8(s.alpn));
  w.vec16(s.servername === undefined ? new Uint8Array(0) : utf8(s.servername));
  w.u8(s.peerVerified ? 1 : 0);
  w.block(3, (w) => { for (const c of s.peerCertificates) w.vec24(c, 1); });
}

function readBase(r: Reader): SessionBase {
  const suite = r.u16();
  const time = readTime(r);
  const lifetime = r.u32();
  const ageAdd = r.u32();
  const maxEarlyData = r.u32();
  const psk = r.vec8(32, 64, 'psk').slice();
  const alpn = r.vec8();
  const name = r.vec16();
  const verified = r.u8();
  const peerCertificates = r.block(3, 0, 0xffffff, 'peer chain', (l) => {
    const out: Uint8Array[] = [];
    while (l.remaining > 0) out.push(l.vec24(1).slice());
    return out;
  });
  return {
    suite, time, lifetime, ageAdd, maxEarlyData, psk,
    alpn: alpn.length > 0 ? fromUtf8(alpn) : undefined,
    servername: name.length > 0 ? fromUtf8(name) : undefined,
    peerVerified: verified === 1,
    peerCertificates,
  };
}

export function encodeTicketState(s: TicketState): Uint8Array {
  const w = new Writer(256);
  w.u8(TICKET_STATE_VERSION);
  writeBase(w, s);
  return w.finish();
}

/** Throws decode_error on anything malformed (the caller treats that as an unusable ticket). */
export function decodeTicketState(b: Uint8Array): TicketState {
  const r = new Reader(b, 0, b.length, 'ticket state');
  if (r.u8() !== TICKET_STATE_VERSION) throw new Error('ticket state: unknown version');
  const s = readBase(r);
  r.expectEnd();
  return s;
}

export function encodeClientSession(s: ClientSession): Uint8Array {
  const w = new Writer(512);
  w.u8(CLIENT_SESSION_VERSION);
  w.vec16(s.ticket, 1);
  writeBase(w, s);
  return w.finish();
}

export function decodeClientSession(b: Uint8Array): ClientSession {
  const r = new Reader(b, 0, b.length, 'session');
  if (r.u8() !== CLIENT_SESSION_VERSION) throw new Error('session: unknown format version');
  const ticket = r.vec16(1, 0xffff, 'ticket').slice();
  const base = readBase(r);
  r.expectEnd();
  return { ...base, ticket };
}

/** RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds"; clients do not keep a ticket longer. */
export const MAX_TICKET_LIFETIME = 604800;

/** Is the session still within its lifetime at `nowMs`? */
export function sessionAlive(s: SessionBase, nowMs: number): boolean {
  const age = nowMs - s.time;
  return age >= 0 && age < Math.min(s.lifetime, MAX_TICKET_LIFETIME) * 1000;
}
