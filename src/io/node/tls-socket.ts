/**
 * Node's `new tls.TLSSocket(socket, options)`: TLS over an existing stream
 * (STARTTLS), with Node's constructor. Starts at once, like secureStream().
 * A client checks the server's certificate against `servername || host ||
 * 'localhost'`, as Node's tls.connect does (Node's bare TLSSocket checks no
 * name at all; puretls always does, unless `checkServerName: false`).
 */
import type { Duplex } from 'node:stream';
import { UnsupportedOptionError } from '../options.js';
import { nodeClientConfig, nodeServerConfig, type SecureStreamOptions } from './options.js';
import { TlsSocket } from './socket.js';

export interface TLSSocketOptions extends SecureStreamOptions {
  /** Refused: Node uses it to re-emit server events; use createServer() for a server. */
  server?: never;
}

export class TLSSocket extends TlsSocket {
  constructor(socket: Duplex, options: TLSSocketOptions = {}) {
    if ((options as { server?: unknown }).server != null) {
      throw new UnsupportedOptionError('server', "TLSSocket's server option is not implemented; use createServer() to accept connections");
    }
    const { isServer, ...rest } = options;
    const config = isServer ? nodeServerConfig(rest, 'secureStream', options) : nodeClientConfig(rest, 'secureStream');
    super(socket, config, isServer ? 'server' : 'client', options);
  }
}
