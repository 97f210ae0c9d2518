/**
 * RFC 8446 §8.2: the strike register records every ClientHello that offers
 * 0-RTT with a usable ticket, not only those whose early data we accepted.
 * Otherwise: the application's acceptEarlyData refuses a client's 0-RTT
 * (load, policy of the moment), the client sends the same request again
 * after the handshake (§4.2.10) and it is processed; an attacker replays
 * the captured ClientHello and early data seconds later, acceptEarlyData
 * now says yes, and the request is processed a second time. Likewise when
 * the register was full, and when the replay goes to a connection made from
 * another options object holding the same ticket keys.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { AntiReplay } from '../../src/handshake/resumption/anti-replay.js';
import { TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';
import { InMemoryTicketStore } from '../../src/handshake/resumption/ticket-store.js';
import { concatAll, makeClient, settle } from '../connection/helpers.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { earlyServer, type EarlyEndpoint } from './early-server.js';
import { serverConfig } from '../../src/io/options.js';
import { createServer } from '../../src/io/node.js';
import { makeTestPki } from '../interop/helpers/pki.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array[]): string => new TextDecoder().decode(concatAll(b));

/**
 * A ticket from one server made with `next()`, then a resumed connection to
 * another writing `request` as 0-RTT (its first flight captured on the wire),
 * then that flight replayed to a third: what each server got.
 */
async function replay(c: ClientConfig, next: () => EarlyEndpoint, beforeReplay = () => {}) {
  const c0 = makeClient(c);
  c0.conn.start();
  await settle(c0, next());
  const server = next();
  const client = makeClient(c);
  client.conn.start();
  const w = client.conn.write(enc('transfer 100'));
  await client.conn.drained();
  await new Promise((r) => setTimeout(r, 5));
  const firstFlight = client.sent.slice(); // ClientHello, CCS, early data
  await settle(client, server);
  await w;
  beforeReplay();
  const replayed = next();
  for (const b of firstFlight) replayed.conn.receive(b);
  await replayed.conn.drained();
  await new Promise((r) => setTimeout(r, 5));
  return { client, server, replayed };
}

describe('0-RTT strike register', () => {
  it('a ClientHello whose early data the application refused is not accepted when replayed', async () => {
    let accept = false;
    const s: ServerConfig = {
      certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys(), antiReplay: new AntiReplay(), maxEarlyData: 1000,
      acceptEarlyData: () => accept,
    };
    const c: ClientConfig = { servername: 'localhost', ca: [P.caPem], ticketStore: new InMemoryTicketStore(), earlyData: true };
    // The genuine client: 0-RTT refused, its request goes again in 1-RTT and is processed;
    // then the attacker replays its flight while the application would accept 0-RTT.
    const { client, server, replayed } = await replay(c, () => earlyServer(s), () => { accept = true; });
    expect(client.info?.earlyData).toBe('rejected');
    expect(dec(server.data)).toBe('transfer 100');
    expect(replayed.early).toEqual([]); // not processed a second time
    expect(replayed.errors).toEqual([]);
  });

  it('a ClientHello refused while the register was full is not accepted when replayed after entries expired', () => {
    const window = 10_000;
    const r = new AntiReplay(2, window);
    const [a, b, c] = [1, 2, 3].map((n) => new Uint8Array(32).fill(n));
    expect(r.firstUse(a!, 0)).toBe(true);
    expect(r.firstUse(b!, 0)).toBe(true);
    expect(r.firstUse(c!, 19_000)).toBe(false); // full: refused, the client resends in 1-RTT
    // 2 s later a and b have expired; the replay of c is still fresh (its age is off by 2 s < 10 s).
    expect(r.fresh(5_000, 7_000)).toBe(true);
    expect(r.firstUse(c!, 21_000)).toBe(false);
    expect(r.firstUse(new Uint8Array(32).fill(9), 19_000 + 2 * window)).toBe(true); // saturation over
  });
});

describe('0-RTT strike register across options objects (Node-style options)', () => {
  it('options literals with the same ticketKeys share one register: a flight replayed to the other is not accepted', async () => {
    const tp = makeTestPki({ keyTypes: ['ecdsa-p256'] });
    try {
      const ticketKeys = new Uint8Array(48).fill(7);
      // One options literal per connection (as secureStream invites), the same explicit keys.
      const opts = () => serverConfig({ cert: tp.server['ecdsa-p256'].cert, key: tp.server['ecdsa-p256'].key, ticketKeys, maxEarlyData: 1000 });
      expect(opts().antiReplay).toBe(opts().antiReplay);
      const c: ClientConfig = { servername: 'localhost', ca: [tp.ca.cert], ticketStore: new InMemoryTicketStore(), earlyData: true };
      const { server, replayed } = await replay(c, () => earlyServer(opts()));
      expect(dec(server.early)).toBe('transfer 100');
      expect(replayed.early).toEqual([]);
    } finally {
      tp.cleanup();
    }
  });
});

describe('0-RTT strike register of Node adapter servers', () => {
  it('two servers made from one options object, or given the same ticketKeys, use one register', () => {
    const tp = makeTestPki({ keyTypes: ['ecdsa-p256'] });
    try {
      const { cert, key } = tp.server['ecdsa-p256'];
      const registerOf = (s: unknown) => (s as { antiReplay: unknown }).antiReplay;
      const shared = { cert, key, maxEarlyData: 1000, sni: { localhost: { cert, key } } };
      expect(registerOf(createServer(shared))).toBe(registerOf(createServer(shared)));
      const ticketKeys = Buffer.alloc(48, 9);
      expect(registerOf(createServer({ cert, key, maxEarlyData: 1000, ticketKeys }))).toBe(registerOf(createServer({ cert, key, maxEarlyData: 1000, ticketKeys })));
      // Random keys per server: tickets open nowhere else, no sharing needed.
      expect(registerOf(createServer({ cert, key, maxEarlyData: 1000 }))).not.toBe(registerOf(createServer({ cert, key, maxEarlyData: 1000 })));
    } finally {
      tp.cleanup();
    }
  });
});
