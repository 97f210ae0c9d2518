/**
 * Secure randomness: globalThis.crypto.getRandomValues only. There is no
 * fallback: without a cryptographic RNG we refuse to run.
 *
 * Small requests (a handshake makes several of 32 bytes: randoms, key
 * shares) are served from a pool filled by one getRandomValues call per
 * POOL_SIZE bytes (~3.5 µs per call hot, far more between the big-number
 * operations of a handshake). Bytes handed out are zeroed in the pool, so
 * the pool never holds a value that was already returned. The RNG's
 * presence is still checked on every call.
 */
const MAX_CHUNK = 65536; // getRandomValues limit per call
const POOL_SIZE = 4096;
const MAX_POOLED = 64;

type Rng = { getRandomValues?: (a: Uint8Array) => Uint8Array };

let pool: Uint8Array | undefined;
let poolPos = POOL_SIZE;

function rng(): Rng & { getRandomValues(a: Uint8Array): Uint8Array } {
  const c = (globalThis as { crypto?: Rng }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new Error('puretls: no cryptographic random number generator (globalThis.crypto.getRandomValues) available; refusing to run');
  }
  return c as Rng & { getRandomValues(a: Uint8Array): Uint8Array };
}

export function secureRandomBytes(n: number): Uint8Array {
  const c = rng();
  if (n <= MAX_POOLED) {
    if (!pool) pool = new Uint8Array(POOL_SIZE);
    if (poolPos + n > POOL_SIZE) {
      c.getRandomValues(pool);
      poolPos = 0;
    }
    const out = pool.slice(poolPos, poolPos + n);
    pool.fill(0, poolPos, poolPos + n);
    poolPos += n;
    return out;
  }
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += MAX_CHUNK) c.getRandomValues(out.subarray(off, Math.min(n, off + MAX_CHUNK)));
  return out;
}
