/**
 * Closing a Web Streams TLS stream (RFC 8446 §6.1), in each order: `closed`
 * resolves once both directions are finished, `cleanly: true` after a clean
 * close_notify exchange; a peer that closes first ends `readable` and lets
 * the writer finish; the transport need not end on its own, and a transport
 * read cancelled or failing during an orderly close is not a failure; the
 * close_notify is handed to the transport before it is closed, also with an
 * asynchronous AEAD.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { secureWebStream, type ByteStreamPair, type SecureWebStream } from '../../src/io/web.js';
import { slowAeadProvider } from '../connection/slow-aead.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';
import { socketStreams } from './socket-streams.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(() => pki?.cleanup());

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (parts: Uint8Array[]): string => parts.map((p) => new TextDecoder().decode(p)).join('');

/**
 * Two connected byte-stream pairs. `endOnClose: false`: closing a side's
 * writable does not end the other side's readable (a transport that stays
 * open until it is cancelled).
 */
function pipePair(endOnClose = true): [ByteStreamPair, ByteStreamPair] {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  const side = (w: WritableStream<Uint8Array>): WritableStream<Uint8Array> => {
    if (endOnClose) return w;
    const writer = w.getWriter();
    return new WritableStream({ write: (c) => writer.write(c), close: () => undefined });
  };
  return [
    { readable: ba.readable, writable: side(ab.writable) },
    { readable: ab.readable, writable: side(ba.writable) },
  ];
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  const reader = r.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return parts;
    parts.push(value);
  }
}

async function pair(
  transports: [ByteStreamPair, ByteStreamPair] = pipePair(),
  clientProvider: 'pure' | 'webcrypto' | CryptoProvider = 'pure',
  serverProvider: 'pure' | 'webcrypto' | CryptoProvider = 'pure',
): Promise<{ client: SecureWebStream; server: SecureWebStream }> {
  const [ct, st] = transports;
  const server = secureWebStream(st, { isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, provider: serverProvider });
  const client = secureWebStream(ct, { servername: 'localhost', ca: pki.ca.cert, provider: clientProvider });
  await Promise.all([client.handshake, server.handshake]);
  return { client, server };
}

describe('closing in each order', () => {
  it('the client closes first: the server reads to the end, then closes; both clean', async () => {
    const { client, server } = await pair();
    const cw = client.writable.getWriter();
    await cw.write(enc('request'));
    await cw.close(); // half-close: the server may still answer
    const got = await readAll(server.readable);
    expect(text(got)).toBe('request');
    const sw = server.writable.getWriter();
    await sw.write(enc('answer after your close'));
    await sw.close();
    expect(text(await readAll(client.readable))).toBe('answer after your close');
    expect(await client.closed).toEqual({ cleanly: true });
    expect(await server.closed).toEqual({ cleanly: true });
  });

  it('the server closes first: the client\'s readable ends, its writer finishes, then both are clean', async () => {
    const { client, server } = await pair();
    const sw = server.writable.getWriter();
    await sw.write(enc('bye'));
    await sw.close();
    expect(text(await readAll(client.readable))).toBe('bye');
    // The peer closed: our writer is still usable, and the server still reads.
    const cw = client.writable.getWriter();
    const serverReads = readAll(server.readable);
    await cw.write(enc('last words'));
    await cw.close();
    expect(text(await serverReads)).toBe('last words');
    expect(await client.closed).toEqual({ cleanly: true });
    expect(await server.closed).toEqual({ cleanly: true });
  });

  it('both close at once: both clean', async () => {
    const { client, server } = await pair();
    const reads = [readAll(client.readable), readAll(server.readable)];
    await Promise.all([client.writable.close(), server.writable.close()]);
    await Promise.all(reads);
    expect(await client.closed).toEqual({ cleanly: true });
    expect(await server.closed).toEqual({ cleanly: true });
  });

  it('the client closes its writable before the handshake is done: the handshake completes, then close_notify; it still reads', async () => {
    const [ct, st] = pipePair();
    const server = secureWebStream(st, { isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key });
    const client = secureWebStream(ct, { servername: 'localhost', ca: pki.ca.cert });
    const closing = client.writable.close(); // nothing to send
    const sw = server.writable.getWriter();
    await sw.write(enc('server speaks first'));
    expect((await client.handshake).protocol).toBe('TLSv1.3');
    await closing;
    expect(await readAll(server.readable)).toEqual([]); // the client's close_notify ends it
    await sw.close();
    expect(text(await readAll(client.readable))).toBe('server speaks first');
    expect(await client.closed).toEqual({ cleanly: true });
    expect(await server.closed).toEqual({ cleanly: true });
  });

  it('a transport that does not end by itself: closed resolves after the close_notify exchange, and the transport is released', async () => {
    const { client, server } = await pair(pipePair(false));
    const reads = [readAll(client.readable), readAll(server.readable)];
    await client.writable.close();
    await server.writable.close();
    await Promise.all(reads);
    expect(await client.closed).toEqual({ cleanly: true });
    expect(await server.closed).toEqual({ cleanly: true });
  });

  it('the transport\'s readable fails while we close: not a failure; without the peer\'s close_notify it is not clean', async () => {
    const [ct, st] = pipePair();
    let fault!: (e: Error) => void;
    // The client's transport readable: the pipe, with an error the test can raise (e.g. a WebSocket torn down).
    const src = ct.readable.getReader();
    const faulty = new ReadableStream<Uint8Array>({
      start(c) { fault = (e) => c.error(e); },
      async pull(c) {
        const { value, done } = await src.read();
        if (done) c.close();
        else c.enqueue(value);
      },
    });
    const { client } = await pair([{ readable: faulty, writable: ct.writable }, st]);
    const reading = readAll(client.readable);
    await client.writable.close(); // our close_notify: an orderly close has begun
    fault(new Error('transport torn down'));
    expect(await reading).toEqual([]); // the readable ends, it does not error
    expect(await client.closed).toEqual({ cleanly: false });
  });

  it('the peer\'s transport ends without close_notify (truncation): readable ends, closed is not clean', async () => {
    const [ct, st] = pipePair();
    // The server's transport writer stays in the test's hands, to end it under the server.
    const toClient = st.writable.getWriter();
    const serverSide = { readable: st.readable, writable: new WritableStream<Uint8Array>({ write: (c) => toClient.write(c) }) };
    const { client, server } = await pair([ct, serverSide]);
    server.connection.destroy(); // no close_notify
    await toClient.close();
    expect(await readAll(client.readable)).toEqual([]);
    expect(await client.closed).toEqual({ cleanly: false });
  });
});

describe('close_notify reaches the peer before the transport closes, with an asynchronous AEAD', () => {
  for (const [name, provider] of [['webcrypto', () => 'webcrypto' as const], ['delayed async AEAD', () => slowAeadProvider(20)]] as const) {
    it(`${name}: the peer closes first, then we do; the peer receives our close_notify`, async () => {
      const { client, server } = await pair(pipePair(), provider(), 'pure');
      await server.writable.close();
      expect(await readAll(client.readable)).toEqual([]);
      const cw = client.writable.getWriter();
      await cw.write(enc('final'));
      await cw.close();
      expect(text(await readAll(server.readable))).toBe('final');
      expect(server.connection.peerClosed).toBe(true);
      expect(await server.closed).toEqual({ cleanly: true });
      expect(await client.closed).toEqual({ cleanly: true });
    });

    it(`${name}: we close first; the peer receives our close_notify`, async () => {
      const { client, server } = await pair(pipePair(), provider(), 'pure');
      const cw = client.writable.getWriter();
      void cw.write(enc('final'));
      await cw.close();
      expect(text(await readAll(server.readable))).toBe('final');
      expect(server.connection.peerClosed).toBe(true);
      await server.writable.close();
      expect(await server.closed).toEqual({ cleanly: true });
      expect(await client.closed).toEqual({ cleanly: true });
    });
  }
});

describe('over TCP against the Node adapter', () => {
  it('a peer that sends close_notify and ends its side of TCP first: our readable ends and our writer finishes', async () => {
    const net = await import('node:net');
    const { createServer } = await import('../../src/io/node.js');
    const { listen, closeServer } = await import('../interop/helpers/net.js');
    let resolveServerDone!: (v: { got: string; cleanly: boolean }) => void;
    const serverDone = new Promise<{ got: string; cleanly: boolean }>((r) => { resolveServerDone = r; });
    const srv = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, allowHalfOpen: true }, (s) => {
      const parts: Buffer[] = [];
      s.on('data', (d: Buffer) => parts.push(d));
      s.on('end', () => resolveServerDone({ got: Buffer.concat(parts).toString(), cleanly: s.peerClosedCleanly }));
      s.end('bye'); // close_notify, then FIN: we keep reading (allowHalfOpen)
    });
    const port = await listen(srv);
    try {
      const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }); // TCP half-close, as Deno.connect's streams
      await new Promise<void>((r, j) => { sock.once('connect', () => r()); sock.once('error', j); });
      const tls = secureWebStream(socketStreams(sock), { servername: 'localhost', ca: pki.ca.cert });
      await tls.handshake;
      expect(text(await readAll(tls.readable))).toBe('bye');
      await new Promise((r) => setTimeout(r, 100)); // the FIN has arrived too: the writer must still work
      const w = tls.writable.getWriter();
      await w.write(enc('last words'));
      await w.close();
      expect(await serverDone).toEqual({ got: 'last words', cleanly: true });
      expect(await tls.closed).toEqual({ cleanly: true });
    } finally {
      await closeServer(srv);
    }
  });
});
