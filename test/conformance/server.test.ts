/**
 * The server against the inputs third-party suites send (tlsfuzzer
 * test-tls13-*.py, TLS-Anvil server/tls13 and both/tls13): each case
 * reproduces the suite's bytes on the wire with our codec and checks the
 * alert RFC 8446 names (or that the connection goes on).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { ServerConfig } from '../../src/connection/types.js';
import { encodeKeyShareClient } from '../../src/handshake/extensions/key-share.js';
import { encodeSignatureAlgorithms, encodeSupportedVersionsClient, encodePskKeyExchangeModes } from '../../src/handshake/extensions/lists.js';
import { encodeOfferedPsks } from '../../src/handshake/extensions/psk.js';
import { nextTrafficSecret } from '../../src/handshake/key-schedule.js';
import { encodeHandshake } from '../../src/handshake/messages/index.js';
import { ExtensionType as E } from '../../src/handshake/messages/types.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { CT, ServerProbe, ccsRecord, ext, fragment, record, sealInner, u8 } from './probe.js';
import { expectAlert, expectOpen } from './expect.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const newProbe = (c: ServerConfig = {}): ServerProbe => ServerProbe.create({ certificate: P.server['ecdsa-p256'], ...c });
const GET = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');


async function sendHello(p: ServerProbe, o: Parameters<ServerProbe['helloBytes']>[0] = {}, recordVersion = 0x0301): Promise<void> {
  await p.send(record(CT.handshake, p.helloBytes(o), recordVersion));
}

describe('sanity (tlsfuzzer "sanity" conversation)', () => {
  it('full handshake: SH, CCS (we sent a session id), encrypted flight; data flows; close_notify answered', async () => {
    const p = newProbe();
    await p.handshake();
    expect(p.records.map((r) => r.type).slice(0, 2)).toEqual([CT.handshake, CT.ccs]);
    await p.send(p.protectedRecord(CT.application_data, GET));
    expectOpen(p);
    expect(new TextDecoder().decode(p.ep.data[0])).toBe('GET / HTTP/1.0\r\n\r\n');
    await p.send(p.alertRecord(1, 0));
    expect(p.ep.peerClosed).toBe(true);
    expect(p.ep.errors).toEqual([]);
  });

  it('no compatibility CCS when the client sent no session id', async () => {
    const p = newProbe();
    await p.handshake({ sessionId: new Uint8Array(0) });
    expect(p.records.some((r) => r.type === CT.ccs)).toBe(false);
    expectOpen(p);
  });
});

describe('legacy_version and versions (test-tls13-legacy-version, -version-negotiation; Anvil ClientHello)', () => {
  // RFC 8446 §D.5: legacy_version 0x0300 or less → protocol_version.
  for (const v of [0x0300, 0x0000, 0x0200, 0x0002, 0x0100, 0x0103, 0x0102, 0x0001]) {
    it(`legacy_version 0x${v.toString(16).padStart(4, '0')} → protocol_version`, async () => {
      const p = newProbe();
      await sendHello(p, { legacyVersion: v });
      expectAlert(p, 'protocol_version');
    });
  }
  // §4.1.2 says legacy_version MUST be 0x0303, but §4.2.1 forbids negotiating on it
  // when supported_versions is present: other values are served (see strict.test.ts).
  // §5.1 / §D.2: legacy_record_version MUST be ignored (Anvil ignoresInitialRecordVersion, tlsfuzzer "SSL 3.x in record layer").
  for (const rv of [0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0305]) {
    it(`record version 0x${rv.toString(16)} on the ClientHello is ignored`, async () => {
      const p = newProbe();
      await sendHello(p, {}, rv);
      expect(p.gotServerFinished).toBe(true);
      expect(p.alerts).toEqual([]);
    });
  }
  it('supported_versions with only TLS "1.8" → protocol_version', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.supported_versions ? encodeSupportedVersionsClient([0x0309]) : e)) });
    expectAlert(p, 'protocol_version');
  });
  it('GREASE versions and TLS 1.3 in supported_versions → TLS 1.3', async () => {
    const p = newProbe();
    await p.handshake({ editExtensions: (x) => x.map((e) => (e.type === E.supported_versions ? encodeSupportedVersionsClient([0x7a7a, 0x0304, 0x0303]) : e)) });
    expectOpen(p);
  });
});

describe('ChangeCipherSpec (test-tls13-ccs, -multiple-ccs-messages; RFC 8446 §5)', () => {
  it('CCS before the ClientHello → unexpected_message', async () => {
    const p = newProbe();
    await p.send(ccsRecord());
    expectAlert(p, 'unexpected_message');
  });
  it('one CCS after the ClientHello is dropped', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes()), ccsRecord());
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    expectOpen(p);
  });
  it('ClientHello and two CCS in one packet → full server flight, then unexpected_message', async () => {
    const p = newProbe();
    const ch = record(CT.handshake, p.helloBytes());
    const all = new Uint8Array(ch.length + 12);
    all.set(ch);
    all.set(ccsRecord(), ch.length);
    all.set(ccsRecord(), ch.length + 6);
    await p.send(all);
    expect(p.gotServerFinished).toBe(true);
    expectAlert(p, 'unexpected_message');
  });
  it('a second CCS before the client Finished → unexpected_message', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes()), ccsRecord());
    p.useHandshakeKey();
    await p.send(ccsRecord(), p.hsRecord(p.finished()));
    expectAlert(p, 'unexpected_message');
  });
  it('CCS after the client Finished → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(ccsRecord());
    expectAlert(p, 'unexpected_message');
  });
  it('CCS record holding two 0x01 bytes → unexpected_message', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes()), record(CT.ccs, u8(1, 1)));
    expectAlert(p, 'unexpected_message');
  });
  it('encrypted CCS (inner type 20) → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.protectedRecord(CT.ccs, u8(1)));
    expectAlert(p, 'unexpected_message');
  });
});

describe('alerts (test-tls13-empty-alert; Anvil AlertProtocol)', () => {
  for (const keys of ['handshake', 'application'] as const) {
    for (const pad of [0, 2, 5, 30]) {
      it(`empty alert record under ${keys} keys, ${pad} bytes of padding → unexpected_message`, async () => {
        const p = newProbe();
        if (keys === 'handshake') {
          await sendHello(p);
          p.useHandshakeKey();
        } else {
          await p.handshake();
        }
        await p.send(p.protectedRecord(CT.alert, new Uint8Array(0), pad));
        expectAlert(p, 'unexpected_message');
      });
    }
  }
  it('alert record of 3 bytes → decode_error', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.alert, u8(1, 0, 0)));
    expectAlert(p, 'decode_error');
  });
  it('an error alert at warning level is fatal (we answer nothing)', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.alertRecord(1, 40));
    expect(p.ep.conn.state).toBe('failed');
    expect(p.ep.errors.map((e) => [e.alert, e.received])).toEqual([['handshake_failure', true]]);
    expect(p.alerts).toEqual([]);
  });
  it('an unknown alert (200) is fatal', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.alertRecord(2, 200));
    expect(p.ep.conn.state).toBe('failed');
    expect(p.ep.errors[0]!.received).toBe(true);
  });
  it('user_canceled then close_notify during the handshake closes without an alert from us', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.alertRecord(1, 90), p.alertRecord(1, 0));
    expect(p.alerts).toEqual([]);
    expect(p.ep.conn.state).toBe('failed');
  });
});

describe('record layer limits (test-tls13-record-layer-limits; Anvil RecordProtocol)', () => {
  it('2^14 bytes of application data in one record is accepted', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array(1 << 14).fill(0x41)));
    expectOpen(p);
    expect(p.ep.data[0]!.length).toBe(1 << 14);
  });
  it('2^14 + 1 bytes of application data → record_overflow', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array((1 << 14) + 1)));
    expectAlert(p, 'record_overflow');
  });
  it('2^14 - 8 bytes of data plus padding up to 2^14 + 2 inner bytes → record_overflow', async () => {
    const p = newProbe();
    await p.handshake();
    const data = new Uint8Array((1 << 14) - 8);
    await p.send(p.protectedRecord(CT.application_data, data, (1 << 14) + 2 - data.length - 1));
    expectAlert(p, 'record_overflow');
  });
  it('maximal padding: 1 byte of data and 2^14 - 1 zeros is accepted', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.application_data, u8(0x41), (1 << 14) - 1));
    expectOpen(p);
  });
  it('a record of padding only (zero-length data) is accepted', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array(0), 100));
    expectOpen(p);
  });
  it('Finished with 2^14 - 36 bytes of left padding (2^14 payload) → decode_error', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    const fin = encodeHandshake(p.finished());
    const padded = new Uint8Array((1 << 14));
    padded.set([20, 0, ((1 << 14) - 4) >> 8, ((1 << 14) - 4) & 0xff]);
    padded.set(fin.subarray(4), padded.length - 32);
    await p.send(p.protectedRecord(CT.handshake, padded));
    expectAlert(p, 'decode_error');
  });
  it('Finished padded to a 2^14 + 256 ciphertext → record_overflow (inner plaintext too long)', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished(), { pad: (1 << 14) + 256 - 32 - 16 - 5 }));
    expectAlert(p, 'record_overflow');
  });
  it('ciphertext of 2^14 + 257 bytes → record_overflow', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array((1 << 14) + 240)));
    expectAlert(p, 'record_overflow');
  });
  it('ClientHello of exactly 2^14 bytes (padding extension) in one record is accepted', async () => {
    const p = newProbe();
    const base = encodeHandshake(p.makeHello()).length;
    const pad = (1 << 14) - base - 4;
    await sendHello(p, { editExtensions: (x) => [ext(E.padding, new Uint8Array(pad)), ...x] });
    expect(p.gotServerFinished).toBe(true);
  });
  it('ClientHello of 2^14 + 1 bytes in one record → record_overflow', async () => {
    const p = newProbe();
    const base = encodeHandshake(p.makeHello()).length;
    const pad = (1 << 14) - base - 4 + 1;
    await sendHello(p, { editExtensions: (x) => [ext(E.padding, new Uint8Array(pad)), ...x] });
    expectAlert(p, 'record_overflow');
  });
  it('protected record whose plaintext is all zeros (no content type) → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(sealInner(p.out!, new Uint8Array(4)));
    expectAlert(p, 'unexpected_message');
  });
  it('AEAD tag flipped → bad_record_mac', async () => {
    const p = newProbe();
    await p.handshake();
    const r = p.protectedRecord(CT.application_data, GET);
    r[r.length - 1] ^= 0x80;
    await p.send(r);
    expectAlert(p, 'bad_record_mac');
  });
  for (const t of [0, 24, 0xff]) {
    it(`unknown content type ${t} → unexpected_message`, async () => {
      const p = newProbe();
      await p.handshake();
      await p.send(record(t, u8(1, 2, 3)));
      expectAlert(p, 'unexpected_message');
    });
  }
  it('unknown outer content type 0xff on the encrypted Finished → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    const r = p.hsRecord(p.finished());
    r[0] = 0xff;
    await p.send(r);
    expectAlert(p, 'unexpected_message');
  });
});

describe('zero-length records (test-tls13-zero-length-data; Anvil zeroLengthRecord_*)', () => {
  it('zero-length application data records between data, with and without padding', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(
      p.protectedRecord(CT.application_data, new Uint8Array(0)),
      p.protectedRecord(CT.application_data, new TextEncoder().encode('GET /')),
      p.protectedRecord(CT.application_data, new Uint8Array(0), 30),
      p.protectedRecord(CT.application_data, new TextEncoder().encode(' HTTP/1.0\r\n\r\n')),
    );
    expectOpen(p);
    expect(new TextDecoder().decode(Buffer.concat(p.ep.data))).toBe('GET / HTTP/1.0\r\n\r\n');
  });
  it('zero-length application data before the client Finished → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array(0), 30));
    expectAlert(p, 'unexpected_message');
  });
  it('zero-length application data between two fragments of the ClientHello → unexpected_message', async () => {
    const p = newProbe();
    const [a, b] = fragment(CT.handshake, p.helloBytes(), 100);
    await p.send(a!, record(CT.application_data, new Uint8Array(0)), b!);
    expectAlert(p, 'unexpected_message');
  });
  it('zero-length handshake record → unexpected_message', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, new Uint8Array(0)));
    expectAlert(p, 'unexpected_message');
  });
  it('zero-length protected handshake record (padding only) → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.protectedRecord(CT.handshake, new Uint8Array(0), 10));
    expectAlert(p, 'unexpected_message');
  });
});

describe('handshake message framing across records (§5.1)', () => {
  it('ClientHello fragmented into 1-byte records is accepted', async () => {
    const p = newProbe();
    await p.send(...fragment(CT.handshake, p.helloBytes(), 1));
    expect(p.gotServerFinished).toBe(true);
  });
  it('ClientHello followed by more handshake bytes in the same record → unexpected_message (spans a key change)', async () => {
    const p = newProbe();
    const ch = p.helloBytes();
    const body = new Uint8Array(ch.length + 4);
    body.set(ch);
    body.set([20, 0, 0, 32], ch.length);
    await p.send(record(CT.handshake, body));
    expectAlert(p, 'unexpected_message');
  });
  it('client Finished fragmented, with an alert record in between → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    const fin = encodeHandshake(p.finished());
    await p.send(p.protectedRecord(CT.handshake, fin.subarray(0, 10)), p.alertRecord(1, 0), p.protectedRecord(CT.handshake, fin.subarray(10)));
    expectAlert(p, 'unexpected_message');
  });
  it('client Finished split over two records is accepted', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    const fin = encodeHandshake(p.finished());
    p.transcript.add(fin);
    await p.send(p.protectedRecord(CT.handshake, fin.subarray(0, 16)), p.protectedRecord(CT.handshake, fin.subarray(16)));
    expectOpen(p);
  });
});

describe('ClientHello contents (keyshare-omitted, large-number-of-extensions, signature-algorithms, invalid ciphers; Anvil ClientHello/KeyShare)', () => {
  it('key_share omitted → missing_extension', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.filter((e) => e.type !== E.key_share) });
    expectAlert(p, 'missing_extension');
  });
  it('supported_groups omitted → missing_extension', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.filter((e) => e.type !== E.supported_groups) });
    expectAlert(p, 'missing_extension');
  });
  it('key_share and supported_groups omitted → missing_extension', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.filter((e) => e.type !== E.supported_groups && e.type !== E.key_share) });
    expectAlert(p, 'missing_extension');
  });
  it('empty key_share extension body → decode_error', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.key_share ? ext(E.key_share) : e)) });
    expectAlert(p, 'decode_error');
  });
  it('x25519 key_share entry with an empty key_exchange → illegal_parameter (§4.2.8.2: not the group\'s length)', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.key_share ? ext(E.key_share, [0, 4, 0, 0x1d, 0, 0]) : e)) });
    expectAlert(p, 'illegal_parameter');
  });
  it('empty client_shares list → HelloRetryRequest', async () => {
    const p = newProbe();
    await sendHello(p, { shareGroup: null });
    expect(p.helloRetry).toBeDefined();
    expect(p.records.map((r) => r.type)).toEqual([CT.handshake, CT.ccs]);
    await p.send(record(CT.handshake, p.retryHelloBytes()));
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    expectOpen(p);
  });
  it('4096 empty unassigned extensions (ClientHello over 2^14, in two records) are ignored', async () => {
    const p = newProbe();
    const unknown = Array.from({ length: 4096 }, (_, i) => ext(0x1000 + i));
    const ch = p.helloBytes({ editExtensions: (x) => [...unknown, ...x] });
    await p.send(...fragment(CT.handshake, ch, 1 << 14));
    expect(p.gotServerFinished).toBe(true);
    expect(p.serverHello!.extensions.map((e) => e.type).sort()).toEqual([E.supported_versions, E.key_share].sort());
  });
  it('32717 signature schemes (the largest ClientHello) are accepted', async () => {
    const p = newProbe();
    const schemes = [...new Array<number>(32715).fill(0x0202), 0x0403, 0x0804];
    const ch = p.helloBytes({ editExtensions: (x) => x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms(schemes) : e)) });
    expect(ch.length).toBeGreaterThan(65536);
    await p.send(...fragment(CT.handshake, ch, 1 << 14));
    expect(p.gotServerFinished).toBe(true);
  });
  it('GREASE and unknown cipher suites, groups and extensions are ignored', async () => {
    const p = newProbe();
    await p.handshake({
      suites: [0x0a0a, 0xfe00, 0x1301],
      editExtensions: (x) => [ext(0x1a1a), ext(0xba9f, new Uint8Array(32)), ...x.map((e) => {
        if (e.type === E.supported_groups) return ext(E.supported_groups, [0, 6, 0x7b, 0x7c, 0x2a, 0x2a, 0, 0x1d]);
        if (e.type === E.key_share) {
          const d = e.data;
          const entry = d.subarray(2);
          const fake = [0x7b, 0x7c, 0, 56, ...new Array(56).fill(0)];
          const body = [...fake, ...entry];
          return ext(E.key_share, [body.length >> 8, body.length & 0xff, ...body]);
        }
        return e;
      })],
    });
    expectOpen(p);
  });
  it('no cipher suite in common → handshake_failure', async () => {
    const p = newProbe();
    await sendHello(p, { suites: [0x002f, 0x00ff] });
    expectAlert(p, 'handshake_failure');
  });
  it('empty cipher_suites → decode_error', async () => {
    const p = newProbe();
    const ch = p.helloBytes({ suites: [0x1301] });
    // cipher_suites<2..2^16-2> at offset 4 + 2 + 32 + 1 + 32: rewrite [00 02 13 01] as [00 00], fix the lengths.
    const at = 4 + 2 + 32 + 1 + 32;
    const body = new Uint8Array(ch.length - 2);
    body.set(ch.subarray(0, at));
    body.set([0, 0], at);
    body.set(ch.subarray(at + 4), at + 2);
    const len = body.length - 4;
    body.set([1, len >> 16, (len >> 8) & 0xff, len & 0xff]);
    await p.send(record(CT.handshake, body));
    expectAlert(p, 'decode_error');
  });
  it('no signature scheme usable with our key → handshake_failure', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms([0x0201, 0x0804]) : e)) });
    expectAlert(p, 'handshake_failure');
  });
  it('all-zero x25519 share (small-order point) → illegal_parameter', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.key_share ? encodeKeyShareClient([{ group: 0x1d, keyExchange: new Uint8Array(32) }]) : e)) });
    expectAlert(p, 'illegal_parameter');
  });
  it('secp256r1 share that is not on the curve → illegal_parameter', async () => {
    const p = newProbe({ groups: ['secp256r1'] });
    const bad = new Uint8Array(65);
    bad[0] = 4;
    bad[64] = 1;
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.key_share ? encodeKeyShareClient([{ group: 0x17, keyExchange: bad }]) : e)) });
    expectAlert(p, 'illegal_parameter');
  });
});

describe('pre_shared_key from a client (we have no PSK: full handshake; test-tls13-0rtt-garbage "invalid PSK")', () => {
  const psk = encodeOfferedPsks({ identities: [{ identity: new Uint8Array(320).fill(7), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32).fill(9)] });
  it('unknown PSK identity with psk_dhe_ke → ignored, full handshake', async () => {
    const p = newProbe();
    await p.handshake({ editExtensions: (x) => [...x, encodePskKeyExchangeModes([1, 0]), psk] });
    expectOpen(p);
    expect(p.serverHello!.extensions.some((e) => e.type === E.pre_shared_key)).toBe(false);
  });
  it('pre_shared_key without psk_key_exchange_modes → missing_extension (§4.2.9)', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => [...x, psk] });
    expectAlert(p, 'missing_extension');
  });
  it('psk_ke only with a PSK we do not know, and no key_share → handshake_failure', async () => {
    const p = newProbe();
    await sendHello(p, { extensions: [encodeSupportedVersionsClient([0x0304]), encodePskKeyExchangeModes([0]), psk] });
    expectAlert(p, 'handshake_failure');
  });
});

describe('0-RTT we do not accept (test-tls13-0rtt-garbage; RFC 8446 §4.2.10)', () => {
  const earlyExts = (x: ReturnType<typeof ext>[]): ReturnType<typeof ext>[] => [
    ...x, ext(E.early_data), encodePskKeyExchangeModes([1, 0]),
    encodeOfferedPsks({ identities: [{ identity: new Uint8Array(320).fill(7), obfuscatedTicketAge: 12345 }], binders: [new Uint8Array(32).fill(9)] }),
  ];
  const garbage = (n: number): Uint8Array => record(CT.application_data, new Uint8Array(n).fill(0xa5));

  it('early data records are skipped; the handshake completes', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ editExtensions: earlyExts })), garbage(1 << 14));
    expect(p.serverHello!.extensions.some((e) => e.type === E.early_data)).toBe(false);
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    expectOpen(p);
  });
  it('more skipped early data than the limit (64 KiB with 0-RTT off) → bad_record_mac, never unbounded trial decryption', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ editExtensions: earlyExts })), garbage(1 << 14), garbage(1 << 14), garbage(1 << 14), garbage(1 << 14));
    expect(p.ep.errors).toEqual([]); // 64 KiB skipped so far
    await p.send(garbage(16));
    expectAlert(p, 'bad_record_mac');
  });
  it('fragmented early data and a CCS between early data records are skipped', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ editExtensions: earlyExts })), garbage(8192), ccsRecord(), garbage(8192));
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    p.useApplicationKey();
    await p.send(p.protectedRecord(CT.application_data, GET));
    expectOpen(p);
    expect(p.ep.data.length).toBe(1);
  });
  it('an undecryptable record after the first client handshake record → bad_record_mac', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ editExtensions: earlyExts })), garbage(1 << 14));
    p.useHandshakeKey();
    const fin = encodeHandshake(p.finished());
    await p.send(p.protectedRecord(CT.handshake, fin.subarray(0, 16)), garbage(64));
    expectAlert(p, 'bad_record_mac');
  });
  it('early data, HelloRetryRequest, second ClientHello: handshake completes', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ shareGroup: null, editExtensions: earlyExts })), garbage(1 << 14));
    expect(p.helloRetry).toBeDefined();
    await p.send(record(CT.handshake, p.retryHelloBytes()));
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    expectOpen(p);
  });
  it('early data, HRR, second ClientHello, then a plaintext application_data record → bad_record_mac', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ shareGroup: null, editExtensions: earlyExts })), garbage(1 << 14));
    await p.send(record(CT.handshake, p.retryHelloBytes()));
    expect(p.gotServerFinished).toBe(true);
    await p.send(garbage(64));
    expectAlert(p, 'bad_record_mac');
  });
  it('early data, HRR, second ClientHello still offering early_data → illegal_parameter (§4.1.2)', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ shareGroup: null, editExtensions: earlyExts })), garbage(1 << 14));
    expect(p.helloRetry).toBeDefined();
    // ClientHello2 as it must be, but with early_data left where it was (before the PSK extensions).
    const keepEarlyData = (x: ReturnType<typeof ext>[]): ReturnType<typeof ext>[] => {
      const i = x.findIndex((e) => e.type === E.psk_key_exchange_modes);
      return [...x.slice(0, i), ext(E.early_data), ...x.slice(i)];
    };
    await p.send(record(CT.handshake, p.retryHelloBytes(keepEarlyData)));
    expectAlert(p, 'illegal_parameter');
  });
  it('HRR, then a second ClientHello adding early_data → illegal_parameter (§4.1.2)', async () => {
    const p = newProbe();
    await sendHello(p, { shareGroup: null });
    expect(p.helloRetry).toBeDefined();
    await p.send(record(CT.handshake, p.retryHelloBytes((x) => [...x, ext(E.early_data)])));
    expectAlert(p, 'illegal_parameter');
  });
  it('EndOfEarlyData when we never accepted early data → unexpected_message', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes({ editExtensions: earlyExts })));
    p.useHandshakeKey();
    await p.send(p.hsRecord({ type: 'end_of_early_data' }));
    expectAlert(p, 'unexpected_message');
  });
});

describe('HelloRetryRequest (test-tls13-hrr; Anvil HelloRetryRequest)', () => {
  async function retried(): Promise<ServerProbe> {
    const p = newProbe();
    await sendHello(p, { shareGroup: null });
    expect(p.helloRetry).toBeDefined();
    return p;
  }
  it('HRR carries supported_versions and key_share only, then exactly one CCS', async () => {
    const p = await retried();
    expect(p.helloRetry!.extensions.map((e) => e.type).sort()).toEqual([E.supported_versions, E.key_share].sort());
    expect(p.helloRetry!.legacySessionIdEcho).toEqual(p.hello!.legacySessionId);
    await p.send(record(CT.handshake, p.retryHelloBytes()));
    expect(p.records.filter((r) => r.type === CT.ccs).length).toBe(1);
  });
  it('second ClientHello with a different random → illegal_parameter', async () => {
    const p = await retried();
    const raw = p.retryHelloBytes();
    raw[6] ^= 1;
    await p.send(record(CT.handshake, raw));
    expectAlert(p, 'illegal_parameter');
  });
  it('second ClientHello with a cookie we never sent → illegal_parameter', async () => {
    const p = await retried();
    await p.send(record(CT.handshake, p.retryHelloBytes((x) => [...x, ext(E.cookie, [0, 2, 1, 2])])));
    expectAlert(p, 'illegal_parameter');
  });
  it('second ClientHello still without a key share → illegal_parameter', async () => {
    const p = await retried();
    await p.send(record(CT.handshake, p.retryHelloBytes((x) => x.map((e) => (e.type === E.key_share ? encodeKeyShareClient([]) : e)))));
    expectAlert(p, 'illegal_parameter');
  });
  it('second ClientHello with its extensions in reverse order → illegal_parameter (test-tls13-shuffled-extentions)', async () => {
    const p = await retried();
    await p.send(record(CT.handshake, p.retryHelloBytes((x) => [...x].reverse())));
    expectAlert(p, 'illegal_parameter');
  });
  it('second ClientHello adding an extension → illegal_parameter', async () => {
    const p = await retried();
    await p.send(record(CT.handshake, p.retryHelloBytes((x) => [ext(0x5a5a), ...x])));
    expectAlert(p, 'illegal_parameter');
  });
  it('a third ClientHello → unexpected_message', async () => {
    const p = await retried();
    const ch2 = p.retryHelloBytes();
    await p.send(record(CT.handshake, ch2));
    await p.send(record(CT.handshake, ch2));
    expectAlert(p, 'unexpected_message');
  });
});

describe('after the handshake: KeyUpdate, close_notify (test-tls13-keyupdate; Anvil KeyUpdate)', () => {
  it('KeyUpdate and application data in one TCP segment: data decrypts under the new key', async () => {
    const p = newProbe();
    await p.handshake();
    const ku = p.hsRecord({ type: 'key_update', requestUpdate: 0 }, { addToTranscript: false });
    p.clientAppSecret = nextTrafficSecret(p.provider, p.suite, p.clientAppSecret!);
    p.useApplicationKey();
    const data = p.protectedRecord(CT.application_data, GET);
    const both = new Uint8Array(ku.length + data.length);
    both.set(ku);
    both.set(data, ku.length);
    await p.send(both);
    expectOpen(p);
    expect(p.ep.data.length).toBe(1);
  });
  it('KeyUpdate with update_requested is answered with a KeyUpdate (update_not_requested)', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.hsRecord({ type: 'key_update', requestUpdate: 1 }, { addToTranscript: false }));
    expectOpen(p);
    const kus = p.messages.filter((m) => m.msg.type === 'key_update');
    expect(kus.map((m) => (m.msg as { requestUpdate: number }).requestUpdate)).toEqual([0]);
  });
  for (const together of [true, false]) {
    it(`32 KeyUpdates with update_requested ${together ? 'in one TCP segment' : 'in 32 separate reads'}, then data: 32 answers, each update_not_requested (tlsfuzzer "multiple KeyUpdate messages"), data read`, async () => {
      const p = newProbe();
      await p.handshake();
      const recs: Uint8Array[] = [];
      for (let i = 0; i < 32; i++) {
        recs.push(p.hsRecord({ type: 'key_update', requestUpdate: 1 }, { addToTranscript: false }));
        p.clientAppSecret = nextTrafficSecret(p.provider, p.suite, p.clientAppSecret!);
        p.useApplicationKey();
      }
      recs.push(p.protectedRecord(CT.application_data, GET));
      if (together) await p.send(...recs);
      else for (const r of recs) await p.send(r);
      expectOpen(p);
      const kus = p.messages.filter((m) => m.msg.type === 'key_update');
      expect(kus.map((m) => (m.msg as { requestUpdate: number }).requestUpdate)).toEqual(Array<number>(32).fill(0));
      expect(p.ep.data.length).toBe(1);
    });
  }
  for (const [name, body] of [['empty', u8(24, 0, 0, 0)], ['2-byte', u8(24, 0, 0, 2, 0, 0)]] as const) {
    it(`${name} KeyUpdate → decode_error`, async () => {
      const p = newProbe();
      await p.handshake();
      await p.send(p.protectedRecord(CT.handshake, body));
      expectAlert(p, 'decode_error');
    });
  }
  it('KeyUpdate with request_update 255 → illegal_parameter', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.handshake, u8(24, 0, 0, 1, 255)));
    expectAlert(p, 'illegal_parameter');
  });
  it('KeyUpdate followed by another handshake message in the same record → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    const ku = encodeHandshake({ type: 'key_update', requestUpdate: 0 });
    const two = new Uint8Array(ku.length * 2);
    two.set(ku);
    two.set(ku, ku.length);
    await p.send(p.protectedRecord(CT.handshake, two));
    expectAlert(p, 'unexpected_message');
  });
  it('KeyUpdate before the client Finished → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.hsRecord({ type: 'key_update', requestUpdate: 0 }, { addToTranscript: false }));
    expectAlert(p, 'unexpected_message');
  });
  it('records after close_notify are ignored', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.alertRecord(1, 0));
    await p.send(p.protectedRecord(CT.application_data, GET), record(0xff, u8(1)));
    expect(p.ep.data.length).toBe(0);
    expect(p.ep.errors).toEqual([]);
    expect(p.alerts).toEqual([]);
  });
  it('a client Finished that does not verify → decrypt_error', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    const fin = p.finished() as { type: 'finished'; verifyData: Uint8Array };
    fin.verifyData[0] ^= 1;
    await p.send(p.hsRecord(fin));
    expectAlert(p, 'decrypt_error');
  });
});

describe('client certificates (Anvil server Certificate/CertificateVerify with client auth)', () => {
  async function withRequest(clientAuth: 'request' | 'require'): Promise<ServerProbe> {
    const p = newProbe({ clientAuth, ca: [P.caPem] });
    await sendHello(p);
    expect(p.messages.some((m) => m.msg.type === 'certificate_request')).toBe(true);
    p.useHandshakeKey();
    return p;
  }
  it('empty client Certificate when a certificate is required → certificate_required', async () => {
    const p = await withRequest('require');
    await p.send(p.hsRecord({ type: 'certificate', context: new Uint8Array(0), entries: [] }), p.hsRecord(p.finished()));
    expectAlert(p, 'certificate_required');
  });
  it('empty client Certificate when a certificate is only requested → handshake completes', async () => {
    const p = await withRequest('request');
    await p.send(p.hsRecord({ type: 'certificate', context: new Uint8Array(0), entries: [] }));
    await p.send(p.hsRecord(p.finished()));
    expectOpen(p);
  });
  it('client CertificateVerify with an empty signature → decrypt_error', async () => {
    const p = await withRequest('require');
    await p.send(p.hsRecord({ type: 'certificate', context: new Uint8Array(0), entries: [{ data: P.client.chain[0]!, extensions: [] }] }));
    await p.send(p.hsRecord({ type: 'certificate_verify', scheme: 0x0403, signature: new Uint8Array(0) }));
    expectAlert(p, 'decrypt_error');
  });
  it('client CertificateVerify with a scheme absent from our CertificateRequest (rsa_pkcs1_sha256) → illegal_parameter', async () => {
    const p = await withRequest('require');
    await p.send(p.hsRecord({ type: 'certificate', context: new Uint8Array(0), entries: [{ data: P.client.chain[0]!, extensions: [] }] }));
    await p.send(p.hsRecord({ type: 'certificate_verify', scheme: 0x0401, signature: new Uint8Array(64) }));
    expectAlert(p, 'illegal_parameter');
  });
  it('client Finished without the Certificate we required → unexpected_message', async () => {
    const p = await withRequest('require');
    await p.send(p.hsRecord(p.finished()));
    expectAlert(p, 'unexpected_message');
  });
});

describe('not TLS 1.3 at all', () => {
  it('an SSLv2-compatible ClientHello → an alert and the connection fails', async () => {
    const p = newProbe();
    // msg_length 0x802e, MSG-CLIENT-HELLO, version 3.1, cipher_spec_length 3, session 0, challenge 32
    const v2 = u8(0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x2f, ...new Array(32).fill(1));
    await p.send(v2);
    expect(p.ep.conn.state).toBe('failed');
    expect(p.alerts.length).toBe(1);
  });
  it('an HTTP request → an alert and the connection fails', async () => {
    const p = newProbe();
    await p.send(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(p.ep.conn.state).toBe('failed');
    expect(p.alerts.length).toBe(1);
  });
});
