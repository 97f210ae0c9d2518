/**
 * Crypto entry point ('puretls/crypto'): the provider interface, the pure and
 * WebCrypto providers, and the TLS SignatureScheme table. The node:crypto
 * provider has its own entry ('puretls/crypto/node') so portable bundles
 * never pull in node:crypto.
 */
export type * from './provider.js';
import { enableExtraPureGroups } from './pure/groups-extra.js';

// puretls/crypto's pure provider is the full one (puretls/web registers only the default groups).
enableExtraPureGroups();

export { pureProvider } from './pure/index.js';
export { webCryptoProvider } from './webcrypto/index.js';
export { secureRandomBytes } from './random.js';
export {
  SIGNATURE_SCHEMES, schemeByCode, schemeByName, schemesForKey, keyMatchesScheme, isTls13SignatureScheme,
  type SignatureScheme, type SchemeKey,
} from './schemes.js';
export { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js';
export { GROUP_CODEPOINTS } from './group-rules.js';
