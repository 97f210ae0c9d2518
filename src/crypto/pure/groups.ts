/**
 * Key-exchange groups on @noble: x25519/x448 (RFC 7748), secp256r1/
 * secp384r1/secp521r1 (RFC 8446 §4.2.8.2, §7.4.2), ffdhe (RFC 7919) and the
 * ECDHE-MLKEM hybrids (draft-ietf-tls-ecdhe-mlkem, composed in ../hybrid.ts
 * over the groups here).
 *
 * The table here holds the pure provider's default groups (x25519, P-256,
 * P-384 and the three hybrids). The others (x448, secp521r1, ffdhe*) live in
 * ./groups-extra.ts and join the table through `registerPureGroup`, so that
 * a bundle of `puretls/web` carries them only when the application imports
 * `puretls/web/groups` (every other entry point registers them); asking for
 * one that is not registered names that import (`pureGroupHint`).
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import type { ClientKeyShare, KeyExchangeGroup, NamedGroupName, RandomSource } from '../provider.js';
import { secureRandomBytes } from '../random.js';
import { hybridGroup } from '../hybrid.js';
import {
  GROUP_CODEPOINTS, EC_GROUP_CURVE, X25519_LENGTH,
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

/** The NIST curve operations ecGroup needs (a @noble/curves/nist.js curve). */
export interface NobleEcdh {
  getPublicKey(secretKey: Uint8Array, isCompressed?: boolean): Uint8Array;
  getSharedSecret(secretKeyA: Uint8Array, publicKeyB: Uint8Array, isCompressed?: boolean): Uint8Array;
}

/** ECDHE over a NIST curve (RFC 8446 §4.2.8.2, §7.4.2). */
export function ecGroup(name: 'secp256r1' | 'secp384r1' | 'secp521r1', impl: NobleEcdh): KeyExchangeGroup {
  const curve = EC_GROUP_CURVE[name];
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
const p256Pure = ecGroup('secp256r1', p256);
const p384Pure = ecGroup('secp384r1', p384);

/** The registered groups: the defaults here, the others once ./groups-extra.ts registers them. */
const groups = new Map<NamedGroupName, KeyExchangeGroup>([
  ['x25519', x25519Pure],
  ['secp256r1', p256Pure],
  ['secp384r1', p384Pure],
  ['X25519MLKEM768', hybridGroup('X25519MLKEM768', x25519Pure)],
  ['SecP256r1MLKEM768', hybridGroup('SecP256r1MLKEM768', p256Pure)],
  ['SecP384r1MLKEM1024', hybridGroup('SecP384r1MLKEM1024', p384Pure)],
]);

/** Add a group to the pure provider (./groups-extra.ts; idempotent). */
export function registerPureGroup(group: KeyExchangeGroup): void {
  groups.set(group.name, group);
}

export function pureGroup(name: NamedGroupName): KeyExchangeGroup | undefined {
  return groups.get(name);
}

/** Groups the pure provider implements outside its default table (./groups-extra.ts). */
const OPT_IN_GROUPS: readonly string[] = ['x448', 'secp521r1', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192'];

/**
 * Why `name` is missing when it is one of ours that was not registered
 * (a bundle of `puretls/web` without `puretls/web/groups`); undefined otherwise.
 */
export function pureGroupHint(name: string): string | undefined {
  if (groups.has(name as NamedGroupName) || !OPT_IN_GROUPS.includes(name)) return undefined;
  return `${name} is not part of puretls/web's default build: add \`import 'puretls/web/groups';\` (or use puretls/core)`;
}
