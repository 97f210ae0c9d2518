/**
 * What `puretls serve --cert` checks before it listens: the key must be the
 * certificate's (refused, as Node refuses "key values mismatch"), and
 * warnings for a certificate clients will refuse anyway (expired, not yet
 * valid, an extendedKeyUsage without serverAuth), so the operator learns it
 * at start rather than from every client's alert.
 */
import { assertKeyMatchesCertificate, decodeCertificate, KeyMismatchError, parsePrivateKey, pemDecode } from '../x509/index.js';
import { OID } from '../x509/oids.js';
import { UsageError } from './args.js';

/** Warnings about the leaf of `certPem` as a TLS server certificate at `now`. */
export function serverCertificateWarnings(certPem: string, now = Date.now()): string[] {
  const der = pemDecode(certPem, 'CERTIFICATE')[0];
  if (!der) throw new UsageError('--cert: no CERTIFICATE block in the file');
  let c;
  try {
    c = decodeCertificate(der);
  } catch (e) {
    throw new UsageError(`--cert: not a valid certificate: ${(e as Error).message}`);
  }
  const out: string[] = [];
  // RFC 5280 §4.1.2.5: clients refuse a certificate outside its validity period.
  if (now > c.notAfter) out.push(`the certificate expired on ${new Date(c.notAfter).toISOString()}; clients will refuse it`);
  if (now < c.notBefore) out.push(`the certificate is not valid before ${new Date(c.notBefore).toISOString()}; clients will refuse it`);
  // RFC 5280 §4.2.1.12: an extendedKeyUsage without id-kp-serverAuth does not allow TLS server use.
  if (c.extKeyUsage && !c.extKeyUsage.oids.includes(OID.serverAuth)) {
    out.push('the certificate\'s extendedKeyUsage does not include serverAuth; clients will refuse it as a server certificate');
  }
  if (c.basicConstraints?.ca) out.push('the certificate is a CA certificate (basicConstraints cA=TRUE), not a server certificate');
  return out;
}

/**
 * Refuse a key that is not the certificate's (a usage error naming both
 * files), then print each warning through `warn`.
 */
export function checkServerCertificate(files: { cert: string; key: string }, certPem: string, keyPem: string, warn: (w: string) => void): void {
  const der = pemDecode(certPem, 'CERTIFICATE')[0];
  if (!der) throw new UsageError(`--cert ${files.cert}: no CERTIFICATE block in the file`);
  let key;
  try {
    key = parsePrivateKey(keyPem);
  } catch (e) {
    throw new UsageError(`--key ${files.key}: not a private key we can read: ${(e as Error).message}`);
  }
  try {
    assertKeyMatchesCertificate(der, key, `--cert ${files.cert} and --key ${files.key}`);
  } catch (e) {
    if (e instanceof KeyMismatchError) throw new UsageError(e.message);
    throw e;
  }
  for (const w of serverCertificateWarnings(certPem)) warn(w);
}
