/**
 * Certificate compression, RFC 8879: the codec interface the handshake uses,
 * the sender's per-chain cache and the receiver's bounded decompression.
 * The codecs themselves (zlib, brotli, zstd) live in src/compression, outside
 * the core, so that a bundle that does not use them does not carry them.
 */
import { Reader } from '../codec/reader.js';
import { Writer } from '../codec/writer.js';
import { TlsError } from '../errors.js';
import { decodeCertificate, encodeCertificate, type Certificate } from './messages/certificate.js';
import type { CompressedCertificate } from './messages/compressed-certificate.js';
import type { CertifiedKey } from './types.js';

/** The algorithms RFC 8879 §7.3 names: 1 zlib, 2 brotli, 3 zstd. */
export type CertificateCompressionName = 'zlib' | 'brotli' | 'zstd';

/**
 * One compression algorithm. `decompress` MUST NOT produce more than `limit`
 * bytes (it throws instead, or stops and returns what it has: the handshake
 * refuses any length other than the announced one); `compress` is optional
 * (an algorithm we can only receive is offered, never used to send).
 */
export interface CertificateCompressor {
  readonly name: string;
  /** The RFC 8879 codepoint (1 zlib, 2 brotli, 3 zstd). */
  readonly algorithm: number;
  decompress(data: Uint8Array, limit: number): Uint8Array;
  compress?(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** The compressed Certificate bodies, per chain and algorithm: the sender compresses each chain once (RFC 8879 §5 advises caching). */
const cache = new WeakMap<CertifiedKey, Map<number, Promise<Uint8Array>>>();

/**
 * Our Certificate message with `context` (no entry extensions), compressed
 * with our first algorithm that the peer offered and that can compress
 * (RFC 8879 §3, §4), else plain. The handshake's (empty context) is
 * compressed once per CertifiedKey and algorithm, then cached.
 */
export async function certificateMessage(
  ours: readonly CertificateCompressor[],
  peer: readonly number[] | undefined,
  cert: CertifiedKey,
  context: Uint8Array,
): Promise<Certificate | CompressedCertificate> {
  const m: Certificate = { type: 'certificate', context, entries: cert.chain.map((d) => ({ data: d, extensions: [] })) };
  const codec = peer && ours.find((c) => c.compress && peer.includes(c.algorithm));
  if (!codec) return m;
  const w = new Writer(1024);
  encodeCertificate(w, m);
  const body = w.finish();
  const algorithm = codec.algorithm;
  let perKey = cache.get(cert);
  if (!perKey) cache.set(cert, (perKey = new Map()));
  let p = context.length === 0 ? perKey.get(algorithm) : undefined;
  if (!p) {
    p = Promise.resolve(codec.compress!(body));
    if (context.length === 0) {
      perKey.set(algorithm, p);
      p.catch(() => perKey.delete(algorithm));
    }
  }
  return { type: 'compressed_certificate', algorithm, uncompressedLength: body.length, data: await p };
}

/**
 * The Certificate inside a received CompressedCertificate (RFC 8879 §4).
 * `offered` is what we sent in compress_certificate (undefined or empty: not sent).
 */
export function decompressCertificate(m: CompressedCertificate, offered: readonly CertificateCompressor[] | undefined, maxMessageSize: number): Certificate {
  const n = m.uncompressedLength;
  // We never sent compress_certificate, so the peer had no right to compress (RFC 8879 §3).
  if (!offered?.length) throw new TlsError('unexpected_message', 'CompressedCertificate, but we offered no compression');
  // §4: "The algorithm MUST be one of the algorithms listed in the peer's compress_certificate extension."
  const codec = offered.find((c) => c.algorithm === m.algorithm);
  if (!codec) throw new TlsError('illegal_parameter', `CompressedCertificate: algorithm ${m.algorithm} not offered`);
  // Our bound on handshake messages applies to the decompressed one (4-byte header included).
  if (n + 4 > maxMessageSize) throw new TlsError('bad_certificate', `CompressedCertificate: uncompressed_length ${n} over our limit ${maxMessageSize}`);
  let body: Uint8Array;
  try {
    body = codec.decompress(m.data, n);
  } catch (e) {
    // §4: "If the received CompressedCertificate message cannot be decompressed, the connection MUST be terminated with the bad_certificate alert."
    throw new TlsError('bad_certificate', `CompressedCertificate: ${codec.name}: ${(e as Error).message}`, { cause: e });
  }
  // §4: uncompressed_length is the Certificate's length; any other result cannot be it.
  if (body.length !== n) throw new TlsError('bad_certificate', `CompressedCertificate: ${body.length} bytes, not uncompressed_length ${n}`);
  const r = new Reader(body, 0, body.length, 'certificate');
  const cert = decodeCertificate(r);
  r.expectEnd();
  return cert;
}
