/**
 * 0-RTT early data (RFC 8446 §2.3) through the Web Streams adapter, puretls
 * on both ends: connections made with one server options object share
 * ticket keys and the strike register; `maxEarlyData` enables 0-RTT; the
 * early bytes come first in `readable`, counted by `earlyDataBytes`;
 * `acceptEarlyData` decides per connection; wrong-role options are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureWebStream, type ByteStreamPair, type WebSecureOptions } from '../../src/io/web.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
beforeAll(() => { pki = makeTestPki({ keyTypes: ['ecdsa-p256'] }); });
afterAll(() => pki?.cleanup());

function pipePair(): [ByteStreamPair, ByteStreamPair] {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  return [{ readable: ba.readable, writable: ab.writable }, { readable: ab.readable, writable: ba.writable }];
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** One connection: the client writes `text` before the handshake; the server reads it (and counts the early bytes). */
async function exchange(serverOptions: WebSecureOptions, clientExtra: WebSecureOptions, text: string) {
  const [ct, st] = pipePair();
  let session: Uint8Array | undefined;
  const server = secureWebStream(st, serverOptions);
  const client = secureWebStream(ct, { servername: 'localhost', ca: pki.ca.cert, earlyData: true, onSession: (s) => { session = s; }, ...clientExtra });
  const w = client.writable.getWriter();
  const wrote = w.write(enc(text));
  const reader = server.readable.getReader();
  let got = '';
  let earlyAtFirstRead: number | undefined;
  while (got.length < text.length) {
    const { value, done } = await reader.read();
    if (done) break;
    earlyAtFirstRead ??= server.earlyDataBytes;
    got += new TextDecoder().decode(value);
  }
  await wrote;
  const [ci, si] = await Promise.all([client.handshake, server.handshake]);
  // Let a ticket sent after the handshake reach the client.
  const sw = server.writable.getWriter();
  await sw.write(enc('ok'));
  await client.readable.getReader().read();
  return { got, ci, si, session, earlyDataBytes: server.earlyDataBytes, earlyAtFirstRead };
}

describe('secureWebStream: 0-RTT server', () => {
  const serverOptions = (extra: WebSecureOptions = {}): WebSecureOptions => ({
    isServer: true, cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, maxEarlyData: 1024, ...extra,
  });

  it('accepted: the early bytes come first in readable, counted by earlyDataBytes', async () => {
    const so = serverOptions(); // one options object: its connections share ticket keys
    const first = await exchange(so, {}, 'first');
    expect(first.si.resumed).toBe(false);
    expect(first.earlyDataBytes).toBe(0);
    const second = await exchange(so, { session: first.session! }, 'GET / early');
    expect(second.si.resumed).toBe(true);
    expect(second.si.earlyData).toBe('accepted');
    expect(second.ci.earlyData).toBe('accepted');
    expect(second.got).toBe('GET / early');
    expect(second.earlyDataBytes).toBe(11);
    expect(second.earlyAtFirstRead).toBe(11);
  });

  it('acceptEarlyData false: rejected, the data arrives after the handshake (earlyDataBytes 0)', async () => {
    const so = serverOptions({ acceptEarlyData: () => false });
    const first = await exchange(so, {}, 'first');
    const second = await exchange(so, { session: first.session! }, 'POST /pay');
    expect(second.si.earlyData).toBe('rejected');
    expect(second.got).toBe('POST /pay');
    expect(second.earlyDataBytes).toBe(0);
  });

  it('options in the wrong role are refused, naming them', () => {
    const [ct, st] = pipePair();
    expect(() => secureWebStream(st, serverOptions({ earlyData: true }))).toThrow(/earlyData: a client option/);
    expect(() => secureWebStream(ct, { servername: 'localhost', ca: pki.ca.cert, maxEarlyData: 10 })).toThrow(/maxEarlyData: a server option/);
    expect(() => secureWebStream(st, serverOptions({ maxEarlyData: 1.5 }))).toThrow(/maxEarlyData must be an integer/);
  });
});
