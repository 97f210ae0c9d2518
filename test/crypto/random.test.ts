/** Without a cryptographic RNG the providers refuse to run (never Math.random). */
import { describe, it, expect, vi, afterEach } from 'vitest';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { secureRandomBytes } from '../../src/crypto/random.js';
import { settle, outcome, generateKeys } from './helpers.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('no getRandomValues → refuse to run', () => {
  it('secureRandomBytes works with an RNG and spans several getRandomValues chunks', () => {
    const a = secureRandomBytes(70000);
    expect(a.length).toBe(70000);
    expect(a.subarray(65536).some((b) => b !== 0)).toBe(true);
  });

  it.each([['pure', pureProvider], ['webcrypto', webCryptoProvider]] as const)('%s provider', async (_n, provider) => {
    const rsa = generateKeys('rsa', 1024);
    const groups = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'] as const;
    const shares = await Promise.all(groups.map(async (g) => (await settle(provider.group(g)!.generate())).publicKey));
    const mathRandom = vi.spyOn(Math, 'random');
    vi.stubGlobal('crypto', undefined);
    expect(() => provider.randomBytes(16)).toThrow(/random/);
    for (const [i, name] of groups.entries()) {
      const o = await outcome(() => provider.group(name)!.generate());
      expect(o.ok ? 'generated' : o.message, name).toMatch(/no cryptographic random/);
      const r = await outcome(() => provider.group(name)!.respond(shares[i]!));
      expect(r.ok ? 'responded' : r.message, name).toMatch(/no cryptographic random/);
    }
    // RSA-PSS needs a salt, RSA signing a blinding factor.
    const pss = await outcome(() => provider.sign({ kind: 'rsa-pss', hash: 'SHA-256', saltLength: 32 }, rsa.priv, new Uint8Array(1)));
    expect(pss.ok ? 'signed' : pss.message).toMatch(/no cryptographic random/);
    expect(mathRandom).not.toHaveBeenCalled();
    // And it works again once the RNG is back.
    vi.unstubAllGlobals();
    expect(provider.randomBytes(16).length).toBe(16);
    const share = await settle(provider.group('x25519')!.generate());
    expect(share.publicKey.length).toBe(32);
  });
});
