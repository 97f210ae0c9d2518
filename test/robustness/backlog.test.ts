/**
 * A peer that sends faster than the connection decrypts (an asynchronous
 * AEAD that is slow, or blocked): the adapters stop reading the transport
 * while the connection's backlog is high, instead of buffering up to
 * MAX_PENDING_RECORDS (≈ 68 MB) and then failing with internal_error.
 *
 * The AEAD here is node:crypto's behind a gate the test opens and closes, so
 * "slow" is exact: while closed, nothing is decrypted at all.
 */
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { RECEIVE_BACKLOG_PAUSE } from '../../src/connection/connection.js';
import type { AeadAlgorithm, AeadKey, CryptoProvider } from '../../src/crypto/provider.js';
import { nodeProvider } from '../../src/crypto/node-provider.js';
import { createServer, type TlsSocket } from '../../src/io/node.js';
import { secureWebStream } from '../../src/io/web.js';
import { block, closeServer, listen } from '../interop/helpers/net.js';
import { stalled, until, useWatchedPki } from './hostile.js';

const MiB = 1 << 20;

/** node:crypto, except that AEAD open() waits while the gate is closed. */
function gatedProvider(): { provider: CryptoProvider; close(): void; open(): void } {
  let closed = false;
  let waiting: (() => void)[] = [];
  const wrapKey = (k: AeadKey): AeadKey => ({
    seal: (n, a, p) => k.seal(n, a, p),
    open: (n, a, c) => {
      const copy = Uint8Array.from(c); // the record layer may reuse its buffers meanwhile
      if (!closed) return Promise.resolve(k.open(n, a, copy));
      return new Promise((res) => waiting.push(() => res(k.open(n, a, copy))));
    },
  });
  const provider: CryptoProvider = Object.assign(Object.create(nodeProvider) as CryptoProvider, {
    name: 'gated',
    aead: (alg: AeadAlgorithm) => {
      const a = nodeProvider.aead(alg);
      return { algorithm: a.algorithm, keyLength: a.keyLength, nonceLength: 12 as const, tagLength: 16 as const, importKey: async (key: Uint8Array) => wrapKey(await a.importKey(key)) };
    },
  });
  return {
    provider,
    close: () => { closed = true; },
    open: () => {
      closed = false;
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    },
  };
}

const env = useWatchedPki();

/** A Node tls client that writes `total` bytes as fast as the socket takes them; returns a live count. */
function fastSender(port: number, total: number): { sent: () => number; sock: tls.TLSSocket } {
  let sent = 0;
  const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: env.pki.ca.cert }, async () => {
    const chunk = block('backlog', 0, MiB);
    while (sent < total && !sock.destroyed) {
      sent += chunk.length;
      if (!sock.write(chunk)) await new Promise((r) => { sock.once('drain', r); sock.once('close', r); });
    }
    sock.end();
  });
  sock.on('error', () => undefined);
  return { sent: () => sent, sock };
}

describe('receive backlog (async AEAD slower than the network)', () => {
  it('Node adapter: the socket is paused at the backlog bound; nothing fails; everything arrives once decryption resumes', async () => {
    const gate = gatedProvider();
    let serverSide: TlsSocket | undefined;
    let received = 0;
    let maxPending = 0;
    const errors: Error[] = [];
    const server = createServer({ cert: env.pki.server['ecdsa-p256'].cert, key: env.pki.server['ecdsa-p256'].key, provider: gate.provider }, (s) => {
      serverSide = s;
      s.on('error', (e) => errors.push(e));
      s.on('data', (d: Buffer) => { received += d.length; });
    });
    server.on('tlsClientError', (e: Error) => errors.push(e));
    const port = await listen(server);
    try {
      const total = 64 * MiB;
      const c = fastSender(port, total);
      await until(() => serverSide !== undefined, 20_000, 'handshake');
      gate.close();
      const sample = setInterval(() => { maxPending = Math.max(maxPending, serverSide!.connection.pendingRecords); }, 5);
      const sent = await stalled(c.sent);
      clearInterval(sample);
      maxPending = Math.max(maxPending, serverSide!.connection.pendingRecords);
      expect(errors).toEqual([]);
      expect(serverSide!.connection.state).toBe('connected');
      expect(sent).toBeLessThan(total); // the sender was throttled
      // The bound plus at most one socket read's worth of records (64 KiB of them).
      expect(maxPending).toBeLessThanOrEqual(RECEIVE_BACKLOG_PAUSE + 64);
      gate.open();
      await until(() => received >= total, 60_000, 'all data');
      expect(received).toBe(total);
      expect(errors).toEqual([]);
      c.sock.destroy();
    } finally {
      gate.open();
      serverSide?.destroy();
      await closeServer(server);
    }
  });

  it('Web Streams adapter: the transport is not read past the backlog bound', async () => {
    const gate = gatedProvider();
    let maxPending = 0;
    let received = 0;
    let web: ReturnType<typeof secureWebStream> | undefined;
    const raw = net.createServer((s) => {
      web = secureWebStream(Duplex.toWeb(s) as never, { isServer: true, cert: env.pki.server['ecdsa-p256'].cert, key: env.pki.server['ecdsa-p256'].key, provider: gate.provider });
      void (async () => {
        const r = web!.readable.getReader();
        for (;;) {
          const { value, done } = await r.read().catch(() => ({ value: undefined, done: true }));
          if (done) break;
          received += value!.length;
        }
      })();
    });
    const port = await listen(raw);
    try {
      const total = 64 * MiB;
      const c = fastSender(port, total);
      await until(() => web !== undefined, 20_000, 'connection');
      await web!.handshake;
      gate.close();
      const sample = setInterval(() => { maxPending = Math.max(maxPending, web!.connection.pendingRecords); }, 5);
      const sent = await stalled(c.sent);
      clearInterval(sample);
      expect(web!.connection.state).toBe('connected');
      expect(sent).toBeLessThan(total);
      expect(maxPending).toBeLessThanOrEqual(RECEIVE_BACKLOG_PAUSE + 64);
      gate.open();
      await until(() => received >= total, 60_000, 'all data');
      expect(received).toBe(total);
      c.sock.destroy();
    } finally {
      gate.open();
      await closeServer(raw);
    }
  });
});
