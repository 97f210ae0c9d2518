/**
 * Checking the peer's certificate chain (RFC 8446 §4.4.2.4): the default
 * verifier runs src/x509 verifyCertificateChain against `ca`; a custom
 * `verifyCertificate` replaces it. A failure maps to an alert:
 *   src/x509 ALERT_FOR_CODE: unknown-issuer → unknown_ca; expired / not-yet-valid
 *   → certificate_expired; name-mismatch → bad_certificate (what both Go and
 *   rustls send for a hostname mismatch, rather than certificate_unknown);
 *   unknown critical extension / algorithm → unsupported_certificate; the rest
 *   (and codes of a custom verifier we do not know) → bad_certificate.
 * Whatever the verifier, a leaf whose keyUsage lacks digitalSignature fails
 * (`key-usage` → bad_certificate): its key signs CertificateVerify (RFC 8446
 * §4.4.2.2 for servers, §4.4.2.3 for clients; RFC 5280 §4.2.1.3).
 * A client then checks the server's identity (server-identity.ts): the chain
 * first, the name after it, so an unknown issuer is reported as such even
 * when the name does not match either (as Node and OpenSSL order them); a
 * name mismatch or a checkServerIdentity rejection → bad_certificate.
 * With `rejectUnauthorized: false` the failure is recorded, not fatal.
 */
import type { PublicKey } from '../../crypto/provider.js';
import type { CertificateCheck, CertificateVerifier } from '../types.js';
import { TlsError, type AlertName } from '../../errors.js';
import { ALERT_FOR_CODE, certificatePublicKey, checkTlsSigningKeyUsage, verifyCertificateChain, type VerifyOptions } from '../../x509/index.js';
import type { ResolvedClient, ResolvedCommon } from '../config.js';
import { checkServerIdentity, type IdentityFailure } from '../server-identity.js';

export function alertForCertificateCode(code: string): AlertName {
  if (code === 'revoked') return 'certificate_revoked';
  return (ALERT_FOR_CODE as Record<string, AlertName>)[code] ?? 'bad_certificate';
}

/**
 * The default verifier: src/x509 verifyCertificateChain with `ca` as the
 * roots. It is given no name: checkPeerChain checks the name after the chain.
 */
export function defaultVerifier(config: ResolvedCommon): CertificateVerifier {
  return async ({ chain, usage, now }) => {
    // The connection's provider checks the chain's signatures too (node:crypto when chosen).
    // Copies of the peer's certificates: src/x509 caches parses by array, and the
    // originals stay with the connection (peerCertificates) for its lifetime.
    const opts: VerifyOptions = {
      leaf: chain[0]!.slice(), intermediates: chain.slice(1).map((c) => c.slice()),
      roots: config.ca ?? [], now, usage, provider: config.provider, budget: config.verifyBudget,
    };
    return await verifyCertificateChain(opts);
  };
}

export interface PeerCertificateResult {
  readonly publicKey: PublicKey;
  readonly verified: boolean;
  readonly verifyError: string | undefined;
  /** The failure's code alone (see SessionInfo.peerVerifyCode). */
  readonly verifyCode: string | undefined;
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
  let result: CertificateCheck | IdentityFailure & { ok: false };
  try {
    result = wellFormed(await verifier({ chain, name, usage, now: config.now() }));
  } catch (e) {
    if (e instanceof TlsError) throw e;
    result = { ok: false, code: 'verifier-error', message: e instanceof Error ? e.message : String(e) };
  }
  if (result.ok) result = checkTlsSigningKeyUsage(chain[0]!) ?? result;
  if (result.ok && usage === 'server') {
    const id = await identityOf(config as ResolvedClient, chain, name);
    if (id) result = { ok: false, ...id };
  }
  if (result.ok) return { publicKey, verified: true, verifyError: undefined, verifyCode: undefined };
  if (config.rejectUnauthorized) {
    const identity = 'error' in result ? result.error : undefined;
    throw new TlsError(
      identity ? 'bad_certificate' : alertForCertificateCode(result.code),
      `peer certificate rejected (${result.code}): ${result.message}`,
      { code: identity ? 'certificate_identity' : `certificate_${result.code}`, ...(identity ? { cause: identity } : {}) },
    );
  }
  return { publicKey, verified: false, verifyError: `${result.code}: ${result.message}`, verifyCode: result.code };
}

/**
 * Fail closed on a custom verifier's malformed answer: only `{ ok: true }`
 * (the boolean) accepts; `{ ok: false, code }` keeps its code; anything else
 * (true, 1, undefined, `{ ok: 'yes' }`, …) is a `verifier-error` →
 * bad_certificate, never an accept and never an escaped TypeError.
 */
function wellFormed(r: unknown): CertificateCheck {
  if (typeof r === 'object' && r !== null) {
    const ok = (r as { ok?: unknown }).ok;
    if (ok === true) return r as CertificateCheck;
    const code = (r as { code?: unknown }).code;
    if (ok === false && typeof code === 'string') {
      const message = (r as { message?: unknown }).message;
      return { ok: false, code, message: typeof message === 'string' ? message : code };
    }
  }
  let shown: string;
  try {
    shown = JSON.stringify(r) ?? String(r);
  } catch {
    shown = String(r);
  }
  return { ok: false, code: 'verifier-error', message: `verifyCertificate returned a malformed result (${shown.slice(0, 80)}): expected { ok: true } or { ok: false, code, message }` };
}

/**
 * The server's identity (we are the client). A custom verifyCertificate was
 * given the name and replaces the built-in name check; checkServerIdentity,
 * when given, runs in any case.
 */
function identityOf(config: ResolvedClient, chain: readonly Uint8Array[], name: string | undefined): Promise<IdentityFailure | undefined> {
  const builtIn = config.verifyCertificate === undefined && config.checkServerName;
  return checkServerIdentity(chain, name, { check: config.checkServerIdentity, checkServerName: builtIn });
}
