/**
 * puretls/bun's socket-to-Web-Streams adapter, with a fake Bun socket: partial
 * writes wait for `drain`, a full readable pauses the socket and a pull
 * resumes it, the peer's FIN ends the readable, close() half-closes, a closed
 * socket fails pending writes. (test/runtimes/bun.test.ts runs it in Bun.)
 */
import { describe, expect, it } from 'vitest';
import { bunSocketHandlers, type BunSocket } from '../../src/io/bun.js';
import type { ByteStreamPair } from '../../src/io/web.js';

class FakeSocket implements BunSocket {
  taken: number[] = [];
  room: number;
  paused = false;
  ended = false;
  constructor(room: number) { this.room = room; }
  write(data: Uint8Array): number {
    if (this.ended) return -1;
    const n = Math.min(this.room, data.length);
    this.room -= n;
    for (const b of data.subarray(0, n)) this.taken.push(b);
    return n;
  }
  end(): void { this.ended = true; }
  pause(): void { this.paused = true; }
  resume(): void { this.paused = false; }
}

function open(room: number, highWaterMark = 8) {
  const sock = new FakeSocket(room);
  let pair!: ByteStreamPair;
  const h = bunSocketHandlers((p) => { pair = p; }, { highWaterMark });
  h.open(sock);
  return { sock, h, pair };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('puretls/bun socket adapter', () => {
  it('a partial write resolves only after drain took the rest', async () => {
    const { sock, h, pair } = open(3);
    const w = pair.writable.getWriter();
    let done = false;
    const p = w.write(new Uint8Array([1, 2, 3, 4, 5, 6, 7])).then(() => { done = true; });
    await tick();
    expect(done).toBe(false);
    expect(sock.taken).toEqual([1, 2, 3]);
    sock.room = 2;
    h.drain(sock);
    await tick();
    expect(done).toBe(false);
    sock.room = 100;
    h.drain(sock);
    await p;
    expect(sock.taken).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await w.close();
    expect(sock.ended).toBe(true);
  });

  it('a full readable pauses the socket; reading resumes it; FIN ends it', async () => {
    const { sock, h, pair } = open(100, 8);
    const buf = new Uint8Array([9, 9, 9, 9, 9]);
    h.data(sock, buf);
    buf.fill(0); // Bun may reuse its buffer: the adapter copied it
    expect(sock.paused).toBe(false);
    h.data(sock, new Uint8Array(5));
    expect(sock.paused).toBe(true);
    const r = pair.readable.getReader();
    expect((await r.read()).value).toEqual(new Uint8Array([9, 9, 9, 9, 9]));
    await r.read();
    await tick();
    expect(sock.paused).toBe(false);
    h.end(sock);
    expect((await r.read()).done).toBe(true);
  });

  it('a socket closed with an error fails the pending write and errors the readable', async () => {
    const { sock, h, pair } = open(1);
    const w = pair.writable.getWriter();
    const p = w.write(new Uint8Array(4));
    h.close(sock, new Error('ECONNRESET'));
    await expect(p).rejects.toThrow(/ECONNRESET/);
    await expect(pair.readable.getReader().read()).rejects.toThrow(/ECONNRESET/);
  });
});
