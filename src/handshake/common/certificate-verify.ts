/**
 * CertificateVerify signing and checking, RFC 8446 §4.4.3: the signature
 * covers 64 octets of 0x20, the context string, a 0 byte and the transcript
 * hash up to and including Certificate.
 */
import type { CryptoProvider, PrivateKey, PublicKey, RandomSource } from '../../crypto/provider.js';
import { TlsError } from '../../errors.js';
import { concatBytes, utf8 } from '../../util/bytes.js';
import { schemeByCode, schemeFitsKey, type SchemeInfo } from './schemes.js';

const SERVER_CONTEXT = utf8('TLS 1.3, server CertificateVerify');
const CLIENT_CONTEXT = utf8('TLS 1.3, client CertificateVerify');
const PAD = new Uint8Array(64).fill(0x20);

export function certificateVerifyContent(role: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  return concatBytes(PAD, role === 'server' ? SERVER_CONTEXT : CLIENT_CONTEXT, new Uint8Array([0]), transcriptHash);
}

/** Pick our signing scheme: the first of `ours` that the peer offered and our key fits. */
export function chooseSigningScheme(key: PrivateKey, peerOffered: readonly number[], ours: readonly SchemeInfo[]): SchemeInfo | undefined {
  return ours.find((s) => s.tls13 && peerOffered.includes(s.code) && schemeFitsKey(s, key));
}

export async function signCertificateVerify(
  provider: CryptoProvider,
  role: 'server' | 'client',
  scheme: SchemeInfo,
  key: PrivateKey,
  transcriptHash: Uint8Array,
  random: RandomSource,
): Promise<Uint8Array> {
  return await provider.sign(scheme.algorithm, key, certificateVerifyContent(role, transcriptHash), random);
}

/**
 * Check the peer's CertificateVerify. The scheme must be one we offered and
 * usable in TLS 1.3 (not rsa_pkcs1, §4.4.3) and fit the certificate's key:
 * otherwise illegal_parameter (as Go and rustls). A wrong signature: decrypt_error.
 */
export async function verifyCertificateVerify(
  provider: CryptoProvider,
  role: 'server' | 'client',
  schemeCode: number,
  offered: readonly SchemeInfo[],
  key: PublicKey,
  transcriptHash: Uint8Array,
  signature: Uint8Array,
): Promise<SchemeInfo> {
  const scheme = schemeByCode(schemeCode);
  if (!scheme || !scheme.tls13 || !offered.some((s) => s.code === schemeCode)) {
    throw new TlsError('illegal_parameter', `CertificateVerify: signature scheme 0x${schemeCode.toString(16)} was not offered`);
  }
  if (!schemeFitsKey(scheme, key)) {
    throw new TlsError('illegal_parameter', `CertificateVerify: ${scheme.name} does not match the certificate key`);
  }
  let ok: boolean;
  try {
    ok = await provider.verify(scheme.algorithm, key, certificateVerifyContent(role, transcriptHash), signature);
  } catch (e) {
    if (e instanceof TlsError) throw e;
    ok = false;
  }
  if (!ok) throw new TlsError('decrypt_error', `CertificateVerify: ${role} signature does not verify`);
  return scheme;
}
