/** Registers the server role with Connection (./server-role.ts). Idempotent. */
import { resolveServerConfig } from '../handshake/config.js';
import { startServer } from '../handshake/server/index.js';
import { registerServerRole } from './server-role.js';

export function enableServerRole(): void {
  registerServerRole({ resolve: resolveServerConfig, start: startServer });
}
