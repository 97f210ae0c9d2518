/** SHA-2, HMAC and HKDF (RFC 5869) on @noble/hashes. */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { expand } from '@noble/hashes/hkdf.js';
import type { HashAlgorithm, HashFunction, IncrementalHash } from '../provider.js';
import { HMAC_SHA256_FAST_MAX_MESSAGE, hmacSha256Short, Sha256Incremental } from './hmac-sha256.js';

type NobleHash = typeof sha256 | typeof sha384 | typeof sha512;

export function nobleHash(alg: HashAlgorithm): NobleHash {
  switch (alg) {
    case 'SHA-256': return sha256;
    case 'SHA-384': return sha384;
    case 'SHA-512': return sha512;
    default: throw new Error(`unsupported hash ${String(alg)}`);
  }
}

interface NobleState {
  update(d: Uint8Array): unknown;
  digest(): Uint8Array;
  clone(): NobleState;
}

/** Per hash function, one instance that peek() finishes in place of a fresh clone (synchronous, never reentrant). */
const peekScratch = new Map<NobleHash, NobleState>();

class NobleIncremental implements IncrementalHash {
  constructor(private readonly state: NobleState, private readonly f: NobleHash) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  /** Digest of a copy of the state: the copy goes into a reused instance (digest() wipes it after). */
  peek(): Uint8Array {
    let scratch = peekScratch.get(this.f);
    if (!scratch) {
      scratch = this.f.create() as unknown as NobleState;
      peekScratch.set(this.f, scratch);
    }
    return (this.state as unknown as Resettable)._cloneInto(scratch as unknown as Resettable).digest();
  }
  clone(): IncrementalHash {
    return new NobleIncremental(this.state.clone(), this.f);
  }
}

const cache = new Map<HashAlgorithm, HashFunction>();

export function pureHash(alg: HashAlgorithm): HashFunction {
  let h = cache.get(alg);
  if (!h) {
    const f = nobleHash(alg);
    h = {
      algorithm: alg,
      outputLength: f.outputLen,
      blockLength: f.blockLen,
      digest: (data) => f(data),
      create: () => (f === sha256 ? new Sha256Incremental() : new NobleIncremental(f.create() as unknown as NobleState, f)),
    };
    cache.set(alg, h);
  }
  return h;
}

/** A noble hash instance that can be reset by cloning a fresh one into it (Hash._cloneInto). */
interface Resettable {
  _cloneInto(to?: Resettable): Resettable;
  update(data: Uint8Array): Resettable;
  digest(): Uint8Array;
}

/** Per hash function: a pristine instance, one reused worker, and scratch (HMAC is synchronous, never reentrant). */
interface HmacScratch {
  readonly pristine: Resettable;
  readonly worker: Resettable;
  readonly pad: Uint8Array;
  /** pad[0, B-1) and pad[B-1, B): fed in two pieces (see hmacOf). */
  readonly padHead: Uint8Array;
  readonly padTail: Uint8Array;
  readonly suffix: Uint8Array;
}
const scratchFor = new Map<NobleHash, HmacScratch>();

function scratch(f: NobleHash): HmacScratch {
  let s = scratchFor.get(f);
  if (!s) {
    const pad = new Uint8Array(f.blockLen);
    s = {
      pristine: f.create() as unknown as Resettable,
      worker: f.create() as unknown as Resettable,
      pad,
      padHead: pad.subarray(0, f.blockLen - 1),
      padTail: pad.subarray(f.blockLen - 1),
      suffix: new Uint8Array(1),
    };
    scratchFor.set(f, s);
  }
  return s;
}

/**
 * HMAC (RFC 2104): H((K ^ opad) || H((K ^ ipad) || data [|| suffix])), the
 * function of @noble/hashes/hmac, on one reused hash object reset from a
 * pristine one (no hash objects, buffers or views allocated per MAC: the
 * handshake computes ~45 small HMACs). The pad blocks are fed in two pieces
 * so that noble copies them into its own buffer. The worker is destroyed
 * (zeroed) by each digest and the pad is zeroed before returning.
 */
function hmacOf(f: NobleHash, key: Uint8Array, data: Uint8Array, suffix?: number): Uint8Array {
  const B = f.blockLen;
  if (f === sha256 && key.length <= B && data.length + (suffix === undefined ? 0 : 1) <= HMAC_SHA256_FAST_MAX_MESSAGE) {
    return hmacSha256Short(key, data, suffix);
  }
  const s = scratch(f);
  const k = key.length > B ? f(key) : key;
  const pad = s.pad;
  pad.fill(0);
  pad.set(k);
  for (let i = 0; i < B; i++) pad[i]! ^= 0x36;
  const h = s.pristine._cloneInto(s.worker);
  h.update(s.padHead).update(s.padTail).update(data);
  if (suffix !== undefined) {
    s.suffix[0] = suffix;
    h.update(s.suffix);
  }
  const ih = h.digest();
  for (let i = 0; i < B; i++) pad[i]! ^= 0x36 ^ 0x5c;
  const o = s.pristine._cloneInto(s.worker);
  o.update(s.padHead).update(s.padTail).update(ih);
  const mac = o.digest();
  pad.fill(0);
  ih.fill(0);
  if (k !== key) k.fill(0);
  return mac;
}

export function pureHmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacOf(nobleHash(alg), key, data);
}

/** HKDF-Extract (RFC 5869 §2.2): PRK = HMAC-Hash(salt, IKM); an empty salt is HashLen zeros (same HMAC key). */
export function pureHkdfExtract(alg: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmacOf(nobleHash(alg), salt, ikm);
}

/** HKDF-Expand (RFC 5869 §2.3): T(i) = HMAC-Hash(PRK, T(i-1) | info | i). */
export function pureHkdfExpand(alg: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const f = nobleHash(alg);
  const olen = f.outputLen;
  if (!Number.isInteger(length) || length < 0 || length > 255 * olen) throw new Error('HKDF-Expand: length must be <= 255*HashLen');
  if (prk.length < olen) throw new Error('HKDF-Expand: PRK must be at least HashLen octets');
  // One block covers every TLS 1.3 key-schedule expansion.
  if (length <= olen) {
    const t = hmacOf(f, prk, info, 1);
    if (length === olen) return t;
    const out = t.slice(0, length);
    t.fill(0);
    return out;
  }
  return expand(f, prk, info, length);
}
