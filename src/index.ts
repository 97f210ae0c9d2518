/**
 * puretls: TLS 1.3 (RFC 8446) in TypeScript. The root entry is for Node:
 * everything in puretls/core plus the Node adapter (connect, createServer,
 * secureStream) and the node:crypto provider. Portable code imports
 * 'puretls/core' (or 'puretls/web').
 */
export * from './core.js';
export { nodeProvider } from './crypto/node-provider.js';
export {
  connect, createServer, secureStream, Server, TlsSocket, TLSSocket, describeCertificate, createSecureContext, SecureContext,
  checkServerIdentity, rootCertificates, getCiphers, DEFAULT_MIN_VERSION, DEFAULT_MAX_VERSION, DEFAULT_CIPHERS, DEFAULT_ECDH_CURVE,
  UnsupportedOptionError,
} from './io/node.js';
export type {
  ConnectOptions, ServerOptions, SecureStreamOptions, SocketOptions, PeerCertificate, TLSSocketOptions, SecureContextOptions,
} from './io/node.js';

// The default export (and require('puretls'), src/index.cts): a plain object
// shaped like Node's `tls` module, its DEFAULT_* assignable (io/node/tls-module.ts).
import * as api from './index.js';
import { tlsModuleObject, type TlsModule } from './io/node/tls-module.js';
const tls: TlsModule<typeof api> = tlsModuleObject(api);
export default tls;
