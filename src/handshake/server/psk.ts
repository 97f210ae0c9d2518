/**
 * The server's choice of a PSK from the ClientHello's pre_shared_key
 * (RFC 8446 §4.2.9–4.2.11, §4.6.1).
 *
 * For each offered identity (at most MAX_IDENTITIES_TRIED, to bound the
 * work a client can ask for) the ticket is opened with our ticket keys; the
 * first that opens and whose cipher suite has the negotiated suite's hash is
 * selected. Its binder is then verified, in constant time, before anything
 * else in the ticket is used: a wrong binder → decrypt_error (§4.2.11:
 * "If this value is not present or does not validate, the server MUST abort
 * the handshake"). Only then are the ticket's lifetime, server name, ALPN
 * protocol and client authentication compared with this handshake. Any
 * ticket we cannot use (unknown or retired key, failed decryption, other
 * hash, expired, other name or protocol) means a full handshake, never an
 * error (§4.2.11: the server "MUST ... ignore" PSKs it cannot use).
 */
import { TlsError } from '../../errors.js';
import { bytesEqual, constantTimeEqual } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import type { ClientHelloExtensions } from '../extensions/parse.js';
import { EarlySecret } from '../key-schedule.js';
import { PskKeyExchangeMode } from '../messages/types.js';
import { computeBinder, truncateClientHello } from '../resumption/binder.js';
import { decodeTicketState, sessionAlive, type TicketState } from '../resumption/session.js';
import type { ServerContext } from './context.js';

/** Identities opened per ClientHello at most (each is an AEAD open). */
export const MAX_IDENTITIES_TRIED = 4;

export interface AcceptedPsk {
  /** selected_identity. */
  readonly index: number;
  readonly state: TicketState;
  readonly early: EarlySecret;
  /** psk_dhe_ke (with our key share) or psk_ke. */
  readonly dhe: boolean;
  /** The client's obfuscated_ticket_age for this identity. */
  readonly obfuscatedAge: number;
  /** Its binder (the 0-RTT strike register's key, §8.2). */
  readonly binder: Uint8Array;
  /** An external PSK (§2.2) rather than a ticket. */
  readonly external: boolean;
}

/** The hash of the first offered identity that is one of our external PSKs (it steers the suite choice). */
export function externalPskHash(ctx: ServerContext, ext: ClientHelloExtensions): string | undefined {
  if (!ext.preSharedKey || ctx.config.externalPsks.length === 0) return undefined;
  for (const id of ext.preSharedKey.identities.slice(0, MAX_IDENTITIES_TRIED)) {
    const p = ctx.config.externalPsks.find((x) => bytesEqual(x.identity, id.identity));
    if (p) return p.hash;
  }
  return undefined;
}

/** One of our external PSKs with this identity and the suite's hash, as a ticket-like state. */
function externalState(ctx: ServerContext, identity: Uint8Array, suite: CipherSuite, now: number): TicketState | undefined {
  const p = ctx.config.externalPsks.find((x) => bytesEqual(x.identity, identity));
  if (!p || p.hash !== suite.hash) return undefined;
  return {
    suite: suite.code, psk: p.key.slice(), time: now, lifetime: 1, ageAdd: 0, maxEarlyData: 0,
    alpn: ctx.alpnProtocol, servername: ctx.servername, peerCertificates: [], peerVerified: false,
  };
}

/** The key exchange mode to use with a PSK: our preference among the client's modes. */
export function pskMode(ctx: ServerContext, ext: ClientHelloExtensions, canDhe: boolean): 'dhe' | 'ke' | undefined {
  const offered = ext.pskModes ?? [];
  for (const m of ctx.config.pskModes) {
    if (!offered.includes(m)) continue;
    if (m === PskKeyExchangeMode.psk_dhe_ke && canDhe) return 'dhe';
    if (m === PskKeyExchangeMode.psk_ke) return 'ke';
  }
  return undefined;
}

export async function choosePsk(
  ctx: ServerContext, raw: Uint8Array, ext: ClientHelloExtensions, suite: CipherSuite, mode: 'dhe' | 'ke', alpn: string | undefined,
): Promise<AcceptedPsk | undefined> {
  const offered = ext.preSharedKey;
  const c = ctx.config;
  if (!offered) return undefined;
  const now = c.now().getTime();
  let index = -1;
  let state: TicketState | undefined;
  let external = false;
  const n = Math.min(offered.identities.length, MAX_IDENTITIES_TRIED);
  for (let i = 0; i < n && !state; i++) {
    const ext = externalState(ctx, offered.identities[i]!.identity, suite, now);
    if (ext) {
      index = i;
      state = ext;
      external = true;
      break;
    }
    if (c.sessionTickets === 0) continue; // resumption off: tickets are not even opened
    const pt = await c.ticketKeys.open(c.provider, now, offered.identities[i]!.identity);
    if (!pt) continue;
    let s: TicketState;
    try {
      s = decodeTicketState(pt);
    } catch {
      continue; // sealed by us but not a state we understand (another version): unusable
    }
    // §4.2.11: the PSK must go with the cipher suite's hash.
    if (s.psk.length !== suite.hashLength || !c.suites.some((x) => x.code === s.suite && x.hash === suite.hash)) continue;
    index = i;
    state = s;
  }
  if (!state) return undefined;

  // §4.2.11.2: the binder over the truncated ClientHello (after an HRR, over
  // message_hash, HelloRetryRequest and the truncated ClientHello2, §4.4.1).
  const truncated = truncateClientHello(raw, offered.binders);
  const h = ctx.hrr ? ctx.transcript.hashWith(truncated) : c.provider.hash(suite.hash).digest(truncated);
  const early = new EarlySecret(c.provider, suite, state.psk);
  const expected = computeBinder(c.provider, suite, early, !external, h);
  if (!constantTimeEqual(expected, offered.binders[index]!)) {
    early.wipe();
    throw new TlsError('decrypt_error', 'pre_shared_key: binder does not verify');
  }

  // Now the ticket's content may be used: it must fit this handshake.
  const usable = external || (
    sessionAlive(state, now) &&
    state.servername === ctx.servername &&
    state.alpn === alpn &&
    // A server that now requires client certificates does not resume a session without one.
    !(c.clientAuth === 'require' && state.peerCertificates.length === 0));
  if (!usable) {
    early.wipe();
    return undefined;
  }
  return {
    index, state, early, dhe: mode === 'dhe', obfuscatedAge: offered.identities[index]!.obfuscatedTicketAge, binder: offered.binders[index]!.slice(), external,
  };
}
