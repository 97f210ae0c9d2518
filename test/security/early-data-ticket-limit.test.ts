/**
 * max_early_data_size is the ticket's (RFC 8446 §4.2.10: "The maximum amount
 * of 0-RTT data that the client is allowed to send when using this ticket";
 * a server receiving more "SHOULD terminate the connection with an
 * unexpected_message alert"). A server whose own maxEarlyData is larger than
 * the ticket's (servers sharing ticket keys with other settings, or a
 * setSecureContext that raised it) must still hold a client to what its
 * ticket allowed: the limit is the smaller of the two.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { AntiReplay } from '../../src/handshake/resumption/anti-replay.js';
import type { ClientSession } from '../../src/handshake/resumption/session.js';
import { TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';
import { InMemoryTicketStore, type TicketStore } from '../../src/handshake/resumption/ticket-store.js';
import { makeClient, makeServer, pump, type Endpoint } from '../connection/helpers.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { earlyServer } from './early-server.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

/** A client store that lies about the ticket's max_early_data_size (a client ignoring its ticket's limit). */
function inflating(store: TicketStore, maxEarlyData: number): TicketStore {
  return {
    put: (k, s) => store.put(k, s),
    take: (k, now) => {
      const s = store.take(k, now);
      return s && ({ ...s, maxEarlyData } as ClientSession);
    },
  };
}

async function run(client: Endpoint, server: Endpoint): Promise<void> {
  client.conn.start();
  for (let i = 0; i < 10; i++) {
    await pump(client, server);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('0-RTT: the ticket\'s max_early_data_size bounds the early data', () => {
  const setup = async (sent: number) => {
    const keys = new TicketKeys();
    const antiReplay = new AntiReplay();
    const issuer: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: keys, antiReplay, maxEarlyData: 10 };
    const store = new InMemoryTicketStore();
    const c: ClientConfig = { servername: 'localhost', ca: [P.caPem], ticketStore: store, earlyData: true };
    await run(makeClient(c), earlyServer(issuer));
    // This server allows 1000 bytes, the ticket (issued by the other) 10.
    const server = earlyServer({ ...issuer, maxEarlyData: 1000 });
    const client = makeClient({ ...c, ticketStore: inflating(store, 1000) });
    void client.conn.write(new Uint8Array(sent).fill(0x41)).catch(() => undefined);
    await run(client, server);
    return { client, server };
  };

  it('11 bytes on a 10-byte ticket → unexpected_message, nothing delivered', async () => {
    const { server } = await setup(11);
    expect(server.errors[0]?.alert).toBe('unexpected_message');
    expect(server.early).toEqual([]);
  });

  it('10 bytes on a 10-byte ticket: accepted (control)', async () => {
    const { client, server } = await setup(10);
    expect(server.errors).toEqual([]);
    expect(client.info?.earlyData).toBe('accepted');
    expect(server.early.reduce((n, b) => n + b.length, 0)).toBe(10);
  });
});
