/**
 * The server's 0-RTT decision and its EndOfEarlyData state (RFC 8446 §2.3,
 * §4.2.10, §4.5, §8).
 *
 * Early data is accepted only when all hold: we allow it (`maxEarlyData` >
 * 0) and the ticket was issued with it; the client offered early_data with
 * its first PSK identity (§4.2.10: "the server MUST verify that ... the
 * selected_identity is 0"), in its first ClientHello (never after a
 * HelloRetryRequest); the cipher suite and ALPN protocol are the ticket's
 * (§4.2.10); the ticket age the client reports is fresh (§8.3); the binder
 * was never seen (§8.2, the strike register, which records it whatever the
 * application then decides); and the application agrees.
 * Otherwise the early data is skipped (§4.2.10) and the handshake goes on.
 */
import { unexpected, type HandshakeState } from '../common/context.js';
import type { ClientHelloExtensions } from '../extensions/parse.js';
import type { HandshakeMessage } from '../messages/index.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import type { ServerContext } from './context.js';
import { ExpectClientFinished } from './expect-client-flight.js';

export function acceptEarlyData(ctx: ServerContext, ext: ClientHelloExtensions, suite: CipherSuite): boolean {
  const c = ctx.config;
  const psk = ctx.psk;
  if (!ext.earlyData || !psk || c.maxEarlyData === 0 || psk.state.maxEarlyData === 0) return false;
  if (psk.index !== 0 || ctx.hrr) return false;
  if (psk.state.suite !== suite.code || psk.state.alpn !== ctx.alpnProtocol) return false;
  const now = c.now().getTime();
  const clientAge = (psk.obfuscatedAge - psk.state.ageAdd) >>> 0;
  if (!c.antiReplay.fresh(clientAge, now - psk.state.time)) return false;
  // §8.2: the strike register records this ClientHello before the application decides.
  // Were it recorded only when accepted, a ClientHello whose 0-RTT acceptEarlyData refused
  // (the client then sends its data again in 1-RTT, §4.2.10) could be replayed while the
  // application accepts, and the same request would be processed twice.
  if (!c.antiReplay.firstUse(psk.binder, now)) return false;
  return !c.acceptEarlyData || c.acceptEarlyData({ servername: ctx.servername, alpnProtocol: ctx.alpnProtocol, peerCertificates: psk.state.peerCertificates });
}

/** §4.5: after accepted 0-RTT data the client sends EndOfEarlyData under the early key, then its handshake flight. */
export class ExpectEndOfEarlyData implements HandshakeState {
  readonly name = 'ExpectEndOfEarlyData';

  constructor(private readonly ctx: ServerContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'end_of_early_data') throw unexpected(this.name, m);
    const ctx = this.ctx;
    ctx.trace('received', m);
    ctx.transcript.add(raw);
    ctx.io.endEarlyData(true);
    await ctx.io.setReadKey(ctx.requireSuite(), ctx.clientHandshakeSecret!);
    return new ExpectClientFinished(ctx);
  }
}
