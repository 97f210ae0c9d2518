/**
 * The pure provider: @noble/* only, synchronous, runs everywhere. The default.
 */
import type { CryptoProvider } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { pureHash, pureHmac, pureHkdfExtract, pureHkdfExpand } from './hash.js';
import { pureAead } from './aead.js';
import { pureGroup } from './groups.js';
import { pureSign, pureVerify } from './signatures.js';

export const pureProvider: CryptoProvider = {
  name: 'pure',
  randomBytes: secureRandomBytes,
  hash: pureHash,
  hmac: pureHmac,
  hkdfExtract: pureHkdfExtract,
  hkdfExpand: pureHkdfExpand,
  aead: pureAead,
  group: pureGroup,
  verify: pureVerify,
  sign: pureSign,
};
