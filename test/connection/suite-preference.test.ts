/**
 * Cipher suite preference by provider: the pure provider's AES-GCM uses
 * table lookups, so on it a client offers ChaCha20-Poly1305 first and a
 * server picks it whenever the client offers it (BoringSSL's behaviour on
 * CPUs without AES instructions). Explicit cipherSuites win; other
 * providers keep AES-128-GCM first; the preference can be turned off.
 */
import { describe, it, expect } from 'vitest';
import { isGrease } from '../../src/handshake/client/grease.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { nodeProvider } from '../../src/crypto/node-provider.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { decodeHandshake } from '../../src/handshake/messages/index.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { acceptAll, makeClient, makeServer, pump, rfc8448ServerCert } from './helpers.js';

const CHACHA = 'TLS_CHACHA20_POLY1305_SHA256';
const AES128 = 'TLS_AES_128_GCM_SHA256';

/** The cipher_suites of the client's first ClientHello, in its order. */
async function offeredSuites(config: ClientConfig): Promise<number[]> {
  const c = makeClient({ servername: 'server', verifyCertificate: acceptAll, ...config });
  c.conn.start();
  await c.conn.drained();
  const rec = c.sent[0]!;
  const m = decodeHandshake(rec.subarray(5));
  if (m.type !== 'client_hello') throw new Error('expected a ClientHello');
  return m.cipherSuites.filter((c) => !isGrease(c)); // GREASE (RFC 8701) first, by default
}

async function negotiate(client: ClientConfig, server: Omit<ServerConfig, 'certificate'>): Promise<string | undefined> {
  const s = makeServer({ certificate: rfc8448ServerCert(), ...server });
  const c = makeClient({ servername: 'server', verifyCertificate: acceptAll, ...client });
  c.conn.start();
  await pump(c, s);
  expect(c.errors.map((e) => e.message)).toEqual([]);
  expect(s.errors.map((e) => e.message)).toEqual([]);
  expect(s.info?.cipherSuite).toBe(c.info?.cipherSuite);
  return c.info?.cipherSuite;
}

describe('ChaCha20-Poly1305 preference on the pure provider', () => {
  it('a pure client offers ChaCha20-Poly1305 first; node and webcrypto clients offer AES-128-GCM first', async () => {
    expect(await offeredSuites({})).toEqual([0x1303, 0x1301, 0x1302]);
    expect(await offeredSuites({ provider: pureProvider })).toEqual([0x1303, 0x1301, 0x1302]);
    expect(await offeredSuites({ provider: nodeProvider })).toEqual([0x1301, 0x1302, 0x1303]);
    expect(await offeredSuites({ provider: webCryptoProvider })).toEqual([0x1301, 0x1302, 0x1303]);
  });

  it('a pure server picks ChaCha20-Poly1305 when the client offers it, even last', async () => {
    expect(await negotiate({ provider: nodeProvider }, {})).toBe(CHACHA);
    expect(await negotiate({ cipherSuites: [AES128, 'TLS_AES_256_GCM_SHA384', CHACHA] }, { provider: pureProvider })).toBe(CHACHA);
    expect(await negotiate({}, {})).toBe(CHACHA);
  });

  it('a pure server without ChaCha20-Poly1305 on offer picks its next preference', async () => {
    expect(await negotiate({ cipherSuites: ['TLS_AES_256_GCM_SHA384', AES128] }, {})).toBe(AES128);
  });

  it('a node server keeps AES-128-GCM first', async () => {
    expect(await negotiate({}, { provider: nodeProvider })).toBe(AES128);
  });

  it('explicit cipherSuites win on both sides', async () => {
    expect(await offeredSuites({ cipherSuites: [AES128, CHACHA] })).toEqual([0x1301, 0x1303]);
    expect(await negotiate({}, { cipherSuites: [AES128, CHACHA] })).toBe(AES128);
  });

  it('preferChaCha20: false on a provider turns the preference off', async () => {
    const plain: CryptoProvider = { ...pureProvider, preferChaCha20: false };
    expect(await offeredSuites({ provider: plain })).toEqual([0x1301, 0x1302, 0x1303]);
    expect(await negotiate({ provider: nodeProvider }, { provider: plain })).toBe(AES128);
  });
});
