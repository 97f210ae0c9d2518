/**
 * Signatures on every provider with freshly generated keys: sign → verify for
 * every SignatureScheme, across providers and against node:crypto; key /
 * algorithm mismatches; DER strictness; high-S acceptance; RSA fault check.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { verify as nodeVerify, sign as nodeSign, constants } from 'node:crypto';
import type { CryptoProvider, PrivateKey, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { SIGNATURE_SCHEMES, keyMatchesScheme } from '../../src/crypto/schemes.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { EC_CURVES, ecdsaDerToRaw, ecdsaRawToDer } from '../../src/crypto/ecdsa-der.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { providers, settle, outcome, toHex, generateKeys, generateMlDsaKeys } from './helpers.js';

type Keys = { pub: PublicKey; priv: PrivateKey; node?: ReturnType<typeof generateKeys>['node'] };
const keys: Record<string, Keys> = {};
const msg = new TextEncoder().encode('TLS 1.3, server CertificateVerify\0 payload');

beforeAll(() => {
  keys.rsa = generateKeys('rsa', 2048);
  keys.rsaPss = generateKeys('rsa-pss', 2048);
  keys.rsa1024 = generateKeys('rsa', 1024);
  keys.p256 = generateKeys('P-256');
  keys.p384 = generateKeys('P-384');
  keys.p521 = generateKeys('P-521');
  keys.ed25519 = generateKeys('ed25519');
  keys.ed448 = generateKeys('ed448');
  keys.mldsa44 = generateMlDsaKeys(44);
  keys.mldsa65 = generateMlDsaKeys(65);
  keys.mldsa87 = generateMlDsaKeys(87);
});

function keyFor(scheme: (typeof SIGNATURE_SCHEMES)[number]): Keys {
  const k = Object.values(keys).find((k) => keyMatchesScheme(k.priv, scheme));
  if (!k) throw new Error(`no key for ${scheme.name}`);
  return k;
}

const MLDSA = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const;

/** node:crypto's own verification, as an independent reference (ML-DSA: @noble/post-quantum itself, as node:crypto on Node 20 has none). */
function referenceVerify(alg: SignatureAlgorithm, k: Keys, message: Uint8Array, sig: Uint8Array): boolean {
  if (alg.kind === 'mldsa') return k.pub.type === 'mldsa' && MLDSA[alg.level].verify(sig, message, k.pub.key);
  const key = k.node!.publicKey;
  switch (alg.kind) {
    case 'ecdsa': return nodeVerify(alg.hash.replace('-', '').toLowerCase(), message, { key, dsaEncoding: 'der' }, sig);
    case 'ed25519':
    case 'ed448': return nodeVerify(null, message, key, sig);
    case 'rsa-pss': return nodeVerify(alg.hash.replace('-', '').toLowerCase(), message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, sig);
    case 'rsa-pkcs1': return nodeVerify(alg.hash.replace('-', '').toLowerCase(), message, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
  }
}

describe.each(providers)('signatures on the %s provider', (_name, provider: CryptoProvider) => {
  it.each(SIGNATURE_SCHEMES.map((s) => [s.name, s] as const))('%s: sign → verify on every provider and on node:crypto', async (_n, scheme) => {
    const k = keyFor(scheme);
    const sig = await settle(provider.sign(scheme.algorithm, k.priv, msg));
    expect(referenceVerify(scheme.algorithm, k, msg, sig)).toBe(true);
    for (const [, other] of providers) {
      expect(await settle(other.verify(scheme.algorithm, k.pub, msg, sig)), `${other.name} verify`).toBe(true);
      const tamperedMsg = msg.slice(); tamperedMsg[3]! ^= 0x20;
      expect(await settle(other.verify(scheme.algorithm, k.pub, tamperedMsg, sig))).toBe(false);
      const tamperedSig = sig.slice(); tamperedSig[tamperedSig.length - 5]! ^= 0x01;
      expect(await settle(other.verify(scheme.algorithm, k.pub, msg, tamperedSig))).toBe(false);
    }
  });

  it.each(SIGNATURE_SCHEMES.filter((s) => s.algorithm.kind !== 'mldsa').map((s) => [s.name, s] as const))('%s: verifies node:crypto signatures', async (_n, scheme) => {
    const k = keyFor(scheme);
    const alg = scheme.algorithm;
    const h = 'hash' in alg ? alg.hash.replace('-', '').toLowerCase() : null;
    const opts = alg.kind === 'rsa-pss' ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }
      : alg.kind === 'rsa-pkcs1' ? { padding: constants.RSA_PKCS1_PADDING } : {};
    const sig = Uint8Array.from(nodeSign(h, msg, { key: k.node!.privateKey, ...opts }));
    expect(await settle(provider.verify(alg, k.pub, msg, sig))).toBe(true);
  });

  it('RSA PKCS#1 v1.5 is deterministic: identical to node:crypto byte for byte', async () => {
    for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const ours = await settle(provider.sign({ kind: 'rsa-pkcs1', hash }, keys.rsa!.priv, msg));
      const ref = nodeSign(hash.replace('-', '').toLowerCase(), msg, { key: keys.rsa!.node!.privateKey, padding: constants.RSA_PKCS1_PADDING });
      expect(toHex(ours)).toBe(ref.toString('hex'));
    }
  });

  it('Ed448 (RFC 8032 §5.2.6) is deterministic: identical to node:crypto (OpenSSL) byte for byte, 114 octets', async () => {
    for (const m of [new Uint8Array(0), msg, new Uint8Array(1000).fill(0xa5)]) {
      const ours = await settle(provider.sign({ kind: 'ed448' }, keys.ed448!.priv, m));
      const ref = nodeSign(null, m, keys.ed448!.node!.privateKey);
      expect(ours.length).toBe(114);
      expect(toHex(ours)).toBe(ref.toString('hex'));
    }
  });

  it('RSA-PSS with an injected random salt is reproducible and matches the pure provider', async () => {
    const alg: SignatureAlgorithm = { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 };
    const salt = () => new Uint8Array(32).fill(0xab);
    const a = await settle(provider.sign(alg, keys.rsa!.priv, msg, salt));
    const b = await settle(pureProvider.sign(alg, keys.rsa!.priv, msg, salt));
    expect(toHex(a)).toBe(toHex(b));
    expect(referenceVerify(alg, keys.rsa!, msg, a)).toBe(true);
  });

  it('RSA-PSS: any salt length and an MGF1 hash other than the message hash', async () => {
    for (const alg of [
      { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 0 },
      { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 20 },
      { kind: 'rsa-pss', hash: 'SHA-384', saltLength: 100 },
      { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32, mgfHash: 'SHA-512' },
    ] as SignatureAlgorithm[]) {
      const sig = await settle(provider.sign(alg, keys.rsa!.priv, msg));
      for (const [, other] of providers) expect(await settle(other.verify(alg, keys.rsa!.pub, msg, sig))).toBe(true);
      if (alg.kind === 'rsa-pss' && !alg.mgfHash) expect(referenceVerify(alg, keys.rsa!, msg, sig)).toBe(true);
      // A different salt length does not verify.
      if (alg.kind === 'rsa-pss') expect(await settle(provider.verify({ ...alg, saltLength: alg.saltLength + 1 }, keys.rsa!.pub, msg, sig))).toBe(false);
    }
  });

  it('ECDSA with a hash other than the curve default (SHA-384 on P-256, SHA-256 on P-384)', async () => {
    for (const [k, hash] of [[keys.p256!, 'SHA-384'], [keys.p384!, 'SHA-256'], [keys.p521!, 'SHA-256']] as const) {
      const alg: SignatureAlgorithm = { kind: 'ecdsa', hash };
      const sig = await settle(provider.sign(alg, k.priv, msg));
      expect(referenceVerify(alg, k, msg, sig)).toBe(true);
      const ref = Uint8Array.from(nodeSign(hash.replace('-', '').toLowerCase(), msg, { key: k.node!.privateKey, dsaEncoding: 'der' }));
      expect(await settle(provider.verify(alg, k.pub, msg, ref))).toBe(true);
      expect(await settle(provider.verify({ kind: 'ecdsa', hash: hash === 'SHA-256' ? 'SHA-512' : 'SHA-256' }, k.pub, msg, ref))).toBe(false);
    }
  });

  it('ECDSA: high-S signatures are valid (no low-S rule); malformed DER is not', async () => {
    const k = keys.p256!;
    const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: 'SHA-256' };
    const sig = await settle(provider.sign(alg, k.priv, msg));
    const raw = ecdsaDerToRaw(sig, 'P-256')!;
    const n = EC_CURVES['P-256'].n;
    const s = BigInt('0x' + toHex(raw.subarray(32)));
    const flipped = Uint8Array.from([...raw.subarray(0, 32), ...Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]);
    const flippedDer = ecdsaRawToDer(flipped);
    expect(referenceVerify(alg, k, msg, flippedDer)).toBe(true);
    expect(await settle(provider.verify(alg, k.pub, msg, flippedDer))).toBe(true);
    // Trailing garbage, a BER long-form length, a raw (P1363) signature, truncation.
    const long = Uint8Array.from([0x30, 0x81, sig[1]!, ...sig.subarray(2)]);
    for (const bad of [Uint8Array.from([...sig, 0]), long, raw, sig.subarray(0, sig.length - 1), new Uint8Array(0)]) {
      expect(await settle(provider.verify(alg, k.pub, msg, bad))).toBe(false);
    }
  });

  it('key / algorithm mismatches verify false and refuse to sign', async () => {
    const ecdsa: SignatureAlgorithm = { kind: 'ecdsa', hash: 'SHA-256' };
    const pss: SignatureAlgorithm = { kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 };
    const pkcs1: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: 'SHA-256' };
    const ed: SignatureAlgorithm = { kind: 'ed25519' };
    const ecSig = await settle(provider.sign(ecdsa, keys.p256!.priv, msg));
    const rsaSig = await settle(provider.sign(pkcs1, keys.rsa!.priv, msg));
    const cases: [SignatureAlgorithm, PublicKey, Uint8Array][] = [
      [ecdsa, keys.rsa!.pub, ecSig],
      [ecdsa, keys.p384!.pub, ecSig],
      [ecdsa, keys.ed25519!.pub, ecSig],
      [ed, keys.p256!.pub, ecSig],
      [pss, keys.p256!.pub, rsaSig],
      [pkcs1, keys.ed25519!.pub, rsaSig],
      // rsa_pkcs1 with an id-RSASSA-PSS key: never, even with a correct signature.
      [pkcs1, { ...keys.rsa!.pub, pssOnly: true } as PublicKey, rsaSig],
    ];
    for (const [alg, key, sig] of cases) {
      const o = await outcome(() => provider.verify(alg, key, msg, sig));
      expect(o.ok && o.value, `${alg.kind} with ${key.type}`).toBe(false);
    }
    const signCases: [SignatureAlgorithm, PrivateKey][] = [[ecdsa, keys.rsa!.priv], [pkcs1, keys.rsaPss!.priv], [ed, keys.p256!.priv], [pss, keys.ed25519!.priv]];
    for (const [alg, key] of signCases) {
      const o = await outcome(() => provider.sign(alg, key, msg));
      expect(o.ok, `sign ${alg.kind} with ${key.type}`).toBe(false);
    }
  });

  it('RSA verification bounds: 1024-bit keys accepted, short/long/oversized signatures rejected', async () => {
    const alg: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: 'SHA-256' };
    const sig = await settle(provider.sign(alg, keys.rsa1024!.priv, msg));
    expect(sig.length).toBe(128);
    expect(await settle(provider.verify(alg, keys.rsa1024!.pub, msg, sig))).toBe(true);
    const pub = keys.rsa1024!.pub as Extract<PublicKey, { type: 'rsa' }>;
    const nBytes = Buffer.from(pub.n.toString(16).padStart(256, '0'), 'hex');
    for (const bad of [Uint8Array.from([0, ...sig]), sig.subarray(1), Uint8Array.from(nBytes), new Uint8Array(128).fill(0xff)]) {
      expect(await settle(provider.verify(alg, pub, msg, bad))).toBe(false);
    }
    // A 512-bit modulus is below the verification floor even with a "valid" signature.
    const small = { ...pub, n: pub.n >> 512n | 1n };
    expect(await settle(provider.verify(alg, small, msg, sig.subarray(0, 64)))).toBe(false);
  });

  it('Ed25519 signatures are deterministic (RFC 8032) and match node:crypto', async () => {
    const a = await settle(provider.sign({ kind: 'ed25519' }, keys.ed25519!.priv, msg));
    const ref = nodeSign(null, msg, keys.ed25519!.node!.privateKey);
    expect(toHex(a)).toBe(ref.toString('hex'));
  });
});

describe('pure RSA signing internals', () => {
  it('a CRT fault is caught by the verify-after-sign check', () => {
    const priv = keys.rsa!.priv as Extract<PrivateKey, { type: 'rsa' }>;
    const faulty = { ...priv, dp: priv.dp ^ 2n };
    const o = (() => { try { return pureProvider.sign({ kind: 'rsa-pkcs1', hash: 'SHA-256' }, faulty, msg); } catch (e) { return e as Error; } })();
    expect(o).toBeInstanceOf(Error);
    expect((o as { alert?: string }).alert).toBe('internal_error');
  });

  it('ECDSA in the pure provider is deterministic (RFC 6979)', () => {
    const alg: SignatureAlgorithm = { kind: 'ecdsa', hash: 'SHA-256' };
    expect(toHex(pureProvider.sign(alg, keys.p256!.priv, msg) as Uint8Array)).toBe(toHex(pureProvider.sign(alg, keys.p256!.priv, msg) as Uint8Array));
  });
});
