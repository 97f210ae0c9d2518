/**
 * Provider-independent rules for key-exchange groups: codepoints, share
 * sizes, the checks RFC 8446 requires on a peer's share, and how private key
 * material is drawn from a RandomSource (identical in every provider, so an
 * injected `random` gives the same handshake whichever provider runs it).
 */
import { TlsError } from '../errors.js';
import type { NamedGroupName, RandomSource } from './provider.js';
import { EC_CURVES, type EcCurveName } from './ecdsa-der.js';

/** TLS NamedGroup codepoints (RFC 8446 §4.2.7; draft-ietf-tls-ecdhe-mlkem for 0x11EB–0x11ED). */
export const GROUP_CODEPOINTS: Readonly<Record<NamedGroupName, number>> = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  x25519: 0x001d,
  X25519MLKEM768: 0x11ec,
  SecP256r1MLKEM768: 0x11eb,
  SecP384r1MLKEM1024: 0x11ed,
  secp521r1: 0x0019,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
};

export const ALL_GROUPS: readonly NamedGroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024', 'x448', 'secp521r1', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192'];

export const X25519_LENGTH = 32;
/** RFC 7748 §5: X448 keys and shares are 56 bytes. */
export const X448_LENGTH = 56;
/** ML-KEM encapsulation key and ciphertext sizes (FIPS 203 §8, Table 3). */
export const MLKEM768_EK_LENGTH = 1184;
export const MLKEM768_CT_LENGTH = 1088;
export const MLKEM1024_EK_LENGTH = 1568;
export const MLKEM1024_CT_LENGTH = 1568;

export type HybridGroupName = 'X25519MLKEM768' | 'SecP256r1MLKEM768' | 'SecP384r1MLKEM1024';

/**
 * draft-ietf-tls-ecdhe-mlkem §3: each hybrid's classical group, ML-KEM
 * parameter set, and which part comes first (in both shares and in the
 * shared secret). X25519MLKEM768 puts ML-KEM first; the two NIST-curve
 * hybrids put the ECDHE part first.
 */
export const HYBRID_LAYOUTS: Readonly<Record<HybridGroupName, {
  readonly classical: 'x25519' | 'secp256r1' | 'secp384r1';
  readonly classicalLength: number;
  readonly kem: 'ML-KEM-768' | 'ML-KEM-1024';
  readonly kemFirst: boolean;
}>> = {
  X25519MLKEM768: { classical: 'x25519', classicalLength: X25519_LENGTH, kem: 'ML-KEM-768', kemFirst: true },
  SecP256r1MLKEM768: { classical: 'secp256r1', classicalLength: 65, kem: 'ML-KEM-768', kemFirst: false },
  SecP384r1MLKEM1024: { classical: 'secp384r1', classicalLength: 97, kem: 'ML-KEM-1024', kemFirst: false },
};

/**
 * Exact key_exchange lengths per group and direction (RFC 8446 §4.2.8.2:
 * X25519 32 bytes, UncompressedPointRepresentation 1 + 2 * coordinate;
 * draft-ietf-tls-ecdhe-mlkem: the classical share and the ML-KEM
 * encapsulation key or ciphertext, in the group's order). A share of any other length → illegal_parameter.
 */
export const SHARE_LENGTHS: Readonly<Record<NamedGroupName, { readonly client: number; readonly server: number }>> = {
  x25519: { client: X25519_LENGTH, server: X25519_LENGTH },
  secp256r1: { client: 65, server: 65 },
  secp384r1: { client: 97, server: 97 },
  X25519MLKEM768: { client: MLKEM768_EK_LENGTH + X25519_LENGTH, server: MLKEM768_CT_LENGTH + X25519_LENGTH },
  SecP256r1MLKEM768: { client: 65 + MLKEM768_EK_LENGTH, server: 65 + MLKEM768_CT_LENGTH },
  SecP384r1MLKEM1024: { client: 97 + MLKEM1024_EK_LENGTH, server: 97 + MLKEM1024_CT_LENGTH },
  x448: { client: X448_LENGTH, server: X448_LENGTH },
  secp521r1: { client: 133, server: 133 },
  // RFC 8446 §4.2.8.1: Y left-padded to the size of p.
  ffdhe2048: { client: 256, server: 256 },
  ffdhe3072: { client: 384, server: 384 },
  ffdhe4096: { client: 512, server: 512 },
  ffdhe6144: { client: 768, server: 768 },
  ffdhe8192: { client: 1024, server: 1024 },
};

const GROUP_BY_CODE = new Map<number, NamedGroupName>(Object.entries(GROUP_CODEPOINTS).map(([k, v]) => [v, k as NamedGroupName]));

/**
 * RFC 8446 §4.2.8.2: a share for a group we know must have that group's exact
 * length (empty included) → illegal_parameter. Shares for groups we do not
 * know are not looked at (an empty one is still a decode_error: key_exchange<1..2^16-1>).
 */
export function checkKeyShareEntry(group: number, keyExchange: Uint8Array, sender: 'client' | 'server'): void {
  const name = GROUP_BY_CODE.get(group);
  if (name === undefined) {
    if (keyExchange.length === 0) throw new TlsError('decode_error', 'key_share: empty key_exchange');
    return;
  }
  checkShareLength(name, keyExchange, SHARE_LENGTHS[name][sender]);
}

/**
 * RFC 8446 §4.2.7: "Values within "obsolete_RESERVED" ranges are used in
 * previous versions of TLS and MUST NOT be offered or negotiated by TLS 1.3
 * implementations": the pre-RFC 8422 curves 0x0001–0x0016 and
 * arbitrary_explicit_prime/char2_curves 0xFF01–0xFF02.
 */
export function isObsoleteGroup(code: number): boolean {
  return (code >= 0x0001 && code <= 0x0016) || code === 0xff01 || code === 0xff02;
}

export const EC_GROUP_CURVE: Readonly<Record<'secp256r1' | 'secp384r1' | 'secp521r1', EcCurveName>> = {
  secp256r1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

export function illegalShare(group: string, why: string): TlsError {
  return new TlsError('illegal_parameter', `${group} key share: ${why}`);
}

/** Exact length of a share, or illegal_parameter. */
export function checkShareLength(group: string, share: Uint8Array, expected: number): void {
  if (share.length !== expected) throw illegalShare(group, `length ${share.length}, expected ${expected}`);
}

/**
 * RFC 8446 §4.2.8.2: an ECDHE share is UncompressedPointRepresentation
 * (legacy_form = 4, X, Y). Compressed points, the point at infinity and wrong
 * lengths are rejected here; on-curve validation is the provider's.
 */
export function checkUncompressedPoint(group: string, curve: EcCurveName, share: Uint8Array): void {
  checkShareLength(group, share, 1 + 2 * EC_CURVES[curve].byteLength);
  if (share[0] !== 0x04) throw illegalShare(group, `legacy_form ${share[0]} (only uncompressed, 4, is allowed)`);
}

/** RFC 8446 §7.4.2 / RFC 7748 §6.1, §6.2: an all-zero X25519 or X448 output must be rejected. */
export function checkX25519Output(group: string, shared: Uint8Array): void {
  let acc = 0;
  for (let i = 0; i < shared.length; i++) acc |= shared[i]!;
  if (acc === 0) throw illegalShare(group, 'X25519 shared secret is all zero (low-order point)');
}

function bytesToBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < b.length; i++) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

const MAX_SCALAR_TRIES = 64;

/**
 * An ECDH private scalar from a random source by rejection sampling
 * (FIPS 186-5 A.2.2): draw byteLength bytes, accept when 1 <= d < n.
 * Returns the scalar as fixed-width big-endian bytes.
 */
export function ecScalarFromRandom(curve: EcCurveName, random: RandomSource): Uint8Array {
  const { byteLength, n } = EC_CURVES[curve];
  for (let i = 0; i < MAX_SCALAR_TRIES; i++) {
    const d = random(byteLength);
    if (d.length !== byteLength) throw new TlsError('internal_error', `random source returned ${d.length} bytes, wanted ${byteLength}`);
    if (curve === 'P-521') d[0] = d[0]! & 0x01; // 521 bits: mask the top byte before the range test
    const x = bytesToBigInt(d);
    if (x !== 0n && x < n) return d;
  }
  throw new TlsError('internal_error', 'random source keeps yielding out-of-range EC scalars');
}

/** Run `f`, mapping any non-TlsError failure to illegal_parameter for `group`. */
export function asIllegal<T>(group: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw illegalShare(group, e instanceof Error ? e.message : String(e));
  }
}
