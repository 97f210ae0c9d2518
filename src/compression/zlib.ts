/** zlib (RFC 1950) for certificate compression through fflate: compresses, and decompresses bounded by `limit`. */
import { Unzlib, zlibSync } from 'fflate';
import type { CertificateCompressor } from '../handshake/compression.js';
import { bounded } from './bounded.js';

/** zlib (RFC 1950), algorithm 1. */
export const zlib: CertificateCompressor = /* @__PURE__ */ Object.freeze({
  name: 'zlib',
  algorithm: 1,
  decompress: (data: Uint8Array, limit: number) => bounded(data, limit, (ondata) => {
    const u = new Unzlib();
    u.ondata = (chunk) => ondata(chunk);
    return u;
  }),
  compress: (data: Uint8Array) => zlibSync(data, { level: 9 }),
});
