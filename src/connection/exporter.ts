/**
 * Argument checks for the TLS-Exporter (RFC 8446 §7.5), done before any key
 * material is touched so that a bad call throws to its caller (TypeError or
 * RangeError, as Node's tlsSocket.exportKeyingMaterial does) and never fails
 * the connection.
 */

/** HkdfLabel.label is `opaque label<7..255>` holding "tls13 " + label (RFC 8446 §7.1): at most 249 bytes of our own. */
const MAX_LABEL_BYTES = 255 - 'tls13 '.length;

export function checkExporterArguments(length: number, label: string, context: Uint8Array, hashLength: number): void {
  if (typeof label !== 'string') throw new TypeError('exportKeyingMaterial: label must be a string');
  if (!(context instanceof Uint8Array)) throw new TypeError('exportKeyingMaterial: context must be a Uint8Array');
  // HKDF-Expand yields at most 255 * HashLen bytes (RFC 5869 §2.3).
  if (!Number.isInteger(length) || length < 1 || length > 255 * hashLength) {
    throw new RangeError(`exportKeyingMaterial: length must be an integer in 1..${255 * hashLength}, got ${String(length)}`);
  }
  const labelBytes = new TextEncoder().encode(label).length;
  if (labelBytes > MAX_LABEL_BYTES) throw new RangeError(`exportKeyingMaterial: label of ${labelBytes} bytes exceeds ${MAX_LABEL_BYTES}`);
}
