/** Key-exchange groups on every provider: round trips, cross-provider agreement, rejection of bad shares. */
import { describe, it, expect } from 'vitest';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import type { CryptoProvider, NamedGroupName } from '../../src/crypto/provider.js';
import { GROUP_CODEPOINTS } from '../../src/crypto/group-rules.js';
import { FFDHE_PRIMES } from '../../src/crypto/ffdhe.js';
import { providers, settle, outcome, toHex } from './helpers.js';

const GROUPS: { name: NamedGroupName; code: number; client: number; server: number; secret: number }[] = [
  { name: 'x25519', code: 0x001d, client: 32, server: 32, secret: 32 },
  { name: 'secp256r1', code: 0x0017, client: 65, server: 65, secret: 32 },
  { name: 'secp384r1', code: 0x0018, client: 97, server: 97, secret: 48 },
  { name: 'X25519MLKEM768', code: 0x11ec, client: 1184 + 32, server: 1088 + 32, secret: 64 },
  { name: 'SecP256r1MLKEM768', code: 0x11eb, client: 65 + 1184, server: 65 + 1088, secret: 64 },
  { name: 'SecP384r1MLKEM1024', code: 0x11ed, client: 97 + 1568, server: 97 + 1568, secret: 80 },
  { name: 'x448', code: 0x001e, client: 56, server: 56, secret: 56 },
  { name: 'secp521r1', code: 0x0019, client: 133, server: 133, secret: 66 },
  { name: 'ffdhe2048', code: 0x0100, client: 256, server: 256, secret: 256 },
  { name: 'ffdhe3072', code: 0x0101, client: 384, server: 384, secret: 384 },
  { name: 'ffdhe4096', code: 0x0102, client: 512, server: 512, secret: 512 },
  { name: 'ffdhe6144', code: 0x0103, client: 768, server: 768, secret: 768 },
  { name: 'ffdhe8192', code: 0x0104, client: 1024, server: 1024, secret: 1024 },
];

/** A deterministic random source (tests only). */
function counterRandom(seed: number) {
  let c = seed;
  return (n: number) => Uint8Array.from({ length: n }, () => (c = (c * 1103515245 + 12345) >>> 0) >>> 24);
}

async function handshake(client: CryptoProvider, server: CryptoProvider, name: NamedGroupName) {
  const share = await settle(client.group(name)!.generate());
  const resp = await settle(server.group(name)!.respond(share.publicKey));
  const secret = await settle(share.complete(resp.publicKey));
  return { share, resp, secret };
}

async function expectIllegal(f: () => unknown) {
  const o = await outcome(f as () => Promise<unknown>);
  expect(o.ok ? 'accepted' : o.alert).toBe('illegal_parameter');
}

/** Bad shares per group, each with why it is bad. Client shares (for respond) and server shares (for complete). */
function badShares(name: NamedGroupName): [string, Uint8Array][] {
  const zeros = (n: number) => new Uint8Array(n);
  switch (name) {
    case 'x25519': {
      const one = zeros(32); one[0] = 1;
      return [['empty', zeros(0)], ['31 bytes', zeros(31)], ['33 bytes', zeros(33)], ['u = 0 (all-zero secret)', zeros(32)], ['u = 1 (low order)', one]];
    }
    case 'ffdhe2048':
    case 'ffdhe3072':
    case 'ffdhe4096':
    case 'ffdhe6144':
    case 'ffdhe8192': {
      // RFC 8446 §4.2.8.1: Y left-padded to the size of p, and 1 < Y < p - 1.
      const hex = FFDHE_PRIMES[name];
      const n = hex.length / 2;
      const p = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
      const pMinus1 = p.slice(); pMinus1[n - 1]! -= 1;
      const one = zeros(n); one[n - 1] = 1;
      return [['empty', zeros(0)], ['one byte short', zeros(n - 1)], ['Y = 0', zeros(n)], ['Y = 1', one], ['Y = p - 1', pMinus1], ['Y = p', p], ['Y = 2^(8n) - 1 (> p)', new Uint8Array(n).fill(0xff)]];
    }
    case 'x448': {
      const one = zeros(56); one[0] = 1;
      return [['empty', zeros(0)], ['55 bytes', zeros(55)], ['57 bytes', zeros(57)], ['u = 0 (all-zero secret)', zeros(56)], ['u = 1 (low order)', one]];
    }
    case 'secp521r1': {
      const good = p521.getPublicKey(p521.utils.randomSecretKey(), false);
      const offCurve = good.slice(); offCurve[offCurve.length - 1]! ^= 1;
      return [
        ['infinity (0x00)', new Uint8Array([0])], ['all zeros', zeros(133)], ['compressed point', p521.getPublicKey(p521.utils.randomSecretKey(), true)],
        ['off-curve point', offCurve], ['a P-384 point', p384.getPublicKey(p384.utils.randomSecretKey(), false)], ['truncated', good.subarray(0, 132)],
      ];
    }
    case 'secp256r1':
    case 'secp384r1': {
      const c = name === 'secp256r1' ? p256 : p384;
      const size = name === 'secp256r1' ? 32 : 48;
      const good = c.getPublicKey(c.utils.randomSecretKey(), false);
      const offCurve = good.slice(); offCurve[offCurve.length - 1]! ^= 1;
      const relabelled = good.slice(); relabelled[0] = 0x02; // compressed prefix on 65/97 bytes
      const compressed = c.getPublicKey(c.utils.randomSecretKey(), true);
      const other = (name === 'secp256r1' ? p384 : p256).getPublicKey((name === 'secp256r1' ? p384 : p256).utils.randomSecretKey(), false);
      const hybridForm = good.slice(); hybridForm[0] = 0x06;
      return [
        ['infinity (0x00)', new Uint8Array([0])], ['all zeros', zeros(1 + 2 * size)], ['compressed point', compressed],
        ['prefix 0x02 on an uncompressed-length point', relabelled], ['hybrid form 0x06', hybridForm],
        ['off-curve point', offCurve], ['point of the other curve', other], ['truncated', good.subarray(0, good.length - 1)],
        ['x = y = 0 with prefix 4', Uint8Array.from([4, ...zeros(2 * size)])],
      ];
    }
    case 'X25519MLKEM768':
    case 'SecP256r1MLKEM768':
    case 'SecP384r1MLKEM1024':
      return [['empty', zeros(0)], ['classical part alone', zeros(32)]]; // the rest: hybrid-groups.test.ts
  }
}

describe.each(providers)('key exchange groups on the %s provider', (_name, provider: CryptoProvider) => {
  it.each(GROUPS)('$name: codepoint, share sizes, both sides agree', async (g) => {
    const grp = provider.group(g.name)!;
    expect(grp.name).toBe(g.name);
    expect(grp.codepoint).toBe(g.code);
    expect(GROUP_CODEPOINTS[g.name]).toBe(g.code);
    const { share, resp, secret } = await handshake(provider, provider, g.name);
    expect(share.publicKey.length).toBe(g.client);
    expect(resp.publicKey.length).toBe(g.server);
    expect(resp.sharedSecret.length).toBe(g.secret);
    expect(toHex(secret)).toBe(toHex(resp.sharedSecret));
    // Fresh keys every time.
    const again = await handshake(provider, provider, g.name);
    expect(toHex(again.secret)).not.toBe(toHex(secret));
  });

  it.each(providers)('agrees with the %s provider in both roles, every group', async (_other, other) => {
    for (const g of GROUPS) {
      for (const [c, s] of [[provider, other], [other, provider]] as const) {
        const { resp, secret } = await handshake(c, s, g.name);
        expect(toHex(secret), `${g.name} ${c.name}→${s.name}`).toBe(toHex(resp.sharedSecret));
      }
    }
  });

  it('unknown groups are undefined', () => {
    expect(provider.group('sect571r1' as NamedGroupName)).toBeUndefined();
    expect(provider.group('__proto__' as NamedGroupName)).toBeUndefined();
  });

  it.each(GROUPS.map((g) => g.name))('%s: an injected random source gives the same keys as the pure provider', async (name) => {
    const mine = await settle(provider.group(name)!.generate(counterRandom(42)));
    const ref = await settle(providers[0]![1].group(name)!.generate(counterRandom(42)));
    expect(toHex(mine.publicKey)).toBe(toHex(ref.publicKey));
    const peer = await settle(providers[0]![1].group(name)!.respond(mine.publicKey, counterRandom(7)));
    const viaMine = await settle(provider.group(name)!.respond(ref.publicKey, counterRandom(7)));
    expect(toHex(viaMine.publicKey)).toBe(toHex(peer.publicKey));
    expect(toHex(viaMine.sharedSecret)).toBe(toHex(peer.sharedSecret));
  });

  it.each(GROUPS.map((g) => g.name).filter((n) => !n.includes('MLKEM')))('%s: invalid shares → illegal_parameter in both roles', async (name) => {
    const grp = provider.group(name)!;
    for (const [why, bad] of badShares(name)) {
      await expectIllegal(() => grp.respond(bad)).catch((e) => { throw new Error(`${name} respond(${why}): ${e}`); });
      const share = await settle(grp.generate());
      await expectIllegal(() => share.complete(bad)).catch((e) => { throw new Error(`${name} complete(${why}): ${e}`); });
    }
  });

  it('X25519MLKEM768: wrong lengths, a bad ML-KEM key and a zero X25519 part → illegal_parameter', async () => {
    const grp = provider.group('X25519MLKEM768')!;
    const share = await settle(grp.generate());
    const pk = share.publicKey;
    for (const bad of [pk.subarray(0, pk.length - 1), Uint8Array.from([...pk, 0]), new Uint8Array(0), pk.subarray(0, 1184)]) {
      await expectIllegal(() => grp.respond(bad));
    }
    // FIPS 203 §7.2 modulus check: a coefficient 0xFFF >= q in the encapsulation key.
    const badEk = pk.slice();
    badEk[0] = 0xff; badEk[1] = badEk[1]! | 0x0f;
    await expectIllegal(() => grp.respond(badEk));
    // All-zero X25519 part (RFC 8446 §7.4.2 applies to the X25519 component).
    const zeroX = pk.slice(); zeroX.fill(0, 1184);
    await expectIllegal(() => grp.respond(zeroX));
    // Server shares of the wrong length, and a zero X25519 part in a correct-length one.
    const resp = await settle(grp.respond(pk));
    for (const bad of [resp.publicKey.subarray(1), Uint8Array.from([...resp.publicKey, 0]), new Uint8Array(1120)]) {
      // A client share is single use (its decapsulation key is wiped by the first complete): a fresh one per case.
      const fresh = await settle(grp.generate());
      await expectIllegal(() => fresh.complete(bad));
      const again = await outcome(() => fresh.complete(resp.publicKey));
      expect(again.ok ? 'accepted' : again.message).toMatch(/used twice/);
    }
    const secret = await settle(share.complete(resp.publicKey));
    expect(toHex(secret)).toBe(toHex(resp.sharedSecret));
  });

  it('X25519MLKEM768: ML-KEM part first in shares and secret (draft-ietf-tls-ecdhe-mlkem)', async () => {
    const grp = provider.group('X25519MLKEM768')!;
    const xc = new Uint8Array(32).fill(3), xs = new Uint8Array(32).fill(5);
    const seed = new Uint8Array(64).fill(9), m = new Uint8Array(32).fill(11);
    const queue = (...c: Uint8Array[]) => (n: number) => { const b = c.shift()!; expect(b.length).toBe(n); return b.slice(); };
    const share = await settle(grp.generate(queue(seed, xc)));
    const kem = ml_kem768.keygen(seed.slice());
    expect(toHex(share.publicKey)).toBe(toHex(Uint8Array.from([...kem.publicKey, ...x25519.getPublicKey(xc)])));
    const resp = await settle(grp.respond(share.publicKey, queue(m, xs)));
    const enc = ml_kem768.encapsulate(kem.publicKey, m.slice());
    expect(toHex(resp.publicKey)).toBe(toHex(Uint8Array.from([...enc.cipherText, ...x25519.getPublicKey(xs)])));
    const expected = Uint8Array.from([...enc.sharedSecret, ...x25519.getSharedSecret(xs, x25519.getPublicKey(xc))]);
    expect(toHex(resp.sharedSecret)).toBe(toHex(expected));
    expect(toHex(await settle(share.complete(resp.publicKey)))).toBe(toHex(expected));
  });
});
