/**
 * puretls/core: the portable part of the library (no node: imports) — the
 * sans-I/O Connection, errors, crypto providers, certificates, and the Web
 * Streams adapter. Bundles for browsers, Workers and Deno unchanged.
 */
// The full portable library: the server role, 'webcrypto' and every group (puretls/web makes them opt-in).
import './io/full.js';

export { TlsError, AlertDescription, alertName } from './errors.js';
export type { AlertName } from './errors.js';
export * from './crypto/index.js';
export { Connection } from './connection/connection.js';
export type * from './connection/types.js';
export {
  verifyCertificateChain,
  parseCertificate,
  parsePrivateKey,
  pemDecode,
  pemEncode,
} from './x509/index.js';
export type { CertificateSummary, VerifyOptions, VerifyResult } from './x509/index.js';
export { secureWebStream } from './io/web.js';
export type { WebSecureOptions, SecureWebStream, ByteStreamPair } from './io/web.js';
export { connectWebSocket, webSocketStreams, WebSocketTransportError } from './io/websocket.js';
export type { WebSocketSecureOptions } from './io/websocket.js';
export { OptionError, clientConfig, serverConfig } from './io/options.js';
export type { ClientSecureOptions, ServerSecureOptions, CommonSecureOptions, KeyCertPair, PemInput, ProviderOption } from './io/options.js';
