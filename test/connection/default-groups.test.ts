/**
 * Default key exchange: X25519MLKEM768 preferred in both roles; the client
 * sends shares for X25519MLKEM768 and x25519 (in supported_groups order,
 * RFC 8446 §4.2.8), so a server without the hybrid picks x25519 with no
 * HelloRetryRequest; a server prefers a group the client sent a share for
 * over asking for a better one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isGrease } from '../../src/handshake/client/grease.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { DEFAULT_GROUPS, resolveClientConfig, resolveServerConfig } from '../../src/handshake/config.js';
import { decodeHandshake } from '../../src/handshake/messages/index.js';
import { makeClient, makeServer, pump, type Endpoint } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

async function connect(c: ClientConfig, s: ServerConfig): Promise<{ client: Endpoint; server: Endpoint }> {
  const server = makeServer({ certificate: P.server['ecdsa-p256'], ...s });
  const client = makeClient({ servername: 'localhost', ca: [P.caPem], ...c });
  client.conn.start();
  await pump(client, server);
  expect(client.errors.map((e) => e.message)).toEqual([]);
  expect(server.errors.map((e) => e.message)).toEqual([]);
  return { client, server };
}

/** Groups of the key shares in the client's first ClientHello (first record on the wire). */
function offeredShares(client: Endpoint): number[] {
  const rec = client.sent[0]!;
  const body = rec.subarray(5, 5 + ((rec[3]! << 8) | rec[4]!));
  const ch = decodeHandshake(body);
  if (ch.type !== 'client_hello') throw new Error('first message is not a ClientHello');
  const ks = ch.extensions.find((e) => e.type === 51)!;
  const groups: number[] = [];
  for (let off = 2; off < ks.data.length;) {
    groups.push((ks.data[off]! << 8) | ks.data[off + 1]!);
    off += 4 + ((ks.data[off + 2]! << 8) | ks.data[off + 3]!);
  }
  return groups.filter((g) => !isGrease(g)); // GREASE (RFC 8701) share first, by default
}

describe('default groups', () => {
  it('prefer the hybrids (X25519MLKEM768, SecP256r1MLKEM768, SecP384r1MLKEM1024, as Go 1.26), then x25519, secp256r1, secp384r1', () => {
    expect(DEFAULT_GROUPS).toEqual(['X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024', 'x25519', 'secp256r1', 'secp384r1']);
    expect(resolveClientConfig({ servername: 'example.com' }).keyShareGroups).toEqual(['X25519MLKEM768', 'x25519']);
    expect(resolveServerConfig({}).groups[0]).toBe('X25519MLKEM768');
  });

  it('a client whose first group is not the hybrid sends one share', () => {
    expect(resolveClientConfig({ servername: 'example.com', groups: ['secp256r1', 'x25519'] }).keyShareGroups).toEqual(['secp256r1']);
    expect(resolveClientConfig({ servername: 'example.com', groups: ['X25519MLKEM768', 'secp256r1'] }).keyShareGroups).toEqual(['X25519MLKEM768']);
  });

  it('defaults on both sides: X25519MLKEM768, no HelloRetryRequest, shares [0x11ec, 0x001d]', async () => {
    const { client, server } = await connect({}, {});
    expect(offeredShares(client)).toEqual([0x11ec, 0x001d]);
    expect(client.info!.group).toBe('X25519MLKEM768');
    expect(server.info!.group).toBe('X25519MLKEM768');
    expect(client.info!.helloRetry).toBe(false);
  });

  it('a server without the hybrid uses the x25519 share: no HelloRetryRequest', async () => {
    const { client } = await connect({}, { groups: ['secp256r1', 'x25519'] });
    expect(client.info!.group).toBe('x25519');
    expect(client.info!.helloRetry).toBe(false);
  });

  it('a default server takes the client\'s x25519 share rather than asking for the hybrid', async () => {
    const { client } = await connect({ groups: ['x25519', 'X25519MLKEM768'] }, {});
    expect(offeredShares(client)).toEqual([0x001d]);
    expect(client.info!.group).toBe('x25519');
    expect(client.info!.helloRetry).toBe(false);
  });

  it('a default server asks for the hybrid (HelloRetryRequest) when no share is usable', async () => {
    const { client } = await connect({ groups: ['secp384r1', 'X25519MLKEM768'], keyShareGroups: ['secp384r1'] }, { groups: ['X25519MLKEM768', 'x25519'] });
    expect(client.info!.helloRetry).toBe(true);
    expect(client.info!.group).toBe('X25519MLKEM768');
  });
});
