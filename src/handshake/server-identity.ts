/**
 * The client's reference name (RFC 9525 §6) and the check of the server's
 * certificate against it, shared by every adapter:
 *
 * - which name: `servername`, else `host`, as Node's tls does
 *   (`servername || host`): an empty `servername` only suppresses SNI, it
 *   never disables the name check. IP literals are checked against iPAddress
 *   SANs and never sent as SNI (RFC 6066 §3);
 * - fail closed: a client that checks certificates and has no name refuses to
 *   start, naming the option, unless `checkServerName: false` says so;
 * - order: the name is checked only after the chain verified (as Node and
 *   OpenSSL report it), by the built-in RFC 9525 matcher or by the caller's
 *   `checkServerIdentity`.
 */
import type { ClientConfig, ServerIdentityCheck } from './types.js';
import { TlsError } from '../errors.js';
import { matchServerName } from '../x509/index.js';
import { decodeCertificateCached } from '../x509/parse-cache.js';

/** What a client should check the server's certificate against, and whether to send it as SNI. */
export interface ReferenceName {
  /** The name to check; undefined when neither servername nor host was given. */
  readonly servername: string | undefined;
  /** False when the caller suppressed SNI with `servername: ''`. */
  readonly sendServerName: boolean;
}

/** Node's rule: `servername || host`; `servername: ''` suppresses SNI only. */
export function referenceName(o: { servername?: string | undefined; host?: string | undefined }): ReferenceName {
  const name = o.servername || o.host || undefined;
  return { servername: name, sendServerName: o.servername !== '' };
}

/**
 * Fail closed (at configuration time): with certificate checking on, a client
 * must know which name the certificate has to carry.
 */
export function requireReferenceName(c: ClientConfig): void {
  if (c.servername !== undefined && c.servername !== '') return;
  if (c.rejectUnauthorized === false || c.checkServerName === false) return;
  throw new TlsError(
    'internal_error',
    'servername: missing — a client that verifies the server certificate needs the name to check it against ' +
      '(set servername (or host), or checkServerName: false to skip the name check explicitly)',
    { code: 'missing_servername' },
  );
}

/** A failed name check, in the shape of a CertificateCheck failure. */
export interface IdentityFailure {
  readonly code: string;
  readonly message: string;
  /** The Error a checkServerIdentity callback returned or threw. */
  readonly error?: Error;
}

/**
 * Check the (already verified) server chain against the reference name:
 * `check` (the caller's checkServerIdentity) when given, else the built-in
 * RFC 9525 matcher unless `checkServerName` is false. Undefined when it passes.
 */
export async function checkServerIdentity(
  chain: readonly Uint8Array[],
  name: string | undefined,
  opts: { check: ServerIdentityCheck | undefined; checkServerName: boolean },
): Promise<IdentityFailure | undefined> {
  if (opts.check) {
    let r: Error | undefined | void;
    try {
      r = await opts.check(name ?? '', chain);
    } catch (e) {
      r = e instanceof Error ? e : new Error(String(e));
    }
    if (r === undefined || r === null) return undefined;
    if (!(r instanceof Error)) r = new Error(String(r));
    const code = (r as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'server-identity', message: r.message, error: r };
  }
  if (!opts.checkServerName) return undefined;
  if (name === undefined || name === '') {
    return { code: 'no-reference-name', message: 'no servername to check the certificate against' };
  }
  let san;
  try {
    san = decodeCertificateCached(chain[0]!).subjectAltName?.names;
  } catch (e) {
    return { code: 'malformed', message: `cannot read the certificate: ${e instanceof Error ? e.message : String(e)}` };
  }
  const why = matchServerName(san, name);
  return why === undefined ? undefined : { code: 'name-mismatch', message: `certificate is not valid for ${name}: ${why}` };
}
