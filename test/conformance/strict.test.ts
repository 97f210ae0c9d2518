/**
 * Strict readings of RFC 8446 that other conformance suites check: obsolete
 * groups (§4.2.7), key_share lengths (§4.2.8.2), record boundaries after a
 * HelloRetryRequest exchange (§5.1), legacy_version (§4.2.1), the
 * compatibility ChangeCipherSpec (§D.4), KeyUpdate answers (§4.6.3) and
 * plaintext alerts around the key change.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { encodeKeyShareClient, encodeKeyShareHrr } from '../../src/handshake/extensions/key-share.js';
import { encodeSupportedGroups, encodeSupportedVersionsServer } from '../../src/handshake/extensions/lists.js';
import { nextTrafficSecret } from '../../src/handshake/key-schedule.js';
import { encodeHandshake } from '../../src/handshake/messages/index.js';
import { ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM } from '../../src/handshake/messages/types.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { CT, ClientProbe, ServerProbe, ccsRecord, ext, record } from './probe.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const serverProbe = (c: ServerConfig = {}): ServerProbe => ServerProbe.create({ certificate: P.server['ecdsa-p256'], ...c });
const clientProbe = (c: ClientConfig = {}): Promise<ClientProbe> =>
  ClientProbe.create({ servername: 'localhost', ca: [P.caPem], ...c }, P.server['ecdsa-p256']);

function expectAlert(p: ServerProbe | ClientProbe, alert: string): void {
  expect(p.alerts).toEqual([alert]);
  expect(p.ep.errors.map((e) => e.alert)).toEqual([alert]);
  expect(p.ep.conn.state).toBe('failed');
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;
const withGroups = (groups: number[]) => (x: ReturnType<typeof ext>[]) => x.map((e) => (e.type === E.supported_groups ? encodeSupportedGroups(groups) : e));

describe('supported_groups: obsolete and reserved codepoints (§4.2.7)', () => {
  for (const g of [0x0001, 0x0009, 0x0013, 0x0016, 0xff01, 0xff02]) {
    it(`${hex4(g)} offered next to x25519 → illegal_parameter`, async () => {
      const p = serverProbe();
      await p.send(record(CT.handshake, p.helloBytes({ editExtensions: withGroups([g, 0x001d]) })));
      expectAlert(p, 'illegal_parameter');
    });
  }
  it('GREASE, x448, secp521r1 and ffdhe groups are not obsolete: the handshake completes on x25519 (our server prefers it here)', async () => {
    const p = serverProbe();
    await p.handshake({ editExtensions: withGroups([0x2a2a, 0x001e, 0x0019, 0x0100, 0x0101, 0x0104, 0x001d]) });
    expect(p.alerts).toEqual([]);
    expect(p.ep.conn.state).toBe('connected');
  });
  it('only groups we do not support (no obsolete ones) → handshake_failure, as before', async () => {
    const p = serverProbe({ groups: ['x25519'] });
    await p.send(record(CT.handshake, p.helloBytes({ shareGroup: null, editExtensions: withGroups([0x0017, 0x0018, 0x0100]) })));
    expectAlert(p, 'handshake_failure');
  });
});

describe('key_share entry lengths (§4.2.8.2)', () => {
  const share = (group: number, len: number) => (x: ReturnType<typeof ext>[]) =>
    x.map((e) => (e.type === E.key_share ? encodeShares([{ group, keyExchange: new Uint8Array(len).fill(4) }]) : e));
  /** encodeKeyShareClient refuses empty entries; build the list by hand. */
  function encodeShares(entries: { group: number; keyExchange: Uint8Array }[]): ReturnType<typeof ext> {
    const body: number[] = [];
    for (const s of entries) body.push(s.group >> 8, s.group & 0xff, s.keyExchange.length >> 8, s.keyExchange.length & 0xff, ...s.keyExchange);
    return ext(E.key_share, [body.length >> 8, body.length & 0xff, ...body]);
  }
  const cases: [string, number, number[]][] = [
    ['x25519', 0x001d, [0, 1, 31, 33, 65]],
    ['secp256r1', 0x0017, [0, 32, 64, 66, 97]],
    ['secp384r1', 0x0018, [0, 65, 96, 98]],
    ['X25519MLKEM768', 0x11ec, [0, 32, 1184, 1215, 1217, 1120]],
    ['SecP256r1MLKEM768', 0x11eb, [0, 65, 1184, 1248, 1250, 1216, 1153]],
    ['SecP384r1MLKEM1024', 0x11ed, [0, 97, 1568, 1664, 1666, 1249]],
    ['x448', 0x001e, [0, 32, 55, 57]],
    ['secp521r1', 0x0019, [0, 97, 132, 134]],
    ['ffdhe2048', 0x0100, [0, 255, 257]],
    ['ffdhe4096', 0x0102, [0, 256, 511]],
    ['ffdhe8192', 0x0104, [0, 768, 1023]],
  ];
  for (const [name, group, lengths] of cases) {
    for (const len of lengths) {
      it(`${name} share of ${len} bytes from a client → illegal_parameter`, async () => {
        const p = serverProbe({ groups: ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768', 'SecP256r1MLKEM768', 'SecP384r1MLKEM1024'] });
        await p.send(record(CT.handshake, p.helloBytes({ shareGroup: null, editExtensions: share(group, len) })));
        expectAlert(p, 'illegal_parameter');
      });
    }
  }
  for (const len of [0, 64]) {
    it(`a secp256r1 share of ${len} bytes after a valid x25519 share (a group we would not pick) → illegal_parameter`, async () => {
      const p = serverProbe({ groups: ['x25519'] });
      await p.send(record(CT.handshake, p.helloBytes({
        editExtensions: (x) => x.map((e) => (e.type === E.key_share ? appendEntry(e.data, 0x0017, new Uint8Array(len).fill(4)) : e)),
      })));
      expectAlert(p, 'illegal_parameter');
    });
  }
  function appendEntry(data: Uint8Array, group: number, key: Uint8Array): ReturnType<typeof ext> {
    const body = [...data.subarray(2), group >> 8, group & 0xff, key.length >> 8, key.length & 0xff, ...key];
    return ext(E.key_share, [body.length >> 8, body.length & 0xff, ...body]);
  }
  it('an empty share for an unknown group stays decode_error (key_exchange<1..2^16-1>)', async () => {
    const p = serverProbe();
    await p.send(record(CT.handshake, p.helloBytes({
      editExtensions: (x) => [...withGroups([0x001d, 0x7a7a])(x)].map((e) => (e.type === E.key_share ? appendEntry(e.data, 0x7a7a, new Uint8Array(0)) : e)),
    })));
    expectAlert(p, 'decode_error');
  });
  for (const len of [0, 31, 33]) {
    it(`ServerHello with an x25519 share of ${len} bytes → illegal_parameter at the client`, async () => {
      const p = await clientProbe();
      await p.send(p.serverHelloBytes((sh) => ({
        ...sh,
        extensions: sh.extensions.map((e) => (e.type === E.key_share ? ext(E.key_share, [0, 0x1d, 0, len, ...new Array<number>(len).fill(9)]) : e)),
      })));
      expectAlert(p, 'illegal_parameter');
    });
  }
  it('a correct share still works (regression guard for the encoder)', async () => {
    const p = serverProbe();
    await p.handshake({ editExtensions: (x) => x.map((e) => (e.type === E.key_share ? encodeKeyShareClient([{ group: 0x1d, keyExchange: p.share!.publicKey }]) : e)) });
    expect(p.ep.conn.state).toBe('connected');
  });
});

/** An HelloRetryRequest asking the probe's client for secp256r1. */
const helloRetryRequest = (p: ClientProbe): Uint8Array => encodeHandshake({
  type: 'server_hello', legacyVersion: 0x0303, random: HELLO_RETRY_REQUEST_RANDOM, legacySessionIdEcho: p.hello!.legacySessionId,
  cipherSuite: 0x1301, legacyCompressionMethod: 0, extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)],
});

describe('record boundaries around a HelloRetryRequest (§5.1)', () => {
  it('the start of the second ClientHello in the record of the first → unexpected_message', async () => {
    const p = serverProbe();
    const ch1 = p.helloBytes({ shareGroup: null });
    const body = new Uint8Array(ch1.length + 4);
    body.set(ch1);
    body.set([1, 0, 0, 200], ch1.length);
    await p.send(record(CT.handshake, body));
    expectAlert(p, 'unexpected_message');
  });
  it('a HelloRetryRequest followed by more handshake bytes in its record → unexpected_message at the client', async () => {
    const p = await clientProbe();
    const hrr = helloRetryRequest(p);
    const body = new Uint8Array(hrr.length + 4);
    body.set(hrr);
    body.set([2, 0, 0, 80], hrr.length);
    await p.send(record(CT.handshake, body));
    expectAlert(p, 'unexpected_message');
  });
  it('the HelloRetryRequest in its own record, then the rest: the client answers with its second ClientHello', async () => {
    const p = await clientProbe();
    const hrr = helloRetryRequest(p);
    await p.send(record(CT.handshake, hrr), ccsRecord());
    expect(p.ep.errors).toEqual([]);
    expect(p.messages.filter((m) => m.msg.type === 'client_hello').length).toBe(2);
  });
});

describe('ClientHello.legacy_version (§4.2.1, §D.5)', () => {
  // §4.2.1: with supported_versions present the server "MUST NOT use the
  // ClientHello.legacy_version value for version negotiation".
  for (const v of [0x0301, 0x0302, 0x0304, 0x0305, 0x7f1c, 0xfefd]) {
    it(`legacy_version ${hex4(v)} with TLS 1.3 in supported_versions → TLS 1.3 handshake`, async () => {
      const p = serverProbe();
      await p.handshake({ legacyVersion: v });
      expect(p.alerts).toEqual([]);
      expect(p.ep.conn.state).toBe('connected');
    });
  }
  it('legacy_version 0x0300 → protocol_version (§D.5)', async () => {
    const p = serverProbe();
    await p.send(record(CT.handshake, p.helloBytes({ legacyVersion: 0x0300 })));
    expectAlert(p, 'protocol_version');
  });
});

describe('plaintext alerts around the key change', () => {
  it('server: a plaintext alert before the client\'s first protected record ends the connection as that alert', async () => {
    const p = serverProbe();
    await p.send(record(CT.handshake, p.helloBytes()));
    expect(p.gotServerFinished).toBe(true);
    await p.send(record(CT.alert, new Uint8Array([2, 42])));
    expect(p.alerts).toEqual([]);
    expect(p.ep.errors.map((e) => [e.alert, e.received])).toEqual([['bad_certificate', true]]);
    expect(p.ep.conn.state).toBe('failed');
  });
  it('server: a plaintext close_notify before the client\'s first protected record closes it (peer_closed_in_handshake), no alert back', async () => {
    const p = serverProbe();
    await p.send(record(CT.handshake, p.helloBytes()), ccsRecord(), record(CT.alert, new Uint8Array([1, 0])));
    expect(p.alerts).toEqual([]);
    expect(p.ep.errors.map((e) => e.code)).toEqual(['peer_closed_in_handshake']);
  });
  it('server: a plaintext handshake record after our ServerHello stays unexpected_message', async () => {
    const p = serverProbe();
    await p.send(record(CT.handshake, p.helloBytes()));
    await p.send(record(CT.handshake, encodeHandshake(p.finished())));
    expectAlert(p, 'unexpected_message');
  });
  it('server: a plaintext alert after the client\'s first protected record → unexpected_message', async () => {
    const p = serverProbe();
    await p.handshake();
    await p.send(record(CT.alert, new Uint8Array([2, 42])));
    expectAlert(p, 'unexpected_message');
  });
  it('client: a plaintext alert after the ServerHello, before any protected record, is read as that alert', async () => {
    const p = await clientProbe();
    await p.send(p.serverHelloBytes(), ccsRecord(), record(CT.alert, new Uint8Array([2, 40])));
    expect(p.alerts).toEqual([]);
    expect(p.ep.errors.map((e) => [e.alert, e.received])).toEqual([['handshake_failure', true]]);
  });
  it('client: a plaintext alert after a protected record → unexpected_message', async () => {
    const p = await clientProbe();
    const sh = p.serverHelloBytes();
    const [ee] = await p.defaultFlight();
    await p.send(sh, p.hsRecord(ee!, { addToTranscript: false }), record(CT.alert, new Uint8Array([2, 40])));
    expectAlert(p, 'unexpected_message');
  });
});

describe('compatibility ChangeCipherSpec placement (§D.4)', () => {
  it('with a session id: exactly one CCS, right after the ServerHello record', async () => {
    const p = serverProbe();
    await p.handshake();
    const types = p.records.map((r) => r.type);
    expect(types.slice(0, 2)).toEqual([CT.handshake, CT.ccs]);
    expect(types.filter((t) => t === CT.ccs).length).toBe(1);
  });
  it('with a session id and a HelloRetryRequest: one CCS, right after the HRR; none after the ServerHello', async () => {
    const p = serverProbe();
    await p.send(record(CT.handshake, p.helloBytes({ shareGroup: null })));
    expect(p.records.map((r) => r.type)).toEqual([CT.handshake, CT.ccs]);
    await p.send(record(CT.handshake, p.retryHelloBytes()));
    const types = p.records.map((r) => r.type);
    expect(types.filter((t) => t === CT.ccs).length).toBe(1);
    expect(types[2]).toBe(CT.handshake);
    expect(p.records[2]!.encrypted).toBe(false);
    expect(p.records.slice(3).every((r) => r.encrypted)).toBe(true);
    expect(p.gotServerFinished).toBe(true);
  });
  it('without a session id, with a HelloRetryRequest: no CCS at all', async () => {
    const p = serverProbe();
    await p.send(record(CT.handshake, p.helloBytes({ shareGroup: null, sessionId: new Uint8Array(0) })));
    await p.send(record(CT.handshake, p.retryHelloBytes()));
    expect(p.gotServerFinished).toBe(true);
    expect(p.records.some((r) => r.type === CT.ccs)).toBe(false);
  });
});

describe('KeyUpdate(update_requested) answers (§4.6.3)', () => {
  const GET = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');
  async function requests(p: ServerProbe, n: number): Promise<Uint8Array[]> {
    const recs: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      recs.push(p.hsRecord({ type: 'key_update', requestUpdate: 1 }, { addToTranscript: false }));
      p.clientAppSecret = nextTrafficSecret(p.provider, p.suite, p.clientAppSecret!);
      p.useApplicationKey();
    }
    return recs;
  }
  const answers = (p: ServerProbe): number[] => p.messages.filter((m) => m.msg.type === 'key_update').map((m) => (m.msg as { requestUpdate: number }).requestUpdate);

  it('one request → exactly one KeyUpdate(update_not_requested)', async () => {
    const p = serverProbe();
    await p.handshake();
    await p.send(...(await requests(p, 1)));
    expect(answers(p)).toEqual([0]);
  });
  it('32 requests received together, then data → 32 answers, one per request (tlsfuzzer "multiple KeyUpdate messages"), data read', async () => {
    const p = serverProbe();
    await p.handshake();
    const recs = await requests(p, 32);
    await p.send(...recs, p.protectedRecord(CT.application_data, GET));
    expect(answers(p)).toEqual(Array<number>(32).fill(0));
    expect(p.ep.data.length).toBe(1);
    expect(p.ep.errors).toEqual([]);
  });
  it('requests in separate flights are each answered', async () => {
    const p = serverProbe();
    await p.handshake();
    await p.send(...(await requests(p, 1)));
    await p.send(...(await requests(p, 1)));
    expect(answers(p)).toEqual([0, 0]);
  });
  it('a request followed by close_notify in the same flight is still answered (we may write after the peer half-closed)', async () => {
    const p = serverProbe();
    await p.handshake();
    const recs = await requests(p, 1);
    await p.send(...recs, p.alertRecord(1, 0));
    expect(answers(p)).toEqual([0]);
    p.ep.conn.keyUpdate(true);
    await p.ep.conn.drained();
    expect(answers(p)).toEqual([0, 1]);
  });
  it('the answer precedes application data the server writes, which the probe reads under the new key', async () => {
    const p = serverProbe();
    await p.handshake();
    await p.send(...(await requests(p, 1)));
    await p.ep.conn.write(new TextEncoder().encode('reply'));
    await p.ep.conn.drained();
    const recs = p.records;
    const kuAt = p.messages.findIndex((m) => m.msg.type === 'key_update');
    expect(kuAt).toBeGreaterThanOrEqual(0);
    const data = recs.filter((r) => r.type === CT.application_data && r.encrypted);
    expect(new TextDecoder().decode(data[data.length - 1]!.content)).toBe('reply');
  });
});
