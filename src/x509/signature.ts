/**
 * Certificate signature algorithms (RFC 5280 §4.1.1.2 with RFC 4055, RFC 5758,
 * RFC 8410, RFC 9881) mapped to the provider's SignatureAlgorithm, and the check that an
 * issuer's key may make that kind of signature.
 *
 * Accepted, like rustls-webpki: RSA PKCS#1 v1.5 with SHA-256/384/512,
 * RSASSA-PSS with SHA-256/384/512 (MGF1 with the same hash, salt = hash
 * length, trailer 1), ECDSA with SHA-256/384/512, Ed25519, Ed448, and pure
 * ML-DSA-44/65/87 (empty context). SHA-1 is refused.
 */
import type { HashAlgorithm, PublicKey, SignatureAlgorithm } from '../crypto/provider.js';
import { DerError, DerReader, Tag, ctxCons } from './der.js';
import { MLDSA_LEVEL_BY_OID, OID } from './oids.js';
import { MLDSA_NOT_INSTALLED, mlDsaInstalled } from '../crypto/pure/mldsa.js';
import { ED448_NOT_INSTALLED, ed448Installed } from '../crypto/pure/ed448.js';

const HASH_BY_OID: Record<string, HashAlgorithm> = {
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};
const HASH_LEN: Record<HashAlgorithm, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

export class UnsupportedAlgorithm extends Error {}

/** Decode the DER AlgorithmIdentifier of a certificate signature. */
export function decodeSignatureAlgorithm(der: Uint8Array): SignatureAlgorithm {
  const top = new DerReader(der);
  const s = top.sequence('AlgorithmIdentifier');
  top.expectEnd('AlgorithmIdentifier');
  const oid = s.oid('algorithm');
  const rsa = (hash: HashAlgorithm): SignatureAlgorithm => {
    // RFC 4055 §5: parameters MUST be NULL; we also accept them absent, as Go does.
    if (!s.done) s.null('parameters');
    s.expectEnd('AlgorithmIdentifier');
    return { kind: 'rsa-pkcs1', hash };
  };
  const ecdsa = (hash: HashAlgorithm): SignatureAlgorithm => {
    // RFC 5758 §3.2: parameters MUST be absent.
    s.expectEnd('AlgorithmIdentifier');
    return { kind: 'ecdsa', hash };
  };
  switch (oid) {
    case OID.sha256WithRSA:
      return rsa('SHA-256');
    case OID.sha384WithRSA:
      return rsa('SHA-384');
    case OID.sha512WithRSA:
      return rsa('SHA-512');
    case OID.ecdsaWithSha256:
      return ecdsa('SHA-256');
    case OID.ecdsaWithSha384:
      return ecdsa('SHA-384');
    case OID.ecdsaWithSha512:
      return ecdsa('SHA-512');
    case OID.ed25519:
      s.expectEnd('AlgorithmIdentifier'); // RFC 8410 §3: parameters absent
      return { kind: 'ed25519' };
    case OID.ed448:
      if (!ed448Installed()) throw new UnsupportedAlgorithm(ED448_NOT_INSTALLED);
      s.expectEnd('AlgorithmIdentifier'); // RFC 8410 §3: parameters absent
      return { kind: 'ed448' };
    case OID.mlDsa44:
    case OID.mlDsa65:
    case OID.mlDsa87:
      if (!mlDsaInstalled()) throw new UnsupportedAlgorithm(MLDSA_NOT_INSTALLED);
      s.expectEnd('AlgorithmIdentifier'); // RFC 9881 §2: parameters MUST be absent
      return { kind: 'mldsa', level: MLDSA_LEVEL_BY_OID[oid]! };
    case OID.rsassaPss:
      return decodePssParams(s);
    case OID.sha1WithRSA:
      throw new UnsupportedAlgorithm('SHA-1 signatures are not accepted');
    default:
      throw new UnsupportedAlgorithm(`unsupported signature algorithm ${oid}`);
  }
}

/**
 * RSASSA-PSS-params (RFC 4055 §3.1). Defaults (SHA-1) are refused, so every
 * field we accept is explicit: hashAlgorithm [0], maskGenAlgorithm [1] MGF1
 * with the same hash, saltLength [2] = hash length, trailerField absent.
 */
function decodePssParams(s: DerReader): SignatureAlgorithm {
  const p = s.sequence('RSASSA-PSS-params');
  s.expectEnd('AlgorithmIdentifier');
  const hashTlv = p.optional(ctxCons(0));
  const mgfTlv = p.optional(ctxCons(1));
  const saltTlv = p.optional(ctxCons(2));
  const trailerTlv = p.optional(ctxCons(3));
  p.expectEnd('RSASSA-PSS-params');
  if (!hashTlv || !mgfTlv) throw new UnsupportedAlgorithm('RSASSA-PSS with SHA-1 defaults is not accepted');
  const hash = hashAlg(DerReader.inside(hashTlv, 4).sequence('hashAlgorithm'));
  const mgf = DerReader.inside(mgfTlv, 4).sequence('maskGenAlgorithm');
  if (mgf.oid('MGF') !== OID.mgf1) throw new UnsupportedAlgorithm('RSASSA-PSS: only MGF1 is supported');
  const mgfHash = hashAlg(mgf.sequence('MGF1 hash'));
  mgf.expectEnd('maskGenAlgorithm');
  if (mgfHash !== hash) throw new UnsupportedAlgorithm('RSASSA-PSS: MGF1 hash differs from the message hash');
  const saltLength = saltTlv ? DerReader.inside(saltTlv, 4).smallInt('saltLength') : 20;
  if (saltLength !== HASH_LEN[hash]) throw new UnsupportedAlgorithm('RSASSA-PSS: salt length must equal the hash length');
  if (trailerTlv) {
    if (DerReader.inside(trailerTlv, 4).smallInt('trailerField') !== 1) throw new DerError('RSASSA-PSS: trailerField must be 1');
  }
  return { kind: 'rsa-pss', hash, saltLength, mgfHash };
}

function hashAlg(r: DerReader): HashAlgorithm {
  const oid = r.oid('hash');
  // Parameters: NULL or absent (RFC 4055 §2.1 allows both).
  if (!r.done) r.null('hash parameters');
  r.expectEnd('hash AlgorithmIdentifier');
  const h = HASH_BY_OID[oid];
  if (!h) throw new UnsupportedAlgorithm(`unsupported hash ${oid}`);
  return h;
}

/** Minimum RSA modulus for certificate signatures, as rustls-webpki. */
export const MIN_RSA_BITS = 2048;

/** Whether `key` may verify a signature of kind `alg`; a reason string when not. */
export function keyMismatch(alg: SignatureAlgorithm, key: PublicKey): string | undefined {
  switch (alg.kind) {
    case 'rsa-pkcs1':
      if (key.type !== 'rsa') return 'RSA signature from a non-RSA key';
      if (key.pssOnly) return 'PKCS#1 v1.5 signature from an RSASSA-PSS-only key';
      break;
    case 'rsa-pss':
      if (key.type !== 'rsa') return 'RSA-PSS signature from a non-RSA key';
      break;
    case 'ecdsa':
      if (key.type !== 'ec') return 'ECDSA signature from a non-EC key';
      break;
    case 'ed25519':
      if (key.type !== 'ed25519') return 'Ed25519 signature from a non-Ed25519 key';
      break;
    case 'ed448':
      if (key.type !== 'ed448') return 'Ed448 signature from a non-Ed448 key';
      break;
    case 'mldsa':
      if (key.type !== 'mldsa' || key.level !== alg.level) return `ML-DSA-${alg.level} signature from a key that is not ML-DSA-${alg.level}`;
      break;
  }
  if (key.type === 'rsa' && key.n.toString(2).length < MIN_RSA_BITS) return `RSA key shorter than ${MIN_RSA_BITS} bits`;
  return undefined;
}

export { Tag };
