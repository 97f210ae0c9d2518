/** Streaming decompression stopped at a limit: the zlib and zstd codecs' common bound. */

/** Input is fed in slices this big, so one step's output is bounded (deflate expands at most ~1032×, zstd blocks are ≤ 128 KiB). */
const SLICE = 1024;

/** Run a streaming decoder over `data` in slices, stopping as soon as the output passes `limit`. */
export function bounded(
  data: Uint8Array,
  limit: number,
  make: (ondata: (chunk: Uint8Array) => void) => { push(chunk: Uint8Array, final?: boolean): void },
): Uint8Array {
  const out = new Uint8Array(limit);
  let n = 0;
  const d = make((chunk) => {
    if (n + chunk.length > limit) throw new Error(`output exceeds ${limit} bytes`);
    out.set(chunk, n);
    n += chunk.length;
  });
  for (let i = 0; i < data.length; i += SLICE) {
    const end = Math.min(i + SLICE, data.length);
    d.push(data.subarray(i, end), end === data.length);
  }
  return out.subarray(0, n);
}
