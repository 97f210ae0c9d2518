/**
 * Web Streams adapter `handshakeTimeout`: a handshake not done in time fails
 * the `handshake` promise (code handshake_timeout) and cancels/aborts both
 * transport streams. Default: none for a client, 120 s for a server.
 * Fake setTimeout/clearTimeout make all but one test exact; the one test on
 * real timers uses a short timeout and only checks that it fires at all.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { secureWebStream, type ByteStreamPair } from '../../src/io/web.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(() => pki?.cleanup());
afterEach(() => { vi.useRealTimers(); });

const tick = () => new Promise((r) => setImmediate(r));
const ticks = async (n: number) => { for (let i = 0; i < n; i++) await tick(); };

/** Our transport, and the far ends of its two directions. */
function silentPeer(): { transport: ByteStreamPair; farReadable: ReadableStream<Uint8Array>; farWritable: WritableStream<Uint8Array> } {
  const toPeer = new TransformStream<Uint8Array, Uint8Array>();
  const fromPeer = new TransformStream<Uint8Array, Uint8Array>();
  return {
    transport: { readable: fromPeer.readable, writable: toPeer.writable },
    farReadable: toPeer.readable,
    farWritable: fromPeer.writable,
  };
}

function pipePair(): [ByteStreamPair, ByteStreamPair] {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ];
}

const serverOpts = () => ({ isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key });

describe('secureWebStream handshakeTimeout', () => {
  it('a client whose peer never answers fails after handshakeTimeout; both transport streams are released', async () => {
    const peer = silentPeer();
    const client = secureWebStream(peer.transport, { servername: 'localhost', ca: pki.ca.cert, handshakeTimeout: 100 });
    await expect(client.handshake).rejects.toMatchObject({ code: 'handshake_timeout' });
    expect(await client.closed).toEqual({ cleanly: false });
    await expect(client.readable.getReader().read()).rejects.toMatchObject({ code: 'handshake_timeout' });
    await expect(client.writable.getWriter().write(new Uint8Array(1))).rejects.toBeTruthy();
    // Our writable toward the peer was aborted (its ClientHello never read) …
    await expect(peer.farReadable.getReader().read()).rejects.toMatchObject({ code: 'handshake_timeout' });
    // … and our readable from it cancelled.
    await expect(peer.farWritable.getWriter().write(new Uint8Array(1))).rejects.toMatchObject({ code: 'handshake_timeout' });
  });

  it('fires exactly at handshakeTimeout, not before (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const peer = silentPeer();
    const client = secureWebStream(peer.transport, { servername: 'localhost', ca: pki.ca.cert, handshakeTimeout: 5000 });
    let outcome: unknown;
    client.handshake.then(() => { outcome = 'done'; }, (e: unknown) => { outcome = e; });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(4999);
    await ticks(10);
    expect(outcome).toBeUndefined();
    vi.advanceTimersByTime(1);
    await ticks(10);
    expect(outcome).toMatchObject({ code: 'handshake_timeout' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('defaults: no timer for a client, 120 s for a server; 0 disables', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const c = secureWebStream(silentPeer().transport, { servername: 'localhost', ca: pki.ca.cert });
    expect(vi.getTimerCount()).toBe(0);
    const off = secureWebStream(silentPeer().transport, { ...serverOpts(), handshakeTimeout: 0 });
    expect(vi.getTimerCount()).toBe(0);

    const server = secureWebStream(silentPeer().transport, serverOpts());
    let outcome: unknown;
    server.handshake.then(() => { outcome = 'done'; }, (e: unknown) => { outcome = e; });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(119_999);
    await ticks(10);
    expect(outcome).toBeUndefined();
    vi.advanceTimersByTime(1);
    await ticks(10);
    expect(outcome).toMatchObject({ code: 'handshake_timeout' });
    await c.writable.abort(new Error('done'));
    await off.writable.abort(new Error('done'));
  });

  it('a handshake that completes clears its timers; the connection then outlives the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const [ct, st] = pipePair();
    const server = secureWebStream(st, { ...serverOpts(), handshakeTimeout: 1000 });
    const client = secureWebStream(ct, { servername: 'localhost', ca: pki.ca.cert, handshakeTimeout: 1000 });
    expect(vi.getTimerCount()).toBe(2);
    await Promise.all([client.handshake, server.handshake]);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    const w = client.writable.getWriter();
    const r = server.readable.getReader();
    const [, got] = await Promise.all([w.write(Uint8Array.of(1, 2, 3)), r.read()]);
    expect(got.value).toEqual(Uint8Array.of(1, 2, 3));
    await w.abort(new Error('done'));
    await server.writable.abort(new Error('done'));
  });
});
