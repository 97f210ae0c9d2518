/**
 * SHA-256 on words (FIPS 180-4) for the two hot hashing jobs of a handshake
 * outside signatures, with no hash objects, views or copies per call:
 *
 * HMAC-SHA-256 (RFC 2104) for the short inputs of the TLS 1.3
 * key schedule: a key of at most one block and a message of at most 55
 * bytes (one padded block), i.e. every HKDF-Extract/Expand-Label and
 * Finished MAC of a SHA-256 suite. Exactly four compressions on words, with
 * no hash objects, buffers or copies per MAC (a handshake computes ~40 of
 * them; the general path in hash.ts costs about twice as much per MAC).
 * Anything longer goes through hash.ts on @noble/hashes. And the
 * incremental transcript hash (Sha256Incremental). Checked against
 * node:crypto in test/crypto/pure-hmac-fast.test.ts and pure-hash.test.ts.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The largest message this path takes: 55 bytes + 0x80 + 8 length bytes fill one block. */
export const HMAC_SHA256_FAST_MAX_MESSAGE = 55;

// Scratch: synchronous, never reentrant; wiped after each MAC.
const W = new Int32Array(64);
const S = new Int32Array(8);
const INNER = new Int32Array(8);

/** One SHA-256 compression of W[0..16) into `s` (FIPS 180-4 §6.2.2). */
function compress(s: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (s1 + W[i - 7]! + s0 + W[i - 16]!) | 0;
  }
  let a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!, e = s[4]!, f = s[5]!, g = s[6]!, h = s[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  s[0] = (s[0]! + a) | 0; s[1] = (s[1]! + b) | 0; s[2] = (s[2]! + c) | 0; s[3] = (s[3]! + d) | 0;
  s[4] = (s[4]! + e) | 0; s[5] = (s[5]! + f) | 0; s[6] = (s[6]! + g) | 0; s[7] = (s[7]! + h) | 0;
}

/** W[0..16) = the key, zero-padded to a block, XOR `pad` in every byte. */
/** The 32-byte digest from the eight state words (big-endian, FIPS 180-4 §6.2.2). */
function digestBytes(s: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = s[i]!;
    out[4 * i] = v >>> 24; out[4 * i + 1] = v >>> 16; out[4 * i + 2] = v >>> 8; out[4 * i + 3] = v;
  }
  return out;
}

function keyBlock(key: Uint8Array, pad: number): void {
  W.fill(0, 0, 16);
  for (let i = 0; i < key.length; i++) W[i >> 2] = W[i >> 2]! | (key[i]! << (24 - 8 * (i & 3)));
  const p = pad * 0x01010101;
  for (let i = 0; i < 16; i++) W[i] = W[i]! ^ p;
}

/**
 * HMAC-SHA-256(key, data || suffix) with `suffix` one optional byte.
 * Requires key.length <= 64 and data.length (+1 with a suffix) <= 55.
 */
export function hmacSha256Short(key: Uint8Array, data: Uint8Array, suffix?: number): Uint8Array {
  const n = data.length + (suffix === undefined ? 0 : 1);
  if (key.length > 64 || n > HMAC_SHA256_FAST_MAX_MESSAGE) throw new Error('hmacSha256Short: input too long');
  // inner = H((K ^ ipad) || m)
  S.set(IV);
  keyBlock(key, 0x36);
  compress(S);
  W.fill(0, 0, 16);
  for (let i = 0; i < data.length; i++) W[i >> 2] = W[i >> 2]! | (data[i]! << (24 - 8 * (i & 3)));
  if (suffix !== undefined) W[data.length >> 2] = W[data.length >> 2]! | ((suffix & 0xff) << (24 - 8 * (data.length & 3)));
  W[n >> 2] = W[n >> 2]! | (0x80 << (24 - 8 * (n & 3)));
  W[15] = (64 + n) * 8; // bit length; the high word W[14] stays 0
  compress(S);
  INNER.set(S);
  // outer = H((K ^ opad) || inner)
  S.set(IV);
  keyBlock(key, 0x5c);
  compress(S);
  W.fill(0, 0, 16);
  for (let i = 0; i < 8; i++) W[i] = INNER[i]!;
  W[8] = 0x80000000 | 0;
  W[15] = (64 + 32) * 8;
  compress(S);
  const out = digestBytes(S);
  W.fill(0);
  S.fill(0);
  INNER.fill(0);
  return out;
}

/**
 * Incremental SHA-256 for the handshake transcript (RFC 8446 §4.4.1): many
 * small updates and a digest of the prefix after most messages. Same
 * compression as above; no per-update views or per-digest hash objects.
 */
export class Sha256Incremental {
  private readonly state = new Int32Array(8);
  private readonly buffer = new Uint8Array(64);
  private buffered = 0;
  private total = 0;

  constructor(from?: Sha256Incremental) {
    if (from) {
      this.state.set(from.state);
      this.buffer.set(from.buffer);
      this.buffered = from.buffered;
      this.total = from.total;
    } else {
      this.state.set(IV);
    }
  }

  update(data: Uint8Array): this {
    const n = data.length;
    let i = 0;
    this.total += n;
    if (this.buffered > 0) {
      const take = Math.min(64 - this.buffered, n);
      this.buffer.set(data.subarray(0, take), this.buffered);
      this.buffered += take;
      i = take;
      if (this.buffered < 64) return this;
      loadBlock(this.buffer, 0);
      compress(this.state);
      this.buffered = 0;
    }
    for (; i + 64 <= n; i += 64) {
      loadBlock(data, i);
      compress(this.state);
    }
    if (i < n) {
      this.buffer.set(data.subarray(i), 0);
      this.buffered = n - i;
    }
    W.fill(0);
    return this;
  }

  /** SHA-256 of everything so far; the state is unchanged. */
  peek(): Uint8Array {
    S.set(this.state);
    const b = this.buffered;
    W.fill(0, 0, 16);
    for (let i = 0; i < b; i++) W[i >> 2] = W[i >> 2]! | (this.buffer[i]! << (24 - 8 * (i & 3)));
    W[b >> 2] = W[b >> 2]! | (0x80 << (24 - 8 * (b & 3)));
    if (b >= 56) {
      compress(S);
      W.fill(0, 0, 16);
    }
    const bits = this.total * 8;
    W[14] = Math.floor(bits / 0x100000000) | 0;
    W[15] = bits | 0;
    compress(S);
    const out = digestBytes(S);
    W.fill(0);
    S.fill(0);
    return out;
  }

  clone(): Sha256Incremental {
    return new Sha256Incremental(this);
  }
}

/** W[0..16) = the 64 bytes of `b` at `off`, big-endian words. */
function loadBlock(b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const p = off + 4 * i;
    W[i] = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
}
