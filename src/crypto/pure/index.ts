/**
 * The pure provider: @noble/* only, synchronous, runs everywhere. The default.
 */
import type { CryptoProvider } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { pureHash, pureHmac, pureHkdfExtract, pureHkdfExpand } from './hash.js';
import { pureAead } from './aead.js';
import { pureGroup, pureGroupHint } from './groups.js';
import { pureSign, pureVerify } from './signatures.js';

export const pureProvider: CryptoProvider = {
  name: 'pure',
  // Our AES and GHASH use table lookups (as @noble/ciphers and OpenSSL's
  // portable code do); ChaCha20-Poly1305 has no secret-dependent lookups.
  preferChaCha20: true,
  randomBytes: secureRandomBytes,
  hash: pureHash,
  hmac: pureHmac,
  hkdfExtract: pureHkdfExtract,
  hkdfExpand: pureHkdfExpand,
  aead: pureAead,
  group: pureGroup,
  groupHint: pureGroupHint,
  verify: pureVerify,
  sign: pureSign,
};
