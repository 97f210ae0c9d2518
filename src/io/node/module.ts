/**
 * Members of Node's tls module that are values rather than functions of a
 * connection, with Node's meanings for what puretls speaks (TLS 1.3 only).
 */
import * as tls from 'node:tls';
import { ALL_CIPHER_SUITES } from '../../crypto/cipher-suites.js';
import { INITIAL_DEFAULTS } from './defaults.js';

/** Node's own tls.checkServerIdentity: it takes puretls's certificate objects (getPeerCertificate()'s shape). */
export const checkServerIdentity: typeof tls.checkServerIdentity = tls.checkServerIdentity;

/** The roots Node bundles (the default trust store, with NODE_EXTRA_CA_CERTS). */
export const rootCertificates: readonly string[] = tls.rootCertificates;

/** The cipher suites puretls implements, in Node's lower-case form (tls.getCiphers()). */
export function getCiphers(): string[] {
  return ALL_CIPHER_SUITES.map((s) => s.name.toLowerCase());
}

/**
 * Their initial values (TLS 1.3 both bounds, every suite, 'auto'). These
 * named exports are snapshots, as `import { DEFAULT_CIPHERS } from 'node:tls'`
 * is; the assignable ones are the default export's (tls-module.ts, defaults.ts).
 */
export const DEFAULT_MIN_VERSION: string = INITIAL_DEFAULTS.DEFAULT_MIN_VERSION;
export const DEFAULT_MAX_VERSION: string = INITIAL_DEFAULTS.DEFAULT_MAX_VERSION;
export const DEFAULT_CIPHERS: string = INITIAL_DEFAULTS.DEFAULT_CIPHERS;
export const DEFAULT_ECDH_CURVE: string = INITIAL_DEFAULTS.DEFAULT_ECDH_CURVE;
