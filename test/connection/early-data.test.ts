/**
 * 0-RTT early data between two puretls endpoints (RFC 8446 §2.3, §4.2.10,
 * §8), over every crypto provider: accepted (delivered as early, apart from
 * onData), rejected by the server application or configuration or by a
 * HelloRetryRequest (sent again after the handshake, never lost), the
 * max_early_data_size bound in both roles, and a replayed ClientHello.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { Connection } from '../../src/connection/connection.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';
import { InMemoryTicketStore } from '../../src/handshake/resumption/ticket-store.js';
import { availableProviders } from '../record/providers.js';
import { concatAll, makeClient, makeServer, pump, type Endpoint, settle } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const providers = await availableProviders();
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array[]): string => new TextDecoder().decode(concatAll(b));


interface EarlyServer extends Endpoint { early: Uint8Array[] }

function earlyServer(config: ServerConfig): EarlyServer {
  const ep = makeServer({ ...config, maxEarlyData: 0 }) as EarlyServer; // handlers template
  const early: Uint8Array[] = [];
  ep.early = early;
  ep.conn = Connection.server(config, {
    onTransmit: (b) => ep.sent.push(b.slice()),
    onData: (d) => ep.data.push(d.slice()),
    onEarlyData: (d) => early.push(d.slice()),
    onHandshakeDone: (i) => { ep.info = i; },
    onError: (e) => ep.errors.push(e),
  });
  return ep;
}

describe.each(providers.map((p) => [p.name, p] as const))('0-RTT over %s', (_n, provider) => {
  let keys: TicketKeys;
  const serverConfig = (extra: Partial<ServerConfig> = {}): ServerConfig => ({
    provider, certificate: P.server['ecdsa-p256'], ticketKeys: keys, maxEarlyData: 1024, ...extra,
  });

  /** A client config whose store holds a ticket from `s` (issued with 0-RTT allowed unless `issuer` says otherwise). */
  async function ticketed(issuer: ServerConfig, extra: Partial<ClientConfig> = {}): Promise<ClientConfig> {
    const c: ClientConfig = { provider, servername: 'localhost', ca: [P.caPem], ticketStore: new InMemoryTicketStore(), earlyData: true, ...extra };
    const server = earlyServer(issuer);
    const client = makeClient(c);
    client.conn.start();
    await settle(client, server);
    expect(client.errors).toEqual([]);
    return c;
  }

  async function resumeWithEarly(c: ClientConfig, s: ServerConfig, writes: string[]): Promise<{ client: Endpoint; server: EarlyServer; done: Promise<void[]> }> {
    const server = earlyServer(s);
    const client = makeClient(c);
    client.conn.start();
    const done = Promise.all(writes.map((w) => client.conn.write(enc(w))));
    await settle(client, server);
    return { client, server, done };
  }

  beforeAll(() => { keys = new TicketKeys(); });

  it('accepted: the server gets it through onEarlyData before the handshake completes; both sides say accepted', async () => {
    const s = serverConfig();
    const c = await ticketed(s);
    const { client, server, done } = await resumeWithEarly(c, s, ['GET / ', 'HTTP/1.1']);
    await done;
    expect(client.errors).toEqual([]);
    expect(server.errors).toEqual([]);
    expect(client.info!.resumed).toBe(true);
    expect(client.info!.earlyData).toBe('accepted');
    expect(server.info!.earlyData).toBe('accepted');
    expect(dec(server.early)).toBe('GET / HTTP/1.1');
    expect(server.data).toEqual([]);
    // And 1-RTT data afterwards goes to onData.
    const p = client.conn.write(enc('after'));
    await settle(client, server);
    await p;
    expect(dec(server.data)).toBe('after');
  });

  it('rejected by the server application: sent again after the handshake, through onData', async () => {
    const s0 = serverConfig();
    const c = await ticketed(s0);
    const { client, server, done } = await resumeWithEarly(c, serverConfig({ acceptEarlyData: () => false }), ['replay-unsafe']);
    await done;
    expect(client.errors).toEqual([]);
    expect(server.errors).toEqual([]);
    expect(client.info!.earlyData).toBe('rejected');
    expect(server.info!.earlyData).toBe('rejected');
    expect(server.info!.resumed).toBe(true);
    expect(server.early).toEqual([]);
    expect(dec(server.data)).toBe('replay-unsafe');
  });

  it('server has 0-RTT off now (same keys): the early records are skipped, the data arrives after the handshake', async () => {
    const c = await ticketed(serverConfig());
    const { client, server, done } = await resumeWithEarly(c, { ...serverConfig(), maxEarlyData: 0 }, ['one', 'two']);
    await done;
    expect(server.errors).toEqual([]);
    expect(client.info!.earlyData).toBe('rejected');
    expect(dec(server.data)).toBe('onetwo');
  });

  it('a ticket without max_early_data_size: no early_data offered', async () => {
    const c = await ticketed(serverConfig({ maxEarlyData: 0 }));
    const { client, server, done } = await resumeWithEarly(c, serverConfig(), ['x']);
    await done;
    expect(client.info!.resumed).toBe(true);
    expect(client.info!.earlyData).toBeUndefined();
    expect(dec(server.data)).toBe('x');
  });

  it('after a HelloRetryRequest early data is rejected and sent again', async () => {
    const c = await ticketed(serverConfig(), { keyShareGroups: ['x25519'] });
    const { client, server, done } = await resumeWithEarly(c, serverConfig({ groups: ['secp256r1'] }), ['hrr-data']);
    await done;
    expect(client.errors).toEqual([]);
    expect(server.errors).toEqual([]);
    expect(client.info!.helloRetry).toBe(true);
    expect(client.info!.earlyData).toBe('rejected');
    expect(dec(server.data)).toBe('hrr-data');
  });

  it('writes beyond max_early_data_size wait for the handshake, in order', async () => {
    const s = serverConfig({ maxEarlyData: 10 });
    const c = await ticketed(s);
    const { client, server, done } = await resumeWithEarly(c, s, ['12345', '6789', 'abcdef', 'g']);
    await done;
    expect(client.info!.earlyData).toBe('accepted');
    expect(dec(server.early)).toBe('123456789');
    expect(dec(server.data)).toBe('abcdefg');
  });
});

describe('0-RTT limits and replay', () => {
  it('a client sending more than the server\'s max_early_data_size → unexpected_message', async () => {
    const keys = new TicketKeys();
    const issuer: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: keys, maxEarlyData: 1000 };
    const c: ClientConfig = { servername: 'localhost', ca: [P.caPem], ticketStore: new InMemoryTicketStore(), earlyData: true };
    const s0 = earlyServer(issuer);
    const c0 = makeClient(c);
    c0.conn.start();
    await settle(c0, s0);
    // The ticket allows 1000 bytes; this server only 10.
    const server = earlyServer({ ...issuer, maxEarlyData: 10 });
    const client = makeClient(c);
    client.conn.start();
    void client.conn.write(new Uint8Array(100)).catch(() => undefined);
    await settle(client, server);
    expect(server.errors[0]?.alert).toBe('unexpected_message');
    expect(server.early).toEqual([]);
  });

  it('a replayed ClientHello with early data: accepted once, skipped the second time (strike register)', async () => {
    const keys = new TicketKeys();
    const s: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: keys, maxEarlyData: 1000 };
    const c: ClientConfig = { servername: 'localhost', ca: [P.caPem], ticketStore: new InMemoryTicketStore(), earlyData: true };
    const s0 = earlyServer(s);
    const c0 = makeClient(c);
    c0.conn.start();
    await settle(c0, s0);

    const server = earlyServer(s);
    const client = makeClient(c);
    client.conn.start();
    const w = client.conn.write(enc('transfer 100'));
    await client.conn.drained();
    await new Promise((r) => setTimeout(r, 5));
    const firstFlight = client.sent.slice(); // ClientHello, CCS, early data
    await settle(client, server);
    await w;
    expect(dec(server.early)).toBe('transfer 100');

    // An attacker replays the captured flight to the same server (another connection).
    const replayed = earlyServer(s);
    for (const b of firstFlight) replayed.conn.receive(b);
    await replayed.conn.drained();
    await new Promise((r) => setTimeout(r, 5));
    expect(replayed.errors).toEqual([]);
    expect(replayed.early).toEqual([]); // not delivered again
    expect(replayed.conn.state).toBe('handshaking'); // waiting for a Finished the attacker cannot make
  });

  it('maxEarlyData without onEarlyData is refused', () => {
    expect(() => Connection.server({ certificate: P.server['ecdsa-p256'], maxEarlyData: 10 }, { onTransmit: () => undefined })).toThrow(/onEarlyData/);
  });
});
