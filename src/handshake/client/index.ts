/** The TLS 1.3 client handshake: build and send ClientHello, then the states of RFC 8446 §A.1. */
import type { ResolvedClient } from '../config.js';
import type { HandshakeState } from '../common/context.js';
import type { HandshakeIo } from '../common/io.js';
import { buildClientHello } from './client-hello.js';
import { ClientContext } from './context.js';
import { ExpectServerHello } from './expect-server-hello.js';

export { ClientContext } from './context.js';

/** Send the first ClientHello; returns the context and the first state. */
export async function startClient(config: ResolvedClient, io: HandshakeIo): Promise<{ ctx: ClientContext; state: HandshakeState }> {
  const ctx = new ClientContext(config, io);
  const hello = await buildClientHello(ctx);
  ctx.hello = hello;
  ctx.send(hello);
  return { ctx, state: new ExpectServerHello(ctx) };
}
