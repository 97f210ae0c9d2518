/**
 * puretls: TLS 1.3 (RFC 8446) in TypeScript. The root entry is for Node:
 * everything in puretls/core plus the Node adapter (connect, createServer,
 * secureStream) and the node:crypto provider. Portable code imports
 * 'puretls/core' (or 'puretls/web').
 */
export * from './core.js';
export { nodeProvider } from './crypto/node-provider.js';
export { connect, createServer, secureStream, Server, TlsSocket, describeCertificate } from './io/node.js';
export type { ConnectOptions, ServerOptions, SecureStreamOptions, SocketOptions, PeerCertificate } from './io/node.js';
