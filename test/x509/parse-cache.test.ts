import { describe, it, expect } from 'vitest';
import { verifyCertificateChain } from '../../src/x509/verify.js';
import { certificatePublicKey } from '../../src/x509/keys.js';
import { decodeCertificateCached, MAX_ENTRIES, parseCacheSizes } from '../../src/x509/parse-cache.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { root, leaf, NOW } from './helpers.js';

describe('x509 parse cache (content-keyed)', () => {
  it('the same bytes in a fresh array give the same decode; the cache owns its bytes', async () => {
    const r = await root();
    const a = r.der.slice();
    const c1 = decodeCertificateCached(a);
    const c2 = decodeCertificateCached(r.der.slice());
    expect(c2).toBe(c1);
    a.fill(0); // the caller's array is not the cache's
    expect(c1.der).toEqual(r.der);
    expect(decodeCertificateCached(r.der.slice())).toBe(c1);
  });

  it('malformed input throws every time and is not cached', () => {
    const junk = new Uint8Array([0x30, 0x03, 0x02, 0x01]);
    const before = parseCacheSizes().certificates;
    expect(() => decodeCertificateCached(junk)).toThrow();
    expect(() => decodeCertificateCached(junk.slice())).toThrow();
    expect(parseCacheSizes().certificates).toBe(before);
  });

  it('stays bounded', () => {
    for (let i = 0; i < MAX_ENTRIES + 20; i++) {
      try {
        // distinct, malformed: not cached; then distinct valid-looking is not needed for the bound
        decodeCertificateCached(new Uint8Array([0x30, 0x01, i & 0xff]));
      } catch {
        // expected
      }
    }
    expect(parseCacheSizes().certificates).toBeLessThanOrEqual(MAX_ENTRIES);
    expect(parseCacheSizes().publicKeys).toBeLessThanOrEqual(MAX_ENTRIES);
  });

  it('a cached leaf still has its signature checked on every verification', async () => {
    const r = await root();
    const l = await leaf(r);
    const opts = { roots: [r.der], now: NOW, name: 'example.com', usage: 'server' as const, provider: pureProvider };
    const ok = await verifyCertificateChain({ leaf: l.der.slice(), ...opts });
    expect(ok.ok).toBe(true);
    // Same certificate again: still verified (a provider that refuses every signature makes it fail).
    const refusing = { ...pureProvider, verify: () => false };
    const again = await verifyCertificateChain({ leaf: l.der.slice(), ...opts, provider: refusing });
    expect(again.ok ? 'ok' : again.code).toBe('bad-signature');
    // A flipped signature bit is different content: parsed afresh and rejected.
    const forged = l.der.slice();
    forged[forged.length - 3]! ^= 1;
    const bad = await verifyCertificateChain({ leaf: forged, ...opts });
    expect(bad.ok).toBe(false);
  });

  it('returned chains are copies (mutating one cannot reach the cache)', async () => {
    const r = await root();
    const l = await leaf(r);
    const opts = { roots: [r.der], now: NOW, name: 'example.com', usage: 'server' as const, provider: pureProvider };
    const res = await verifyCertificateChain({ leaf: l.der.slice(), ...opts });
    if (!res.ok) throw new Error(res.message);
    res.chain[0]!.fill(0);
    const res2 = await verifyCertificateChain({ leaf: l.der.slice(), ...opts });
    expect(res2.ok).toBe(true);
    expect(certificatePublicKey(l.der.slice())).toBe(certificatePublicKey(l.der.slice()));
  });
});
