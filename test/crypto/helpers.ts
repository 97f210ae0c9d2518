/** Shared test helpers for the crypto suites: the providers under test, vector loading, key conversion. */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { CryptoProvider, PrivateKey, PublicKey } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { nodeProvider } from '../../src/crypto/node-provider.js';
import { isPromise, type MaybePromise } from '../../src/util/bytes.js';

export const providers: [string, CryptoProvider][] = [
  ['pure', pureProvider],
  ['webcrypto', webCryptoProvider],
  ['node', nodeProvider],
];

const VECTORS = fileURLToPath(new URL('../vectors/wycheproof/', import.meta.url));

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}
export interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}
export interface WycheproofFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
}

export function loadWycheproof(name: string): WycheproofFile {
  return JSON.parse(readFileSync(VECTORS + name, 'utf8')) as WycheproofFile;
}

export function hex(s: unknown): Uint8Array {
  if (typeof s !== 'string') throw new Error('expected a hex string');
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export async function settle<T>(v: MaybePromise<T>): Promise<T> {
  return isPromise(v) ? await v : v;
}

/** Outcome of an operation: the value, or the thrown error's alert/message. */
export async function outcome<T>(f: () => MaybePromise<T>): Promise<{ ok: true; value: T } | { ok: false; alert?: string; message: string }> {
  try {
    return { ok: true, value: await settle(f()) };
  } catch (e) {
    const err = e as { alert?: string; message?: string };
    return { ok: false, alert: err.alert, message: String(err.message) };
  }
}

export function b64u(s: string | undefined): Uint8Array {
  if (s === undefined) throw new Error('missing JWK field');
  return Uint8Array.from(Buffer.from(s, 'base64url'));
}

export function bigFromB64u(s: string | undefined): bigint {
  return BigInt('0x' + (toHex(b64u(s)) || '0'));
}

/** A node KeyObject pair → our PublicKey / PrivateKey shapes (via JWK). */
export function convertKeyPair(pair: { publicKey: KeyObject; privateKey: KeyObject }, pssOnly = false): { pub: PublicKey; priv: PrivateKey } {
  const j = pair.privateKey.export({ format: 'jwk' });
  if (j.kty === 'RSA') {
    const [n, e] = [bigFromB64u(j.n), bigFromB64u(j.e)];
    return {
      pub: { type: 'rsa', n, e, pssOnly },
      priv: {
        type: 'rsa', n, e, d: bigFromB64u(j.d), p: bigFromB64u(j.p), q: bigFromB64u(j.q),
        dp: bigFromB64u(j.dp), dq: bigFromB64u(j.dq), qi: bigFromB64u(j.qi), pssOnly,
      },
    };
  }
  if (j.kty === 'EC') {
    const curve = j.crv as 'P-256' | 'P-384' | 'P-521';
    const point = Uint8Array.from([4, ...b64u(j.x), ...b64u(j.y)]);
    return { pub: { type: 'ec', curve, point }, priv: { type: 'ec', curve, d: b64u(j.d), point } };
  }
  if (j.kty === 'OKP' && (j.crv === 'Ed25519' || j.crv === 'Ed448')) {
    const key = b64u(j.x);
    const type = j.crv === 'Ed25519' ? 'ed25519' : 'ed448';
    return { pub: { type, key }, priv: { type, seed: b64u(j.d), key } };
  }
  throw new Error(`unsupported key ${j.kty}`);
}

export function generateKeys(kind: 'rsa' | 'rsa-pss' | 'P-256' | 'P-384' | 'P-521' | 'ed25519' | 'ed448', bits = 2048) {
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  if (kind === 'rsa' || kind === 'rsa-pss') pair = generateKeyPairSync('rsa', { modulusLength: bits });
  else if (kind === 'ed25519') pair = generateKeyPairSync('ed25519');
  else if (kind === 'ed448') pair = generateKeyPairSync('ed448');
  else pair = generateKeyPairSync('ec', { namedCurve: kind });
  return { ...convertKeyPair(pair, kind === 'rsa-pss'), node: pair };
}

/** An ML-DSA key pair (node:crypto on Node 20 has no ML-DSA: @noble/post-quantum makes it). */
export function generateMlDsaKeys(level: 44 | 65 | 87): { pub: PublicKey; priv: PrivateKey } {
  const impl = level === 44 ? ml_dsa44 : level === 65 ? ml_dsa65 : ml_dsa87;
  const seed = new Uint8Array(32);
  globalThis.crypto.getRandomValues(seed);
  const { publicKey, secretKey } = impl.keygen(seed);
  return { pub: { type: 'mldsa', level, key: publicKey }, priv: { type: 'mldsa', level, seed, secretKey, key: publicKey } };
}
