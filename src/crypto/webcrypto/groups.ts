/**
 * Key-exchange groups on WebCrypto: X25519 and ECDH P-256/P-384 via subtle
 * where supported (detected once), else the pure ones. The ECDHE-MLKEM
 * hybrids use these with @noble's ML-KEM (no ML-KEM in WebCrypto). The RFC 8446 checks
 * (lengths, uncompressed points, all-zero X25519 output) are the shared ones
 * in group-rules.ts; subtle's own point validation rejects off-curve points.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { ClientKeyShare, KeyExchangeGroup, NamedGroupName, RandomSource } from '../provider.js';
import { TlsError } from '../../errors.js';
import { pureGroup, pureGroupHint } from '../pure/groups.js';
import { hybridGroup } from '../hybrid.js';
import { EC_CURVES } from '../ecdsa-der.js';
import {
  GROUP_CODEPOINTS, EC_GROUP_CURVE, X25519_LENGTH,
  checkShareLength, checkUncompressedPoint, checkX25519Output, ecScalarFromRandom, illegalShare,
} from '../group-rules.js';
import { bs, getSubtle, supports, type Feature } from './subtle.js';
import { base64url } from './jwk.js';

/** PKCS#8 PrivateKeyInfo prefix for an X25519 key (RFC 8410 §7): the 32-byte key follows. */
const X25519_PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20]);

interface Ephemeral {
  privateKey: CryptoKey;
  publicKey: Uint8Array;
}

interface Backend {
  feature: Feature;
  /** New key pair; from `random` when given (tests), else subtle.generateKey. */
  ephemeral(subtle: SubtleCrypto, random: RandomSource | undefined): Promise<Ephemeral>;
  /** Validate and import the peer share, derive the shared secret. */
  derive(subtle: SubtleCrypto, own: CryptoKey, peer: Uint8Array): Promise<Uint8Array>;
  /** Syntactic checks on a peer share (before any subtle call). */
  check(peer: Uint8Array): void;
}

function x25519Backend(): Backend {
  const name = 'x25519';
  return {
    feature: 'X25519',
    check: (peer) => checkShareLength(name, peer, X25519_LENGTH),
    async ephemeral(subtle, random) {
      if (random) {
        const sk = random(X25519_LENGTH);
        const pkcs8 = new Uint8Array(X25519_PKCS8_PREFIX.length + X25519_LENGTH);
        pkcs8.set(X25519_PKCS8_PREFIX);
        pkcs8.set(sk, X25519_PKCS8_PREFIX.length);
        const privateKey = await subtle.importKey('pkcs8', bs(pkcs8), { name: 'X25519' }, true, ['deriveBits']);
        const jwk = await subtle.exportKey('jwk', privateKey);
        pkcs8.fill(0);
        return { privateKey, publicKey: b64uDecode(jwk.x!) };
      }
      const pair = (await subtle.generateKey({ name: 'X25519' }, false, ['deriveBits'])) as CryptoKeyPair;
      return { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) };
    },
    async derive(subtle, own, peer) {
      // RFC 7748 §5: the receiver masks the top bit of the u-coordinate.
      const u = peer.slice();
      u[31] = u[31]! & 0x7f;
      let shared: Uint8Array;
      try {
        const pub = await subtle.importKey('raw', bs(u), { name: 'X25519' }, false, []);
        shared = new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: pub } as EcdhKeyDeriveParams, own, 256));
      } catch (e) {
        // Runtimes refuse low-order points (all-zero output) with an OperationError.
        throw illegalShare(name, `X25519 failed (${e instanceof Error ? e.message : String(e)})`);
      }
      checkX25519Output(name, shared);
      return shared;
    },
  };
}

function ecBackend(name: 'secp256r1' | 'secp384r1' | 'secp521r1'): Backend {
  const curve = EC_GROUP_CURVE[name];
  const size = EC_CURVES[curve].byteLength;
  const noble = name === 'secp256r1' ? p256 : name === 'secp384r1' ? p384 : p521;
  const algorithm = { name: 'ECDH', namedCurve: curve };
  return {
    feature: name === 'secp256r1' ? 'ECDH-P-256' : name === 'secp384r1' ? 'ECDH-P-384' : 'ECDH-P-521',
    check: (peer) => checkUncompressedPoint(name, curve, peer),
    async ephemeral(subtle, random) {
      if (random) {
        const d = ecScalarFromRandom(curve, random);
        const publicKey = noble.getPublicKey(d, false);
        const jwk: JsonWebKey = {
          kty: 'EC', crv: curve, d: base64url(d),
          x: base64url(publicKey.subarray(1, 1 + size)), y: base64url(publicKey.subarray(1 + size)),
        };
        return { privateKey: await subtle.importKey('jwk', jwk, algorithm, false, ['deriveBits']), publicKey };
      }
      const pair = (await subtle.generateKey(algorithm, false, ['deriveBits'])) as CryptoKeyPair;
      return { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) };
    },
    async derive(subtle, own, peer) {
      try {
        const pub = await subtle.importKey('raw', bs(peer), algorithm, false, []);
        // RFC 8446 §7.4.2: the x-coordinate, fixed width.
        return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: pub } as EcdhKeyDeriveParams, own, size * 8));
      } catch (e) {
        throw illegalShare(name, `invalid point (${e instanceof Error ? e.message : String(e)})`);
      }
    },
  };
}

function b64uDecode(s: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const out: number[] = [];
  let acc = 0, bits = 0;
  for (const ch of s) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error('invalid base64url');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

function subtleGroup(name: 'x25519' | 'secp256r1' | 'secp384r1' | 'secp521r1', backend: Backend): KeyExchangeGroup {
  // The pure implementation where the runtime's WebCrypto lacks the curve;
  // looked up when needed (secp521r1 is registered by ../pure/groups-extra.ts).
  const fallback = (): KeyExchangeGroup => {
    const g = pureGroup(name);
    if (!g) throw new TlsError('internal_error', `this runtime's WebCrypto has no ${name} and ${pureGroupHint(name) ?? 'the pure provider has none'}`, { code: 'bad_config' });
    return g;
  };
  const available = async (): Promise<SubtleCrypto | undefined> => {
    const s = getSubtle();
    return s && (await supports(backend.feature)) ? s : undefined;
  };
  return {
    name,
    codepoint: GROUP_CODEPOINTS[name],
    async generate(random?: RandomSource): Promise<ClientKeyShare> {
      const subtle = await available();
      if (!subtle) return fallback().generate(random);
      const own = await backend.ephemeral(subtle, random);
      return {
        publicKey: own.publicKey,
        complete: async (serverShare) => {
          backend.check(serverShare);
          return backend.derive(subtle, own.privateKey, serverShare);
        },
      };
    },
    async respond(clientShare: Uint8Array, random?: RandomSource) {
      const subtle = await available();
      if (!subtle) return fallback().respond(clientShare, random);
      backend.check(clientShare);
      const own = await backend.ephemeral(subtle, random);
      return { publicKey: own.publicKey, sharedSecret: await backend.derive(subtle, own.privateKey, clientShare) };
    },
  };
}

const x25519Subtle = subtleGroup('x25519', x25519Backend());
const p256Subtle = subtleGroup('secp256r1', ecBackend('secp256r1'));
const p384Subtle = subtleGroup('secp384r1', ecBackend('secp384r1'));

const groups: Partial<Record<NamedGroupName, KeyExchangeGroup>> = {
  x25519: x25519Subtle,
  secp256r1: p256Subtle,
  secp384r1: p384Subtle,
  // No ML-KEM in WebCrypto: @noble's ML-KEM with subtle's ECDH (or the pure one where subtle lacks the curve).
  X25519MLKEM768: hybridGroup('X25519MLKEM768', x25519Subtle),
  SecP256r1MLKEM768: hybridGroup('SecP256r1MLKEM768', p256Subtle),
  SecP384r1MLKEM1024: hybridGroup('SecP384r1MLKEM1024', p384Subtle),
  secp521r1: subtleGroup('secp521r1', ecBackend('secp521r1')),
};

/**
 * Subtle's ECDH where it has the curve; for the rest (no X448 or
 * finite-field DH in WebCrypto) the pure implementation, as registered with
 * the pure provider (x448 and ffdhe* by ../pure/groups-extra.ts).
 */
export function webCryptoGroup(name: NamedGroupName): KeyExchangeGroup | undefined {
  return Object.prototype.hasOwnProperty.call(groups, name) ? groups[name] : pureGroup(name);
}
