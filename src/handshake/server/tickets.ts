/**
 * NewSessionTicket after the handshake (RFC 8446 §4.6.1): `sessionTickets`
 * tickets (`sessionTicketsOnResumption` after a handshake that resumed one), each with its own ticket_nonce (so its own PSK) and a random
 * ticket_age_add, sealed under the server's ticket keys (ticket-keys.ts).
 * §4.2.9: a client that sent no psk_key_exchange_modes cannot use a ticket
 * and gets none.
 */
import { wipe } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import { encodeMaxEarlyDataSize } from '../extensions/psk.js';
import { resumptionPsk } from '../key-schedule.js';
import { encodeTicketState, type TicketState } from '../resumption/session.js';
import type { ServerContext } from './context.js';

export async function sendSessionTickets(ctx: ServerContext, suite: CipherSuite, resumptionMasterSecret: Uint8Array): Promise<void> {
  const c = ctx.config;
  const count = ctx.psk && !ctx.psk.external ? c.sessionTicketsOnResumption : c.sessionTickets;
  if (c.sessionTickets === 0 || count === 0 || !ctx.clientPskModes || ctx.clientPskModes.length === 0) return;
  const now = c.now().getTime();
  for (let i = 0; i < count; i++) {
    const nonce = new Uint8Array([i]);
    const r = c.random(4);
    const ageAdd = ((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0;
    const state: TicketState = {
      suite: suite.code,
      psk: resumptionPsk(c.provider, suite, resumptionMasterSecret, nonce),
      time: now,
      lifetime: c.ticketLifetime,
      ageAdd,
      maxEarlyData: c.maxEarlyData,
      alpn: ctx.alpnProtocol,
      servername: ctx.servername,
      peerCertificates: ctx.peerChain,
      peerVerified: ctx.peerVerified,
    };
    const plain = encodeTicketState(state);
    const ticket = await c.ticketKeys.seal(c.provider, c.random, now, plain);
    wipe(plain, state.psk);
    // §4.2.10: early_data in NewSessionTicket carries max_early_data_size, only when 0-RTT is on.
    const extensions = c.maxEarlyData > 0 ? [encodeMaxEarlyDataSize(c.maxEarlyData)] : [];
    ctx.send({ type: 'new_session_ticket', lifetime: c.ticketLifetime, ageAdd, nonce, ticket, extensions });
  }
}
