/**
 * Public keys (SubjectPublicKeyInfo, RFC 5280 §4.1.2.7 with RFC 3279, RFC 4055,
 * RFC 5480, RFC 8410, RFC 9881) and private keys (PKCS#8 RFC 5208/5958, SEC1 RFC 5915,
 * PKCS#1 RFC 8017) into the provider's PublicKey / PrivateKey shapes.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { TlsError } from '../errors.js';
import type { PrivateKey, PublicKey } from '../crypto/provider.js';
import { DerError, DerReader, Tag, ctxCons, intToBigint } from './der.js';
import { decodeCertificateCached, parseSpkiCached } from './parse-cache.js';
import { MLDSA_LEVEL_BY_OID, OID } from './oids.js';
import { ED448_KEY_LENGTH, ED448_NOT_INSTALLED, ed448Installed, ed448PublicKey } from '../crypto/pure/ed448.js';
import { mlDsaPrivateKey, mlDsaPublicKeyFromSpki } from './mldsa-keys.js';
import { MLDSA_NOT_INSTALLED, mlDsaInstalled } from '../crypto/pure/mldsa.js';
import { pemBlocks } from './pem.js';

type Curve = 'P-256' | 'P-384' | 'P-521';

const CURVES: Record<string, { name: Curve; size: number }> = {
  [OID.secp256r1]: { name: 'P-256', size: 32 },
  [OID.secp384r1]: { name: 'P-384', size: 48 },
  [OID.secp521r1]: { name: 'P-521', size: 66 },
};

const nobleCurve = (c: Curve) => (c === 'P-256' ? p256 : c === 'P-384' ? p384 : p521);

/** Largest RSA modulus we accept (bounds the work a peer can cause). */
export const MAX_RSA_BITS = 8192;
/** Largest RSA public exponent, in bits (BoringSSL and ring: 33). */
export const MAX_RSA_EXPONENT_BITS = 33;

function bad(message: string, cause?: unknown): TlsError {
  return new TlsError('bad_certificate', message, { code: 'bad_certificate', cause });
}
function unsupported(message: string): TlsError {
  return new TlsError('unsupported_certificate', message, { code: 'unsupported_certificate' });
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Decode a DER SubjectPublicKeyInfo. */
export function parseSpki(der: Uint8Array): PublicKey {
  try {
    const top = new DerReader(der);
    const s = top.sequence('SubjectPublicKeyInfo');
    top.expectEnd('SubjectPublicKeyInfo');
    const alg = s.sequence('AlgorithmIdentifier');
    const oid = alg.oid('algorithm');
    const keyBits = s.bitStringOctets('subjectPublicKey');
    s.expectEnd('SubjectPublicKeyInfo');
    switch (oid) {
      case OID.rsaEncryption:
      case OID.rsassaPss: {
        if (oid === OID.rsaEncryption) {
          // RFC 3279 §2.3.1: parameters MUST be NULL.
          alg.null('rsaEncryption parameters');
        } else if (!alg.done) {
          alg.read(Tag.SEQUENCE, 'RSASSA-PSS-params');
        }
        alg.expectEnd('AlgorithmIdentifier');
        const k = new DerReader(keyBits, 2);
        const seq = k.sequence('RSAPublicKey');
        k.expectEnd('RSAPublicKey');
        const nBytes = seq.integer('modulus');
        const eBytes = seq.integer('publicExponent');
        seq.expectEnd('RSAPublicKey');
        if (nBytes[0]! & 0x80 || eBytes[0]! & 0x80) throw bad('RSA key: negative modulus or exponent');
        // Refuse by size before any bigint work: a peer's certificate may carry a 64 KiB "modulus".
        if (nBytes.length > MAX_RSA_BITS / 8 + 1) throw unsupported(`RSA key larger than ${MAX_RSA_BITS} bits`);
        if (eBytes.length > nBytes.length) throw bad('RSA key: exponent longer than the modulus');
        const n = intToBigint(nBytes);
        const e = intToBigint(eBytes);
        const bits = bitLength(n);
        if (bits > MAX_RSA_BITS) throw unsupported(`RSA key of ${bits} bits is larger than ${MAX_RSA_BITS}`);
        if (e < 3n || e % 2n === 0n || n % 2n === 0n) throw bad('RSA key: invalid modulus or exponent');
        // A huge exponent makes every verification a full-size modular exponentiation:
        // like BoringSSL (kMaxExponentBits) and ring, at most 33 bits.
        if (bitLength(e) > MAX_RSA_EXPONENT_BITS) throw unsupported(`RSA public exponent of ${bitLength(e)} bits is larger than ${MAX_RSA_EXPONENT_BITS}`);
        return oid === OID.rsassaPss ? { type: 'rsa', n, e, pssOnly: true, spki: der } : { type: 'rsa', n, e, spki: der };
      }
      case OID.ecPublicKey: {
        if (alg.peekTag() !== Tag.OID) throw unsupported('EC key: only named curves are supported (RFC 5480 §2.1.1)');
        const curveOid = alg.oid('namedCurve');
        alg.expectEnd('AlgorithmIdentifier');
        const curve = CURVES[curveOid];
        if (!curve) throw unsupported(`EC key on unsupported curve ${curveOid}`);
        try {
          nobleCurve(curve.name).Point.fromBytes(keyBits).assertValidity();
        } catch (e) {
          throw bad(`EC key: invalid ${curve.name} point`, e);
        }
        return { type: 'ec', curve: curve.name, point: keyBits, spki: der };
      }
      case OID.ed25519: {
        // RFC 8410 §3: parameters MUST be absent.
        alg.expectEnd('AlgorithmIdentifier');
        if (keyBits.length !== 32) throw bad('Ed25519 key: wrong length');
        return { type: 'ed25519', key: keyBits, spki: der };
      }
      case OID.ed448: {
        // RFC 8410 §3: parameters MUST be absent.
        if (!ed448Installed()) throw unsupported(ED448_NOT_INSTALLED);
        alg.expectEnd('AlgorithmIdentifier');
        if (keyBits.length !== ED448_KEY_LENGTH) throw bad('Ed448 key: wrong length');
        return { type: 'ed448', key: keyBits, spki: der };
      }
      case OID.mlDsa44:
      case OID.mlDsa65:
      case OID.mlDsa87:
        // RFC 9881 §4: parameters MUST be absent; the key is the raw FIPS 204 public key.
        if (!mlDsaInstalled()) throw unsupported(MLDSA_NOT_INSTALLED);
        alg.expectEnd('AlgorithmIdentifier');
        return mlDsaPublicKeyFromSpki(MLDSA_LEVEL_BY_OID[oid]!, keyBits, der, bad);
      default:
        throw unsupported(`unsupported public key algorithm ${oid}`);
    }
  } catch (e) {
    if (e instanceof DerError) throw bad(`malformed SubjectPublicKeyInfo: ${e.message}`, e);
    throw e;
  }
}

/** The public key of a DER certificate. */
export function certificatePublicKey(der: Uint8Array): PublicKey {
  let spki: Uint8Array;
  try {
    spki = decodeCertificateCached(der).spki;
  } catch (e) {
    if (e instanceof DerError) throw bad(`malformed certificate: ${e.message}`, e);
    throw e;
  }
  return parseSpkiCached(spki, parseSpki);
}

// ---------------------------------------------------------------------------
// Private keys

function keyError(message: string, cause?: unknown): TlsError {
  return new TlsError('internal_error', `private key: ${message}`, { code: 'bad_private_key', cause });
}

function rsaPrivate(der: Uint8Array, pssOnly: boolean): PrivateKey {
  const top = new DerReader(der);
  const s = top.sequence('RSAPrivateKey');
  const version = s.smallInt('version');
  if (version !== 0) throw keyError('multi-prime RSA keys are not supported');
  const n = intToBigint(s.integer());
  const e = intToBigint(s.integer());
  const d = intToBigint(s.integer());
  const p = intToBigint(s.integer());
  const q = intToBigint(s.integer());
  const dp = intToBigint(s.integer());
  const dq = intToBigint(s.integer());
  const qi = intToBigint(s.integer());
  s.expectEnd('RSAPrivateKey');
  if (p * q !== n) throw keyError('RSA key: p·q ≠ n');
  return pssOnly ? { type: 'rsa', n, e, d, p, q, dp, dq, qi, pssOnly: true } : { type: 'rsa', n, e, d, p, q, dp, dq, qi };
}

function ecPrivate(der: Uint8Array, curveOid: string | undefined): PrivateKey {
  const top = new DerReader(der);
  const s = top.sequence('ECPrivateKey');
  if (s.smallInt('version') !== 1) throw keyError('ECPrivateKey version must be 1');
  let d = s.octetString('privateKey');
  const params = s.optional(ctxCons(0));
  if (params) {
    const inner = DerReader.inside(params).oid('namedCurve');
    if (curveOid && inner !== curveOid) throw keyError('ECPrivateKey curve differs from the algorithm');
    curveOid = inner;
  }
  const pub = s.optional(ctxCons(1));
  s.expectEnd('ECPrivateKey');
  if (!curveOid) throw keyError('EC key without a named curve');
  const curve = CURVES[curveOid];
  if (!curve) throw keyError(`unsupported curve ${curveOid}`);
  // Some encoders drop leading zero octets; restore the fixed length.
  if (d.length < curve.size) {
    const padded = new Uint8Array(curve.size);
    padded.set(d, curve.size - d.length);
    d = padded;
  }
  if (d.length !== curve.size) throw keyError('EC private scalar of the wrong length');
  const c = nobleCurve(curve.name);
  const computed = c.getPublicKey(d, false);
  if (pub) {
    const given = DerReader.inside(pub).bitStringOctets('publicKey');
    const givenPoint = c.Point.fromBytes(given);
    if (!givenPoint.equals(c.Point.fromBytes(computed))) throw keyError('EC public key does not match the private key');
  }
  return { type: 'ec', curve: curve.name, d: Uint8Array.from(d), point: computed };
}

function pkcs8(der: Uint8Array): PrivateKey {
  const top = new DerReader(der);
  const s = top.sequence('PrivateKeyInfo');
  top.expectEnd('PrivateKeyInfo');
  const version = s.smallInt('version');
  if (version > 1) throw keyError(`unknown PKCS#8 version ${version}`);
  const alg = s.sequence('AlgorithmIdentifier');
  const oid = alg.oid();
  const privateKey = s.octetString('privateKey');
  // attributes [0] and publicKey [1] (RFC 5958) are ignored.
  switch (oid) {
    case OID.rsaEncryption:
      return rsaPrivate(privateKey, false);
    case OID.rsassaPss:
      return rsaPrivate(privateKey, true);
    case OID.ecPublicKey: {
      const curveOid = alg.peekTag() === Tag.OID ? alg.oid('namedCurve') : undefined;
      return ecPrivate(privateKey, curveOid);
    }
    case OID.ed25519: {
      const inner = new DerReader(privateKey).octetString('CurvePrivateKey');
      if (inner.length !== 32) throw keyError('Ed25519 seed must be 32 bytes');
      const seed = Uint8Array.from(inner);
      return { type: 'ed25519', seed, key: ed25519.getPublicKey(seed) };
    }
    case OID.ed448: {
      // RFC 8410 §7: CurvePrivateKey ::= OCTET STRING, 57 octets for Ed448.
      const inner = new DerReader(privateKey).octetString('CurvePrivateKey');
      if (inner.length !== ED448_KEY_LENGTH) throw keyError('Ed448 private key must be 57 bytes');
      const seed = Uint8Array.from(inner);
      return { type: 'ed448', seed, key: ed448PublicKey(seed) };
    }
    case OID.mlDsa44:
    case OID.mlDsa65:
    case OID.mlDsa87:
      return mlDsaPrivateKey(MLDSA_LEVEL_BY_OID[oid]!, privateKey, keyError);
    default:
      throw keyError(`unsupported private key algorithm ${oid}`);
  }
}

/**
 * Parse a private key: PEM ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY")
 * or DER (PKCS#8, then SEC1, then PKCS#1 are tried).
 */
export function parsePrivateKey(pemOrDer: string | Uint8Array): PrivateKey {
  try {
    if (typeof pemOrDer === 'string') {
      const blocks = pemBlocks(pemOrDer);
      if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY')) throw keyError('encrypted keys are not supported');
      const b = blocks.find((x) => x.label === 'PRIVATE KEY' || x.label === 'EC PRIVATE KEY' || x.label === 'RSA PRIVATE KEY');
      if (!b) throw keyError('no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block found');
      if (b.label === 'PRIVATE KEY') return pkcs8(b.der);
      if (b.label === 'EC PRIVATE KEY') return ecPrivate(b.der, undefined);
      return rsaPrivate(b.der, false);
    }
    const attempts = [() => pkcs8(pemOrDer), () => ecPrivate(pemOrDer, undefined), () => rsaPrivate(pemOrDer, false)];
    let last: unknown;
    for (const f of attempts) {
      try {
        return f();
      } catch (e) {
        // A PrivateKeyInfo whose structure parsed but whose key is wrong (a bad seed, an unknown
        // algorithm) says why; the SEC1 and PKCS#1 attempts would only hide that.
        if (f === attempts[0] && e instanceof TlsError) throw e;
        last = e;
      }
    }
    throw last;
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw keyError(e instanceof Error ? e.message : String(e), e);
  }
}

