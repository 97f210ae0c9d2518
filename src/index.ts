export { TlsError, AlertDescription, alertName } from './errors.js';
export type { AlertName } from './errors.js';
export * from './crypto/index.js';
export { Connection } from './connection/connection.js';
export type * from './connection/types.js';
