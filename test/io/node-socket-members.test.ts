/**
 * net.Socket members of the Node adapter's TLSSocket, against Node's own tls
 * server: pending/readyState through the socket's life, bytesRead and
 * bytesWritten counting application bytes (as Node's TLSSocket does),
 * bufferSize, setMaxSendFragment (records on the wire no larger than asked),
 * enableTrace() and resetAndDestroy().
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, type TlsSocket } from '../../src/io/node.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
let server: tls.Server;
let port: number;
/** A TCP hop in front of the server that notes the length of each record the client sends. */
let tap: net.Server;
let tapPort: number;
const clientRecordLengths: number[][] = [];
const serverErrors: Error[] = [];

beforeAll(async () => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  server = tls.createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, minVersion: 'TLSv1.3' }, (s) => {
    s.on('error', (e) => serverErrors.push(e));
    s.on('data', (d: Buffer) => {
      // Echo, except the request for a big answer.
      if (d.toString() === 'big') s.write(Buffer.alloc(50_000, 7));
      else s.write(d);
    });
  });
  port = await listen(server);
  tap = net.createServer((down) => {
    const lengths: number[] = [];
    clientRecordLengths.push(lengths);
    const up = net.connect(port, '127.0.0.1');
    let pending = Buffer.alloc(0);
    down.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 5) {
        const len = pending.readUInt16BE(3);
        if (pending.length < 5 + len) break;
        lengths.push(len);
        pending = pending.subarray(5 + len);
      }
      up.write(d);
    });
    up.on('data', (d) => down.write(d));
    down.on('end', () => up.end());
    up.on('end', () => down.end());
    down.on('error', () => up.destroy());
    up.on('error', () => down.destroy());
  });
  tapPort = await listen(tap);
});
afterAll(async () => {
  await closeServer(tap);
  await closeServer(server);
  pki?.cleanup();
});

function open(p = port): TlsSocket {
  return connect({ host: '127.0.0.1', port: p, servername: 'localhost', ca: pki.ca.cert });
}
const once = (s: TlsSocket, ev: string) => new Promise<unknown[]>((res, rej) => {
  s.once(ev, (...a: unknown[]) => res(a));
  if (ev !== 'error') s.once('error', rej);
});
/** The next n bytes (one listener throughout: a flowing stream drops chunks between listeners). */
function readN(s: TlsSocket, n: number): Promise<Buffer> {
  return new Promise((res, rej) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= n) {
        s.off('data', onData);
        s.off('error', rej);
        s.pause();
        res(Buffer.concat(parts));
      }
    };
    s.on('data', onData);
    s.once('error', rej);
    s.resume();
  });
}

/** What stderr received while a socket from `make` had enableTrace() called, completed its handshake and closed. */
async function stderrDuring(make: () => TlsSocket): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const s = make();
    s.enableTrace();
    await once(s, 'secureConnect');
    s.end();
    s.resume();
    await once(s, 'close');
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe('net.Socket members', () => {
  it('pending and readyState follow the socket: opening → open → closed', async () => {
    const s = open();
    expect(s.pending).toBe(true);
    expect(s.readyState).toBe('opening');
    expect(s.connecting).toBe(true);
    await once(s, 'secureConnect');
    expect(s.pending).toBe(false);
    expect(s.connecting).toBe(false);
    expect(s.readyState).toBe('open');
    s.end();
    expect(s.readyState).toBe('readOnly');
    s.resume();
    await once(s, 'close');
    expect(s.readyState).toBe('closed');
    expect(s.pending).toBe(true);
  });

  it('bytesRead and bytesWritten count application bytes, as Node’s TLSSocket', async () => {
    const s = open();
    await once(s, 'secureConnect');
    // Handshake bytes are not counted (Node: 0 and 0 at secureConnect).
    expect(s.bytesRead).toBe(0);
    expect(s.bytesWritten).toBe(0);
    expect(s.bufferSize).toBe(0);
    s.write(Buffer.alloc(100, 1));
    // A queued write counts at once (net.Socket adds its write buffer).
    expect(s.bytesWritten).toBe(100);
    const back = await readN(s, 100);
    expect(back.length).toBe(100);
    expect(s.bytesRead).toBe(100);
    expect(s.bytesWritten).toBe(100);
    s.write('big');
    await readN(s, 50_000);
    expect(s.bytesRead).toBe(50_100);
    expect(s.bytesWritten).toBe(103);
    s.end();
    s.resume();
    await once(s, 'close');
  });

  it('setMaxSendFragment bounds the records we send; out of 512..16384 it answers false and changes nothing', async () => {
    const before = clientRecordLengths.length;
    const s = open(tapPort);
    await once(s, 'secureConnect');
    expect(s.setMaxSendFragment(100)).toBe(false);
    expect(s.setMaxSendFragment(16385)).toBe(false);
    expect(() => s.setMaxSendFragment(1.5)).toThrow(TypeError);
    // The core's own range is RFC 8449's (64..2^14), refused with a RangeError, connection intact.
    expect(() => s.connection.setMaxSendFragment(63)).toThrow(RangeError);
    expect(s.setMaxSendFragment(512)).toBe(true);
    s.write(Buffer.alloc(5000, 2));
    await readN(s, 5000);
    s.end();
    s.resume();
    await once(s, 'close');
    const lengths = clientRecordLengths[before]!;
    // Records after the handshake: 5000 bytes in records of ≤ 512 + 1 (content type) + 16 (tag).
    const appRecords = lengths.filter((n) => n === 512 + 17);
    expect(appRecords.length).toBe(Math.floor(5000 / 512));
    expect(Math.max(...lengths.slice(-12))).toBeLessThanOrEqual(512 + 17);
  });

  it('without setMaxSendFragment records are full size', async () => {
    const before = clientRecordLengths.length;
    const s = open(tapPort);
    await once(s, 'secureConnect');
    s.write(Buffer.alloc(20_000, 3));
    await readN(s, 20_000);
    s.end();
    s.resume();
    await once(s, 'close');
    expect(clientRecordLengths[before]!).toContain(16384 + 17);
  });

  it('enableTrace() prints the handshake messages that follow to stderr, once each', async () => {
    const trace = (await stderrDuring(() => open())).filter((l) => l.startsWith('TLS trace: '));
    expect(trace.some((l) => /Sent finished/i.test(l))).toBe(true);
    expect(trace.filter((l) => /Received server_hello/i.test(l))).toHaveLength(1);
  });

  it('enableTrace() on a socket made with the enableTrace option does not print twice', async () => {
    const lines = await stderrDuring(() => connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, enableTrace: true }));
    expect(lines.filter((l) => /^TLS trace: Received server_hello/i.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^TLS trace: Sent client_hello/i.test(l))).toHaveLength(1);
  });

  it('resetAndDestroy() resets the TCP connection: no close_notify, the server sees ECONNRESET', async () => {
    const errorsBefore = serverErrors.length;
    const s = open();
    await once(s, 'secureConnect');
    s.write('x');
    await readN(s, 1);
    const closed = once(s, 'close');
    s.resetAndDestroy();
    await closed;
    expect(s.destroyed).toBe(true);
    await vi.waitFor(() => expect(serverErrors.length).toBeGreaterThan(errorsBefore), { timeout: 10_000 });
    expect((serverErrors.at(-1) as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });
});
