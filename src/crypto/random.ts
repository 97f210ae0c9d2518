/**
 * Secure randomness: globalThis.crypto.getRandomValues only. There is no
 * fallback: without a cryptographic RNG we refuse to run.
 */
const MAX_CHUNK = 65536; // getRandomValues limit per call

export function secureRandomBytes(n: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new Error('puretls: no cryptographic random number generator (globalThis.crypto.getRandomValues) available; refusing to run');
  }
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += MAX_CHUNK) c.getRandomValues(out.subarray(off, Math.min(n, off + MAX_CHUNK)));
  return out;
}
