/**
 * Parse caches keyed by content: a peer sends the same certificates on every
 * handshake, each time in a fresh array. Decoding (DER walk, names, times,
 * extensions) and SubjectPublicKeyInfo parsing (point decoding and its curve
 * check) are pure functions of the bytes, so their results are reused. Only
 * successful parses are cached; signatures are never cached here (every
 * handshake still verifies every signature on its path).
 *
 * Bounded: at most MAX_ENTRIES per cache (oldest evicted first), inputs over
 * MAX_CACHED_BYTES are parsed every time. Cached entries own private copies
 * of their bytes, so a caller mutating its array cannot alter a cached parse.
 */
import type { PublicKey } from '../crypto/provider.js';
import { decodeCertificate, type Certificate } from './certificate.js';

export const MAX_ENTRIES = 256;
export const MAX_CACHED_BYTES = 16 * 1024;

/** An exact, collision-free key for `b`: one char per byte. */
function contentKey(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}

class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  get(k: string): V | undefined {
    return this.map.get(k);
  }
  set(k: string, v: V): void {
    if (this.map.size >= MAX_ENTRIES) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(k, v);
  }
  get size(): number {
    return this.map.size;
  }
}

const certificates = new BoundedCache<Certificate>();
const publicKeys = new BoundedCache<PublicKey>();

/** decodeCertificate(der), reusing an earlier decode of the same bytes; throws as decodeCertificate does. */
export function decodeCertificateCached(der: Uint8Array): Certificate {
  if (der.length > MAX_CACHED_BYTES) return decodeCertificate(der);
  const k = contentKey(der);
  const hit = certificates.get(k);
  if (hit) return hit;
  const c = decodeCertificate(der.slice());
  certificates.set(k, c);
  return c;
}

/** `parse(spki)`, reusing an earlier result for the same bytes; throws as `parse` does. */
export function parseSpkiCached(spki: Uint8Array, parse: (der: Uint8Array) => PublicKey): PublicKey {
  if (spki.length > MAX_CACHED_BYTES) return parse(spki);
  const k = contentKey(spki);
  const hit = publicKeys.get(k);
  if (hit) return hit;
  const key = parse(spki.slice());
  publicKeys.set(k, key);
  return key;
}

/** Entries held (for tests). */
export function parseCacheSizes(): { certificates: number; publicKeys: number } {
  return { certificates: certificates.size, publicKeys: publicKeys.size };
}
