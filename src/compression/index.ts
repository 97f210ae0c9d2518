/**
 * Certificate compression codecs (RFC 8879) for `certificateCompression`:
 * zlib (fflate), brotli (the `brotli` package: its pure-JS decoder, bounded
 * as brotli.ts explains, and its encoder, a 1.3 MB asm.js build loaded on
 * first use) and zstd (fzstd, which
 * only decompresses: zstd is offered for receiving, never used to send).
 * Pure JavaScript, no `node:` imports, so they run in every runtime; kept out
 * of the core so that bundles that do not use them do not carry them.
 *
 * Every decompress is bounded: it never produces more than `limit` bytes
 * (the CompressedCertificate's uncompressed_length), whatever the input.
 */
import { Unzlib, zlibSync } from 'fflate';
import { Decompress as ZstdDecompress } from 'fzstd';
import { brotliCompress, brotliDecompressBounded } from './brotli.js';
import { boundZstdFrames } from './zstd-frames.js';
import type { CertificateCompressor, CertificateCompressionName } from '../handshake/compression.js';

export type { CertificateCompressor, CertificateCompressionName } from '../handshake/compression.js';

/** Input is fed in slices this big, so one step's output is bounded (deflate expands at most ~1032×, zstd blocks are ≤ 128 KiB). */
const SLICE = 1024;

/** Run a streaming decoder over `data` in slices, stopping as soon as the output passes `limit`. */
function bounded(
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

/** zlib (RFC 1950), algorithm 1. */
export const zlib: CertificateCompressor = Object.freeze({
  name: 'zlib',
  algorithm: 1,
  decompress: (data: Uint8Array, limit: number) => bounded(data, limit, (ondata) => {
    const u = new Unzlib();
    u.ondata = (chunk) => ondata(chunk);
    return u;
  }),
  compress: (data: Uint8Array) => zlibSync(data, { level: 9 }),
});

/** brotli (RFC 7932), algorithm 2. */
export const brotli: CertificateCompressor = Object.freeze({
  name: 'brotli',
  algorithm: 2,
  decompress: brotliDecompressBounded,
  compress: brotliCompress,
});

/** zstd (RFC 8878), algorithm 3: decompression only. */
export const zstd: CertificateCompressor = Object.freeze({
  name: 'zstd',
  algorithm: 3,
  // The frames are checked first (zstd-frames.ts): fzstd sizes its window, and its work per block, from the header.
  decompress: (data: Uint8Array, limit: number) => bounded(boundZstdFrames(data, limit), limit, (ondata) => new ZstdDecompress((chunk) => ondata(chunk))),
});

const BY_NAME: Record<CertificateCompressionName, CertificateCompressor> = { zlib, brotli, zstd };

/** The default offer: brotli (what browsers send), zlib, zstd. */
export const DEFAULT_CERTIFICATE_COMPRESSION: readonly CertificateCompressionName[] = ['brotli', 'zlib', 'zstd'];

/** Codecs for names (`['brotli', 'zlib', 'zstd']`); an unknown name throws, naming it. */
export function certificateCompressors(names: readonly (CertificateCompressionName | CertificateCompressor)[] = DEFAULT_CERTIFICATE_COMPRESSION): CertificateCompressor[] {
  return names.map((n) => {
    if (typeof n !== 'string') return n;
    const c = BY_NAME[n];
    if (!c) throw new TypeError(`certificateCompression: unknown algorithm "${n}" (brotli, zlib or zstd)`);
    return c;
  });
}
