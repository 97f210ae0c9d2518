/**
 * Certificate-signing keys WebCrypto does not offer (Ed448, ML-DSA): made,
 * encoded and used with the pure implementations, for `puretls/cert`.
 * Encodings: SubjectPublicKeyInfo with absent parameters and the raw key
 * (RFC 8410 §4, RFC 9881 §4); PKCS#8 v1 with CurvePrivateKey for Ed448
 * (RFC 8410 §7) and the recommended seed-only ML-DSA-PrivateKey
 * `seed [0] IMPLICIT OCTET STRING` for ML-DSA (RFC 9881 §6).
 */
import * as asn1js from 'asn1js';
import type { MlDsaLevel, PrivateKey, SignatureAlgorithm } from '../crypto/provider.js';
import { ED448_KEY_LENGTH, ed448PublicKey } from '../crypto/pure/ed448.js';
import { MLDSA_SEED_LENGTH, mlDsaKeyFromSeed } from '../crypto/pure/mldsa.js';
import { pureSign } from '../crypto/pure/signatures.js';
import { OID } from './oids.js';

export type PureKeyType = 'ed448' | 'mldsa44' | 'mldsa65' | 'mldsa87';

export interface PureSigningParts {
  /** The key in the provider's shape (signs with the pure implementation). */
  readonly key: Extract<PrivateKey, { type: 'ed448' | 'mldsa' }>;
  readonly spki: Uint8Array;
  readonly pkcs8: Uint8Array;
}

const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const ber = (v: asn1js.AsnType): Uint8Array => new Uint8Array(v.toBER(false));

function random(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/** The algorithm OID of a key (the same OID names the signature algorithm: RFC 8410 §3, RFC 9881 §2). */
export function pureKeyOid(key: PureSigningParts['key']): string {
  if (key.type === 'ed448') return OID.ed448;
  return key.level === 44 ? OID.mlDsa44 : key.level === 65 ? OID.mlDsa65 : OID.mlDsa87;
}

export function pureSignatureAlgorithm(key: PureSigningParts['key']): SignatureAlgorithm {
  return key.type === 'ed448' ? { kind: 'ed448' } : { kind: 'mldsa', level: key.level };
}

/** Encode SPKI and PKCS#8 for a pure key (from generation or from parsing a PKCS#8 we were given). */
export function pureSigningParts(key: PureSigningParts['key'], pkcs8?: Uint8Array): PureSigningParts {
  const algId = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: pureKeyOid(key) })] });
  const spki = ber(new asn1js.Sequence({ value: [algId, new asn1js.BitString({ valueHex: ab(key.key) })] }));
  if (!pkcs8) {
    let inner: Uint8Array;
    if (key.type === 'ed448') inner = ber(new asn1js.OctetString({ valueHex: ab(key.seed) }));
    else if (key.seed) inner = ber(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: ab(key.seed) }));
    else inner = ber(new asn1js.OctetString({ valueHex: ab(key.secretKey) }));
    const algId8 = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: pureKeyOid(key) })] });
    pkcs8 = ber(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), algId8, new asn1js.OctetString({ valueHex: ab(inner) })] }));
  }
  return { key, spki, pkcs8 };
}

/** A fresh key of `type` from the platform CSPRNG. */
export function generatePureKey(type: PureKeyType): PureSigningParts {
  if (type === 'ed448') {
    const seed = random(ED448_KEY_LENGTH);
    return pureSigningParts({ type: 'ed448', seed, key: ed448PublicKey(seed) });
  }
  const level = Number(type.slice(5)) as MlDsaLevel;
  return pureSigningParts(mlDsaKeyFromSeed(level, random(MLDSA_SEED_LENGTH)));
}

/** Sign a tbsCertificate: pure Ed448 / pure ML-DSA, empty context. */
export function pureSignTbs(key: PureSigningParts['key'], tbs: Uint8Array): Uint8Array {
  return pureSign(pureSignatureAlgorithm(key), key, tbs);
}
