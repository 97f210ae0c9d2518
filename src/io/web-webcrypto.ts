/**
 * puretls/web/webcrypto: makes `provider: 'webcrypto'` available in
 * puretls/web (AEAD, key exchange and signatures through crypto.subtle),
 * which a bundle using the pure provider leaves out. Import it once:
 *
 *   import 'puretls/web/webcrypto';
 *
 * (or pass the provider object it exports: `provider: webCryptoProvider`).
 * Every other entry point knows 'webcrypto' already.
 */
import { webCryptoProvider } from '../crypto/webcrypto/index.js';
import { registerNamedProvider } from './options.js';

registerNamedProvider(webCryptoProvider);

export { webCryptoProvider };
