/**
 * Certificate compression codecs (RFC 8879) for `certificateCompression`:
 * zlib (fflate: compresses and decompresses), brotli (the `brotli`
 * package's pure-JS decoder, bounded as brotli.ts explains: decompression
 * only) and zstd (fzstd, bounded as zstd-frames.ts explains: decompression
 * only). An algorithm that only decompresses is offered for the peer's
 * certificate and never used to send ours. Pure JavaScript, no `node:`
 * imports, so they run and bundle in every runtime; kept out of the core so
 * that bundles that do not use them do not carry them. The Node entry uses
 * node:zlib for zlib and brotli instead (src/io/node/compression.ts).
 *
 * Each codec is a module of its own, so a bundle carries only those it
 * imports (gzip: zlib ~5 kB, zstd ~4 kB, brotli ~61 kB, most of it the
 * decoder's dictionary).
 *
 * Every decompress is bounded: it never produces more than `limit` bytes
 * (the CompressedCertificate's uncompressed_length), whatever the input.
 */
import type { CertificateCompressor, CertificateCompressionName } from '../handshake/compression.js';
import { brotli } from './brotli.js';
import { zlib } from './zlib.js';
import { zstd } from './zstd.js';

export type { CertificateCompressor, CertificateCompressionName } from '../handshake/compression.js';
export { brotli, zlib, zstd };

const BY_NAME: Record<CertificateCompressionName, CertificateCompressor> = { zlib, brotli, zstd };

/** The default offer: brotli (what browsers send), zlib, zstd. */
export const DEFAULT_CERTIFICATE_COMPRESSION: readonly CertificateCompressionName[] = ['brotli', 'zlib', 'zstd'];

/** Codecs for names (`['brotli', 'zlib', 'zstd']`) from `table` (default: these); an unknown name throws, naming it. */
export function certificateCompressors(
  names: readonly (CertificateCompressionName | CertificateCompressor)[] = DEFAULT_CERTIFICATE_COMPRESSION,
  table: Readonly<Record<CertificateCompressionName, CertificateCompressor>> = BY_NAME,
): CertificateCompressor[] {
  return names.map((n) => {
    if (typeof n !== 'string') return n;
    const c = Object.hasOwn(table, n) ? table[n] : undefined;
    if (!c) throw new TypeError(`certificateCompression: unknown algorithm "${n}" (brotli, zlib or zstd)`);
    return c;
  });
}
