/**
 * Web Streams adapter backpressure toward the peer and toward the user:
 * - a peer that sends but never reads: past `maxUnsentBytes` of our output
 *   waiting unsent, the transport is not read any more until it drains;
 * - a user write resolves only once its records were handed to, and
 *   accepted by, the transport; a huge write never queues more than about
 *   half of `maxUnsentBytes` in the transport.
 * Transports are in-memory streams whose sinks the test holds and releases,
 * so "the peer does not read" is exact; no timing decides anything.
 */
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection/connection.js';
import { secureWebStream } from '../../src/io/web.js';
import { useWatchedPki } from '../robustness/hostile.js';

const env = useWatchedPki();

const MiB = 1 << 20;
const tick = () => new Promise((r) => setImmediate(r));
async function until(cond: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await tick();
  }
  throw new Error(`never happened: ${what}`);
}

/** A readable that hands out a chunk only when one is asked for (highWaterMark 0), counting them. */
function pullSource(): { readable: ReadableStream<Uint8Array>; push(b: Uint8Array): void; end(): void; queued(): number; delivered(): number } {
  const queue: Uint8Array[] = [];
  let delivered = 0;
  let waiting: (() => void) | undefined;
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const readable = new ReadableStream<Uint8Array>({
    start(c) { ctrl = c; },
    pull(c) {
      if (queue.length > 0) { delivered++; c.enqueue(queue.shift()!); return; }
      return new Promise<void>((r) => { waiting = () => { delivered++; c.enqueue(queue.shift()!); r(); }; });
    },
  }, { highWaterMark: 0 });
  return {
    readable,
    push(b) {
      queue.push(Uint8Array.from(b));
      const w = waiting;
      waiting = undefined;
      w?.();
    },
    end() { try { ctrl.close(); } catch { /* */ } },
    queued: () => queue.length,
    delivered: () => delivered,
  };
}

/** A writable whose writes complete at once while `flowing`, else only when released. */
function gatedSink(deliver: (b: Uint8Array) => void, strategy?: QueuingStrategy<Uint8Array>): { writable: WritableStream<Uint8Array>; stop(): void; flow(): void; held(): number; accepted(): number } {
  let flowing = true;
  let accepted = 0;
  const held: (() => void)[] = [];
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      const done = () => { accepted += chunk.length; deliver(chunk); };
      if (flowing) { done(); return; }
      return new Promise<void>((r) => held.push(() => { done(); r(); }));
    },
  }, strategy);
  return {
    writable,
    stop: () => { flowing = false; },
    flow: () => { flowing = true; while (held.length) held.shift()!(); },
    held: () => held.length,
    accepted: () => accepted,
  };
}

describe('secureWebStream: a peer that never reads', () => {
  it('while more than maxUnsentBytes waits unsent, the transport is not read; reading resumes when the peer reads again', async () => {
    const LIMIT = 256; // ≈ 10 KeyUpdate answers (27 bytes each)
    const source = pullSource();
    let attacker!: Connection;
    const sink = gatedSink((b) => attacker.receive(b));
    const server = secureWebStream({ readable: source.readable, writable: sink.writable }, {
      isServer: true, cert: env.pki.server['ecdsa-p256'].cert, key: env.pki.server['ecdsa-p256'].key, maxUnsentBytes: LIMIT,
    });
    let appBytes = 0;
    void (async () => { for await (const d of server.readable as unknown as AsyncIterable<Uint8Array>) appBytes += d.length; })().catch(() => undefined);

    let connected = false;
    let attackerGot = 0;
    attacker = Connection.client({ servername: 'localhost', ca: [env.pki.ca.cert] }, {
      onTransmit: (b) => source.push(b),
      onHandshakeDone: () => { connected = true; },
      onData: (d) => { attackerGot += d.length; },
    });
    attacker.start();
    await server.handshake;
    await until(() => connected, 'client handshake');

    // The peer stops reading, and sends KeyUpdates asking for answers (RFC 8446 §4.6.3), and data.
    // (At most 32 KeyUpdates in all: the attacker's own flood guard would refuse more answers in a row.
    // One request per round, each answered once, RFC 8446 §4.6.3.)
    sink.stop();
    const send = async (n: number, kus: number) => {
      for (let r = 0; r < n; r++) {
        for (let k = 0; k < kus; k++) attacker.keyUpdate(true);
        await attacker.write(Uint8Array.of(0x41));
        await tick();
      }
    };
    let rounds = 0;
    for (; rounds < 11 && server.unsentBytes <= LIMIT; rounds++) await send(1, 1);
    await until(() => server.unsentBytes > LIMIT, 'answers pile up past the limit');
    // The read already under way when the limit was crossed completes; nothing after it.
    const unsent = server.unsentBytes;
    const delivered = source.delivered();
    const app = appBytes;
    await send(20, 1);
    for (let i = 0; i < 20; i++) await tick();
    expect(source.delivered()).toBeLessThanOrEqual(delivered + 1); // nothing more read from the transport
    expect(source.queued()).toBeGreaterThanOrEqual(20 * 2 - 1); // 20 KeyUpdates + 20 data records, waiting unread
    expect(server.unsentBytes).toBeLessThanOrEqual(unsent + 27); // at most one more answer queued
    expect(appBytes).toBe(app);
    expect(app).toBeLessThanOrEqual(rounds);

    // The peer reads again: everything flows, nothing was lost.
    sink.flow();
    await until(() => appBytes === rounds + 20, 'all application data');
    expect(server.unsentBytes).toBe(0);
    expect(source.queued()).toBe(0);
    expect(attackerGot).toBe(0);
    expect(server.connection.state).toBe('connected');
    attacker.destroy();
    await server.writable.abort(new Error('done'));
  });
});

describe('secureWebStream: backpressure toward the user', () => {
  /** A client whose transport toward the server is a gated sink; the server reads everything. */
  async function setup(maxUnsentBytes?: number, strategy?: QueuingStrategy<Uint8Array>) {
    const toServer = pullSource();
    const toClient = new TransformStream<Uint8Array, Uint8Array>();
    const sink = gatedSink((b) => toServer.push(b), strategy);
    const server = secureWebStream({ readable: toServer.readable, writable: toClient.writable }, {
      isServer: true, cert: env.pki.server['ecdsa-p256'].cert, key: env.pki.server['ecdsa-p256'].key,
    });
    const client = secureWebStream({ readable: toClient.readable, writable: sink.writable }, {
      servername: 'localhost', ca: env.pki.ca.cert, ...(maxUnsentBytes !== undefined ? { maxUnsentBytes } : {}),
    });
    let received = 0;
    let readError: unknown;
    const reading = (async () => { for await (const d of server.readable as unknown as AsyncIterable<Uint8Array>) received += d.length; })()
      .catch((e: unknown) => { readError = e; });
    await Promise.all([client.handshake, server.handshake]);
    return { client, server, sink, received: () => received, reading, readError: () => readError };
  }

  const transports: [string, (() => QueuingStrategy<Uint8Array>) | undefined][] = [
    ['one write at a time (highWaterMark 1)', undefined],
    ['a transport that always says ready (8 MiB highWaterMark)', () => new ByteLengthQueuingStrategy({ highWaterMark: 8 * MiB })],
  ];
  it.each(transports)('a huge write resolves only once all its records were handed to the transport, and never queues past half the limit: %s', async (_name, strategy) => {
    const { client, sink, received, reading, readError } = await setup(undefined, strategy?.());
    const SIZE = 4 * MiB;
    const w = client.writable.getWriter();
    sink.stop();
    let settled = false;
    let maxUnsent = 0;
    let atResolve = { accepted: -1, unsent: -1 };
    const p = w.write(new Uint8Array(SIZE).fill(7)).then(() => {
      settled = true;
      atResolve = { accepted: sink.accepted(), unsent: client.unsentBytes };
    });
    await until(() => sink.held() > 0, 'a write reaches the transport');
    for (let i = 0; i < 50; i++) {
      maxUnsent = Math.max(maxUnsent, client.unsentBytes);
      await tick();
    }
    expect(settled).toBe(false); // the transport accepted nothing yet
    expect(sink.accepted()).toBeLessThan(SIZE);
    // One 256 KiB piece past the quarter-limit at most: 512 KiB + record overhead < 1 MiB, so reading goes on.
    expect(maxUnsent).toBeGreaterThan(0);
    expect(maxUnsent).toBeLessThanOrEqual(MiB / 2 + 4096);

    // The transport takes one write at a time: the rest of the 4 MiB trickles in piece by piece.
    const trickle = (async () => {
      while (!settled) {
        maxUnsent = Math.max(maxUnsent, client.unsentBytes);
        sink.flow();
        sink.stop();
        await tick();
      }
    })();
    await p;
    await trickle;
    // Every record was handed over: accepted by the transport, or (a quarter-limit at most) queued in its writer.
    expect(atResolve.accepted + atResolve.unsent).toBeGreaterThanOrEqual(SIZE);
    expect(atResolve.unsent).toBeLessThanOrEqual(MiB / 4);
    // A transport that takes one write at a time is ready only when it accepted everything.
    if (!strategy) expect(atResolve.unsent).toBe(0);
    expect(maxUnsent).toBeLessThanOrEqual(MiB / 2 + 4096);

    sink.flow();
    await w.close();
    await until(() => received() === SIZE, 'server got everything');
    await reading;
    expect(readError()).toBeUndefined();
  });

  it('a small write waits while the transport is not ready (desiredSize <= 0) and resolves when it is', async () => {
    const { client, sink, received, server } = await setup(64 * 1024);
    const w = client.writable.getWriter();
    sink.stop();
    let settled = false;
    const p = w.write(new Uint8Array(100).fill(1)).then(() => { settled = true; });
    await until(() => sink.held() > 0, 'the record reaches the transport');
    for (let i = 0; i < 20; i++) await tick();
    expect(settled).toBe(false);
    expect(client.unsentBytes).toBeGreaterThan(100);
    sink.flow();
    await p;
    expect(client.unsentBytes).toBe(0);
    await until(() => received() === 100, 'server got it');
    await w.abort(new Error('done'));
    await server.writable.abort(new Error('done'));
  });

  it('a transport write that fails rejects the pending user write and errors the readable side', async () => {
    const toClient = new TransformStream<Uint8Array, Uint8Array>();
    const toServer = new TransformStream<Uint8Array, Uint8Array>();
    let failNext = false;
    const fwd = toServer.writable.getWriter();
    const failing = new WritableStream<Uint8Array>({
      write(chunk) {
        if (failNext) throw new Error('transport broke');
        return fwd.write(chunk);
      },
    });
    const server = secureWebStream({ readable: toServer.readable, writable: toClient.writable }, {
      isServer: true, cert: env.pki.server['ecdsa-p256'].cert, key: env.pki.server['ecdsa-p256'].key,
    });
    const client = secureWebStream({ readable: toClient.readable, writable: failing }, { servername: 'localhost', ca: env.pki.ca.cert });
    void server.readable.pipeTo(new WritableStream()).catch(() => undefined);
    await Promise.all([client.handshake, server.handshake]);
    failNext = true;
    const w = client.writable.getWriter();
    await expect(w.write(new Uint8Array(10))).rejects.toThrow('transport broke');
    await expect(client.readable.getReader().read()).rejects.toThrow('transport broke');
    expect(await client.closed).toEqual({ cleanly: false });
    await server.writable.abort(new Error('done'));
  });
});
