/**
 * The node:crypto provider (Node only; entry 'puretls/crypto/node'): OpenSSL
 * through node:crypto, synchronous, AES-NI. The only file under src/crypto
 * that may import node:*. Checks on peer input (share lengths, uncompressed
 * points, all-zero X25519, strict ECDSA DER, RSA key bounds and signature
 * length) are the shared ones, so every provider gives the same verdicts.
 * Falls back to the pure provider where OpenSSL cannot do what is asked
 * (ML-KEM on Node 20, an MGF1 hash different from the message hash, a
 * compressed EC public key, an injected random source for the PSS salt).
 */
import {
  createCipheriv, createDecipheriv, createHash, createHmac, createECDH, createPrivateKey, createPublicKey,
  diffieHellman, generateKeyPairSync, randomFillSync, sign as nodeSign, verify as nodeVerify,
  constants, type KeyObject, type Hash, type JsonWebKey as NodeJwk, type CipherGCMTypes,
} from 'node:crypto';
import { TlsError } from '../errors.js';
import type {
  Aead, AeadAlgorithm, AeadKey, ClientKeyShare, CryptoProvider, HashAlgorithm, HashFunction, IncrementalHash,
  KeyExchangeGroup, NamedGroupName, PrivateKey, PublicKey, RandomSource, SignatureAlgorithm,
} from './provider.js';
import { x448Group } from './pure/groups-extra.js';
import { ffdheGroup } from './ffdhe.js';
import { hybridGroup } from './hybrid.js';
import { keyFitsAlgorithm, pureSign, pureVerify } from './pure/signatures.js';
import { rsaPublicKeyAcceptable } from './pure/rsa.js';
import { bitLength, os2ip } from './pure/bigint.js';
import { EC_CURVES, ecdsaDerToRaw } from './ecdsa-der.js';
import { ED448_KEY_LENGTH, ED448_SIGNATURE_LENGTH } from './pure/ed448.js';
import {
  GROUP_CODEPOINTS, EC_GROUP_CURVE, X25519_LENGTH,
  checkShareLength, checkUncompressedPoint, checkX25519Output, ecScalarFromRandom, illegalShare,
} from './group-rules.js';

/** A plain Uint8Array copy of a Buffer (outputs the core keeps should not be pooled Buffers). */
const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b);

const NODE_HASH: Record<HashAlgorithm, string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const HASH_LEN: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const BLOCK_LEN: Record<HashAlgorithm, number> = { 'SHA-256': 64, 'SHA-384': 128, 'SHA-512': 128 };

function nodeHashName(alg: HashAlgorithm): string {
  const n = NODE_HASH[alg];
  if (!n) throw new Error(`unsupported hash ${String(alg)}`);
  return n;
}

// ---------------------------------------------------------------- random

function randomBytes(n: number): Uint8Array {
  return randomFillSync(new Uint8Array(n));
}

// ---------------------------------------------------------------- hashes, HMAC, HKDF

class NodeIncremental implements IncrementalHash {
  constructor(private readonly h: Hash) {}
  update(data: Uint8Array): this {
    this.h.update(data);
    return this;
  }
  peek(): Uint8Array {
    return plain(this.h.copy().digest());
  }
  clone(): IncrementalHash {
    return new NodeIncremental(this.h.copy());
  }
}

const hashCache = new Map<HashAlgorithm, HashFunction>();

function hash(alg: HashAlgorithm): HashFunction {
  let h = hashCache.get(alg);
  if (!h) {
    const name = nodeHashName(alg);
    h = {
      algorithm: alg,
      outputLength: HASH_LEN[alg],
      blockLength: BLOCK_LEN[alg],
      digest: (data) => plain(createHash(name).update(data).digest()),
      create: () => new NodeIncremental(createHash(name)),
    };
    hashCache.set(alg, h);
  }
  return h;
}

function hmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return plain(createHmac(nodeHashName(alg), key).update(data).digest());
}

/** RFC 5869 §2.2 (an empty salt is HashLen zeros; HMAC pads keys with zeros, so the result is the same). */
function hkdfExtract(alg: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmac(alg, salt.length ? salt : new Uint8Array(HASH_LEN[alg]), ikm);
}

/** RFC 5869 §2.3. */
function hkdfExpand(alg: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const hLen = HASH_LEN[alg];
  if (!Number.isInteger(length) || length < 0 || length > 255 * hLen) throw new Error(`HKDF-Expand: length ${length} out of range`);
  const out = new Uint8Array(length);
  const name = nodeHashName(alg);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, off = 0; off < length; i++, off += hLen) {
    t = createHmac(name, prk).update(t).update(info).update(new Uint8Array([i])).digest();
    out.set(t.subarray(0, Math.min(hLen, length - off)), off);
  }
  return out;
}

// ---------------------------------------------------------------- AEAD

const AEAD_CIPHER: Record<AeadAlgorithm, { name: string; keyLength: number }> = {
  'AES-128-GCM': { name: 'aes-128-gcm', keyLength: 16 },
  'AES-256-GCM': { name: 'aes-256-gcm', keyLength: 32 },
  'CHACHA20-POLY1305': { name: 'chacha20-poly1305', keyLength: 32 },
};

/** A Uint8Array view of a Buffer that owns its ArrayBuffer (never pooled): no copy. */
const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

/**
 * One AEAD key. node:crypto has no way to re-IV a GCM/ChaCha context, so
 * every record builds a cipher; the costs kept low per record: the raw key
 * (a Buffer: cheaper to set up than a KeyObject), no option objects (the
 * tag is 16 bytes by default for all three; plaintextLength is for CCM
 * only), and no second allocation of the output (a fresh 16 KiB array per
 * record costs as much as the AES-GCM itself, in GC of external memory):
 * `sealChunks` returns OpenSSL's ciphertext and tag buffers as they are,
 * `open` a view of OpenSSL's plaintext; `seal` allocates uninitialised
 * (`allocUnsafeSlow`: no zero fill, not from the shared pool).
 */
class NodeAeadKey implements AeadKey {
  private readonly key: Buffer;
  private readonly cipher: CipherGCMTypes;
  constructor(alg: AeadAlgorithm, key: Uint8Array) {
    this.key = Buffer.from(key);
    // chacha20-poly1305 takes the same calls (setAAD/getAuthTag/setAuthTag) as GCM.
    this.cipher = AEAD_CIPHER[alg].name as CipherGCMTypes;
  }
  sealChunks(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array[] = []): Uint8Array[] {
    const c = createCipheriv(this.cipher, this.key, nonce);
    c.setAAD(aad);
    // Buffers as OpenSSL returned them (each owns its memory): they only go to the transport.
    out.push(c.update(plaintext));
    const tail = c.final(); // empty for these stream-like AEADs
    if (tail.length) out.push(tail);
    out.push(c.getAuthTag());
    return out;
  }
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const c = createCipheriv(this.cipher, this.key, nonce);
    c.setAAD(aad);
    const body = c.update(plaintext);
    const tail = c.final();
    const out = Buffer.allocUnsafeSlow(plaintext.length + 16);
    out.set(body, 0);
    if (tail.length) out.set(tail, body.length);
    out.set(c.getAuthTag(), plaintext.length);
    return view(out);
  }
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null {
    if (nonce.length !== 12 || ciphertextAndTag.length < 16) return null;
    const ctLen = ciphertextAndTag.length - 16;
    try {
      const d = createDecipheriv(this.cipher, this.key, nonce);
      d.setAuthTag(ciphertextAndTag.subarray(ctLen));
      d.setAAD(aad);
      const body = d.update(ciphertextAndTag.subarray(0, ctLen));
      const tail = d.final(); // throws on a bad tag; empty otherwise
      if (tail.length === 0) return view(body);
      const out = new Uint8Array(ctLen);
      out.set(body, 0);
      out.set(tail, body.length);
      return out;
    } catch {
      return null;
    }
  }
  destroy(): void {
    this.key.fill(0);
  }
}

function aead(alg: AeadAlgorithm): Aead {
  const spec = AEAD_CIPHER[alg];
  if (!spec) throw new Error(`unsupported AEAD ${String(alg)}`);
  return {
    algorithm: alg,
    keyLength: spec.keyLength,
    nonceLength: 12,
    tagLength: 16,
    importKey(key: Uint8Array): AeadKey {
      if (key.length !== spec.keyLength) throw new Error(`${alg}: key must be ${spec.keyLength} bytes`);
      return new NodeAeadKey(alg, key);
    },
  };
}

// ---------------------------------------------------------------- key exchange

/** DER prefix (RFC 8410 §7) around a raw 32-byte X25519 private key (fallback import). */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * X25519 keys go in and out as JWK: Node imports an OKP JWK with
 * EVP_PKEY_new_raw_*_key, ~10× faster than OpenSSL 3's DER decoders
 * (pkcs8 import ~440 µs, spki ~100 µs on the bench machine), and a
 * private KeyObject exports its public half as JWK in ~2 µs.
 */
function x25519PrivateKey(raw: Uint8Array): KeyObject {
  try {
    // Node reads only `d` of a private OKP JWK (x must be a string, unused).
    return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(raw), x: '' }, format: 'jwk' });
  } catch {
    return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  }
}

function x25519Ephemeral(random: RandomSource | undefined): { priv: KeyObject; pub: Uint8Array } {
  const priv = random ? x25519PrivateKey(random(X25519_LENGTH)) : generateKeyPairSync('x25519').privateKey;
  const x = priv.export({ format: 'jwk' }).x;
  const pub = x !== undefined ? Buffer.from(x, 'base64url') : undefined;
  if (pub && pub.length === X25519_LENGTH) return { priv, pub: plain(pub) };
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  return { priv, pub: plain(spki.subarray(spki.length - X25519_LENGTH)) };
}

function x25519Derive(name: string, priv: KeyObject, peer: Uint8Array): Uint8Array {
  checkShareLength(name, peer, X25519_LENGTH);
  const u = Buffer.from(peer);
  u[31] = u[31]! & 0x7f; // RFC 7748 §5: mask the top bit
  let shared: Uint8Array;
  try {
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: u.toString('base64url') }, format: 'jwk' });
    shared = plain(diffieHellman({ privateKey: priv, publicKey: pub }));
  } catch (e) {
    throw illegalShare(name, `X25519 failed (${e instanceof Error ? e.message : String(e)})`);
  }
  checkX25519Output(name, shared);
  return shared;
}

function x25519Group(): KeyExchangeGroup {
  return {
    name: 'x25519',
    codepoint: GROUP_CODEPOINTS.x25519,
    generate(random?: RandomSource): ClientKeyShare {
      const { priv, pub } = x25519Ephemeral(random);
      return { publicKey: pub, complete: (serverShare) => x25519Derive('x25519', priv, serverShare) };
    },
    respond(clientShare, random?) {
      checkShareLength('x25519', clientShare, X25519_LENGTH);
      const { priv, pub } = x25519Ephemeral(random);
      return { publicKey: pub, sharedSecret: x25519Derive('x25519', priv, clientShare) };
    },
  };
}

function ecGroup(name: 'secp256r1' | 'secp384r1' | 'secp521r1'): KeyExchangeGroup {
  const curve = EC_GROUP_CURVE[name];
  const opensslName = name === 'secp256r1' ? 'prime256v1' : name;
  const ephemeral = (random: RandomSource | undefined) => {
    const ecdh = createECDH(opensslName);
    if (random) ecdh.setPrivateKey(ecScalarFromRandom(curve, random));
    else ecdh.generateKeys();
    return ecdh;
  };
  const derive = (ecdh: ReturnType<typeof createECDH>, peer: Uint8Array): Uint8Array => {
    checkUncompressedPoint(name, curve, peer);
    try {
      // RFC 8446 §7.4.2: the x-coordinate, fixed width (OpenSSL rejects off-curve points).
      return plain(ecdh.computeSecret(peer));
    } catch (e) {
      throw illegalShare(name, `invalid point (${e instanceof Error ? e.message : String(e)})`);
    }
  };
  return {
    name,
    codepoint: GROUP_CODEPOINTS[name],
    generate(random?: RandomSource): ClientKeyShare {
      const ecdh = ephemeral(random);
      return { publicKey: plain(ecdh.getPublicKey()), complete: (serverShare) => derive(ecdh, serverShare) };
    },
    respond(clientShare, random?) {
      checkUncompressedPoint(name, curve, clientShare);
      const ecdh = ephemeral(random);
      return { publicKey: plain(ecdh.getPublicKey()), sharedSecret: derive(ecdh, clientShare) };
    },
  };
}

const x25519Node = x25519Group();
const p256Node = ecGroup('secp256r1');
const p384Node = ecGroup('secp384r1');

const groups: Record<NamedGroupName, KeyExchangeGroup> = {
  x25519: x25519Node,
  secp256r1: p256Node,
  secp384r1: p384Node,
  // No ML-KEM in node:crypto on Node 20: @noble's ML-KEM with OpenSSL's ECDH.
  X25519MLKEM768: hybridGroup('X25519MLKEM768', x25519Node),
  SecP256r1MLKEM768: hybridGroup('SecP256r1MLKEM768', p256Node),
  SecP384r1MLKEM1024: hybridGroup('SecP384r1MLKEM1024', p384Node),
  secp521r1: ecGroup('secp521r1'),
  // X448 through @noble (a KeyObject from raw X448 bytes needs PKCS#8 wrapping; not worth it for a rare group).
  x448: x448Group(),
  ffdhe2048: ffdheGroup('ffdhe2048'),
  ffdhe3072: ffdheGroup('ffdhe3072'),
  ffdhe4096: ffdheGroup('ffdhe4096'),
  ffdhe6144: ffdheGroup('ffdhe6144'),
  ffdhe8192: ffdheGroup('ffdhe8192'),
};

function group(name: NamedGroupName): KeyExchangeGroup | undefined {
  return Object.prototype.hasOwnProperty.call(groups, name) ? groups[name] : undefined;
}

// ---------------------------------------------------------------- signatures

const b64u = (b: Uint8Array | bigint): string => {
  if (typeof b === 'bigint') {
    let hex = b.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    return Buffer.from(hex, 'hex').toString('base64url');
  }
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
};

const keyObjects = { public: new WeakMap<object, KeyObject>(), private: new WeakMap<object, KeyObject>() };

/**
 * Public KeyObjects by key value: a peer's certificate (and its CA) is
 * parsed afresh on every handshake, so the per-object WeakMap misses, and
 * importing an EC key (OpenSSL checks the point) costs as much as the
 * verification. Public data only; bounded, oldest entry evicted first.
 */
const publicByValue = new Map<string, KeyObject>();
const PUBLIC_CACHE_SIZE = 64;

function publicKeyId(key: PublicKey): string {
  if (key.type === 'rsa') return `rsa:${key.e.toString(16)}:${key.n.toString(16)}`;
  if (key.type === 'ec') return `ec:${key.curve}:${Buffer.from(key.point.buffer, key.point.byteOffset, key.point.length).toString('base64')}`;
  return `${key.type === 'mldsa' ? `mldsa${key.level}` : key.type}:${Buffer.from(key.key.buffer, key.key.byteOffset, key.key.length).toString('base64')}`;
}

function keyObject(key: PublicKey | PrivateKey, isPrivate: boolean): KeyObject | undefined {
  const cache = isPrivate ? keyObjects.private : keyObjects.public;
  const cached = cache.get(key);
  if (cached) return cached;
  if (!isPrivate) {
    const id = publicKeyId(key as PublicKey);
    let ko = publicByValue.get(id);
    if (!ko) {
      ko = importKeyObject(key, false);
      if (!ko) return undefined;
      if (publicByValue.size >= PUBLIC_CACHE_SIZE) publicByValue.delete(publicByValue.keys().next().value!);
      publicByValue.set(id, ko);
    }
    cache.set(key, ko);
    return ko;
  }
  const ko = importKeyObject(key, true);
  if (ko) cache.set(key, ko);
  return ko;
}

function importKeyObject(key: PublicKey | PrivateKey, isPrivate: boolean): KeyObject | undefined {
  let jwk: NodeJwk;
  if (key.type === 'rsa') {
    jwk = { kty: 'RSA', n: b64u(key.n), e: b64u(key.e) };
    if (isPrivate && 'd' in key) Object.assign(jwk, { d: b64u(key.d), p: b64u(key.p), q: b64u(key.q), dp: b64u(key.dp), dq: b64u(key.dq), qi: b64u(key.qi) });
  } else if (key.type === 'ec') {
    const size = EC_CURVES[key.curve].byteLength;
    if (key.point.length !== 1 + 2 * size || key.point[0] !== 0x04) return undefined; // compressed: pure
    jwk = { kty: 'EC', crv: key.curve, x: b64u(key.point.subarray(1, 1 + size)), y: b64u(key.point.subarray(1 + size)) };
    if (isPrivate && 'd' in key) jwk.d = b64u(key.d);
  } else if (key.type === 'ed25519' || key.type === 'ed448') {
    jwk = { kty: 'OKP', crv: key.type === 'ed25519' ? 'Ed25519' : 'Ed448', x: b64u(key.key) };
    if (isPrivate && 'seed' in key) jwk.d = b64u(key.seed);
  } else {
    return undefined; // ML-DSA: not in node:crypto on Node 20 (OpenSSL 3.5 has it); the pure provider signs and verifies
  }
  return isPrivate ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
}

type NodeSigParams = { hash: string | null; options: { padding?: number; saltLength?: number; dsaEncoding?: 'der' } };

/** node:crypto parameters for `alg`, or undefined when OpenSSL cannot express it. */
function nodeParams(alg: SignatureAlgorithm): NodeSigParams | undefined {
  switch (alg.kind) {
    case 'ecdsa': return { hash: nodeHashName(alg.hash), options: { dsaEncoding: 'der' } };
    case 'ed25519':
    case 'ed448': return { hash: null, options: {} };
    case 'rsa-pss':
      if (alg.mgfHash && alg.mgfHash !== alg.hash) return undefined;
      return { hash: nodeHashName(alg.hash), options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength } };
    case 'rsa-pkcs1': return { hash: nodeHashName(alg.hash), options: { padding: constants.RSA_PKCS1_PADDING } };
    default: return undefined;
  }
}

function verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!keyFitsAlgorithm(alg, key)) return false;
    // The shared syntactic checks first (strict DER, RSA bounds, k-byte signature < n).
    if (key.type === 'ec' && !ecdsaDerToRaw(signature, key.curve)) return false;
    if (key.type === 'ed25519' && (key.key.length !== 32 || signature.length !== 64)) return false;
    if (key.type === 'ed448' && (key.key.length !== ED448_KEY_LENGTH || signature.length !== ED448_SIGNATURE_LENGTH)) return false;
    if (key.type === 'rsa') {
      if (!rsaPublicKeyAcceptable(key)) return false;
      if (signature.length !== Math.ceil(bitLength(key.n) / 8) || os2ip(signature) >= key.n) return false;
    }
    const p = nodeParams(alg);
    const ko = p && keyObject(key, false);
    if (!p || !ko) return pureVerify(alg, key, message, signature);
    return nodeVerify(p.hash, message, { key: ko, ...p.options }, signature);
  } catch {
    return false;
  }
}

function sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random?: RandomSource): Uint8Array {
  if (!keyFitsAlgorithm(alg, key)) throw new TlsError('internal_error', `cannot sign ${alg.kind} with a ${key.type} key`);
  const p = random && alg.kind === 'rsa-pss' ? undefined : nodeParams(alg);
  const ko = p && keyObject(key, true);
  if (!p || !ko) return pureSign(alg, key, message, random);
  return plain(nodeSign(p.hash, message, { key: ko, ...p.options }));
}

export const nodeProvider: CryptoProvider = {
  name: 'node',
  randomBytes,
  hash,
  hmac,
  hkdfExtract,
  hkdfExpand,
  aead,
  group,
  verify,
  sign,
};
