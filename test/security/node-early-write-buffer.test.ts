/**
 * Node adapter client with earlyData: writes made before the handshake have
 * their callbacks called at once (so several go as 0-RTT data), but their
 * bytes are sent later — as early data, or again after the handshake when
 * the server rejects 0-RTT (RFC 8446 §4.2.10). A Writable's contract lets
 * the application reuse a buffer once its write callback ran, so the adapter
 * must have copied it: what arrives is what was written, not what the
 * buffer holds later.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type TlsSocket } from '../../src/io/node.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
const servers: Server[] = [];
beforeAll(() => { pki = makeTestPki({ keyTypes: ['ecdsa-p256'] }); });
afterAll(async () => {
  for (const s of servers) await closeServer(s);
  pki?.cleanup();
});

/** A server echoing each connection's first 7 bytes back (a line of the tests' length), then closing. */
async function lineServer(accept: boolean): Promise<number> {
  const { cert, key } = pki.server['ecdsa-p256'];
  const server = createServer({ cert, key, maxEarlyData: 4096, acceptEarlyData: () => accept }, (s: TlsSocket) => {
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.length >= 7) s.end(got);
    });
    s.on('error', () => undefined);
  });
  servers.push(server);
  return listen(server);
}

async function exchange(port: number, session: Buffer | undefined, write: (s: TlsSocket) => void) {
  const sock = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, earlyData: true, ...(session ? { session } : {}) });
  let ticket: Buffer | undefined;
  sock.on('session', (b: Buffer) => { ticket = b; });
  write(sock);
  let answer = '';
  await new Promise<void>((res, rej) => {
    sock.on('data', (d: Buffer) => { answer += d.toString('latin1'); });
    sock.once('end', () => res());
    sock.once('error', rej);
  });
  sock.destroy();
  return { answer, session: ticket ?? sock.getSession(), earlyData: sock.info?.earlyData };
}

describe('Node adapter client: a buffer reused after its early write callback', () => {
  for (const accept of [true, false]) {
    it(`0-RTT ${accept ? 'accepted' : 'rejected (sent again after the handshake)'}: the server receives what was written`, async () => {
      const port = await lineServer(accept);
      const first = await exchange(port, undefined, (s) => s.write('hello!\n'));
      expect(first.answer).toBe('hello!\n');
      const second = await exchange(port, first.session, (s) => {
        const buf = Buffer.from('GET /a\n');
        s.write(buf, () => buf.fill(0x58)); // the callback ran: the buffer is ours again
      });
      expect(second.earlyData).toBe(accept ? 'accepted' : 'rejected');
      expect(second.answer).toBe('GET /a\n');
    });
  }
});
