/** JWK (RFC 7517/7518) building blocks: base64url without Buffer, Base64urlUInt for bigints. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64url(b: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < b.length) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
    if (i + 1 < b.length) out += ALPHABET[(n >>> 6) & 63]!;
  }
  return out;
}

/** Base64urlUInt (RFC 7518 §2): minimal big-endian octets. */
export function base64urlUInt(x: bigint): string {
  let hex = x.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const b = new Uint8Array(hex.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.substr(i * 2, 2), 16);
  return base64url(b);
}
