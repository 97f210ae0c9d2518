/**
 * brotli (RFC 7932) for certificate compression, algorithm 2, through the
 * `brotli` package: its pure-JS decoder, driven with an output of our own so
 * that decoding is bounded, and its encoder (an asm.js build, loaded on first
 * use).
 *
 * The package's BrotliDecompressBuffer grows its output to whatever each
 * meta-block announces (a few bytes can announce gigabytes); we call the
 * decoder with an output whose `buffer` reports our limit and refuses to be
 * replaced, so a meta-block announcing more than the limit stops the decoder
 * before it decodes it, and `write` never copies past the limit.
 */
import decode from 'brotli/dec/decode.js';
import streams from 'brotli/dec/streams.js';

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

export async function brotliCompress(data: Uint8Array): Promise<Uint8Array> {
  const mod = await import('brotli/compress.js');
  const compress = (mod.default ?? mod) as typeof import('brotli/compress.js').default;
  const out = compress(data, { quality: 11 });
  if (!out) throw new Error('brotli: compression failed');
  return out;
}
