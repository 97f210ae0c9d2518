/**
 * The Node entry's certificate codecs return exact-size arrays: node:zlib's
 * sync calls answer with a view into a 16 KiB output chunk, and keeping that
 * view (every connection keeps its peer's chain) kept 16 KiB alive per
 * connection (memory.idle grew from ~47 to ~64 KB per connection pair).
 */
import { describe, expect, it } from 'vitest';
import { nodeBrotli, nodeZlib } from '../../src/io/node/compression.js';

describe('node:zlib certificate codecs', () => {
  const chain = new Uint8Array(1500).map((_, i) => (i * 7) & 0xff);
  for (const codec of [nodeBrotli, nodeZlib]) {
    it(`${codec.name}: compress and decompress return arrays that own exactly their bytes`, async () => {
      const packed = await codec.compress!(chain);
      expect(packed.buffer.byteLength).toBe(packed.length);
      const out = await codec.decompress(packed, chain.length);
      expect(out).toEqual(chain);
      expect(out.byteOffset).toBe(0);
      expect(out.buffer.byteLength).toBe(chain.length);
    });
  }
});
