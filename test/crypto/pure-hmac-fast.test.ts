/** The one-block HMAC-SHA-256 path (hmac-sha256.ts) against node:crypto, at and around its limits. */
import { describe, it, expect } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { hmacSha256Short, HMAC_SHA256_FAST_MAX_MESSAGE } from '../../src/crypto/pure/hmac-sha256.js';
import { pureHmac, pureHkdfExpand } from '../../src/crypto/pure/hash.js';

const u8 = (b: Buffer) => new Uint8Array(b);
const node = (k: Uint8Array, d: Uint8Array) => u8(createHmac('sha256', k).update(d).digest());

describe('HMAC-SHA-256 short path', () => {
  it('equals node:crypto for every key length 0..64 and message length 0..55, with and without a suffix byte', () => {
    for (let kl = 0; kl <= 64; kl += kl < 8 || kl > 56 ? 1 : 7) {
      for (let dl = 0; dl <= HMAC_SHA256_FAST_MAX_MESSAGE; dl++) {
        const key = u8(randomBytes(kl));
        const data = u8(randomBytes(dl));
        expect(hmacSha256Short(key, data)).toEqual(node(key, data));
        if (dl < HMAC_SHA256_FAST_MAX_MESSAGE) {
          const s = dl & 0xff;
          expect(hmacSha256Short(key, data, s)).toEqual(node(key, new Uint8Array([...data, s])));
        }
      }
    }
  });
  it('refuses what does not fit one block; the provider falls back for it', () => {
    expect(() => hmacSha256Short(new Uint8Array(65), new Uint8Array(1))).toThrow();
    expect(() => hmacSha256Short(new Uint8Array(32), new Uint8Array(56))).toThrow();
    expect(() => hmacSha256Short(new Uint8Array(32), new Uint8Array(55), 1)).toThrow();
    for (const [kl, dl] of [[65, 10], [32, 56], [32, 200], [100, 55]] as const) {
      const key = u8(randomBytes(kl));
      const data = u8(randomBytes(dl));
      expect(pureHmac('SHA-256', key, data)).toEqual(node(key, data));
    }
  });
  it('HKDF-Expand of one block (info 0..60 bytes) equals node:crypto', () => {
    for (let il = 0; il <= 60; il++) {
      const prk = u8(randomBytes(32));
      const info = u8(randomBytes(il));
      for (const len of [12, 16, 32]) {
        // RFC 5869 §2.3 with one block: T(1) = HMAC(PRK, info || 0x01)
        const t1 = u8(createHmac('sha256', prk).update(Buffer.concat([info, Buffer.from([1])])).digest());
        expect(pureHkdfExpand('SHA-256', prk, info, len)).toEqual(t1.slice(0, len));
      }
    }
  });
  it('inputs are not modified', () => {
    const key = u8(randomBytes(32));
    const data = u8(randomBytes(40));
    const k2 = key.slice();
    const d2 = data.slice();
    hmacSha256Short(key, data, 1);
    expect(key).toEqual(k2);
    expect(data).toEqual(d2);
  });
});
