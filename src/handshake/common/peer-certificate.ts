/**
 * Checking the peer's certificate chain (RFC 8446 §4.4.2.4): the default
 * verifier runs src/x509 verifyCertificateChain against `ca`; a custom
 * `verifyCertificate` replaces it. A failure maps to an alert:
 *   unknown-issuer → unknown_ca; expired / not-yet-valid → certificate_expired;
 *   revoked → certificate_revoked; key-usage / ext-key-usage → unsupported_certificate
 *   (rustls: InvalidPurpose); name-mismatch → bad_certificate (what both Go
 *   and rustls send for a hostname mismatch); anything else → bad_certificate.
 * With `rejectUnauthorized: false` the failure is recorded, not fatal.
 */
import type { PublicKey } from '../../crypto/provider.js';
import type { CertificateCheck, CertificateVerifier } from '../../connection/types.js';
import { TlsError, type AlertName } from '../../errors.js';
import { certificatePublicKey } from '../../x509/keys.js';
import type { ResolvedCommon } from '../config.js';

export function alertForCertificateCode(code: string): AlertName {
  switch (code) {
    case 'unknown-issuer': return 'unknown_ca';
    case 'expired':
    case 'not-yet-valid': return 'certificate_expired';
    case 'revoked': return 'certificate_revoked';
    case 'key-usage':
    case 'ext-key-usage': return 'unsupported_certificate';
    default: return 'bad_certificate';
  }
}

type ChainVerifier = (p: {
  leaf: Uint8Array; intermediates: readonly Uint8Array[]; roots: readonly (Uint8Array | string)[] | undefined;
  now: Date; name?: string; usage: 'server' | 'client';
}) => Promise<CertificateCheck> | CertificateCheck;

let x509Verify: ChainVerifier | undefined;

/** The default verifier: src/x509 verifyCertificateChain with `ca` as the roots. */
export function defaultVerifier(config: ResolvedCommon): CertificateVerifier {
  return async ({ chain, name, usage, now }) => {
    if (!x509Verify) {
      // Loaded on first use so the handshake does not pull the validator in when a custom verifier is set.
      const mod = '../../x509/index.js';
      x509Verify = ((await import(mod)) as { verifyCertificateChain: ChainVerifier }).verifyCertificateChain;
    }
    const params: Parameters<ChainVerifier>[0] = { leaf: chain[0]!, intermediates: chain.slice(1), roots: config.ca ?? [], now, usage };
    if (name !== undefined) params.name = name;
    return await x509Verify(params);
  };
}

export interface PeerCertificateResult {
  readonly publicKey: PublicKey;
  readonly verified: boolean;
  readonly verifyError: string | undefined;
}

export async function checkPeerChain(
  config: ResolvedCommon,
  chain: readonly Uint8Array[],
  name: string | undefined,
  usage: 'server' | 'client',
): Promise<PeerCertificateResult> {
  let publicKey: PublicKey;
  try {
    publicKey = certificatePublicKey(chain[0]!);
  } catch (e) {
    throw new TlsError('bad_certificate', `peer certificate: cannot read its public key: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const verifier = config.verifyCertificate ?? defaultVerifier(config);
  let result: CertificateCheck;
  try {
    result = await verifier({ chain, name, usage, now: config.now() });
  } catch (e) {
    if (e instanceof TlsError) throw e;
    result = { ok: false, code: 'verifier-error', message: e instanceof Error ? e.message : String(e) };
  }
  if (result.ok) return { publicKey, verified: true, verifyError: undefined };
  if (config.rejectUnauthorized) {
    throw new TlsError(alertForCertificateCode(result.code), `peer certificate rejected (${result.code}): ${result.message}`, {
      code: `certificate_${result.code}`,
    });
  }
  return { publicKey, verified: false, verifyError: `${result.code}: ${result.message}` };
}
