/**
 * Certificate compression codecs (RFC 8879) for the Node entry: zlib and
 * brotli through node:zlib (native, both directions), zstd through
 * puretls/compression's fzstd decoder (Node 20's zlib has no zstd; we offer
 * it for receiving and never send with it). Every decompression is bounded
 * by `limit` (the CompressedCertificate's uncompressed_length): node:zlib
 * stops with an error as soon as its output would pass maxOutputLength.
 */
import { brotliCompressSync, brotliDecompressSync, constants, deflateSync, inflateSync } from 'node:zlib';
import { certificateCompressors, zstd } from '../../compression/index.js';
import type { CertificateCompressionName, CertificateCompressor } from '../../handshake/compression.js';

/**
 * An exact-size copy: node:zlib's sync calls return a view into their 16 KiB
 * output chunk, and a view would keep that whole chunk alive for as long as
 * the certificate chain is kept (every connection's peerCertificates).
 */
const u8 = (b: Buffer): Uint8Array => new Uint8Array(b);
/** maxOutputLength must be at least 1; a 0-byte limit still fails the handshake's length check. */
const bound = (limit: number): { maxOutputLength: number } => ({ maxOutputLength: Math.max(1, limit) });

/** zlib (RFC 1950), algorithm 1. */
export const nodeZlib: CertificateCompressor = Object.freeze({
  name: 'zlib',
  algorithm: 1,
  decompress: (data: Uint8Array, limit: number) => u8(inflateSync(data, bound(limit))),
  compress: (data: Uint8Array) => u8(deflateSync(data, { level: 9 })),
});

/** brotli (RFC 7932), algorithm 2. */
export const nodeBrotli: CertificateCompressor = Object.freeze({
  name: 'brotli',
  algorithm: 2,
  decompress: (data: Uint8Array, limit: number) => u8(brotliDecompressSync(data, bound(limit))),
  compress: (data: Uint8Array) => u8(brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  })),
});

const NODE_CODECS: Record<CertificateCompressionName, CertificateCompressor> = { zlib: nodeZlib, brotli: nodeBrotli, zstd };

/** The Node entry's `certificateCompression`: names (default brotli, zlib, zstd) become these codecs; codec objects pass through. */
export function nodeCertificateCompressors(names?: readonly (CertificateCompressionName | CertificateCompressor)[]): CertificateCompressor[] {
  return certificateCompressors(names, NODE_CODECS);
}
