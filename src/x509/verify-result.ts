/**
 * Outcomes of certificate path validation: the failure codes, the TLS alert
 * each maps to (RFC 8446 §6.2), and the internal Failure/TooComplex
 * exceptions the checks throw.
 */
import { TlsError } from '../errors.js';
import type { Certificate } from './certificate.js';
import { nameToString } from './name.js';

export type VerifyErrorCode =
  | 'expired'
  | 'not-yet-valid'
  | 'unknown-issuer'
  | 'bad-signature'
  | 'name-mismatch'
  | 'not-a-ca'
  | 'path-length'
  | 'key-usage'
  | 'ext-key-usage'
  | 'name-constraints'
  | 'unknown-critical-extension'
  | 'unsupported-algorithm'
  | 'malformed'
  | 'too-complex';

export type VerifyResult =
  | { ok: true; chain: Uint8Array[] }
  | { ok: false; code: VerifyErrorCode; message: string };

/** The TLS alert for each failure code (RFC 8446 §6.2). */
export const ALERT_FOR_CODE: Record<VerifyErrorCode, 'bad_certificate' | 'unsupported_certificate' | 'certificate_expired' | 'certificate_unknown' | 'unknown_ca'> = {
  expired: 'certificate_expired',
  'not-yet-valid': 'certificate_expired',
  'unknown-issuer': 'unknown_ca',
  'bad-signature': 'bad_certificate',
  'name-mismatch': 'bad_certificate',
  'not-a-ca': 'bad_certificate',
  'path-length': 'bad_certificate',
  'key-usage': 'bad_certificate',
  'ext-key-usage': 'bad_certificate',
  'name-constraints': 'bad_certificate',
  'unknown-critical-extension': 'unsupported_certificate',
  'unsupported-algorithm': 'unsupported_certificate',
  malformed: 'bad_certificate',
  'too-complex': 'certificate_unknown',
};

/** A verification failure as a TlsError carrying the right alert. */
export function verifyErrorToTlsError(r: { code: VerifyErrorCode; message: string }): TlsError {
  return new TlsError(ALERT_FOR_CODE[r.code], `certificate verify failed (${r.code}): ${r.message}`, { code: r.code });
}

/** A check failed: the path (or the whole validation) is invalid for this reason. */
export class Failure extends Error {
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A work bound was exhausted: ends the whole search, never recorded as a path failure. */
export class TooComplex extends Failure {
  constructor(message: string) {
    super('too-complex', message);
  }
}

/** Run a check; its Failure is returned, a TooComplex (or a bug) propagates. */
export function failureOf(check: () => void): Failure | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (e instanceof TooComplex) throw e;
    if (e instanceof Failure) return e;
    throw e;
  }
}

/** Certificate → its description, cached (checks build messages on the success path too). */
const descriptions = new WeakMap<Certificate, string>();

export function describe(c: Certificate): string {
  let d = descriptions.get(c);
  if (d === undefined) {
    const s = nameToString(c.subject);
    d = s ? `"${s}"` : '(empty subject)';
    descriptions.set(c, d);
  }
  return d;
}
