/**
 * The server side of secureWebStream's options (`isServer: true`), reached
 * through a registration so that a bundle of a client (puretls/web) does not
 * carry server configuration (ticket keys, SNI selection). `puretls/web/server`
 * (./web-server.ts) and every other entry point register ./options.ts's
 * `serverConfig`.
 */
import type { ServerConfig } from '../connection/types.js';
import { OptionError, type ServerSecureOptions } from './options.js';

let registered: ((o: ServerSecureOptions) => ServerConfig) | undefined;

export function registerServerOptions(f: (o: ServerSecureOptions) => ServerConfig): void {
  registered = f;
}

/** ServerConfig from the options of a server-role secureWebStream; a clear error naming the import when the role is not registered. */
export function webServerConfig(o: ServerSecureOptions): ServerConfig {
  if (!registered) {
    throw new OptionError("isServer: the TLS server role is not part of puretls/web's default build: add `import 'puretls/web/server';` (or use puretls/core)");
  }
  return registered(o);
}
