/**
 * Closing and state, RFC 8446 §6.1 and §7.2:
 * - drained() settles only once every record written so far (close_notify,
 *   application data) was handed to onTransmit, also when the AEAD seals
 *   asynchronously: adapters end the transport on it;
 * - nothing is sent after our close_notify, not even the KeyUpdate a peer asks for;
 * - destroy() is final: no callback, no output, receive() ignored;
 * - traffic keys replaced by a KeyUpdate or a key-schedule step are wiped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import type { AeadKey, CryptoProvider } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { makeClient, makeServer, pump, concatAll, type Endpoint } from './helpers.js';
import { pki, type Pki } from './fixtures.js';
import { recordingProvider, slowAeadProvider } from './slow-aead.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array[]): string => new TextDecoder().decode(concatAll(b));
const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function connect(c: ClientConfig = {}, s: ServerConfig = {}): Promise<{ client: Endpoint; server: Endpoint }> {
  const server = makeServer({ certificate: P.server['ecdsa-p256'], ...s });
  const client = makeClient({ servername: 'localhost', ca: [P.caPem], ...c });
  client.conn.start();
  await pump(client, server);
  expect(client.conn.state).toBe('connected');
  expect(server.conn.state).toBe('connected');
  return { client, server };
}

/** Hand `from`'s undelivered output to `to` without waiting for anything. */
function deliver(from: Endpoint, to: Endpoint): void {
  const chunk = from.sent.slice(from.delivered);
  from.delivered = from.sent.length;
  for (const x of chunk) to.conn.receive(x);
}

const PROVIDERS: [string, () => CryptoProvider][] = [
  ['pure', () => pureProvider],
  ['delayed async AEAD', () => slowAeadProvider(5)],
  ['webcrypto', () => webCryptoProvider],
];

describe('drained() waits for every record write', () => {
  for (const [name, provider] of PROVIDERS) {
    it(`${name}: close_notify (and the data before it) reached onTransmit when drained() settles`, async () => {
      const { client, server } = await connect({ provider: provider() });
      const before = client.sent.length;
      void client.conn.write(enc('last words'));
      client.conn.close();
      await client.conn.drained();
      // An adapter ends the transport now: everything must be out already.
      const out = client.sent.slice(before);
      expect(out.length).toBeGreaterThanOrEqual(2);
      for (const x of out) server.conn.receive(x);
      client.delivered = client.sent.length;
      await server.conn.drained();
      expect(dec(server.data)).toBe('last words');
      expect(server.peerClosed).toBe(true);
      expect(server.errors).toEqual([]);
    });
  }
});

describe('nothing is sent after our close_notify', () => {
  for (const [name, provider] of PROVIDERS) {
    it(`${name}: a KeyUpdate(update_requested) arriving after our close_notify is not answered`, async () => {
      const { client, server } = await connect({ provider: provider() });
      client.conn.close();
      await pump(client, server);
      expect(server.peerClosed).toBe(true);
      const sentAfterClose = client.sent.length;
      // The server may still write (half-close) and asks for a KeyUpdate.
      server.conn.keyUpdate(true);
      await server.conn.write(enc('after your close'));
      await pump(client, server);
      expect(dec(client.data)).toBe('after your close');
      expect(client.sent.length).toBe(sentAfterClose);
      expect(client.errors).toEqual([]);
      expect(server.errors).toEqual([]);
      // And the server's own close completes the exchange.
      server.conn.close();
      await pump(client, server);
      expect(client.conn.state).toBe('closed');
      expect(server.conn.state).toBe('closed');
      expect(client.sent.length).toBe(sentAfterClose);
    });
  }

  it('close() during the handshake sends close_notify and abandons the handshake: nothing more is sent, the answer is ignored', async () => {
    const server = makeServer({ certificate: P.server['ecdsa-p256'] });
    const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
    client.conn.start();
    const queued = client.conn.write(enc('never'));
    client.conn.close();
    await client.conn.drained();
    await expect(queued).rejects.toThrow(/before the handshake completed/);
    expect(client.conn.state).toBe('closed');
    const sent = client.sent.length;
    await pump(client, server);
    // The server got ClientHello then close_notify: the peer gave up (no alert back).
    expect(server.errors.map((e) => e.code)).toEqual(['peer_closed_in_handshake']);
    expect(client.info).toBeUndefined();
    expect(client.sent.length).toBe(sent);
    expect(client.errors).toEqual([]);
  });

  it('write() after close() is refused', async () => {
    const { client } = await connect();
    client.conn.close();
    await expect(client.conn.write(enc('x'))).rejects.toThrow(/write after close/);
  });
});

describe('destroy() is final', () => {
  it('receive() is ignored after destroy: no onData, no alert, no error', async () => {
    const { client, server } = await connect();
    await server.conn.write(enc('too late'));
    const sent = client.sent.length;
    client.conn.destroy();
    deliver(server, client);
    await client.conn.drained();
    expect(client.data).toEqual([]);
    expect(client.errors).toEqual([]);
    expect(client.sent.length).toBe(sent);
    // Garbage too: no alert answers it.
    client.conn.receive(new Uint8Array([22, 3, 3, 0, 1, 0]));
    await client.conn.drained();
    expect(client.sent.length).toBe(sent);
    expect(client.errors).toEqual([]);
  });

  it('destroy during the handshake: no handshake completion, no Finished, later input ignored', async () => {
    const provider = slowAeadProvider(5);
    const server = makeServer({ certificate: P.server['ecdsa-p256'] });
    const client = makeClient({ servername: 'localhost', ca: [P.caPem], provider });
    client.conn.start();
    await client.conn.drained();
    deliver(client, server);
    await server.conn.drained();
    // The server's flight: the client starts opening it (asynchronously) and is destroyed meanwhile.
    const firstHalf = server.sent.slice(server.delivered, server.delivered + 1);
    const rest = server.sent.slice(server.delivered + 1);
    server.delivered = server.sent.length;
    for (const x of firstHalf) client.conn.receive(x);
    const sent = client.sent.length;
    client.conn.destroy();
    for (const x of rest) client.conn.receive(x);
    await tick(100);
    await client.conn.drained();
    expect(client.info).toBeUndefined();
    expect(client.sent.length).toBe(sent);
    expect(client.errors).toEqual([]);
    expect(client.conn.state).toBe('closed');
  });

  it('results of asynchronous seals under way are dropped', async () => {
    const { client, server } = await connect({ provider: slowAeadProvider(10) });
    const sent = client.sent.length;
    const w = client.conn.write(enc('never sent'));
    client.conn.destroy();
    await expect(w).rejects.toBeTruthy();
    await tick(60);
    expect(client.sent.length).toBe(sent);
    expect(client.errors).toEqual([]);
    expect(server.errors).toEqual([]);
  });

  it('destroy(error) reports no error through onError and keeps the state failed', async () => {
    const { client } = await connect();
    client.conn.destroy(new Error('boom'));
    await client.conn.drained();
    expect(client.conn.state).toBe('failed');
    expect(client.errors).toEqual([]);
    await expect(client.conn.write(enc('x'))).rejects.toBeTruthy();
  });
});

/** Whether a pure-provider AEAD key has been wiped (AES-GCM: key, round keys, GHASH table; ChaCha20: key). */
function wiped(k: AeadKey): boolean {
  const f = k as unknown as { key?: Uint8Array; rk?: Uint32Array; table?: Uint32Array };
  const zero = (a: ArrayLike<number> | undefined): boolean => a === undefined || Array.prototype.every.call(a, (x: number) => x === 0);
  return zero(f.key) && zero(f.rk) && zero(f.table);
}

describe('replaced traffic keys are destroyed (RFC 8446 §7.2)', () => {
  for (const suite of ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256']) {
    it(`${suite}: handshake keys after the handshake, application keys after each KeyUpdate, all keys after the close`, async () => {
      const rec = recordingProvider();
      const { client, server } = await connect({ provider: rec.provider, cipherSuites: [suite] });
      // Client: handshake read+write keys, then application read+write keys (import order).
      expect(rec.keys.length).toBe(4);
      const [hsA, hsB, ap0A, ap0B] = rec.keys as [AeadKey, AeadKey, AeadKey, AeadKey];
      expect(wiped(hsA)).toBe(true);
      expect(wiped(hsB)).toBe(true);
      // The application keys are in use (after a first record, for AES-GCM's lazy expansion).
      await client.conn.write(enc('hello'));
      await pump(client, server);
      expect(wiped(ap0A) || wiped(ap0B)).toBe(false);

      client.conn.keyUpdate(true); // new write key now, new read key when the server answers
      await pump(client, server);
      await client.conn.write(enc('again'));
      await pump(client, server);
      expect(dec(server.data)).toBe('helloagain');
      expect(rec.keys.length).toBe(6);
      expect(wiped(ap0A)).toBe(true);
      expect(wiped(ap0B)).toBe(true);
      const current = rec.keys.slice(4);
      expect(current.some((k) => !wiped(k))).toBe(true);

      client.conn.close();
      server.conn.close();
      await pump(client, server);
      expect(client.conn.state).toBe('closed');
      expect(rec.keys.every(wiped)).toBe(true);
      expect(client.errors).toEqual([]);
      expect(server.errors).toEqual([]);
    });
  }

  it('the keys are destroyed when the connection fails', async () => {
    const rec = recordingProvider();
    const { client } = await connect({ provider: rec.provider });
    client.conn.receive(new Uint8Array([23, 3, 3, 0, 17, ...new Uint8Array(17)])); // fails authentication
    await client.conn.drained();
    expect(client.errors.map((e) => e.alert)).toEqual(['bad_record_mac']);
    expect(rec.keys.every(wiped)).toBe(true);
  });
});
