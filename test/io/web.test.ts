/** The Web Streams adapter, puretls on both ends over in-memory streams. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureWebStream, type ByteStreamPair } from '../../src/io/web.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(() => pki?.cleanup());

/** Two connected byte-stream pairs. */
function pipePair(): [ByteStreamPair, ByteStreamPair] {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  return [
    { readable: ba.readable, writable: ab.writable },
    { readable: ab.readable, writable: ba.writable },
  ];
}

async function readAll(r: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of r as unknown as AsyncIterable<Uint8Array>) parts.push(p);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

describe('secureWebStream', () => {
  it('handshakes, carries data both ways, closes cleanly', async () => {
    const [ct, st] = pipePair();
    const server = secureWebStream(st, { isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, ALPNProtocols: ['x'] });
    const client = secureWebStream(ct, { servername: 'localhost', ca: pki.ca.cert, ALPNProtocols: ['x'] });
    const [ci, si] = await Promise.all([client.handshake, server.handshake]);
    expect(ci.protocol).toBe('TLSv1.3');
    expect(ci.alpnProtocol).toBe('x');
    expect(si.cipherSuite).toBe(ci.cipherSuite);
    expect(ci.peerVerified).toBe(true);

    // Server echoes everything back, then closes when the client does.
    const echo = server.readable.pipeTo(server.writable);
    const data = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
    const w = client.writable.getWriter();
    const reading = readAll(client.readable);
    await w.write(data.subarray(0, 1000));
    await w.write(data.subarray(1000));
    await w.close();
    const got = await reading;
    await echo;
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await client.closed).toEqual({ cleanly: true });
  });

  it('a bad certificate rejects the handshake and errors the readable side', async () => {
    const [ct, st] = pipePair();
    const server = secureWebStream(st, { isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key });
    const client = secureWebStream(ct, { servername: 'localhost', ca: pki.strangerClient.cert });
    await expect(client.handshake).rejects.toMatchObject({ alert: 'unknown_ca' });
    await expect(server.handshake).rejects.toMatchObject({ alert: 'unknown_ca' });
    await expect(client.readable.getReader().read()).rejects.toBeTruthy();
  });
});
