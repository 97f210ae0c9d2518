/**
 * The AES block cipher, encryption only (FIPS 197), for GCM's CTR mode and
 * hash key. Four 256-word T-tables (4 KiB) and the S-box: small enough to
 * stay in L1 cache. @noble/ciphers' AES uses 2^16-entry tables (~640 KiB),
 * which are fast in a tight loop but miss the cache on every lookup when
 * records are sealed between big-number operations, as in a handshake (a
 * 640-byte flight cost ~60 µs there against ~25 µs hot). Like noble's, this
 * is a table implementation (lookups indexed by secret bytes). Checked
 * against node:crypto and the FIPS 197 vectors in test/crypto/pure-gcm.test.ts.
 */

const SBOX = new Uint8Array(256);
const T0 = new Uint32Array(256);
const T1 = new Uint32Array(256);
const T2 = new Uint32Array(256);
const T3 = new Uint32Array(256);

const mul2 = (x: number): number => ((x << 1) ^ (x & 0x80 ? 0x1b : 0)) & 0xff;
const rotl8 = (x: number, n: number): number => ((x << n) | (x >>> (8 - n))) & 0xff;

(() => {
  // S-box from the multiplicative inverse (p walks the group by ×3, q by ÷3) and the affine map (FIPS 197 §5.1.1).
  let p = 1;
  let q = 1;
  do {
    p = p ^ mul2(p);
    q ^= q << 1;
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    SBOX[p] = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let x = 0; x < 256; x++) {
    const s = SBOX[x]!;
    const s2 = mul2(s);
    const t = ((s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s)) >>> 0; // column (2s, s, s, 3s)
    T0[x] = t;
    T1[x] = ((t >>> 8) | (t << 24)) >>> 0;
    T2[x] = ((t >>> 16) | (t << 16)) >>> 0;
    T3[x] = ((t >>> 24) | (t << 8)) >>> 0;
  }
})();

const subWord = (w: number): number =>
  ((SBOX[w >>> 24]! << 24) | (SBOX[(w >>> 16) & 0xff]! << 16) | (SBOX[(w >>> 8) & 0xff]! << 8) | SBOX[w & 0xff]!) >>> 0;

/** Round keys (FIPS 197 §5.2), big-endian words; 16- or 32-byte keys (AES-128, AES-256). */
export function aesExpandKey(key: Uint8Array): Uint32Array {
  const nk = key.length / 4;
  if (key.length !== 16 && key.length !== 32) throw new Error('AES: key must be 16 or 32 bytes');
  const total = 4 * (nk + 7);
  const w = new Uint32Array(total);
  for (let i = 0; i < nk; i++) w[i] = ((key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!) >>> 0;
  let rcon = 1;
  for (let i = nk; i < total; i++) {
    let t = w[i - 1]!;
    if (i % nk === 0) {
      t = (subWord(((t << 8) | (t >>> 24)) >>> 0) ^ (rcon << 24)) >>> 0;
      rcon = mul2(rcon);
    } else if (nk > 6 && i % nk === 4) {
      t = subWord(t);
    }
    w[i] = (w[i - nk]! ^ t) >>> 0;
  }
  return w;
}

/** Output of the last aesEncryptBlock (synchronous callers only). */
export const aesOut = new Uint32Array(4);

/** Encrypts the block (s0, s1, s2, s3) (big-endian words) into aesOut. */
export function aesEncryptBlock(rk: Uint32Array, s0: number, s1: number, s2: number, s3: number): void {
  const rounds = rk.length / 4 - 1;
  s0 ^= rk[0]!; s1 ^= rk[1]!; s2 ^= rk[2]!; s3 ^= rk[3]!;
  let k = 4;
  for (let r = 1; r < rounds; r++) {
    const t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ rk[k]!;
    const t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 0xff]! ^ T2[(s3 >>> 8) & 0xff]! ^ T3[s0 & 0xff]! ^ rk[k + 1]!;
    const t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s0 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ rk[k + 2]!;
    const t3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 0xff]! ^ T2[(s1 >>> 8) & 0xff]! ^ T3[s2 & 0xff]! ^ rk[k + 3]!;
    s0 = t0; s1 = t1; s2 = t2; s3 = t3;
    k += 4;
  }
  // last round: SubBytes, ShiftRows, AddRoundKey (no MixColumns)
  aesOut[0] = ((SBOX[s0 >>> 24]! << 24) | (SBOX[(s1 >>> 16) & 0xff]! << 16) | (SBOX[(s2 >>> 8) & 0xff]! << 8) | SBOX[s3 & 0xff]!) ^ rk[k]!;
  aesOut[1] = ((SBOX[s1 >>> 24]! << 24) | (SBOX[(s2 >>> 16) & 0xff]! << 16) | (SBOX[(s3 >>> 8) & 0xff]! << 8) | SBOX[s0 & 0xff]!) ^ rk[k + 1]!;
  aesOut[2] = ((SBOX[s2 >>> 24]! << 24) | (SBOX[(s3 >>> 16) & 0xff]! << 16) | (SBOX[(s0 >>> 8) & 0xff]! << 8) | SBOX[s1 & 0xff]!) ^ rk[k + 2]!;
  aesOut[3] = ((SBOX[s3 >>> 24]! << 24) | (SBOX[(s0 >>> 16) & 0xff]! << 16) | (SBOX[(s1 >>> 8) & 0xff]! << 8) | SBOX[s2 & 0xff]!) ^ rk[k + 3]!;
}

/**
 * CTR with a 32-bit big-endian counter (SP 800-38D GCTR): dst = src XOR
 * E(c0 || c1 || c2 || ctr), E(.. ctr+1), ...; the counter wraps mod 2^32.
 * `dst` may be `src`. Any alignment.
 */
export function aesCtr32(rk: Uint32Array, c0: number, c1: number, c2: number, ctr: number, src: Uint8Array, dst: Uint8Array): void {
  const n = src.length;
  const o = aesOut;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    aesEncryptBlock(rk, c0, c1, c2, ctr);
    ctr = (ctr + 1) >>> 0;
    for (let w = 0; w < 4; w++) {
      const k = o[w]!;
      const p = i + 4 * w;
      dst[p] = src[p]! ^ (k >>> 24);
      dst[p + 1] = src[p + 1]! ^ ((k >>> 16) & 0xff);
      dst[p + 2] = src[p + 2]! ^ ((k >>> 8) & 0xff);
      dst[p + 3] = src[p + 3]! ^ (k & 0xff);
    }
  }
  if (i < n) {
    aesEncryptBlock(rk, c0, c1, c2, ctr);
    for (let j = i; j < n; j++) {
      const b = j - i;
      dst[j] = src[j]! ^ ((o[b >> 2]! >>> (24 - 8 * (b & 3))) & 0xff);
    }
  }
  o.fill(0);
}
