/**
 * ECDSA signature encodings: DER `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
 * (RFC 8446 §4.2.3 / RFC 5480 / RFC 3279 — the form TLS and X.509 carry) and the
 * fixed-width r||s form (IEEE P1363) that noble and WebCrypto take.
 *
 * Parsing is strict DER: definite minimal lengths, minimal non-negative
 * INTEGERs, no trailing bytes, 0 < r, s < n. Anything else is rejected (null),
 * as Go's crypto/ecdsa and BoringSSL do.
 */

export type EcCurveName = 'P-256' | 'P-384' | 'P-521';

export interface EcCurveInfo {
  /** Field element / scalar byte length (32, 48, 66). */
  readonly byteLength: number;
  /** Group order n. */
  readonly n: bigint;
}

export const EC_CURVES: Readonly<Record<EcCurveName, EcCurveInfo>> = {
  'P-256': { byteLength: 32, n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n },
  'P-384': {
    byteLength: 48,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  'P-521': {
    byteLength: 66,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
};

/** Read a DER length at `pos`; returns [length, nextPos] or null if not minimal/definite. */
function readLength(b: Uint8Array, pos: number): [number, number] | null {
  if (pos >= b.length) return null;
  const first = b[pos]!;
  if (first < 0x80) return [first, pos + 1];
  const count = first & 0x7f;
  // Signatures are < 64 KiB: at most two length bytes; 0x80 (indefinite) is not DER.
  if (count === 0 || count > 2 || pos + 1 + count > b.length) return null;
  let len = 0;
  for (let i = 0; i < count; i++) len = (len << 8) | b[pos + 1 + i]!;
  if (b[pos + 1]! === 0) return null; // leading zero length byte: not minimal
  if (len < 0x80) return null; // long form for a short length: not minimal
  return [len, pos + 1 + count];
}

/** Parse a minimal, positive DER INTEGER at `pos`; returns [magnitude bytes, nextPos]. */
function readPositiveInteger(b: Uint8Array, pos: number, end: number): [Uint8Array, number] | null {
  if (pos >= end || b[pos] !== 0x02) return null;
  const l = readLength(b, pos + 1);
  if (!l) return null;
  const [len, start] = l;
  if (len === 0 || start + len > end) return null;
  const v = b.subarray(start, start + len);
  if (v[0]! & 0x80) return null; // negative
  if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return null; // non-minimal leading zero
  return [v[0] === 0 ? v.subarray(1) : v, start + len];
}

function bytesToBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < b.length; i++) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

/**
 * Strict DER → fixed-width r||s (each `byteLength` bytes), or null when the
 * encoding is not valid DER or r/s are out of [1, n-1].
 */
export function ecdsaDerToRaw(sig: Uint8Array, curve: EcCurveName): Uint8Array | null {
  const { byteLength, n } = EC_CURVES[curve];
  if (sig.length < 8 || sig[0] !== 0x30) return null;
  const l = readLength(sig, 1);
  if (!l) return null;
  const [seqLen, seqStart] = l;
  if (seqStart + seqLen !== sig.length) return null; // trailing or missing bytes
  const r = readPositiveInteger(sig, seqStart, sig.length);
  if (!r) return null;
  const s = readPositiveInteger(sig, r[1], sig.length);
  if (!s || s[1] !== sig.length) return null;
  const out = new Uint8Array(2 * byteLength);
  for (const [i, v] of [r[0], s[0]].entries()) {
    if (v.length > byteLength) return null;
    const x = bytesToBigInt(v);
    if (x === 0n || x >= n) return null;
    out.set(v, (i + 1) * byteLength - v.length);
  }
  return out;
}

function derInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const mag = v.subarray(i);
  const pad = mag[0]! & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + mag.length);
  out[0] = 0x02;
  out[1] = pad + mag.length;
  out.set(mag, 2 + pad);
  return out;
}

/** Fixed-width r||s → DER Ecdsa-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new Error('ECDSA: raw signature must be r||s of equal halves');
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  const bodyLen = r.length + s.length;
  const lenBytes = bodyLen < 0x80 ? [bodyLen] : [0x81, bodyLen];
  const out = new Uint8Array(1 + lenBytes.length + bodyLen);
  out[0] = 0x30;
  out.set(lenBytes, 1);
  out.set(r, 1 + lenBytes.length);
  out.set(s, 1 + lenBytes.length + r.length);
  return out;
}
