/**
 * The WebCrypto provider: AEADs, key exchange and signatures through
 * `globalThis.crypto.subtle` (async), per-algorithm fallback to the pure
 * provider where the runtime lacks one; hashes, HMAC and HKDF are the pure
 * synchronous ones (short inputs, where an async hop costs more than it saves).
 */
import type { CryptoProvider } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { pureHash, pureHmac, pureHkdfExtract, pureHkdfExpand } from '../pure/hash.js';
import { webCryptoAead } from './aead.js';
import { webCryptoGroup } from './groups.js';
import { pureGroupHint } from '../pure/groups.js';
import { webCryptoSign, webCryptoVerify } from './signatures.js';

export const webCryptoProvider: CryptoProvider = {
  name: 'webcrypto',
  randomBytes: secureRandomBytes,
  hash: pureHash,
  hmac: pureHmac,
  hkdfExtract: pureHkdfExtract,
  hkdfExpand: pureHkdfExpand,
  aead: webCryptoAead,
  group: webCryptoGroup,
  groupHint: pureGroupHint,
  verify: webCryptoVerify,
  sign: webCryptoSign,
};

export { webCryptoAead, webCryptoGroup, webCryptoSign, webCryptoVerify };
