/**
 * Path building bounded by cost (issue 8, "Bounded work per peer"; issue 12,
 * the 51-certificate chain): the worst chain a peer can send, the cost table,
 * yielding to the event loop, and long chains processed rather than refused
 * by count.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { parseSpki } from '../../src/x509/keys.js';
import { importSigningKey, type SigningKey } from '../../src/x509/issue.js';
import { DEFAULT_VERIFY_BUDGET, signatureCost, verifyCertificateChain, verifyErrorToTlsError } from '../../src/x509/verify.js';
import { worstChain, type WorstChain } from '../../bench/worst-chain.js';
import { inter, leaf, longChain, NOW, root } from './helpers.js';

/** A provider that verifies with `inner` and counts the calls and their cost. */
function counting(inner: CryptoProvider = pureProvider) {
  const stats = { calls: 0, cost: 0, byCurve: new Map<string, number>() };
  const provider: CryptoProvider = {
    ...inner,
    verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array) {
      stats.calls++;
      stats.cost += signatureCost(key, message.length);
      const k = key.type === 'ec' ? key.curve : key.type;
      stats.byCurve.set(k, (stats.byCurve.get(k) ?? 0) + 1);
      return inner.verify(alg, key, message, signature);
    },
  };
  return { provider, stats };
}

async function p521(): Promise<SigningKey> {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  return importSigningKey(new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' })));
}

function spkiOf(type: 'ec' | 'ed25519', namedCurve = 'P-256'): PublicKey {
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve }) : generateKeyPairSync('ed25519');
  return parseSpki(new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })));
}

describe('the cost of a signature check', () => {
  it('P-256 is the unit; larger curves and RSA moduli cost more; the signed bytes count; nothing costs less than 1', () => {
    expect(signatureCost(spkiOf('ec', 'P-256'), 0)).toBe(1);
    expect(signatureCost(spkiOf('ec', 'P-384'), 0)).toBe(3);
    expect(signatureCost(spkiOf('ec', 'P-521'), 0)).toBe(5);
    expect(signatureCost(spkiOf('ed25519'), 0)).toBe(1);
    // Measured with bench/signature-costs.ts (see src/x509/verify-budget.ts).
    expect(signatureCost({ type: 'ed448', key: new Uint8Array(57) }, 0)).toBe(5);
    expect(signatureCost({ type: 'mldsa', level: 44, key: new Uint8Array(1312) }, 0)).toBe(2);
    expect(signatureCost({ type: 'mldsa', level: 65, key: new Uint8Array(1952) }, 0)).toBe(3);
    expect(signatureCost({ type: 'mldsa', level: 87, key: new Uint8Array(2592) }, 0)).toBe(5);
    const rsa = (bits: number, e = 65537): PublicKey => ({ type: 'rsa', n: (1n << BigInt(bits)) - 1n, e: BigInt(e) });
    // Every check costs at least one unit (WebCrypto's key import alone costs about that).
    expect(signatureCost(rsa(2048), 0)).toBe(1);
    expect(signatureCost(rsa(4096), 0)).toBe(1);
    expect(signatureCost(rsa(8192), 0)).toBe(1.5);
    // A 33-bit exponent with every bit set: 64 multiplications instead of 17.
    expect(signatureCost(rsa(8192, 2 ** 33 - 1), 0)).toBeCloseTo((1.5 * 64) / 17, 1);
    expect(signatureCost(spkiOf('ec', 'P-256'), 65536)).toBe(2);
    expect(signatureCost(spkiOf('ec', 'P-256'), 600)).toBeLessThan(1.02);
  });
});

describe('the worst chain an unauthenticated peer can send (31 same-name intermediates, each with its own P-521 key)', () => {
  let w: WorstChain;
  beforeAll(async () => {
    w = await worstChain({ keyType: 'P-521', intermediates: 31 });
  }, 60_000);

  it('ends in too-complex (certificate_unknown) within the budget: at most budget / 5 P-521 verifications (2), not 100', async () => {
    const { provider, stats } = counting();
    const r = await verifyCertificateChain({ leaf: w.chain[0]!, intermediates: w.chain.slice(1), roots: [w.root], now: NOW, usage: 'client', provider });
    expect(r.ok ? 'ok' : r.code).toBe('too-complex');
    if (!r.ok) expect(verifyErrorToTlsError(r).alert).toBe('certificate_unknown');
    expect(stats.calls).toBeGreaterThan(0);
    expect(stats.calls).toBeLessThanOrEqual(Math.floor(DEFAULT_VERIFY_BUDGET / 5));
    expect(stats.byCurve.get('P-521')).toBe(stats.calls);
    expect(stats.cost).toBeLessThanOrEqual(DEFAULT_VERIFY_BUDGET);
  });

  it('yields to the event loop between checks: a timer set before the validation fires before it ends', async () => {
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    let pauses = 0;
    const r = await verifyCertificateChain({
      leaf: w.chain[0]!, intermediates: w.chain.slice(1), roots: [w.root], now: NOW, usage: 'client', provider: pureProvider,
      pause: () => { pauses++; return new Promise((resolve) => setTimeout(resolve, 0)); },
    });
    order.push('verified');
    expect(r.ok).toBe(false);
    expect(pauses).toBeGreaterThanOrEqual(1);
    expect(order).toEqual(['timer', 'verified']);
  });

  it('the default pause is a macrotask: a task queued before the validation runs before it ends', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('other task'));
    const r = await verifyCertificateChain({ leaf: w.chain[0]!, intermediates: w.chain.slice(1), roots: [w.root], now: NOW, usage: 'client', provider: pureProvider });
    order.push('verified');
    expect(r.ok).toBe(false);
    expect(order).toEqual(['other task', 'verified']);
  });

  it('a larger budget lets the same search spend more, and a zero budget none', async () => {
    const big = counting();
    await verifyCertificateChain({ leaf: w.chain[0]!, intermediates: w.chain.slice(1), roots: [w.root], now: NOW, usage: 'client', provider: big.provider, budget: 61 });
    expect(big.stats.calls).toBe(12);
    const none = counting();
    const r = await verifyCertificateChain({ leaf: w.chain[0]!, intermediates: w.chain.slice(1), roots: [w.root], now: NOW, usage: 'client', provider: none.provider, budget: 0 });
    expect(r.ok ? 'ok' : r.code).toBe('too-complex');
    expect(none.stats.calls).toBe(0);
    await expect(verifyCertificateChain({ leaf: w.chain[0]!, roots: [w.root], budget: -1 })).rejects.toThrow(/budget/);
  });
});

describe('honest chains still validate within the budget', () => {
  it('an all-P-521 chain (leaf ← intermediate ← root) and an ordinary one that never pauses', async () => {
    const rk = await p521();
    const r = await root({ key: rk });
    const i = await inter(r, { key: await p521() });
    const l = await leaf(i);
    const { provider, stats } = counting();
    const res = await verifyCertificateChain({ leaf: l.der, intermediates: [i.der], roots: [r.der], now: NOW, name: 'example.com', usage: 'server', provider });
    expect(res.ok, res.ok ? '' : res.message).toBe(true);
    expect(stats.calls).toBe(2);

    let pauses = 0;
    const r2 = await root();
    const i2 = await inter(r2);
    const ok = await verifyCertificateChain({
      leaf: (await leaf(i2)).der, intermediates: [i2.der], roots: [r2.der], now: NOW, name: 'example.com', usage: 'server',
      pause: async () => { pauses++; },
    });
    expect(ok.ok).toBe(true);
    expect(pauses).toBe(0);
  });

  for (const keyType of ['ed448', 'mldsa44', 'mldsa65', 'mldsa87'] as const) {
    it(`an all-${keyType} chain (leaf ← intermediate ← root): two checks within the budget`, async () => {
      const r = await root({ keyType });
      const i = await inter(r, { keyType });
      const l = await leaf(i, { keyType });
      const { provider, stats } = counting();
      const res = await verifyCertificateChain({ leaf: l.der, intermediates: [i.der], roots: [r.der], now: NOW, name: 'example.com', usage: 'server', provider });
      expect(res.ok, res.ok ? '' : res.message).toBe(true);
      expect(stats.calls).toBe(2);
      expect(stats.cost).toBeLessThanOrEqual(DEFAULT_VERIFY_BUDGET);
    });
  }

  it('re-keyed and cross-signed P-384 CAs: the path whose key identifiers agree is found', async () => {
    const oldRoot = await root({ keyType: 'ecdsa-p384', notAfter: new Date('2020-01-01T00:00:00Z') });
    const newRoot = await root({ keyType: 'ecdsa-p384' });
    const caKey = (await inter(newRoot, { keyType: 'ecdsa-p384' })).key;
    const viaOld = await inter(oldRoot, { subject: 'CN=Issuing', key: caKey });
    const viaNew = await inter(newRoot, { subject: 'CN=Issuing', key: caKey });
    const rekeyed = await inter(newRoot, { subject: 'CN=Issuing', keyType: 'ecdsa-p384' });
    const l = await leaf(rekeyed);
    const { provider, stats } = counting();
    const res = await verifyCertificateChain({
      leaf: l.der, intermediates: [viaOld.der, viaNew.der, rekeyed.der], roots: [oldRoot.der, newRoot.der], now: NOW, name: 'example.com', usage: 'server', provider,
    });
    expect(res.ok, res.ok ? '' : res.message).toBe(true);
    if (res.ok) expect(res.chain[1]).toEqual(rekeyed.der);
    // Only the re-keyed CA's identifier matches the leaf's AKI: two checks, no detour through the others.
    expect(stats.calls).toBe(2);
  });
});

describe('long chains are processed, not refused by count', () => {
  it('100 certificates sent with the leaf, 3 of them on the path', async () => {
    const { root: r, leaf: l, sent } = await longChain(97);
    const res = await verifyCertificateChain({
      leaf: l.der, intermediates: sent.map((x) => x.der), roots: [r.der], now: NOW, name: 'example.com', usage: 'server',
    });
    expect(res.ok, res.ok ? '' : res.message).toBe(true);
    if (res.ok) expect(res.chain.length).toBe(5);
  });
});
