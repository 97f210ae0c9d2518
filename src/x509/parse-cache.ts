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

/** Entries per hash bucket: past it a new input is parsed every time (crafted collisions cost at most this many compares). */
export const MAX_BUCKET = 4;

/** FNV-1a (32-bit) over the bytes and length: a bucket index only; entries are compared byte for byte. */
function hash32(b: Uint8Array): number {
  let h = (0x811c9dc5 ^ b.length) >>> 0;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface Entry<V> {
  readonly hash: number;
  /** A private copy of the input. */
  readonly bytes: Uint8Array;
  readonly value: V;
}

/**
 * Content-keyed, bounded (FIFO) cache: a hash picks the bucket, a full
 * comparison the entry, so no two inputs ever share an entry. (Was keyed by
 * a string of one char per byte: building and hashing that string was most
 * of a cached certificate lookup.)
 */
class BoundedCache<V> {
  private readonly buckets = new Map<number, Entry<V>[]>();
  private readonly order: Entry<V>[] = [];
  get(b: Uint8Array, hash: number): V | undefined {
    const list = this.buckets.get(hash);
    if (list) for (const e of list) if (sameBytes(e.bytes, b)) return e.value;
    return undefined;
  }
  /** Adds `bytes` (already a private copy) unless its bucket is full. */
  set(bytes: Uint8Array, hash: number, value: V): void {
    let list = this.buckets.get(hash);
    if (list && list.length >= MAX_BUCKET) return;
    if (this.order.length >= MAX_ENTRIES) {
      const oldest = this.order.shift()!;
      const l = this.buckets.get(oldest.hash)!;
      l.splice(l.indexOf(oldest), 1);
      if (l.length === 0) this.buckets.delete(oldest.hash);
      if (l === list && l.length === 0) list = undefined;
    }
    if (!list) this.buckets.set(hash, (list = []));
    const e: Entry<V> = { hash, bytes, value };
    list.push(e);
    this.order.push(e);
  }
  get size(): number {
    return this.order.length;
  }
}

const certificates = new BoundedCache<Certificate>();
const publicKeys = new BoundedCache<PublicKey>();

/** decodeCertificate(der), reusing an earlier decode of the same bytes; throws as decodeCertificate does. */
export function decodeCertificateCached(der: Uint8Array): Certificate {
  if (der.length > MAX_CACHED_BYTES) return decodeCertificate(der);
  const h = hash32(der);
  const hit = certificates.get(der, h);
  if (hit) return hit;
  const copy = der.slice();
  const c = decodeCertificate(copy);
  certificates.set(copy, h, c);
  return c;
}

/** `parse(spki)`, reusing an earlier result for the same bytes; throws as `parse` does. */
export function parseSpkiCached(spki: Uint8Array, parse: (der: Uint8Array) => PublicKey): PublicKey {
  if (spki.length > MAX_CACHED_BYTES) return parse(spki);
  const h = hash32(spki);
  const hit = publicKeys.get(spki, h);
  if (hit) return hit;
  const copy = spki.slice();
  const key = parse(copy);
  publicKeys.set(copy, h, key);
  return key;
}

/** Entries held (for tests). */
export function parseCacheSizes(): { certificates: number; publicKeys: number } {
  return { certificates: certificates.size, publicKeys: publicKeys.size };
}
