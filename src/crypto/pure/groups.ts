/**
 * Key-exchange groups on @noble: x25519/x448 (RFC 7748), secp256r1/
 * secp384r1/secp521r1 (RFC 8446 §4.2.8.2, §7.4.2), ffdhe (RFC 7919) and the
 * ECDHE-MLKEM hybrids (draft-ietf-tls-ecdhe-mlkem, composed in ../hybrid.ts
 * over the groups here).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { x448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { ClientKeyShare, KeyExchangeGroup, NamedGroupName, RandomSource } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { ffdheGroup } from '../ffdhe.js';
import { hybridGroup } from '../hybrid.js';
import {
  GROUP_CODEPOINTS, EC_GROUP_CURVE, X25519_LENGTH, X448_LENGTH,
  asIllegal, checkShareLength, checkUncompressedPoint, checkX25519Output, ecScalarFromRandom,
} from '../group-rules.js';

/** X25519(sk, peer) with the RFC 8446 §7.4.2 checks; `group` names the TLS group in errors. */
export function pureX25519(group: string, secretKey: Uint8Array, peer: Uint8Array): Uint8Array {
  checkShareLength(group, peer, X25519_LENGTH);
  const shared = asIllegal(group, () => x25519.getSharedSecret(secretKey, peer));
  checkX25519Output(group, shared);
  return shared;
}

function x25519Group(): KeyExchangeGroup {
  const name = 'x25519';
  return {
    name,
    codepoint: GROUP_CODEPOINTS.x25519,
    generate(random?: RandomSource): ClientKeyShare {
      const sk = (random ?? secureRandomBytes)(X25519_LENGTH);
      return {
        publicKey: x25519.getPublicKey(sk),
        complete: (serverShare) => pureX25519(name, sk, serverShare),
      };
    },
    respond(clientShare, random?) {
      checkShareLength(name, clientShare, X25519_LENGTH);
      const sk = (random ?? secureRandomBytes)(X25519_LENGTH);
      return { publicKey: x25519.getPublicKey(sk), sharedSecret: pureX25519(name, sk, clientShare) };
    },
  };
}

/** X448 (RFC 7748 §5, §6.2; RFC 8446 §4.2.8.2, §7.4.2), with the same checks as X25519. */
function x448Group(): KeyExchangeGroup {
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

function ecGroup(name: 'secp256r1' | 'secp384r1' | 'secp521r1'): KeyExchangeGroup {
  const curve = EC_GROUP_CURVE[name];
  const impl = name === 'secp256r1' ? p256 : name === 'secp384r1' ? p384 : p521;
  const agree = (d: Uint8Array, peer: Uint8Array): Uint8Array => {
    checkUncompressedPoint(name, curve, peer);
    // RFC 8446 §7.4.2: the shared secret is the x-coordinate, fixed width.
    return asIllegal(name, () => impl.getSharedSecret(d, peer, true).subarray(1));
  };
  return {
    name,
    codepoint: GROUP_CODEPOINTS[name],
    generate(random?: RandomSource): ClientKeyShare {
      const d = ecScalarFromRandom(curve, random ?? secureRandomBytes);
      return { publicKey: impl.getPublicKey(d, false), complete: (serverShare) => agree(d, serverShare) };
    },
    respond(clientShare, random?) {
      checkUncompressedPoint(name, curve, clientShare);
      const d = ecScalarFromRandom(curve, random ?? secureRandomBytes);
      return { publicKey: impl.getPublicKey(d, false), sharedSecret: agree(d, clientShare) };
    },
  };
}

const x25519Pure = x25519Group();
const p256Pure = ecGroup('secp256r1');
const p384Pure = ecGroup('secp384r1');

const groups: Record<NamedGroupName, KeyExchangeGroup> = {
  x25519: x25519Pure,
  secp256r1: p256Pure,
  secp384r1: p384Pure,
  X25519MLKEM768: hybridGroup('X25519MLKEM768', x25519Pure),
  SecP256r1MLKEM768: hybridGroup('SecP256r1MLKEM768', p256Pure),
  SecP384r1MLKEM1024: hybridGroup('SecP384r1MLKEM1024', p384Pure),
  x448: x448Group(),
  secp521r1: ecGroup('secp521r1'),
  ffdhe2048: ffdheGroup('ffdhe2048'),
  ffdhe3072: ffdheGroup('ffdhe3072'),
  ffdhe4096: ffdheGroup('ffdhe4096'),
};

export function pureGroup(name: NamedGroupName): KeyExchangeGroup | undefined {
  return Object.prototype.hasOwnProperty.call(groups, name) ? groups[name] : undefined;
}
