/**
 * After a fatal alert the adapters keep reading (and dropping) the peer's
 * input for a bounded time and size before closing the transport, so that a
 * peer still sending sees our alert instead of a reset (a close with unread
 * input makes the kernel answer with RST, and the peer's write fails with
 * EPIPE/ECONNRESET before it reads the alert): Apache httpd's "lingering close".
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type TlsSocket } from '../../src/io/node.js';
import { LINGER_BYTES, LINGER_IDLE_MS, LINGER_MAX_MS } from '../../src/io/linger.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
beforeAll(() => { pki = makeTestPki({ keyTypes: ['ecdsa-p256'] }); });
afterAll(() => pki?.cleanup());

/** A client that declares a 16 MB handshake message and sends its whole body before it reads (as tlsfuzzer does). */
function hugeHello(port: number): Promise<{ got: Buffer; error: NodeJS.ErrnoException | undefined; errorBeforeAlert: boolean; elapsed: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const chunks: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    let errorBeforeAlert = false;
    const s = net.connect(port, '127.0.0.1', () => {
      const records: Buffer[] = [];
      const first = Buffer.alloc(5 + 16384);
      first.set([22, 3, 1, 0x40, 0x00, 1, 0xff, 0xff, 0xff]);
      records.push(first);
      for (let i = 0; i < 1024; i++) {
        const r = Buffer.alloc(5 + 16384, 0x61);
        r.set([22, 3, 3, 0x40, 0x00]);
        records.push(r);
      }
      s.pause();
      s.write(Buffer.concat(records), () => s.resume());
    });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (chunks.length === 0) errorBeforeAlert = true;
      error = e;
    });
    s.on('close', () => resolve({ got: Buffer.concat(chunks), error, errorBeforeAlert, elapsed: Date.now() - t0 }));
  });
}

describe('lingering close after a fatal alert (Node adapter)', () => {
  it('a client still sending a 16 MB handshake message reads our decode_error alert, not a reset', async () => {
    const errors: Error[] = [];
    const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key }, () => undefined);
    server.on('tlsClientError', (e: Error) => errors.push(e));
    const port = await listen(server);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await hugeHello(port);
        expect(r.error?.code).toBeUndefined(); // the old adapter: EPIPE, the write failed on our reset
        expect(r.errorBeforeAlert).toBe(false);
        // decode_error (50): the declared length exceeds our handshake message limit.
        expect([...r.got.subarray(0, 7)]).toEqual([21, 3, 3, 0, 2, 2, 50]);
        expect(r.elapsed).toBeLessThan(LINGER_MAX_MS + 5000);
      }
      expect((errors[0] as { alert?: string }).alert).toBe('decode_error');
    } finally {
      await closeServer(server);
    }
  });

  /** Sends a 16 MB handshake header, then `then(socket)`; resolves with the time until the server closed its socket. */
  async function closedAfter(then: (s: net.Socket) => () => void): Promise<number> {
    const server = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key }, () => undefined);
    server.on('tlsClientError', () => undefined);
    const rawClosed = new Promise<number>((resolve) => server.on('connection', (raw: net.Socket) => raw.on('close', () => resolve(Date.now()))));
    const port = await listen(server);
    let client: net.Socket | undefined;
    let stop = (): void => undefined;
    try {
      const t0 = await new Promise<number>((resolve) => {
        // allowHalfOpen: our FIN after the alert does not end the client's side.
        client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => {
          client!.write(Buffer.from([22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff]));
          stop = then(client!);
          resolve(Date.now());
        });
        client.on('error', () => undefined);
        client.resume();
      });
      return (await rawClosed) - t0;
    } finally {
      stop();
      client?.destroy();
      await closeServer(server);
    }
  }

  it('a peer that stays silent but keeps the connection open is cut off after LINGER_IDLE_MS', async () => {
    const ms = await closedAfter(() => () => undefined);
    expect(ms).toBeGreaterThanOrEqual(LINGER_IDLE_MS - 100);
    expect(ms).toBeLessThan(LINGER_MAX_MS);
  });

  it('a peer that never stops trickling is cut off after LINGER_MAX_MS; LINGER_BYTES bounds a fast one', async () => {
    expect(LINGER_BYTES).toBeLessThanOrEqual(17 * 1024 * 1024);
    const ms = await closedAfter((s) => {
      const t = setInterval(() => { if (!s.destroyed) s.write(Buffer.alloc(100)); }, 50);
      return () => clearInterval(t);
    });
    expect(ms).toBeGreaterThanOrEqual(LINGER_MAX_MS - 200);
    expect(ms).toBeLessThan(LINGER_MAX_MS + 3000);
  });
});

describe('lingering close after a fatal alert (Web Streams adapter)', () => {
  it('after the decode_error alert the transport is still read (and dropped) until it ends, not cancelled at once', async () => {
    const RECORDS = 64;
    let pulled = 0;
    let cancelled = false;
    let pulledWhenAlertSent = -1;
    const written: Uint8Array[] = [];
    const readable = new ReadableStream<Uint8Array>({
      pull(c) {
        if (pulled === 0) {
          c.enqueue(Uint8Array.from([22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff]));
        } else if (pulled <= RECORDS) {
          const r = new Uint8Array(5 + 16384).fill(0x61);
          r.set([22, 3, 3, 0x40, 0x00]);
          c.enqueue(r);
        } else {
          c.close();
        }
        pulled++;
      },
      cancel() { cancelled = true; },
    }, { highWaterMark: 0 });
    const writable = new WritableStream<Uint8Array>({
      write(chunk) {
        if (written.length === 0) pulledWhenAlertSent = pulled;
        written.push(chunk);
      },
    });
    const { secureWebStream } = await import('../../src/io/web.js');
    const server = secureWebStream({ readable, writable }, { isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key });
    await expect(server.handshake).rejects.toMatchObject({ alert: 'decode_error' });
    await server.closed;
    for (let i = 0; i < 200 && pulled <= RECORDS + 1; i++) await new Promise((r) => setTimeout(r, 5));
    expect([...written[0]!]).toEqual([21, 3, 3, 0, 2, 2, 50]);
    expect(pulledWhenAlertSent).toBeLessThanOrEqual(2);
    expect(pulled).toBe(RECORDS + 2); // every chunk was read, up to the end of the stream
    expect(cancelled).toBe(false);
  });
});
