/**
 * Property tests: random and mutated bytes fed to a client and to a server
 * always end in data, a clean alert, or waiting — never an exception out of
 * `receive`, a hang (drained() resolves), more than one alert, or unbounded
 * buffering.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import type { Endpoint } from '../connection/helpers.js';
import type { ClientConfig } from '../../src/connection/types.js';
import { concatAll, makeClient, makeServer, pump } from '../connection/helpers.js';
import { pki, type Pki } from '../connection/fixtures.js';

let P: Pki;
let clientHello: Uint8Array;
let serverFlight: Uint8Array;

/** Bytes a connection may hold unprocessed: one partial record plus one partial handshake message. */
const BUFFER_BOUND = 5 + (1 << 14) + 256 + 64 * 1024;

/** Fixed "randomness" so every fresh client sends the same ClientHello the recorded server flight answers. */
function fixedRandom(): (n: number) => Uint8Array {
  let i = 0;
  return (n) => Uint8Array.from({ length: n }, () => (i++ * 131 + 7) & 0xff);
}

function clientConfig(): ClientConfig {
  return { servername: 'localhost', ca: [P.caPem], random: fixedRandom() };
}

beforeAll(async () => {
  P = await pki();
  const client = makeClient(clientConfig());
  const server = makeServer({ certificate: P.server['ecdsa-p256'] });
  client.conn.start();
  await client.conn.drained();
  clientHello = concatAll(client.sent);
  server.conn.receive(clientHello);
  await server.conn.drained();
  serverFlight = concatAll(server.sent);
  // Sanity: unmutated, the recorded flight completes a fresh client's handshake.
  const again = makeClient(clientConfig());
  again.conn.start();
  await again.conn.drained();
  again.conn.receive(serverFlight);
  await again.conn.drained();
  if (again.conn.state !== 'connected') throw new Error(`recorded flight does not verify: ${again.errors[0]?.message}`);
});

/** Feed chunks; check the invariants. */
async function feed(ep: Endpoint, chunks: Uint8Array[]): Promise<void> {
  for (const c of chunks) {
    expect(() => ep.conn.receive(c)).not.toThrow();
  }
  await ep.conn.drained();
  expect(['handshaking', 'failed', 'connected', 'closed']).toContain(ep.conn.state);
  expect(ep.errors.length).toBeLessThanOrEqual(1);
  if (ep.conn.state === 'failed') expect(ep.errors.length).toBe(1);
  else expect(ep.errors.length).toBe(0);
  expect(ep.conn.bufferedBytes).toBeLessThanOrEqual(BUFFER_BOUND);
  for (const e of ep.errors) expect(e.name).toBe('TlsError');
}

function freshServer(): Endpoint {
  return makeServer({ certificate: P.server['ecdsa-p256'] });
}

async function freshClient(): Promise<Endpoint> {
  const c = makeClient(clientConfig());
  c.conn.start();
  await c.conn.drained();
  return c;
}

/** Split `b` at the given cut points. */
function chunked(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const pts = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of pts) { out.push(b.subarray(prev, p)); prev = p; }
  out.push(b.subarray(prev));
  return out.filter((x) => x.length > 0);
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(b: Uint8Array, ms: Mutation[]): Uint8Array {
  let out: Uint8Array = b.slice();
  for (const m of ms) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    switch (m.kind) {
      case 'flip': if (out.length) out[at] ^= 1 << m.bit; break;
      case 'set': if (out.length) out[at] = m.value; break;
      case 'truncate': out = out.slice(0, at); break;
      case 'insert': out = concatAll([out.subarray(0, at), m.bytes, out.subarray(at)]); break;
      case 'delete': out = concatAll([out.subarray(0, at), out.subarray(at + m.n)]); break;
    }
  }
  return out;
}

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

describe('fuzz: random bytes', () => {
  it('server: random chunks', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 6 }), async (chunks) => {
      await feed(freshServer(), chunks);
    }), { numRuns: RUNS });
  });

  it('client: random chunks after ClientHello', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 6 }), async (chunks) => {
      await feed(await freshClient(), chunks);
    }), { numRuns: RUNS });
  });

  it('server: plausible record headers with random bodies', async () => {
    const rec = fc.record({
      type: fc.constantFrom(20, 21, 22, 23),
      body: fc.uint8Array({ minLength: 0, maxLength: 300 }),
    }).map(({ type, body }) => concatAll([new Uint8Array([type, 3, 3, body.length >> 8, body.length & 0xff]), body]));
    await fc.assert(fc.asyncProperty(fc.array(rec, { minLength: 1, maxLength: 5 }), async (recs) => {
      await feed(freshServer(), recs);
    }), { numRuns: RUNS });
  });
});

describe('fuzz: mutated valid flights', () => {
  it('server: mutated ClientHello, arbitrarily chunked', async () => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 }), async (ms, cuts) => {
      const server = freshServer();
      await feed(server, chunked(mutate(clientHello, ms), cuts));
      // Whatever happened, at most one alert record went out after the server's own flight.
      const alerts = server.sent.filter((b) => b[0] === 21);
      expect(alerts.length).toBeLessThanOrEqual(1);
    }), { numRuns: RUNS });
  });

  it('client: mutated server flight, arbitrarily chunked', async () => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 4 }), async (ms, cuts) => {
      await feed(await freshClient(), chunked(mutate(serverFlight, ms), cuts));
    }), { numRuns: RUNS });
  });

  it('full handshake survives any chunking (one byte at a time included)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.nat(), { maxLength: 40 }), async (cuts) => {
      const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
      const server = makeServer({ certificate: P.server['ecdsa-p256'] });
      client.conn.start();
      // Re-chunk every transmission before delivering it.
      for (let round = 0; round < 10; round++) {
        let moved = false;
        for (const [from, to] of [[client, server], [server, client]] as const) {
          await from.conn.drained();
          if (from.sent.length > from.delivered) {
            const bytes = concatAll(from.sent.slice(from.delivered));
            from.delivered = from.sent.length;
            for (const c of chunked(bytes, cuts)) to.conn.receive(c);
            await to.conn.drained();
            moved = true;
          }
        }
        if (!moved) break;
      }
      expect(client.errors).toEqual([]);
      expect(server.errors).toEqual([]);
      expect(client.conn.state).toBe('connected');
      expect(server.conn.state).toBe('connected');
    }), { numRuns: 30 });
  });

  it('a handshake message claiming 16 MiB is refused, not buffered', async () => {
    const server = freshServer();
    const body = new Uint8Array(1000);
    const hdr = new Uint8Array([22, 3, 1, (4 + body.length) >> 8, (4 + body.length) & 0xff, 1, 0xff, 0xff, 0xff]);
    await feed(server, [concatAll([hdr, body])]);
    expect(server.conn.state).toBe('failed');
  });

  it('a long stream of tiny handshake fragments stays bounded', async () => {
    const server = freshServer();
    const chunks: Uint8Array[] = [];
    // A ClientHello header announcing 60 000 bytes, then 1-byte records.
    chunks.push(new Uint8Array([22, 3, 1, 0, 4, 1, 0, 0xea, 0x60]));
    for (let i = 0; i < 2000; i++) chunks.push(new Uint8Array([22, 3, 3, 0, 1, 0]));
    await feed(server, chunks);
    expect(server.conn.state).toBe('handshaking');
    expect(server.conn.bufferedBytes).toBeLessThanOrEqual(BUFFER_BOUND);
  });
});

void pump;
