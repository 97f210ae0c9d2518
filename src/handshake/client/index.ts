/** The TLS 1.3 client handshake: build and send ClientHello, then the states of RFC 8446 §A.1. */
import type { ResolvedClient } from '../config.js';
import type { HandshakeState } from '../common/context.js';
import type { HandshakeIo } from '../common/io.js';
import { buildClientHello } from './client-hello.js';
import { ClientContext } from './context.js';
import { ExpectServerHello } from './expect-server-hello.js';
import type { ClientContext as Ctx } from './context.js';

/**
 * RFC 8446 §2.3: with early_data offered, the client's 0-RTT data follows
 * the ClientHello under client_early_traffic_secret (§7.1, over the
 * ClientHello); §D.4: the compatibility CCS goes right after the ClientHello.
 */
async function beginEarlyData(ctx: Ctx, raw: Uint8Array): Promise<void> {
  const offer = ctx.psk!;
  const c = ctx.config;
  const cets = offer.early.clientEarlyTrafficSecret(c.provider.hash(offer.suite.hash).digest(raw));
  ctx.keyLog(cets);
  if (c.middleboxCompat && !ctx.ccsSent) {
    ctx.io.sendChangeCipherSpec();
    ctx.ccsSent = true;
  }
  await ctx.io.setWriteKey(offer.suite, cets.secret);
  cets.secret.fill(0);
  ctx.io.beginEarlyData(offer.session.maxEarlyData);
}

export { ClientContext } from './context.js';

/** Send the first ClientHello; returns the context and the first state. */
export async function startClient(config: ResolvedClient, io: HandshakeIo): Promise<{ ctx: ClientContext; state: HandshakeState }> {
  const ctx = new ClientContext(config, io);
  const hello = await buildClientHello(ctx);
  ctx.hello = hello;
  const raw = ctx.send(hello);
  if (ctx.earlyOffered) await beginEarlyData(ctx, raw);
  return { ctx, state: new ExpectServerHello(ctx) };
}
