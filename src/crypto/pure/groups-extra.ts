/**
 * The pure provider's groups outside its default table: X448 (RFC 7748 §5,
 * §6.2), secp521r1 (RFC 8446 §4.2.8.2) and the finite-field groups
 * ffdhe2048/3072/4096/6144/8192 (RFC 7919). Rare on the web (no browser offers them)
 * and heavy in a bundle (BigInt exponentiation and primes, Ed448's field), so
 * a bundle of `puretls/web` carries them only when the application imports
 * `puretls/web/groups`, which calls `enableExtraPureGroups()`; every other
 * entry point (puretls, puretls/core, puretls/crypto, …) calls it on load.
 */
import { x448 } from '@noble/curves/ed448.js';
import { p521 } from '@noble/curves/nist.js';
import type { ClientKeyShare, KeyExchangeGroup, RandomSource } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { ffdheGroup } from '../ffdhe.js';
import { GROUP_CODEPOINTS, X448_LENGTH, asIllegal, checkShareLength, checkX25519Output } from '../group-rules.js';
import { ecGroup, registerPureGroup } from './groups.js';

/** X448 (RFC 7748 §5, §6.2; RFC 8446 §4.2.8.2, §7.4.2), with the same checks as X25519. */
export function x448Group(): KeyExchangeGroup {
  const name = 'x448';
  const agree = (sk: Uint8Array, peer: Uint8Array): Uint8Array => {
    checkShareLength(name, peer, X448_LENGTH);
    const shared = asIllegal(name, () => x448.getSharedSecret(sk, peer));
    checkX25519Output(name, shared);
    return shared;
  };
  return {
    name,
    codepoint: GROUP_CODEPOINTS.x448,
    generate(random?: RandomSource): ClientKeyShare {
      const sk = (random ?? secureRandomBytes)(X448_LENGTH);
      return { publicKey: x448.getPublicKey(sk), complete: (serverShare) => agree(sk, serverShare) };
    },
    respond(clientShare, random?) {
      checkShareLength(name, clientShare, X448_LENGTH);
      const sk = (random ?? secureRandomBytes)(X448_LENGTH);
      return { publicKey: x448.getPublicKey(sk), sharedSecret: agree(sk, clientShare) };
    },
  };
}

let enabled = false;

/** Register x448, secp521r1 and ffdhe2048/3072/4096 with the pure provider (idempotent). */
export function enableExtraPureGroups(): void {
  if (enabled) return;
  enabled = true;
  for (const g of [x448Group(), ecGroup('secp521r1', p521), ffdheGroup('ffdhe2048'), ffdheGroup('ffdhe3072'), ffdheGroup('ffdhe4096'), ffdheGroup('ffdhe6144'), ffdheGroup('ffdhe8192')]) registerPureGroup(g);
}
