/**
 * AES-GCM (NIST SP 800-38D) with the key-dependent work done once per key:
 * the AES round keys and a 16-entry GHASH table (Shoup's 4-bit method, 256
 * bytes). @noble/ciphers' `gcm(key, nonce, aad)` expands the key and builds
 * a GHASH table of a few hundred objects on every call; a TLS record key
 * seals or opens many records, so this keeps both in the AeadKey. The block
 * cipher is aes.ts (small tables; see there why not noble's). 96-bit nonces
 * only (TLS 1.3, RFC 8446 §5.3). Checked against node:crypto in
 * test/crypto/pure-gcm.test.ts.
 */
import { aesCtr32, aesEncryptBlock, aesExpandKey, aesOut } from './aes.js';
import { constantTimeEqual } from '../../util/bytes.js';

const TAG_LENGTH = 16;
const EMPTY_U32 = new Uint32Array(0);

/** Reduction constants for a 4-bit shift (x^128 + x^7 + x^2 + x + 1, reflected), top 16 bits of the high word. */
const LAST4 = new Uint32Array([
  0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0,
  0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0,
]);

/** `M[i] = i·H` for the 4-bit values i (GCM bit order), 4 big-endian words each. */
function ghashTable(h: Uint8Array): Uint32Array {
  const m = new Uint32Array(64);
  let v0 = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
  let v1 = ((h[4]! << 24) | (h[5]! << 16) | (h[6]! << 8) | h[7]!) >>> 0;
  let v2 = ((h[8]! << 24) | (h[9]! << 16) | (h[10]! << 8) | h[11]!) >>> 0;
  let v3 = ((h[12]! << 24) | (h[13]! << 16) | (h[14]! << 8) | h[15]!) >>> 0;
  m[32] = v0; m[33] = v1; m[34] = v2; m[35] = v3; // M[8] = H (8 = 1000b is the polynomial 1)
  for (let i = 4; i > 0; i >>= 1) {
    // multiply by x: shift right one bit, reduce by R = 0xE1 || 0^120
    const carry = v3 & 1;
    v3 = ((v3 >>> 1) | (v2 << 31)) >>> 0;
    v2 = ((v2 >>> 1) | (v1 << 31)) >>> 0;
    v1 = ((v1 >>> 1) | (v0 << 31)) >>> 0;
    v0 = ((v0 >>> 1) ^ (carry ? 0xe1000000 : 0)) >>> 0;
    m[4 * i] = v0; m[4 * i + 1] = v1; m[4 * i + 2] = v2; m[4 * i + 3] = v3;
  }
  for (let i = 2; i <= 8; i *= 2) {
    for (let j = 1; j < i; j++) {
      for (let w = 0; w < 4; w++) m[4 * (i + j) + w] = m[4 * i + w]! ^ m[4 * j + w]!;
    }
  }
  return m;
}

/** Y = (Y ^ block) · H over `data` in 16-byte blocks, the last one zero-padded (SP 800-38D §6.4). */
function ghashUpdate(m: Uint32Array, y: Uint32Array, data: Uint8Array): void {
  const n = data.length;
  for (let off = 0; off < n; off += 16) {
    // Y ^= block (big-endian words)
    if (off + 16 <= n) {
      for (let w = 0; w < 4; w++) {
        const p = off + 4 * w;
        y[w] = y[w]! ^ (((data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!) >>> 0);
      }
    } else {
      for (let i = off; i < n; i++) {
        const k = i - off;
        y[k >> 2] = y[k >> 2]! ^ ((data[i]! << (24 - 8 * (k & 3))) >>> 0);
      }
    }
    gmul(m, y);
  }
}

/** y = y · H with the 4-bit table (processes the 32 nibbles from the last one). */
function gmul(m: Uint32Array, y: Uint32Array): void {
  let z0 = 0, z1 = 0, z2 = 0, z3 = 0;
  for (let i = 15; i >= 0; i--) {
    const b = (y[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
    // low nibble, then high nibble: Z = Z·x^4 ^ M[nibble]
    let rem = z3 & 0xf;
    z3 = (z3 >>> 4) | (z2 << 28);
    z2 = (z2 >>> 4) | (z1 << 28);
    z1 = (z1 >>> 4) | (z0 << 28);
    z0 = (z0 >>> 4) ^ (LAST4[rem]! << 16);
    let k = (b & 0xf) << 2;
    z0 ^= m[k]!; z1 ^= m[k + 1]!; z2 ^= m[k + 2]!; z3 ^= m[k + 3]!;
    rem = z3 & 0xf;
    z3 = (z3 >>> 4) | (z2 << 28);
    z2 = (z2 >>> 4) | (z1 << 28);
    z1 = (z1 >>> 4) | (z0 << 28);
    z0 = (z0 >>> 4) ^ (LAST4[rem]! << 16);
    k = (b >>> 4) << 2;
    z0 ^= m[k]!; z1 ^= m[k + 1]!; z2 ^= m[k + 2]!; z3 ^= m[k + 3]!;
  }
  y[0] = z0; y[1] = z1; y[2] = z2; y[3] = z3;
}

/** Scratch shared by all keys (never reentrant: everything here is synchronous; wiped after each use). */
const Y = new Uint32Array(4);
const MASK = new Uint8Array(16);
const LENGTHS = new Uint8Array(16);

const be32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** One AES-GCM key: round keys and GHASH table, built on first use and reused for every seal/open. */
export class AesGcmKey {
  /** The key until first use: a handshake derives traffic keys it may never use (no application data). */
  private key: Uint8Array | undefined;
  private rk: Uint32Array = EMPTY_U32;
  private table: Uint32Array = EMPTY_U32;

  constructor(key: Uint8Array) {
    if (key.length !== 16 && key.length !== 32) throw new Error('AES-GCM: key must be 16 or 32 bytes');
    this.key = key.slice();
  }

  /** Round keys and GHASH table, on first use. */
  private expand(key: Uint8Array): void {
    this.rk = aesExpandKey(key);
    aesEncryptBlock(this.rk, 0, 0, 0, 0); // H = E(K, 0^128)
    const h = new Uint8Array(16);
    for (let i = 0; i < 16; i++) h[i] = (aesOut[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
    aesOut.fill(0);
    this.table = ghashTable(h);
    h.fill(0);
    key.fill(0);
    this.key = undefined;
  }

  /** mask = E(K, J0) with J0 = nonce || 1 (SP 800-38D §7.1, 96-bit IV). */
  private start(nonce: Uint8Array): void {
    if (nonce.length !== 12) throw new Error('AES-GCM: nonce must be 12 bytes');
    if (this.key) this.expand(this.key);
    MASK.fill(0);
    aesCtr32(this.rk, be32(nonce, 0), be32(nonce, 4), be32(nonce, 8), 1, MASK, MASK);
  }

  /** GCTR from inc32(J0) = nonce || 2. */
  private ctr(nonce: Uint8Array, src: Uint8Array, dst: Uint8Array): void {
    aesCtr32(this.rk, be32(nonce, 0), be32(nonce, 4), be32(nonce, 8), 2, src, dst);
  }

  /** tag = GHASH(A, C) ^ mask, written to `out` at `at`. */
  private tag(aad: Uint8Array, ciphertext: Uint8Array, out: Uint8Array, at: number): void {
    const y = Y;
    y.fill(0);
    ghashUpdate(this.table, y, aad);
    ghashUpdate(this.table, y, ciphertext);
    const l = LENGTHS;
    writeBitLength(l, 0, aad.length);
    writeBitLength(l, 8, ciphertext.length);
    ghashUpdate(this.table, y, l);
    const mask = MASK;
    for (let i = 0; i < 16; i++) out[at + i] = ((y[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff) ^ mask[i]!;
    y.fill(0);
  }

  /** ciphertext || tag in a fresh array. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    this.start(nonce);
    const n = plaintext.length;
    const out = new Uint8Array(n + TAG_LENGTH);
    const ct = out.subarray(0, n);
    this.ctr(nonce, plaintext, ct);
    this.tag(aad, ct, out, n);
    MASK.fill(0);
    return out;
  }

  /** The plaintext, or null when the tag does not match (checked before decrypting). */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null {
    if (ciphertextAndTag.length < TAG_LENGTH) return null;
    this.start(nonce);
    const n = ciphertextAndTag.length - TAG_LENGTH;
    const ct = ciphertextAndTag.subarray(0, n);
    const expected = new Uint8Array(TAG_LENGTH);
    this.tag(aad, ct, expected, 0);
    const ok = constantTimeEqual(expected, ciphertextAndTag.subarray(n));
    MASK.fill(0);
    if (!ok) return null;
    const out = new Uint8Array(n);
    this.ctr(nonce, ct, out);
    return out;
  }

  destroy(): void {
    this.key?.fill(0);
    this.rk.fill(0);
    this.table.fill(0);
  }
}

/** 64-bit big-endian bit length of `bytes` octets. */
function writeBitLength(out: Uint8Array, at: number, bytes: number): void {
  const bits = bytes * 8;
  const hi = Math.floor(bits / 0x100000000);
  const lo = bits >>> 0;
  out[at] = hi >>> 24; out[at + 1] = hi >>> 16; out[at + 2] = hi >>> 8; out[at + 3] = hi;
  out[at + 4] = lo >>> 24; out[at + 5] = lo >>> 16; out[at + 6] = lo >>> 8; out[at + 7] = lo;
}
