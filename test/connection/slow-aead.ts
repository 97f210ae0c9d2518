/**
 * Providers for tests of asynchronous record protection: the pure provider
 * with every AEAD result delivered later (a deliberately slow async AEAD, the
 * worst case of WebCrypto's timing), and a pure provider that remembers the
 * AEAD keys it imported (to check that replaced keys are wiped).
 */
import { pureProvider } from '../../src/crypto/pure/index.js';
import type { AeadKey, CryptoProvider } from '../../src/crypto/provider.js';

/** The pure provider, each imported AEAD key passed through `wrap`. */
function withAeadKeys(name: string, wrap: (key: AeadKey) => AeadKey): CryptoProvider {
  return {
    ...pureProvider,
    name,
    aead(alg) {
      const base = pureProvider.aead(alg);
      return { ...base, importKey: (key: Uint8Array): AeadKey => wrap(base.importKey(key) as AeadKey) };
    },
  };
}

/** The pure provider with each seal (and open, unless `what` is 'seal') result delivered `delayMs` later (a macrotask). */
export function slowAeadProvider(delayMs = 1, what: 'seal' | 'both' = 'both'): CryptoProvider {
  const later = <T>(v: T): Promise<T> => new Promise((r) => setTimeout(() => r(v), delayMs));
  return withAeadKeys('slow-aead', (k) => ({
    copiesInput: false,
    seal: (n, a, p) => later(k.seal(n, a, p) as Uint8Array),
    open: (n, a, c) => (what === 'both' ? later(k.open(n, a, c) as Uint8Array | null) : k.open(n, a, c)),
    destroy: () => k.destroy?.(),
  }));
}

/** The pure provider, recording every AEAD key it imports (in import order). */
export function recordingProvider(): { provider: CryptoProvider; keys: AeadKey[] } {
  const keys: AeadKey[] = [];
  const provider = withAeadKeys('recording', (k) => {
    keys.push(k);
    return k;
  });
  return { provider, keys };
}
