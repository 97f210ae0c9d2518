/**
 * A walk over zstd frames (RFC 8878 §3.1) before fzstd decodes them, so that
 * what a peer declares cannot make decoding cost more than the output it may
 * produce.
 *
 * fzstd's streaming decoder allocates a window of the size the frame header
 * declares (up to 2 GB) and, after every block, shifts that whole window: ten
 * bytes declaring a 1 GB window cost seconds of CPU and a gigabyte of memory,
 * and each further 4-byte block costs as much again. Here:
 * - a frame whose declared content size (or single-segment window) is larger
 *   than what may still be produced is refused before any decoding;
 * - a larger declared Window_Size is lowered, in our copy, to the smallest
 *   window above the limit: back-references never reach before the start of
 *   the output, which may not exceed the limit, so decoding any input that
 *   stays within the limit is unchanged (RFC 8878 §3.1.1.1.2 lets a decoder
 *   size its buffer as it needs);
 * - at most MAX_BLOCKS blocks in all (each costs one window shift; a
 *   certificate chain takes one block per 128 KiB);
 * - reserved bits and block types, dictionaries (RFC 8879 defines none) and
 *   truncated structure are refused.
 */

/** Blocks per decompression: an encoder emits a block per 128 KiB, so a certificate chain needs a few; this bounds the per-block window shifts. */
export const MAX_BLOCKS = 256;

const ZSTD_MAGIC = 0xfd2fb528;

function u32le(d: Uint8Array, i: number): number {
  return (d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24)) >>> 0;
}

/** RFC 8878 §3.1.1.1.2: Window_Size from a Window_Descriptor byte. */
function windowSize(descriptor: number): number {
  const base = 2 ** (10 + (descriptor >> 3));
  return base + (base / 8) * (descriptor & 7);
}

/** The smallest Window_Descriptor whose Window_Size exceeds `limit`. */
function descriptorAbove(limit: number): number {
  for (let d = 0; d < 256; d++) if (windowSize(d) > limit) return d;
  return 255;
}

/**
 * Check `data` (one or more zstd or skippable frames) against `limit`, the
 * most it may decompress to; returns the data to decode (a copy with lowered
 * window descriptors when any was larger). Throws on anything refused.
 */
export function boundZstdFrames(data: Uint8Array, limit: number): Uint8Array {
  let out = data;
  let pos = 0;
  let declared = 0;
  let blocks = 0;
  const need = (n: number): void => {
    if (pos + n > data.length) throw new Error('zstd: truncated frame');
  };
  while (pos < data.length) {
    need(4);
    const magic = u32le(data, pos);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // §3.1.2 skippable frame: magic, Frame_Size, user data.
      need(8);
      const size = u32le(data, pos + 4);
      pos += 8;
      need(size);
      pos += size;
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw new Error('zstd: not a zstd frame');
    pos += 4;
    need(1);
    const fhd = data[pos]!;
    // §3.1.1.1.1: bit 3 is reserved and must be zero.
    if (fhd & 0x08) throw new Error('zstd: reserved frame header bit set');
    const fcsFlag = fhd >> 6;
    const singleSegment = (fhd >> 5) & 1;
    const checksum = (fhd >> 2) & 1;
    const dictFlag = fhd & 3;
    pos += 1;
    let window = 0;
    if (!singleSegment) {
      need(1);
      window = windowSize(data[pos]!);
      if (window > limit) {
        // Lowered in our copy: no valid output within the limit reaches further back.
        if (out === data) out = data.slice();
        out[pos] = descriptorAbove(limit);
      }
      pos += 1;
    }
    const dictBytes = [0, 1, 2, 4][dictFlag]!;
    need(dictBytes);
    for (let i = 0; i < dictBytes; i++) if (data[pos + i] !== 0) throw new Error('zstd: a dictionary is required (none is defined for certificates)');
    pos += dictBytes;
    const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
    need(fcsBytes);
    if (fcsBytes > 0) {
      let fcs = 0;
      for (let i = fcsBytes - 1; i >= 0; i--) fcs = fcs * 256 + data[pos + i]!;
      if (fcsBytes === 2) fcs += 256;
      declared += fcs;
      if (declared > limit) throw new Error(`zstd: frame content size exceeds ${limit} bytes`);
    }
    pos += fcsBytes;
    // §3.1.1.2 blocks: 3-byte header (Last_Block, Block_Type, Block_Size), then the content.
    for (;;) {
      if (++blocks > MAX_BLOCKS) throw new Error(`zstd: more than ${MAX_BLOCKS} blocks`);
      need(3);
      const h = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16);
      pos += 3;
      const type = (h >> 1) & 3;
      const size = h >>> 3;
      if (type === 3) throw new Error('zstd: reserved block type');
      const content = type === 1 ? 1 : size; // RLE: one byte, repeated Block_Size times
      need(content);
      pos += content;
      if (h & 1) break;
    }
    if (checksum) {
      need(4);
      pos += 4;
    }
  }
  return out;
}
