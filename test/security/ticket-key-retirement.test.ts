/**
 * Retiring a ticket key destroys it (RFC 8446 §4.6.1: a ticket is honoured
 * for its lifetime, no longer; RFC 5077 §4: rotated keys are discarded): the
 * AEAD keys imported from it (an expanded AES key schedule, a WebCrypto
 * CryptoKey) are destroyed along with its bytes, when it falls out of the
 * MAX_RETIRED_KEYS window and when its grace period ends (checked at the next
 * open, not only at the next rotation).
 */
import { describe, expect, it } from 'vitest';
import { pureProvider } from '../../src/crypto/pure/index.js';
import type { AeadAlgorithm, AeadKey, CryptoProvider } from '../../src/crypto/provider.js';
import { MAX_RETIRED_KEYS, TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';

const rnd = (n: number): Uint8Array => pureProvider.randomBytes(n);
const pt = new Uint8Array([1, 2, 3, 4]);

/** The pure provider, counting destroy() on every AEAD key imported through it. */
function countingProvider() {
  const destroyed = new Set<AeadKey>();
  const imported: AeadKey[] = [];
  const provider: CryptoProvider = {
    ...pureProvider,
    aead(alg: AeadAlgorithm) {
      const a = pureProvider.aead(alg);
      return {
        ...a,
        importKey(k: Uint8Array) {
          const key = a.importKey(k) as AeadKey;
          const wrapped: AeadKey = {
            seal: (n, aad, p) => key.seal(n, aad, p),
            open: (n, aad, c) => key.open(n, aad, c),
            destroy: () => {
              destroyed.add(wrapped);
              key.destroy?.();
            },
          };
          imported.push(wrapped);
          return wrapped;
        },
      };
    },
  };
  return { provider, destroyed, imported };
}

describe('a retired ticket key is destroyed', () => {
  it(`beyond ${MAX_RETIRED_KEYS} retired keys: the oldest one's imported AEAD key is destroyed`, async () => {
    const { provider, destroyed, imported } = countingProvider();
    const k = new TicketKeys({ rotateAfter: 0, grace: 7 * 86400 });
    const t = await k.seal(provider, rnd, 0, pt);
    expect(await k.open(provider, 0, t)).toEqual(pt);
    const first = imported[0]!;
    for (let i = 1; i <= MAX_RETIRED_KEYS; i++) k.rotate(rnd, i);
    expect(await k.open(provider, MAX_RETIRED_KEYS, t)).toEqual(pt); // still among the 16
    expect(destroyed.has(first)).toBe(false);
    k.rotate(rnd, MAX_RETIRED_KEYS + 1);
    expect(destroyed.has(first), 'AEAD key of the dropped ticket key destroyed').toBe(true);
    expect(await k.open(provider, MAX_RETIRED_KEYS + 1, t)).toBeUndefined();
  });

  it('past its grace period: destroyed at the next open, without waiting for a rotation', async () => {
    const { provider, destroyed, imported } = countingProvider();
    const k = new TicketKeys({ rotateAfter: 0, grace: 5 });
    const t = await k.seal(provider, rnd, 0, pt);
    await k.open(provider, 0, t);
    k.rotate(rnd, 1000);
    const other = await k.seal(provider, rnd, 1000, pt);
    expect(await k.open(provider, 5999, t)).toEqual(pt); // within grace
    expect(destroyed.has(imported[0]!)).toBe(false);
    expect(await k.open(provider, 6000, other)).toEqual(pt); // any open prunes
    expect(destroyed.has(imported[0]!), 'AEAD key destroyed once the grace ended').toBe(true);
    expect(await k.open(provider, 6000, t)).toBeUndefined();
  });
});
