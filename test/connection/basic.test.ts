import { describe, it, expect } from 'vitest';
import { acceptAll, concatAll, makeClient, makeServer, pump, rfc8448ServerCert } from './helpers.js';

describe('puretls client ↔ puretls server in memory', () => {
  it('completes a handshake and exchanges data both ways', async () => {
    const server = makeServer({ certificate: rfc8448ServerCert() });
    const client = makeClient({ servername: 'server', verifyCertificate: acceptAll });
    client.conn.start();
    await pump(client, server);
    expect(client.errors.map((e) => e.message)).toEqual([]);
    expect(server.errors.map((e) => e.message)).toEqual([]);
    expect(client.conn.state).toBe('connected');
    expect(server.conn.state).toBe('connected');
    expect(client.info?.cipherSuite).toBe('TLS_CHACHA20_POLY1305_SHA256'); // the pure provider prefers it
    expect(server.info?.servername).toBe('server');
    const w = client.conn.write(new TextEncoder().encode('hello'));
    await pump(client, server);
    await w;
    expect(new TextDecoder().decode(concatAll(server.data))).toBe('hello');
    void server.conn.write(new TextEncoder().encode('world'));
    await pump(client, server);
    expect(new TextDecoder().decode(concatAll(client.data))).toBe('world');
  });
});
