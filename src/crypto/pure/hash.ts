/** SHA-2, HMAC and HKDF (RFC 5869) on @noble/hashes. */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';
import { extract, expand } from '@noble/hashes/hkdf.js';
import type { HashAlgorithm, HashFunction, IncrementalHash } from '../provider.js';

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

class NobleIncremental implements IncrementalHash {
  constructor(private readonly state: NobleState) {}
  update(data: Uint8Array): this {
    this.state.update(data);
    return this;
  }
  peek(): Uint8Array {
    return this.state.clone().digest();
  }
  clone(): IncrementalHash {
    return new NobleIncremental(this.state.clone());
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
      create: () => new NobleIncremental(f.create() as unknown as NobleState),
    };
    cache.set(alg, h);
  }
  return h;
}

export function pureHmac(alg: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  return nobleHmac(nobleHash(alg), key, data);
}

export function pureHkdfExtract(alg: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return extract(nobleHash(alg), ikm, salt);
}

export function pureHkdfExpand(alg: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return expand(nobleHash(alg), prk, info, length);
}
