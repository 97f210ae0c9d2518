/** A readable summary of a certificate, for "the user can read the peer chain". */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../util/bytes.js';
import { decodeCertificate } from './certificate.js';
import { DerError } from './der.js';
import { formatIp } from './hostname.js';
import { parseSpki } from './keys.js';
import { nameToString } from './name.js';
import { pemDecode } from './pem.js';
import { TlsError } from '../errors.js';

export interface CertificateSummary {
  /** RFC 4514-style subject, e.g. `CN=example.com, O=Example`. */
  subject: string;
  issuer: string;
  /** Serial number in hex (two's complement contents, as encoded). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  subjectAltNames: { dns: string[]; ip: string[] };
  /** SHA-256 of the DER, lower-case hex. */
  fingerprintSha256: string;
  /** `rsa-2048`, `rsa-pss-2048`, `ec-P-256`, `ed25519`, `ed448`, `ml-dsa-65`, or `unsupported`. */
  publicKeyType: string;
  isCA: boolean;
  /** The certificate itself. */
  der: Uint8Array;
}

/** Summarise a certificate (DER, or PEM: the first certificate). Throws TlsError(bad_certificate) when malformed. */
export function parseCertificate(input: Uint8Array | string): CertificateSummary {
  const der = typeof input === 'string' ? pemDecode(input, 'CERTIFICATE')[0] : input;
  if (!der) throw new TlsError('bad_certificate', 'no certificate found', { code: 'bad_certificate' });
  let c;
  try {
    c = decodeCertificate(der);
  } catch (e) {
    if (e instanceof DerError) throw new TlsError('bad_certificate', `malformed certificate: ${e.message}`, { code: 'bad_certificate', cause: e });
    throw e;
  }
  let publicKeyType = 'unsupported';
  try {
    const k = parseSpki(c.spki);
    publicKeyType =
      k.type === 'rsa' ? `${k.pssOnly ? 'rsa-pss' : 'rsa'}-${k.n.toString(2).length}` : k.type === 'ec' ? `ec-${k.curve}` : k.type === 'mldsa' ? `ml-dsa-${k.level}` : k.type;
  } catch {
    // keep 'unsupported'
  }
  const names = c.subjectAltName?.names ?? [];
  return {
    subject: nameToString(c.subject),
    issuer: nameToString(c.issuer),
    serialNumber: toHex(c.serial),
    notBefore: new Date(c.notBefore),
    notAfter: new Date(c.notAfter),
    subjectAltNames: {
      dns: names.flatMap((n) => (n.kind === 'dns' ? [n.value] : [])),
      ip: names.flatMap((n) => (n.kind === 'ip' ? [formatIp(n.bytes)] : [])),
    },
    fingerprintSha256: toHex(sha256(der)),
    publicKeyType,
    isCA: c.basicConstraints?.ca === true,
    der,
  };
}
