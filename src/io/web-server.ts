/**
 * puretls/web/server: adds the TLS server role to puretls/web
 * (`secureWebStream(transport, { isServer: true, cert, key })`), which a
 * browser client's bundle leaves out. Import it once, for its effect:
 *
 *   import 'puretls/web/server';
 *
 * Every other entry point (puretls, puretls/core, puretls/node, puretls/bun)
 * includes the server role already.
 */
import { enableServerRole } from '../connection/enable-server.js';
import { serverConfig } from './options.js';
import { registerServerOptions } from './server-options.js';

/** What importing this module does; callable again (idempotent), for code that prefers an explicit call. */
export function enableWebServer(): void {
  enableServerRole();
  registerServerOptions(serverConfig);
}

enableWebServer();
