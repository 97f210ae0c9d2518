/**
 * TLS-Exporter (RFC 8446 §7.5) through Connection: empty label and empty or
 * absent context work (RFC 5705 §4 allows them; OpenSSL and BoringSSL
 * answer), and a bad call throws to its caller and leaves the connection
 * working. The cross-check against OpenSSL is in test/interop/node-tls-features.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pki, type Pki } from './fixtures.js';
import { makeClient, makeServer, pump, type Endpoint } from './helpers.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

async function pair(): Promise<{ client: Endpoint; server: Endpoint }> {
  const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
  const server = makeServer({ certificate: P.server['ecdsa-p256'] });
  client.conn.start();
  await pump(client, server);
  expect(client.conn.state).toBe('connected');
  return { client, server };
}

describe('exportKeyingMaterial(length, label, context)', () => {
  it('empty label, empty context, absent context: both sides agree; absent context = empty (TLS 1.3)', async () => {
    const { client, server } = await pair();
    const a = client.conn.exportKeyingMaterial(32, '', new Uint8Array(0));
    expect(a.length).toBe(32);
    expect(server.conn.exportKeyingMaterial(32, '', new Uint8Array(0))).toEqual(a);
    expect(client.conn.exportKeyingMaterial(32, '')).toEqual(a);
    expect(client.conn.exportKeyingMaterial(32, 'x', new Uint8Array(0))).not.toEqual(a);
    expect(client.conn.exportKeyingMaterial(32, '', new Uint8Array([0]))).not.toEqual(a);
    // The longest label (249 bytes: "tls13 " + label fills label<7..255>).
    const long = 'L'.repeat(249);
    expect(client.conn.exportKeyingMaterial(16, long)).toEqual(server.conn.exportKeyingMaterial(16, long));
  });

  const bad: [string, () => unknown[], typeof TypeError | typeof RangeError][] = [
    ['length 0', () => [0, 'EXPERIMENTAL a'], RangeError],
    ['length -1', () => [-1, 'EXPERIMENTAL a'], RangeError],
    ['length 1.5', () => [1.5, 'EXPERIMENTAL a'], RangeError],
    ['length NaN', () => [Number.NaN, 'EXPERIMENTAL a'], RangeError],
    ['length 255 * 32 + 1 (over HKDF-Expand\'s limit)', () => [255 * 32 + 1, 'EXPERIMENTAL a'], RangeError],
    ['label of 250 bytes', () => [32, 'L'.repeat(250)], RangeError],
    ['label not a string', () => [32, 42], TypeError],
    ['context not bytes', () => [32, 'EXPERIMENTAL a', 'ctx'], TypeError],
  ];
  for (const [name, args, type] of bad) {
    it(`${name}: throws ${type.name} to the caller; the connection keeps working`, async () => {
      const { client, server } = await pair();
      const call = client.conn.exportKeyingMaterial as (...a: unknown[]) => Uint8Array;
      expect(() => call.apply(client.conn, args())).toThrow(type);
      expect(client.conn.state).toBe('connected');
      expect(client.errors).toEqual([]);
      await client.conn.write(new TextEncoder().encode('still here'));
      await pump(client, server);
      expect(new TextDecoder().decode(server.data[0])).toBe('still here');
      expect(client.conn.exportKeyingMaterial(8, 'EXPERIMENTAL a')).toEqual(server.conn.exportKeyingMaterial(8, 'EXPERIMENTAL a'));
    });
  }

  it('the largest length (255 * HashLen) works', async () => {
    const { client, server } = await pair();
    expect(client.conn.exportKeyingMaterial(255 * 32, 'EXPERIMENTAL max')).toEqual(server.conn.exportKeyingMaterial(255 * 32, 'EXPERIMENTAL max'));
  });
});
