/**
 * External PSKs (RFC 8446 §2.2, §4.2.11: "ext binder"), both roles, with
 * and without a server certificate, over every crypto provider.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { availableProviders } from '../record/providers.js';
import { makeClient, makeServer, pump, type Endpoint, settle } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });
const providers = await availableProviders();

const key = new Uint8Array(32).map((_, i) => i + 1);
const psk = { identity: 'client1', key };


async function run(c: ClientConfig, s: ServerConfig): Promise<{ client: Endpoint; server: Endpoint; messages: string[] }> {
  const messages: string[] = [];
  const server = makeServer(s);
  const client = makeClient({ servername: 'localhost', ca: [P.caPem], ticketStore: false, onHandshakeMessage: (d, t) => messages.push(`${d} ${t}`), ...c });
  client.conn.start();
  await settle(client, server);
  return { client, server, messages };
}

describe.each(providers.map((p) => [p.name, p] as const))('external PSK over %s', (_n, provider) => {
  it('server without a certificate: the PSK authenticates both sides', async () => {
    const r = await run({ provider, psk }, { provider, psks: [psk] });
    expect(r.client.errors).toEqual([]);
    expect(r.server.errors).toEqual([]);
    expect(r.client.info!.psk).toBe('external');
    expect(r.server.info!.psk).toBe('external');
    expect(r.client.info!.resumed).toBe(false);
    expect(r.messages).not.toContain('received certificate');
    const p = r.client.conn.write(new TextEncoder().encode('psk data'));
    await settle(r.client, r.server);
    await p;
    expect(new TextDecoder().decode(r.server.data[0])).toBe('psk data');
  });

  it('server with a certificate still selects the PSK', async () => {
    const r = await run({ provider, psk }, { provider, certificate: P.server['ecdsa-p256'], psks: [psk] });
    expect(r.client.errors).toEqual([]);
    expect(r.client.info!.psk).toBe('external');
    expect(r.client.info!.peerCertificates).toEqual([]);
  });

  it('a SHA-384 PSK negotiates TLS_AES_256_GCM_SHA384', async () => {
    const p384 = { identity: 'big', key: new Uint8Array(48).fill(7), hash: 'SHA-384' as const };
    const r = await run({ provider, psk: p384 }, { provider, psks: [p384] });
    expect(r.client.errors).toEqual([]);
    expect(r.client.info!.cipherSuite).toBe('TLS_AES_256_GCM_SHA384');
  });
});

describe('external PSK failures', () => {
  it('unknown identity, server with a certificate: full handshake with the certificate', async () => {
    const r = await run({ psk: { identity: 'nobody', key } }, { certificate: P.server['ecdsa-p256'], psks: [psk] });
    expect(r.client.errors).toEqual([]);
    expect(r.client.info!.psk).toBeUndefined();
    expect(r.client.info!.peerVerified).toBe(true);
  });

  it('same identity, other key → decrypt_error (binder)', async () => {
    const r = await run({ psk: { identity: 'client1', key: new Uint8Array(32).fill(9) } }, { psks: [psk] });
    expect(r.server.errors[0]?.alert).toBe('decrypt_error');
  });

  it('no PSK and no certificate → the handshake fails (no certificate for the name: unrecognized_name, RFC 6066 §3)', async () => {
    const r = await run({}, { psks: [psk] });
    expect(r.server.errors[0]?.alert).toBe('unrecognized_name');
  });

  it('keys shorter than 16 bytes are refused', () => {
    expect(() => makeClient({ servername: 'localhost', psk: { identity: 'x', key: new Uint8Array(8) } })).toThrow(/at least 16 bytes/);
  });
});
