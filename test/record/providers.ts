/**
 * The crypto providers present in this checkout, for tests that run over
 * each one. The pure provider always exists; the WebCrypto and node:crypto
 * providers are picked up when their modules are there.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function availableProviders(): Promise<CryptoProvider[]> {
  const out: CryptoProvider[] = [pureProvider];
  if (existsSync(`${root}src/crypto/webcrypto/index.ts`)) {
    const m = (await import('../../src/crypto/webcrypto/index.js' as string)) as Record<string, unknown>;
    const p = m['webCryptoProvider'];
    if (p) out.push(p as CryptoProvider);
  }
  if (existsSync(`${root}src/crypto/node-provider.ts`)) {
    const m = (await import('../../src/crypto/node-provider.js' as string)) as Record<string, unknown>;
    const p = m['nodeProvider'];
    if (p) out.push(p as CryptoProvider);
  }
  return out;
}
