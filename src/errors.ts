/**
 * Errors and alerts. RFC 8446 §6: every failure maps to exactly one alert.
 * Layers throw `TlsError`; the connection core catches in one place, sends the
 * fatal alert once and stays failed.
 */

/** AlertDescription, RFC 8446 §6 (plus RFC 8446 §B.2 values that TLS 1.3 uses). */
export const AlertDescription = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;

export type AlertName = keyof typeof AlertDescription;

const alertNames = new Map<number, AlertName>(
  Object.entries(AlertDescription).map(([k, v]) => [v, k as AlertName]),
);

/** Name of an alert code, or `unknown_alert(N)`. */
export function alertName(code: number): string {
  return alertNames.get(code) ?? `unknown_alert(${code})`;
}

export function alertCode(name: AlertName): number {
  return AlertDescription[name];
}

/**
 * A failure of the TLS protocol. `alert` is the alert we send (or, when
 * `received` is true, the alert the peer sent us).
 */
export class TlsError extends Error {
  override readonly name = 'TlsError';
  /** Stable machine-readable code, e.g. `decode_error`, `bad_record_mac`, `peer_alert`. */
  readonly code: string;
  /** The alert this error sends (or that the peer sent, when `received`). */
  readonly alert: AlertName;
  /** True when this error reports an alert received from the peer. */
  readonly received: boolean;

  constructor(alert: AlertName, message: string, options?: { code?: string; received?: boolean; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.alert = alert;
    this.code = options?.code ?? alert;
    this.received = options?.received ?? false;
  }

  /** Wrap anything thrown into a TlsError; unknown errors become internal_error. */
  static from(e: unknown): TlsError {
    if (e instanceof TlsError) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new TlsError('internal_error', `internal error: ${msg}`, { cause: e });
  }
}

/** Shorthand used by decoders: `throw decodeError('ServerHello: short random')`. */
export function decodeError(message: string): TlsError {
  return new TlsError('decode_error', message);
}
