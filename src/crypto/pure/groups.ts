/**
 * Key-exchange groups on @noble: x25519 (RFC 7748), secp256r1/secp384r1
 * (RFC 8446 §4.2.8.2, §7.4.2) and the hybrid X25519MLKEM768
 * (draft-ietf-tls-ecdhe-mlkem: client share = ML-KEM-768 ek || X25519 public,
 * server share = ML-KEM ciphertext || X25519 public, shared secret =
 * ML-KEM shared secret || X25519 shared secret).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { x448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { concatBytes } from '../../util/bytes.js';
import type { ClientKeyShare, KeyExchangeGroup, NamedGroupName, RandomSource } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { ffdheGroup } from '../ffdhe.js';
import {
  GROUP_CODEPOINTS, EC_GROUP_CURVE, X25519_LENGTH, X448_LENGTH, MLKEM768_EK_LENGTH, MLKEM768_CT_LENGTH,
  MLKEM768_SEED_LENGTH, MLKEM768_MSG_LENGTH,
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

/** An X25519 implementation the hybrid can use (the node provider plugs in OpenSSL's). */
export interface X25519Part<SK> {
  /** A key pair from `random(32)`. */
  keyPair(random: RandomSource): { secretKey: SK; publicKey: Uint8Array };
  /** Shared secret with the RFC 8446 §7.4.2 checks; TlsError(illegal_parameter) on a bad share. */
  derive(group: string, secretKey: SK, peer: Uint8Array): Uint8Array;
}

const nobleX25519Part: X25519Part<Uint8Array> = {
  keyPair(random) {
    const secretKey = random(X25519_LENGTH);
    return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
  },
  derive: pureX25519,
};

/**
 * X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem §3: the ML-KEM part comes first
 * in both shares and in the shared secret). ML-KEM-768 from @noble/post-quantum.
 */
export function hybridGroup<SK>(x: X25519Part<SK>): KeyExchangeGroup {
  const name = 'X25519MLKEM768';
  return {
    name,
    codepoint: GROUP_CODEPOINTS.X25519MLKEM768,
    generate(random?: RandomSource): ClientKeyShare {
      const rnd = random ?? secureRandomBytes;
      const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(rnd(MLKEM768_SEED_LENGTH));
      const xk = x.keyPair(rnd);
      return {
        publicKey: concatBytes(ek, xk.publicKey),
        complete(serverShare) {
          checkShareLength(name, serverShare, MLKEM768_CT_LENGTH + X25519_LENGTH);
          const kemSecret = asIllegal(name, () => ml_kem768.decapsulate(serverShare.subarray(0, MLKEM768_CT_LENGTH), dk));
          const ecdhSecret = x.derive(name, xk.secretKey, serverShare.subarray(MLKEM768_CT_LENGTH));
          return concatBytes(kemSecret, ecdhSecret);
        },
      };
    },
    respond(clientShare, random?) {
      checkShareLength(name, clientShare, MLKEM768_EK_LENGTH + X25519_LENGTH);
      const rnd = random ?? secureRandomBytes;
      // FIPS 203 §7.2 encapsulation key check (modulus) happens inside encapsulate: a bad ek throws.
      const ek = clientShare.subarray(0, MLKEM768_EK_LENGTH);
      const { cipherText, sharedSecret: kemSecret } = asIllegal(name, () => ml_kem768.encapsulate(ek, rnd(MLKEM768_MSG_LENGTH)));
      const xk = x.keyPair(rnd);
      const ecdhSecret = x.derive(name, xk.secretKey, clientShare.subarray(MLKEM768_EK_LENGTH));
      return { publicKey: concatBytes(cipherText, xk.publicKey), sharedSecret: concatBytes(kemSecret, ecdhSecret) };
    },
  };
}

const groups: Record<NamedGroupName, KeyExchangeGroup> = {
  x25519: x25519Group(),
  secp256r1: ecGroup('secp256r1'),
  secp384r1: ecGroup('secp384r1'),
  X25519MLKEM768: hybridGroup(nobleX25519Part),
  x448: x448Group(),
  secp521r1: ecGroup('secp521r1'),
  ffdhe2048: ffdheGroup('ffdhe2048'),
  ffdhe3072: ffdheGroup('ffdhe3072'),
  ffdhe4096: ffdheGroup('ffdhe4096'),
};

export function pureGroup(name: NamedGroupName): KeyExchangeGroup | undefined {
  return Object.prototype.hasOwnProperty.call(groups, name) ? groups[name] : undefined;
}
