/** Alert records, RFC 8446 §6: `struct { AlertLevel level; AlertDescription description; }`. */
import { AlertDescription, TlsError, alertName, type AlertName } from '../errors.js';

export const AlertLevel = { warning: 1, fatal: 2 } as const;

export function encodeAlert(name: AlertName): Uint8Array {
  // §6: close_notify and user_canceled are sent as warnings; error alerts as fatal.
  const level = name === 'close_notify' || name === 'user_canceled' ? AlertLevel.warning : AlertLevel.fatal;
  return new Uint8Array([level, AlertDescription[name]]);
}

/**
 * What a received alert means (§6.1–6.2): close_notify ends the peer's
 * writing; user_canceled is informational; every other description is an
 * error "regardless of the AlertLevel".
 */
export function classifyAlert(description: number): 'close_notify' | 'user_canceled' | TlsError {
  if (description === AlertDescription.close_notify) return 'close_notify';
  if (description === AlertDescription.user_canceled) return 'user_canceled';
  const name = alertName(description);
  const known = (Object.keys(AlertDescription) as AlertName[]).includes(name as AlertName);
  return new TlsError(known ? (name as AlertName) : 'internal_error', `peer sent alert ${name}`, {
    received: true,
    code: known ? `peer_${name}` : `peer_alert_${description}`,
  });
}
