/**
 * The pure provider: @noble/* only, synchronous, runs everywhere. The default.
 */
import type { CryptoProvider } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { pureHash, pureHmac, pureHkdfExtract, pureHkdfExpand } from './hash.js';
import { pureAead } from './aead.js';

export const pureProvider: CryptoProvider = {
  name: 'pure',
  randomBytes: secureRandomBytes,
  hash: pureHash,
  hmac: pureHmac,
  hkdfExtract: pureHkdfExtract,
  hkdfExpand: pureHkdfExpand,
  aead: pureAead,
  group() {
    throw new Error('pure provider: key exchange not yet implemented');
  },
  verify() {
    throw new Error('pure provider: signatures not yet implemented');
  },
  sign() {
    throw new Error('pure provider: signatures not yet implemented');
  },
};
