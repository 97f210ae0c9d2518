/**
 * The server role of Connection, reached through a registration instead of
 * an import: `Connection.server` asks `serverRole()`, so a bundle of a client
 * (puretls/web) does not carry the server state machine, its resumption
 * (ticket keys, anti-replay) and its configuration. `enableServerRole()`
 * (./enable-server.ts) registers it; `puretls/web/server` and every other
 * entry point (puretls, puretls/core, puretls/node, puretls/bun) call it on
 * load.
 */
import type { HandshakeState } from '../handshake/common/context.js';
import type { HandshakeContext } from '../handshake/common/context.js';
import type { HandshakeIo } from '../handshake/common/io.js';
import type { ResolvedServer } from '../handshake/config.js';
import { TlsError } from '../errors.js';
import type { ServerConfig } from './types.js';

export interface ServerRole {
  resolve(config: ServerConfig): ResolvedServer;
  start(config: ResolvedServer, io: HandshakeIo): { ctx: HandshakeContext; state: HandshakeState };
}

let registered: ServerRole | undefined;

export function registerServerRole(role: ServerRole): void {
  registered = role;
}

/** The registered server role; a clear error naming the import when there is none. */
export function serverRole(): ServerRole {
  if (!registered) {
    throw new TlsError('internal_error', "the TLS server role is not part of puretls/web's default build: add `import 'puretls/web/server';` (or use puretls/core)", { code: 'bad_config' });
  }
  return registered;
}
