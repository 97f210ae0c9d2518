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

/** CertificateCompressionAlgorithm codepoints, RFC 8879 §7.3. */
export const CertificateCompressionAlgorithm = { zlib: 1, brotli: 2, zstd: 3 } as const;
export type CertificateCompressionName = keyof typeof CertificateCompressionAlgorithm;

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

/** The algorithm we send with: our first that the peer offered and that can compress (RFC 8879 §3). */
export function pickCompressor(ours: readonly CertificateCompressor[], peer: readonly number[] | undefined): CertificateCompressor | undefined {
  if (!peer) return undefined;
  return ours.find((c) => c.compress !== undefined && peer.includes(c.algorithm));
}

/**
 * The CompressedCertificate for `cert` (context empty, no entry extensions:
 * cached per CertifiedKey and algorithm) or, with a non-empty context, built afresh.
 */
export async function compressCertificate(
  compressor: CertificateCompressor,
  cert: CertifiedKey,
  context: Uint8Array,
): Promise<CompressedCertificate> {
  const body = certificateBody({ type: 'certificate', context, entries: cert.chain.map((d) => ({ data: d, extensions: [] })) });
  let compressed: Promise<Uint8Array>;
  if (context.length === 0) {
    let perKey = cache.get(cert);
    if (!perKey) cache.set(cert, (perKey = new Map()));
    let p = perKey.get(compressor.algorithm);
    if (!p) {
      p = Promise.resolve(compressor.compress!(body));
      perKey.set(compressor.algorithm, p);
      p.catch(() => perKey.delete(compressor.algorithm));
    }
    compressed = p;
  } else {
    compressed = Promise.resolve(compressor.compress!(body));
  }
  return { type: 'compressed_certificate', algorithm: compressor.algorithm, uncompressedLength: body.length, data: await compressed };
}

function certificateBody(m: Certificate): Uint8Array {
  const w = new Writer(1024);
  encodeCertificate(w, m);
  return w.finish();
}

/**
 * The Certificate inside a received CompressedCertificate (RFC 8879 §4).
 * `offered` is what we sent in compress_certificate (undefined: not sent).
 */
export function decompressCertificate(
  m: CompressedCertificate,
  offered: readonly CertificateCompressor[] | undefined,
  maxMessageSize: number,
): Certificate {
  // We never sent compress_certificate, so the peer had no right to compress (RFC 8879 §3; GnuTLS issue 1440).
  if (!offered) throw new TlsError('unexpected_message', 'CompressedCertificate but we offered no certificate compression');
  // §4: "The algorithm MUST be one of the algorithms listed in the peer's compress_certificate extension."
  const codec = offered.find((c) => c.algorithm === m.algorithm);
  if (!codec) throw new TlsError('illegal_parameter', `CompressedCertificate: algorithm ${m.algorithm} was not offered`);
  // Our bound on the handshake message applies to the message once decompressed (4-byte header included).
  if (m.uncompressedLength + 4 > maxMessageSize) {
    throw new TlsError('bad_certificate', `CompressedCertificate: uncompressed_length ${m.uncompressedLength} exceeds the ${maxMessageSize}-byte handshake message limit`);
  }
  let body: Uint8Array;
  try {
    body = codec.decompress(m.data, m.uncompressedLength);
  } catch (e) {
    // §4: "If the received CompressedCertificate message cannot be decompressed, the connection MUST be terminated with the bad_certificate alert."
    throw new TlsError('bad_certificate', `CompressedCertificate: ${codec.name} data does not decompress (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  // §4: uncompressed_length is the Certificate's length; any other result cannot be it.
  if (body.length !== m.uncompressedLength) {
    throw new TlsError('bad_certificate', `CompressedCertificate: decompressed to ${body.length} bytes, uncompressed_length says ${m.uncompressedLength}`);
  }
  const r = new Reader(body, 0, body.length, 'certificate');
  const cert = decodeCertificate(r);
  r.expectEnd();
  return cert;
}
