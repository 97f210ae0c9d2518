/** The TLS 1.3 server handshake: the states of RFC 8446 §A.2, starting at ExpectClientHello. */
import type { ResolvedServer } from '../config.js';
import type { HandshakeState } from '../common/context.js';
import type { HandshakeIo } from '../common/io.js';
import { ServerContext } from './context.js';
import { ExpectClientHello } from './expect-client-hello.js';

export { ServerContext } from './context.js';

export function startServer(config: ResolvedServer, io: HandshakeIo): { ctx: ServerContext; state: HandshakeState } {
  const ctx = new ServerContext(config, io);
  return { ctx, state: new ExpectClientHello(ctx) };
}
