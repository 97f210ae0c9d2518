/** The parts of the `brotli` package (1.3.3, CommonJS, untyped) that src/compression/brotli.ts uses. */
declare module 'brotli/dec/decode.js' {
  export interface BrotliOutputLike {
    buffer: { readonly length: number };
    pos: number;
    write(buf: Uint8Array, count: number): number;
  }
  export function BrotliDecompress(input: unknown, output: BrotliOutputLike): void;
}
declare module 'brotli/dec/streams.js' {
  export class BrotliInput {
    constructor(buffer: Uint8Array);
  }
}
