/**
 * Node adapter: TLS 1.3 over a Node Duplex (a net.Socket or anything else),
 * shaped like Node's `tls`: connect(), createServer(), secureStream(),
 * createSecureContext(). One concern per file under src/io/node/:
 * socket.ts (TlsSocket), connect.ts, server.ts, options.ts (Node's options:
 * honoured or refused), trust.ts (default roots), certificate.ts
 * (getPeerCertificate's shape), verify-codes.ts (authorizationError codes),
 * pkcs12.ts (pfx), handshake-record.ts (getFinished & co.), tls-socket.ts
 * (Node's TLSSocket constructor), module.ts (tls's constant members).
 */
import './full.js';

export { TlsSocket, type NodeAcceptEarlyData, type SocketOptions } from './node/socket.js';
export { TLSSocket, type TLSSocketOptions } from './node/tls-socket.js';
export {
  checkServerIdentity,
  rootCertificates,
  getCiphers,
  DEFAULT_MIN_VERSION,
  DEFAULT_MAX_VERSION,
  DEFAULT_CIPHERS,
  DEFAULT_ECDH_CURVE,
} from './node/module.js';
export { connect, secureStream } from './node/connect.js';
export { Server, createServer } from './node/server.js';
export {
  createSecureContext,
  SecureContext,
  nodeClientConfig,
  nodeServerConfig,
  resolveNodeProvider,
  NODE_OPTIONS_REFUSED,
  type ConnectOptions,
  type ServerOptions,
  type SecureStreamOptions,
  type SecureContextOptions,
  type NodeKeyInput,
  type NodeProviderOption,
} from './node/options.js';
export { describeCertificate, type PeerCertificate } from './node/certificate.js';
export { nodeAuthorizationError } from './node/verify-codes.js';
export { OptionError, UnsupportedOptionError } from './options.js';
export type { ClientSecureOptions, ServerSecureOptions, KeyCertPair, PemInput } from './options.js';
