/**
 * Signatures on WebCrypto: ECDSA (DER ↔ P1363 conversion here, strict DER
 * parse first), Ed25519, RSA-PSS and RSASSA-PKCS1-v1_5 (keys imported as
 * JWK from n/e). The syntactic checks are the pure provider's (key fits the
 * algorithm, RSA key bounds, signature length = k, s < n) so every provider
 * gives the same verdict; anything subtle cannot do (MGF1 hash != message
 * hash, a compressed EC point, a missing algorithm) falls back to pure.
 * A caller-supplied `random` for RSA-PSS also uses pure, so the salt comes
 * from it.
 */
import type { HashAlgorithm, PrivateKey, PublicKey, RandomSource, SignatureAlgorithm } from '../provider.js';
import { TlsError } from '../../errors.js';
import { EC_CURVES, ecdsaDerToRaw, ecdsaRawToDer } from '../ecdsa-der.js';
import { keyFitsAlgorithm, pureSign, pureVerify } from '../pure/signatures.js';
import { rsaPublicKeyAcceptable } from '../pure/rsa.js';
import { bitLength, os2ip } from '../pure/bigint.js';
import { base64url, base64urlUInt } from './jwk.js';
import { bs, cachedKey, getSubtle, supports } from './subtle.js';

type RsaPub = Extract<PublicKey, { type: 'rsa' }>;

function rsaSignatureInRange(key: { n: bigint }, sig: Uint8Array): boolean {
  return sig.length === Math.ceil(bitLength(key.n) / 8) && os2ip(sig) < key.n;
}

function rsaParams(alg: SignatureAlgorithm): { name: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5'; hash: HashAlgorithm } | undefined {
  if (alg.kind === 'rsa-pss') return alg.mgfHash && alg.mgfHash !== alg.hash ? undefined : { name: 'RSA-PSS', hash: alg.hash };
  if (alg.kind === 'rsa-pkcs1') return { name: 'RSASSA-PKCS1-v1_5', hash: alg.hash };
  return undefined;
}

function ecJwkXY(point: Uint8Array, size: number): { x: string; y: string } | undefined {
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) return undefined;
  return { x: base64url(point.subarray(1, 1 + size)), y: base64url(point.subarray(1 + size)) };
}

/** The subtle call for a verification, or undefined when subtle cannot do it. */
async function subtleVerify(subtle: SubtleCrypto, alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean | undefined> {
  if (alg.kind === 'ecdsa' && key.type === 'ec') {
    const raw = ecdsaDerToRaw(signature, key.curve);
    if (!raw) return false;
    const ck = await cachedKey(key, `ecdsa`, () => subtle.importKey('raw', bs(key.point), { name: 'ECDSA', namedCurve: key.curve }, false, ['verify']));
    return subtle.verify({ name: 'ECDSA', hash: alg.hash }, ck, bs(raw), bs(message));
  }
  if (alg.kind === 'ed25519' && key.type === 'ed25519') {
    if (key.key.length !== 32 || signature.length !== 64) return false;
    if (!(await supports('Ed25519'))) return undefined;
    const ck = await cachedKey(key, 'ed25519', () => subtle.importKey('raw', bs(key.key), { name: 'Ed25519' }, false, ['verify']));
    return subtle.verify({ name: 'Ed25519' }, ck, bs(signature), bs(message));
  }
  if (key.type === 'rsa') {
    const p = rsaParams(alg);
    if (!p) return undefined;
    if (!rsaPublicKeyAcceptable(key) || !rsaSignatureInRange(key, signature)) return false;
    const ck = await cachedKey(key, `${p.name}/${p.hash}`, () => importRsaPublic(subtle, key, p.name, p.hash));
    const params = alg.kind === 'rsa-pss' ? { name: p.name, saltLength: alg.saltLength } : { name: p.name };
    return subtle.verify(params, ck, bs(signature), bs(message));
  }
  return undefined;
}

function importRsaPublic(subtle: SubtleCrypto, key: RsaPub, name: string, hash: HashAlgorithm): Promise<CryptoKey> {
  const jwk: JsonWebKey = { kty: 'RSA', n: base64urlUInt(key.n), e: base64urlUInt(key.e), ext: true };
  return subtle.importKey('jwk', jwk, { name, hash }, false, ['verify']);
}

export async function webCryptoVerify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  if (!keyFitsAlgorithm(alg, key)) return false;
  const subtle = getSubtle();
  if (subtle) {
    try {
      const r = await subtleVerify(subtle, alg, key, message, signature);
      if (r !== undefined) return r;
    } catch {
      // Import failed (unsupported curve/key in this runtime): decide with pure below.
    }
  }
  return pureVerify(alg, key, message, signature);
}

async function subtleSign(subtle: SubtleCrypto, alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Promise<Uint8Array | undefined> {
  if (alg.kind === 'ecdsa' && key.type === 'ec') {
    const size = EC_CURVES[key.curve].byteLength;
    const xy = ecJwkXY(key.point, size);
    if (!xy || key.d.length !== size) return undefined;
    const ck = await cachedKey(key, 'ecdsa', () =>
      subtle.importKey('jwk', { kty: 'EC', crv: key.curve, d: base64url(key.d), ...xy }, { name: 'ECDSA', namedCurve: key.curve }, false, ['sign']));
    return ecdsaRawToDer(new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: alg.hash }, ck, bs(message))));
  }
  if (alg.kind === 'ed25519' && key.type === 'ed25519') {
    if (!(await supports('Ed25519')) || key.seed.length !== 32 || key.key.length !== 32) return undefined;
    const ck = await cachedKey(key, 'ed25519', () =>
      subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', d: base64url(key.seed), x: base64url(key.key) }, { name: 'Ed25519' }, false, ['sign']));
    return new Uint8Array(await subtle.sign({ name: 'Ed25519' }, ck, bs(message)));
  }
  if (key.type === 'rsa') {
    const p = rsaParams(alg);
    if (!p) return undefined;
    const ck = await cachedKey(key, `${p.name}/${p.hash}`, () => {
      const jwk: JsonWebKey = {
        kty: 'RSA', n: base64urlUInt(key.n), e: base64urlUInt(key.e), d: base64urlUInt(key.d),
        p: base64urlUInt(key.p), q: base64urlUInt(key.q), dp: base64urlUInt(key.dp), dq: base64urlUInt(key.dq), qi: base64urlUInt(key.qi),
      };
      return subtle.importKey('jwk', jwk, { name: p.name, hash: p.hash }, false, ['sign']);
    });
    const params = alg.kind === 'rsa-pss' ? { name: p.name, saltLength: alg.saltLength } : { name: p.name };
    return new Uint8Array(await subtle.sign(params, ck, bs(message)));
  }
  return undefined;
}

export async function webCryptoSign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random?: RandomSource): Promise<Uint8Array> {
  if (!keyFitsAlgorithm(alg, key)) throw new TlsError('internal_error', `cannot sign ${alg.kind} with a ${key.type} key`);
  const subtle = getSubtle();
  // An injected random source must supply the PSS salt: only the pure signer can take it.
  if (subtle && !(random && alg.kind === 'rsa-pss')) {
    let sig: Uint8Array | undefined;
    try {
      sig = await subtleSign(subtle, alg, key, message);
    } catch {
      sig = undefined; // unsupported here: sign with pure
    }
    if (sig) return sig;
  }
  return pureSign(alg, key, message, random);
}
