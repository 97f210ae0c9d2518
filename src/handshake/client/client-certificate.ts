/**
 * The client's answer to a CertificateRequest (RFC 8446 §4.3.2, §4.4.2),
 * in the handshake or after it (§4.6.2): `selectClientCertificate` first,
 * then `certificate`; none, or none whose key fits a scheme the server
 * accepts, means an empty Certificate (§4.4.2: "If no suitable certificate
 * is available, the client MUST send a Certificate message containing no
 * certificates").
 */
import { TlsError } from '../../errors.js';
import { chooseSigningScheme } from '../common/certificate-verify.js';
import { schemeByCode, type SchemeInfo } from '../common/schemes.js';
import type { ResolvedClient } from '../config.js';
import type { CertificateRequestView } from '../extensions/parse.js';
import type { CertifiedKey } from '../types.js';

export async function chooseClientCertificate(
  c: ResolvedClient,
  view: CertificateRequestView,
  postHandshake: boolean,
): Promise<{ certificate: CertifiedKey; scheme: SchemeInfo } | undefined> {
  let selected: CertifiedKey | undefined;
  if (c.selectClientCertificate) {
    const signatureSchemes = view.signatureAlgorithms.flatMap((code) => {
      const s = schemeByCode(code);
      return s ? [s.name] : [];
    });
    try {
      selected = await c.selectClientCertificate({
        signatureSchemes, certificateAuthorities: view.certificateAuthorities ?? [], postHandshake,
      });
    } catch (e) {
      if (e instanceof TlsError) throw e;
      throw new TlsError('internal_error', `selectClientCertificate failed: ${e instanceof Error ? e.message : String(e)}`, { code: 'certificate_selection', cause: e });
    }
    if (selected !== undefined && !isCertifiedKey(selected)) {
      throw new TlsError('internal_error', 'selectClientCertificate returned something that is not { chain: Uint8Array[] (leaf first, not empty), key }', { code: 'certificate_selection' });
    }
  }
  const certificate = selected ?? c.certificate;
  if (!certificate || certificate.chain.length === 0) return undefined;
  const scheme = chooseSigningScheme(certificate.key, view.signatureAlgorithms, c.schemes);
  return scheme ? { certificate, scheme } : undefined;
}

function isCertifiedKey(v: unknown): v is CertifiedKey {
  if (typeof v !== 'object' || v === null) return false;
  const { chain, key } = v as { chain?: unknown; key?: unknown };
  return Array.isArray(chain) && chain.length > 0 && chain.every((d) => d instanceof Uint8Array) && typeof key === 'object' && key !== null;
}
