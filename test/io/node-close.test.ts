/**
 * RFC 8446 §6.1 through the Node adapter: `end()` sends close_notify before
 * the TCP socket is ended, also when the AEAD seals asynchronously (WebCrypto,
 * or a deliberately delayed one), so the peer sees a clean close and never a
 * truncation; both when we close first and when we answer the peer's close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { connect, createServer, type TlsSocket } from '../../src/io/node.js';
import { slowAeadProvider } from '../connection/slow-aead.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(() => pki?.cleanup());

interface Seen { data: string; cleanly: boolean }

/** Resolves at the socket's 'end' with what it read and whether close_notify came first. */
function ended(s: TlsSocket): Promise<Seen> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return new Promise((resolve, reject) => {
    s.once('end', () => resolve({ data: Buffer.concat(parts).toString(), cleanly: s.peerClosedCleanly }));
    s.once('error', reject);
  });
}

const PROVIDERS: [string, () => 'webcrypto' | CryptoProvider][] = [
  ['webcrypto', () => 'webcrypto'],
  ['delayed async AEAD', () => slowAeadProvider(20)],
];

describe('the Node adapter sends close_notify before ending the socket', () => {
  for (const [name, provider] of PROVIDERS) {
    it(`${name}: the client ends first; the server receives its data and close_notify`, async () => {
      let serverSeen!: (v: Promise<Seen>) => void;
      const seen = new Promise<Seen>((r) => { serverSeen = (v) => r(v); });
      const srv = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key }, (s) => {
        serverSeen(ended(s));
      });
      const port = await listen(srv);
      try {
        const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, provider: provider() });
        await new Promise<void>((r, j) => { c.once('secureConnect', () => r()); c.once('error', j); });
        const clientSeen = ended(c);
        c.end('goodbye');
        expect(await seen).toEqual({ data: 'goodbye', cleanly: true });
        // The server (allowHalfOpen false) answers with its own close_notify.
        expect((await clientSeen).cleanly).toBe(true);
      } finally {
        await closeServer(srv);
      }
    });

    it(`${name}: the server ends first; the client receives its data and close_notify, and answers with its own`, async () => {
      let serverSeen!: (v: Promise<Seen>) => void;
      const seen = new Promise<Seen>((r) => { serverSeen = (v) => r(v); });
      const srv = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, provider: provider() }, (s) => {
        serverSeen(ended(s));
        s.end('server says bye'); // the connection callback runs once the handshake is done
      });
      const port = await listen(srv);
      try {
        const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, provider: provider() });
        expect(await ended(c)).toEqual({ data: 'server says bye', cleanly: true });
        expect(await seen).toEqual({ data: '', cleanly: true });
      } finally {
        await closeServer(srv);
      }
    });
  }

  it('end() before the handshake is done: the handshake completes, then close_notify; the client still reads', async () => {
    let serverSeen!: (v: Promise<Seen>) => void;
    const seen = new Promise<Seen>((r) => { serverSeen = (v) => r(v); });
    const srv = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, allowHalfOpen: true }, (s) => {
      serverSeen(ended(s));
      s.end('server speaks first');
    });
    const port = await listen(srv);
    try {
      const c = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert });
      c.end(); // nothing to send
      expect(await ended(c)).toEqual({ data: 'server speaks first', cleanly: true });
      expect(await seen).toEqual({ data: '', cleanly: true });
    } finally {
      await closeServer(srv);
    }
  });
});
