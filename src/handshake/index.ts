/** puretls/handshake: the TLS 1.3 handshake messages codec, key schedule and state machines. */
export * from './messages/index.js';
export type { Extension } from './extensions/list.js';
export { checkAllowed, checkSolicited, type ExtensionContext } from './extensions/allowed.js';
export * from './extensions/parse.js';
export * from './key-schedule.js';
export * from '../crypto/cipher-suites.js';
export { hkdfExpandLabel } from '../crypto/hkdf-label.js';
export { trafficKeys, type TrafficKeys } from '../record/index.js';
export type * from './types.js';
export { Transcript } from './transcript.js';
export { resolveClientConfig, resolveServerConfig, DEFAULT_GROUPS, type ResolvedClient, type ResolvedServer } from './config.js';
export { startClient } from './client/index.js';
export { startServer } from './server/index.js';
export type { HandshakeIo, HandshakeResult } from './common/io.js';
export type { HandshakeState } from './common/context.js';
export { alertForCertificateCode } from './common/peer-certificate.js';
