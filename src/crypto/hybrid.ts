/**
 * The hybrid ECDHE-MLKEM groups of draft-ietf-tls-ecdhe-mlkem, built from a
 * provider's own classical group (X25519, P-256 or P-384: on Node OpenSSL's,
 * on WebCrypto subtle's, else @noble's) and ML-KEM from @noble/post-quantum
 * (neither Node 20 nor WebCrypto has ML-KEM). Provider independent.
 *
 * draft-ietf-tls-ecdhe-mlkem §3 fixes the order of the two parts, and it is
 * not the same for every group:
 * - X25519MLKEM768 (0x11EC): ML-KEM first. Client share = ML-KEM-768
 *   encapsulation key || X25519 public key; server share = ML-KEM ciphertext
 *   || X25519 public key; shared secret = ML-KEM secret || X25519 secret.
 * - SecP256r1MLKEM768 (0x11EB) and SecP384r1MLKEM1024 (0x11ED): ECDHE first.
 *   Client share = uncompressed EC point || ML-KEM encapsulation key; server
 *   share = EC point || ML-KEM ciphertext; shared secret = ECDH secret ||
 *   ML-KEM secret.
 *
 * Checks (draft §3 and RFC 8446 §4.2.8): a share of the wrong total length,
 * an invalid classical part (the classical group's own checks: uncompressed
 * on-curve point, non-zero X25519 output) and an encapsulation key that fails
 * the FIPS 203 §7.2 modulus check all → illegal_parameter.
 */
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { concatBytes, isPromise, wipe, type MaybePromise } from '../util/bytes.js';
import type { ClientKeyShare, KeyExchangeGroup, NamedGroupName, RandomSource } from './provider.js';
import { secureRandomBytes } from './random.js';
import { TlsError } from '../errors.js';
import { GROUP_CODEPOINTS, HYBRID_LAYOUTS, asIllegal, checkShareLength, type HybridGroupName } from './group-rules.js';

/** FIPS 203 §8 (Table 3): ML-KEM.KeyGen seed d || z, and the encapsulation randomness m. */
const MLKEM_SEED_LENGTH = 64;
const MLKEM_MSG_LENGTH = 32;

const KEMS = { 'ML-KEM-768': ml_kem768, 'ML-KEM-1024': ml_kem1024 } as const;

function then<T, U>(v: MaybePromise<T>, f: (t: T) => U | Promise<U>): MaybePromise<U> {
  return isPromise(v) ? v.then(f) : f(v);
}

/**
 * RFC 8446 §7.4 / draft-ietf-tls-ecdhe-mlkem §3: the hybrid secret is the
 * concatenation; the two parts are copies of it, wiped once joined (the
 * caller wipes the joined secret), so no copy outlives the handshake.
 */
function joinWiping(join: (ec: Uint8Array, k: Uint8Array) => Uint8Array, ecSecret: Uint8Array, kemSecret: Uint8Array): Uint8Array {
  const joined = join(ecSecret, kemSecret);
  wipe(ecSecret, kemSecret);
  return joined;
}

/** Run the classical half; if it fails (an invalid point → illegal_parameter), the KEM secret is wiped first. */
function settleWiping<T>(f: () => MaybePromise<T>, kemSecret: Uint8Array): MaybePromise<T> {
  let r: MaybePromise<T>;
  try {
    r = f();
  } catch (e) {
    wipe(kemSecret);
    throw e;
  }
  if (!isPromise(r)) return r;
  return r.catch((e: unknown) => {
    wipe(kemSecret);
    throw e;
  });
}

/**
 * The hybrid group `name` over `classical` (the provider's x25519, secp256r1
 * or secp384r1 group). Random bytes are drawn in a fixed order (ML-KEM first,
 * then the classical key), so an injected `random` gives the same handshake
 * on every provider.
 */
export function hybridGroup(name: HybridGroupName, classical: KeyExchangeGroup): KeyExchangeGroup {
  const layout = HYBRID_LAYOUTS[name];
  if (classical.name !== layout.classical) throw new Error(`${name} needs the ${layout.classical} group, got ${classical.name}`);
  const kem = KEMS[layout.kem];
  const ecLen = layout.classicalLength;
  const { publicKey: ekLen, cipherText: ctLen } = kem.lengths as { publicKey: number; cipherText: number };
  /** Split a share into [classical part, KEM part] by the group's order. */
  const split = (share: Uint8Array, kemLen: number): [Uint8Array, Uint8Array] => layout.kemFirst
    ? [share.subarray(kemLen), share.subarray(0, kemLen)]
    : [share.subarray(0, ecLen), share.subarray(ecLen)];
  const join = (ec: Uint8Array, k: Uint8Array): Uint8Array => (layout.kemFirst ? concatBytes(k, ec) : concatBytes(ec, k));
  return {
    name: name as NamedGroupName,
    codepoint: GROUP_CODEPOINTS[name],
    generate(random?: RandomSource): MaybePromise<ClientKeyShare> {
      // FIPS 203 §3.3: the seed d || z determines the decapsulation key: wiped once used.
      const seed = (random ?? secureRandomBytes)(MLKEM_SEED_LENGTH);
      const { publicKey: ek, secretKey: dk } = kem.keygen(seed);
      wipe(seed);
      let used = false;
      return then(classical.generate(random), (ec) => ({
        publicKey: join(ec.publicKey, ek),
        complete(serverShare: Uint8Array): MaybePromise<Uint8Array> {
          // Single use: the decapsulation key is wiped by the first call, whatever its outcome.
          if (used) throw new TlsError('internal_error', `${name} key share used twice`);
          used = true;
          if (serverShare.length !== ecLen + ctLen) wipe(dk);
          checkShareLength(name, serverShare, ecLen + ctLen);
          const [ecPart, ct] = split(serverShare, ctLen);
          let kemSecret: Uint8Array;
          try {
            // FIPS 203 §7.3: the ciphertext length is the only input check (done above); an invalid one decapsulates to a pseudorandom secret.
            kemSecret = asIllegal(name, () => kem.decapsulate(ct, dk));
          } finally {
            wipe(dk);
          }
          return then(
            settleWiping(() => ec.complete(ecPart), kemSecret),
            (ecSecret) => joinWiping(join, ecSecret, kemSecret),
          );
        },
      }));
    },
    respond(clientShare: Uint8Array, random?: RandomSource) {
      checkShareLength(name, clientShare, ecLen + ekLen);
      const [ecPart, ek] = split(clientShare, ekLen);
      // FIPS 203 §7.2 encapsulation key check (every coefficient < q): @noble's encapsulate throws → illegal_parameter.
      // FIPS 203 §6.2: the message m determines the shared secret: wiped once used.
      const m = (random ?? secureRandomBytes)(MLKEM_MSG_LENGTH);
      let encapsulated: { cipherText: Uint8Array; sharedSecret: Uint8Array };
      try {
        encapsulated = asIllegal(name, () => kem.encapsulate(ek, m));
      } finally {
        wipe(m);
      }
      const { cipherText, sharedSecret: kemSecret } = encapsulated;
      return then(settleWiping(() => classical.respond(ecPart, random), kemSecret), (ec) => ({
        publicKey: join(ec.publicKey, cipherText),
        sharedSecret: joinWiping(join, ec.sharedSecret, kemSecret),
      }));
    },
  };
}
