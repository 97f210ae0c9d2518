/**
 * RecordWriter with an async AEAD: which of its buffers (input, nonce, AAD
 * header) it may reuse while seals are in flight. A key that declares
 * `copiesInput` (WebCrypto) gets one reused input and nonce buffer; any
 * other async key must see every buffer untouched until its seal settles.
 */
import { describe, it, expect } from 'vitest';
import type { AeadKey } from '../../src/crypto/provider.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { ContentType, RecordProtection, RecordReader, RecordWriter } from '../../src/record/index.js';
import { concatBytes, isPromise } from '../../src/util/bytes.js';
import { IV, KEY, protection, pureKey, readAll } from './helpers.js';

/** Holds every seal until `settleAllReversed`; reads nonce, aad and input at call time (copying) or only when settled (lazy). */
class HeldKey implements AeadKey {
  readonly copiesInput: boolean;
  readonly calls: { nonce: Uint8Array; aad: Uint8Array; pt: Uint8Array }[] = [];
  private held: (() => void)[] = [];
  constructor(private readonly inner: AeadKey, copies: boolean) {
    this.copiesInput = copies;
  }
  seal(nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Promise<Uint8Array> {
    this.calls.push({ nonce, aad, pt });
    const args = this.copiesInput ? [nonce.slice(), aad.slice(), pt.slice()] : [nonce, aad, pt];
    return new Promise((resolve) => this.held.push(() => resolve(this.inner.seal(args[0]!, args[1]!, args[2]!) as Uint8Array)));
  }
  open(): Promise<Uint8Array | null> {
    throw new Error('not used');
  }
  settleAllReversed(): void {
    const h = this.held.splice(0);
    for (let i = h.length - 1; i >= 0; i--) h[i]!();
  }
}

async function roundTrip(copies: boolean): Promise<HeldKey> {
  const key = new HeldKey(pureKey(), copies);
  const out: Uint8Array[] = [];
  const w = new RecordWriter({ emit: (c) => out.push(...c) });
  w.setProtection(new RecordProtection(key, IV, 'AES-128-GCM'));
  const expected: number[] = [];
  for (let round = 0; round < 3; round++) {
    const p = w.write(ContentType.application_data, new Uint8Array(4 * 16384).map((_, i) => round * 10 + (i >> 14)));
    const q = w.write(ContentType.application_data, new Uint8Array(300).fill(round * 10 + 9));
    expect(isPromise(p) && isPromise(q)).toBe(true);
    expected.push(round * 10, round * 10 + 1, round * 10 + 2, round * 10 + 3, round * 10 + 9);
    key.settleAllReversed();
    await p;
    await q;
  }
  const r = new RecordReader();
  r.setProtection(protection(KEY));
  r.push(concatBytes(...out));
  const got = await readAll(r);
  expect(got.map((x) => x.data[0])).toEqual(expected);
  expect(got.every((x) => x.data.every((b) => b === x.data[0]))).toBe(true);
  return key;
}

/** Pairs of views that start at the same byte of the same buffer. */
function sharedPairs(xs: Uint8Array[]): number {
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) if (xs[i]!.buffer === xs[j]!.buffer && xs[i]!.byteOffset === xs[j]!.byteOffset) n++;
  }
  return n;
}

describe('RecordWriter buffer reuse with an async AEAD', () => {
  it('a key that copies its input gets one reused input and nonce buffer, and the records are right', async () => {
    const key = await roundTrip(true);
    expect(key.calls.length).toBe(15);
    expect(new Set(key.calls.map((c) => c.pt.buffer)).size).toBe(1);
    expect(new Set(key.calls.map((c) => c.nonce.buffer)).size).toBe(1);
  });

  it('a key that reads nonce, header and input only when it settles still gets untouched buffers', async () => {
    const key = await roundTrip(false);
    expect(key.calls.length).toBe(15);
    // Every seal had its own nonce and header (headers are emitted: never shared).
    expect(sharedPairs(key.calls.map((c) => c.nonce))).toBe(0);
    expect(sharedPairs(key.calls.map((c) => c.aad))).toBe(0);
    // Inputs of seals in flight together (one round: 5 seals) are distinct.
    for (let round = 0; round < 3; round++) {
      expect(sharedPairs(key.calls.slice(round * 5, round * 5 + 5).map((c) => c.pt))).toBe(0);
    }
  });

  it('WebCrypto AES-GCM declares copiesInput, and 70 records (more than the 64 in flight) open with the reader', async () => {
    const k = await webCryptoProvider.aead('AES-128-GCM').importKey(KEY);
    if (!k.copiesInput) {
      // Only when subtle lacks AES-GCM (then the pure fallback is used, which is synchronous).
      expect(isPromise(k.seal(new Uint8Array(12), new Uint8Array(0), new Uint8Array(0)))).toBe(false);
      return;
    }
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(new RecordProtection(k, IV, 'AES-128-GCM'));
    const data = new Uint8Array(70 * 16384).map((_, i) => (i >> 14) * 3 + (i & 1));
    await w.write(ContentType.application_data, data);
    const r = new RecordReader();
    r.setProtection(new RecordProtection(await webCryptoProvider.aead('AES-128-GCM').importKey(KEY), IV, 'AES-128-GCM'));
    r.push(concatBytes(...out));
    const got = await readAll(r);
    expect(got.length).toBe(70);
    const back = concatBytes(...got.map((x) => x.data));
    expect(back.length).toBe(data.length);
    expect(back.every((b, i) => b === data[i])).toBe(true);
  });
});
