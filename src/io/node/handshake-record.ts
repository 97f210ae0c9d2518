/**
 * What the Node adapter keeps of a handshake for Node's TLSSocket methods
 * that look back at it: getFinished()/getPeerFinished() (the verify_data
 * of the last Finished each way, RFC 8446 §4.4.4), getCertificate() (the
 * chain we sent) and getSharedSigalgs() (the peer's signature_algorithms).
 * Fed from onHandshakeMessage; only these message types are decoded. Our
 * chain may have gone out as a CompressedCertificate (RFC 8879): that one is
 * kept as sent and decompressed (with the codec we compressed it with) only
 * when getCertificate() asks, so a handshake pays nothing for it.
 */
import type { SignatureSchemeName } from '../../connection/types.js';
import { decodeHandshake } from '../../handshake/messages/index.js';
import { parseCertificateRequestExtensions, parseClientHelloExtensions } from '../../handshake/extensions/parse.js';
import { schemeByName } from '../../crypto/schemes.js';
import { DEFAULT_SCHEMES } from '../../handshake/common/schemes.js';
import { decompressCertificate, type CertificateCompressor } from '../../handshake/compression.js';

/** OpenSSL's names for signature algorithms, as Node's getSharedSigalgs() reports them. */
const OPENSSL_SIGALG: Partial<Record<SignatureSchemeName, string>> = {
  ecdsa_secp256r1_sha256: 'ECDSA+SHA256', ecdsa_secp384r1_sha384: 'ECDSA+SHA384', ecdsa_secp521r1_sha512: 'ECDSA+SHA512',
  rsa_pss_rsae_sha256: 'RSA-PSS+SHA256', rsa_pss_rsae_sha384: 'RSA-PSS+SHA384', rsa_pss_rsae_sha512: 'RSA-PSS+SHA512',
  rsa_pss_pss_sha256: 'RSA-PSS+SHA256', rsa_pss_pss_sha384: 'RSA-PSS+SHA384', rsa_pss_pss_sha512: 'RSA-PSS+SHA512',
  ed25519: 'Ed25519', ed448: 'Ed448', mldsa44: 'mldsa44', mldsa65: 'mldsa65', mldsa87: 'mldsa87',
  rsa_pkcs1_sha256: 'RSA+SHA256', rsa_pkcs1_sha384: 'RSA+SHA384', rsa_pkcs1_sha512: 'RSA+SHA512',
};

export class HandshakeRecord {
  finished: Uint8Array | undefined;
  peerFinished: Uint8Array | undefined;
  /** The Certificate we sent, or the CompressedCertificate standing for it (RFC 8879 §4), as sent. */
  private localCertificate: Uint8Array | undefined;
  private localChainView: readonly Uint8Array[] | undefined;
  /** signature_algorithms of the peer (ClientHello, or a CertificateRequest). */
  peerSigalgs: readonly number[] | undefined;

  constructor(
    private readonly ourSchemes: readonly SignatureSchemeName[] = DEFAULT_SCHEMES,
    /** Our certificate compression codecs: the one we compressed with restores our chain. */
    private readonly compressors: readonly CertificateCompressor[] = [],
  ) {}

  /** The chain we sent (DER, leaf first); undefined when we sent none (or it cannot be read back). */
  get localChain(): readonly Uint8Array[] | undefined {
    const raw = this.localCertificate;
    if (raw && !this.localChainView) {
      try {
        const m = decodeHandshake(raw);
        // Our own message: its uncompressed_length bounds it.
        const cert = m.type === 'compressed_certificate' ? decompressCertificate(m, this.compressors, m.uncompressedLength + 4) : m;
        if (cert.type === 'certificate') this.localChainView = cert.entries.map((e) => e.data);
      } catch {
        // our own message: it decodes; if not, the view stays empty
      }
    }
    return this.localChainView;
  }

  observe(direction: 'sent' | 'received', type: string, message: Uint8Array): void {
    try {
      if (type === 'finished') {
        const verifyData = message.slice(4); // after the 4-byte handshake header
        if (direction === 'sent') this.finished = verifyData;
        else this.peerFinished = verifyData;
      } else if ((type === 'certificate' || type === 'compressed_certificate') && direction === 'sent') {
        this.localCertificate = message.slice();
        this.localChainView = undefined;
      } else if (type === 'client_hello' && direction === 'received') {
        const m = decodeHandshake(message);
        if (m.type === 'client_hello') this.peerSigalgs = parseClientHelloExtensions(m.extensions).signatureAlgorithms;
      } else if (type === 'certificate_request' && direction === 'received') {
        const m = decodeHandshake(message);
        if (m.type === 'certificate_request') this.peerSigalgs = parseCertificateRequestExtensions(m.extensions).signatureAlgorithms;
      }
    } catch {
      // The handshake itself judges these messages; a view we cannot build stays empty.
    }
  }

  /** Our schemes the peer also listed, in our order, in OpenSSL's names (duplicates removed). */
  sharedSigalgs(): string[] {
    const peer = this.peerSigalgs;
    if (!peer) return [];
    const out: string[] = [];
    for (const name of this.ourSchemes) {
      const s = schemeByName(name);
      if (!s || !peer.includes(s.code)) continue;
      const n = OPENSSL_SIGALG[name] ?? name;
      if (!out.includes(n)) out.push(n);
    }
    return out;
  }
}
