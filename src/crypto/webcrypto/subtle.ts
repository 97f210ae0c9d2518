/**
 * Access to `globalThis.crypto.subtle` and one-time feature detection per
 * algorithm (Node 20 lacks ChaCha20-Poly1305; some runtimes lack X25519 or
 * Ed25519). Detection runs once per feature and is cached as a promise.
 */

export function getSubtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  return c?.subtle ?? undefined;
}

/** WebCrypto wants BufferSource (ArrayBuffer-backed views); our Uint8Arrays are. */
export const bs = (b: Uint8Array): BufferSource => b as unknown as BufferSource;

export type Feature = 'AES-GCM' | 'ChaCha20-Poly1305' | 'X25519' | 'ECDH-P-256' | 'ECDH-P-384' | 'ECDH-P-521' | 'Ed25519';

const probes: Record<Feature, (s: SubtleCrypto) => Promise<unknown>> = {
  'AES-GCM': (s) => s.importKey('raw', bs(new Uint8Array(16)), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']),
  'ChaCha20-Poly1305': (s) => s.importKey('raw', bs(new Uint8Array(32)), { name: 'ChaCha20-Poly1305' }, false, ['encrypt', 'decrypt']),
  X25519: (s) => s.generateKey({ name: 'X25519' }, false, ['deriveBits']),
  'ECDH-P-256': (s) => s.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']),
  'ECDH-P-384': (s) => s.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, false, ['deriveBits']),
  'ECDH-P-521': (s) => s.generateKey({ name: 'ECDH', namedCurve: 'P-521' }, false, ['deriveBits']),
  Ed25519: (s) => s.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']),
};

const detected = new Map<Feature, Promise<boolean>>();

/** Whether subtle supports `feature` (probed once). */
export function supports(feature: Feature): Promise<boolean> {
  const s = getSubtle();
  if (!s) return Promise.resolve(false);
  let p = detected.get(feature);
  if (!p) {
    p = probes[feature](s).then(() => true, () => false);
    detected.set(feature, p);
  }
  return p;
}

/** Cache of imported CryptoKeys per key object (keys are immutable data). */
const keyCache = new WeakMap<object, Map<string, Promise<CryptoKey>>>();

export function cachedKey(owner: object, tag: string, make: () => Promise<CryptoKey>): Promise<CryptoKey> {
  let m = keyCache.get(owner);
  if (!m) {
    m = new Map();
    keyCache.set(owner, m);
  }
  let p = m.get(tag);
  if (!p) {
    p = make();
    m.set(tag, p);
    const mm = m;
    p.catch(() => mm.delete(tag));
  }
  return p;
}
