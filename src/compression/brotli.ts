/**
 * brotli (RFC 7932) decompression for certificate compression, algorithm 2,
 * through the `brotli` package's pure-JS decoder, driven with an output of
 * our own so that decoding is bounded. (The package's encoder is a 1.3 MB
 * asm.js build that bundlers cannot take for browsers; we do not use it:
 * the Node entry compresses with node:zlib.)
 *
 * The package's BrotliDecompressBuffer grows its output to whatever each
 * meta-block announces (a few bytes can announce gigabytes); we call the
 * decoder with an output whose `buffer` reports our limit and refuses to be
 * replaced, so a meta-block announcing more than the limit stops the decoder
 * before it decodes it, and `write` never copies past the limit.
 */
import decode from 'brotli/dec/decode.js';
import streams from 'brotli/dec/streams.js';
import type { CertificateCompressor } from '../handshake/compression.js';

const { BrotliDecompress } = decode as typeof import('brotli/dec/decode.js');
const { BrotliInput } = streams as typeof import('brotli/dec/streams.js');

export function brotliDecompressBounded(data: Uint8Array, limit: number): Uint8Array {
  const out = new Uint8Array(limit);
  const view = { length: limit };
  const output = {
    pos: 0,
    get buffer(): { readonly length: number } { return view; },
    set buffer(_: { readonly length: number }) { throw new Error(`brotli meta-block announces more than ${limit} bytes`); },
    write(buf: Uint8Array, count: number): number {
      if (output.pos + count > limit) throw new Error(`brotli output exceeds ${limit} bytes`);
      out.set(buf.subarray(0, count), output.pos);
      output.pos += count;
      return count;
    },
  };
  BrotliDecompress(new BrotliInput(data), output);
  return out.subarray(0, output.pos);
}

/** brotli (RFC 7932), algorithm 2: decompression only. */
export const brotli: CertificateCompressor = /* @__PURE__ */ Object.freeze({
  name: 'brotli',
  algorithm: 2,
  decompress: brotliDecompressBounded,
});
