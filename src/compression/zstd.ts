/** zstd (RFC 8878) for certificate compression through fzstd: decompression only, bounded by `limit` (zstd-frames.ts, bounded.ts). */
import { Decompress as ZstdDecompress } from 'fzstd';
import type { CertificateCompressor } from '../handshake/compression.js';
import { bounded } from './bounded.js';
import { boundZstdFrames } from './zstd-frames.js';

/** zstd (RFC 8878), algorithm 3: decompression only. */
export const zstd: CertificateCompressor = /* @__PURE__ */ Object.freeze({
  name: 'zstd',
  algorithm: 3,
  // The frames are checked first (zstd-frames.ts): fzstd sizes its window, and its work per block, from the header.
  decompress: (data: Uint8Array, limit: number) => bounded(boundZstdFrames(data, limit), limit, (ondata) => new ZstdDecompress((chunk) => ondata(chunk))),
});
