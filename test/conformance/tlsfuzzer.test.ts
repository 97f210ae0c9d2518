/**
 * A review of the server against tlsfuzzer's TLS 1.3 scripts
 * (github.com/tlsfuzzer/tlsfuzzer, scripts/test-tls13-*.py): each case
 * names the script and the conversation it mirrors, sends the same bytes
 * with the scripted peer of probe.ts and checks the alert (or the
 * behaviour) the script expects, where RFC 8446 agrees. Cases already in
 * server.test.ts / strict.test.ts are not repeated here.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { ServerConfig } from '../../src/connection/types.js';
import { encodeKeyShareClient } from '../../src/handshake/extensions/key-share.js';
import { encodeOfferedPsks } from '../../src/handshake/extensions/psk.js';
import { encodeHandshake } from '../../src/handshake/messages/index.js';
import { encodePskKeyExchangeModes, encodeSignatureAlgorithms, encodeSupportedGroups, encodeSupportedVersionsClient } from '../../src/handshake/extensions/lists.js';
import { ExtensionType as E } from '../../src/handshake/messages/types.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { CT, ServerProbe, ext, fragment, record, sealInner } from './probe.js';
import { expectAlert, expectOpen } from './expect.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const newProbe = (c: ServerConfig = {}): ServerProbe => ServerProbe.create({ certificate: P.server['ecdsa-p256'], ...c });
const GET = new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n');


async function sendHello(p: ServerProbe, o: Parameters<ServerProbe['helloBytes']>[0] = {}): Promise<void> {
  await p.send(record(CT.handshake, p.helloBytes(o), 0x0301));
}

/** A Finished message whose body is `body` (any length), header included. */
function finishedWithBody(body: Uint8Array): Uint8Array {
  const m = new Uint8Array(4 + body.length);
  m.set([20, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]);
  m.set(body, 4);
  return m;
}

/** Replace the signature_algorithms extension with raw bytes. */
const rawSigAlgs = (data: number[]) => (x: ReturnType<typeof ext>[]) =>
  x.map((e) => (e.type === E.signature_algorithms ? ext(E.signature_algorithms, data) : e));

describe('test-tls13-zero-content-type: a protected record with no non-zero byte (§5.4)', () => {
  it('"zero content type after handshake" → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(sealInner(p.out!, new Uint8Array(1)));
    expectAlert(p, 'unexpected_message');
  });
  it('"zero content type with padding after handshake" (42 zeros) → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(sealInner(p.out!, new Uint8Array(43)));
    expectAlert(p, 'unexpected_message');
  });
  it('"zero content type during handshake" (instead of the client Finished) → unexpected_message', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(sealInner(p.out!, new Uint8Array(1)));
    expectAlert(p, 'unexpected_message');
  });
  it('"zero content type and padding during application data" → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.application_data, new TextEncoder().encode('GET /')), sealInner(p.out!, new Uint8Array(43)));
    expectAlert(p, 'unexpected_message');
  });
});

describe('test-tls13-finished: malformed client Finished', () => {
  for (const [suite, hashLen] of [[0x1301, 32], [0x1302, 48]] as const) {
    const name = suite === 0x1301 ? 'TLS_AES_128_GCM_SHA256' : 'TLS_AES_256_GCM_SHA384';
    const start = async (): Promise<ServerProbe> => {
      const p = newProbe();
      await sendHello(p, { suites: [suite, 0x00ff] });
      expect(p.gotServerFinished).toBe(true);
      p.useHandshakeKey();
      return p;
    };
    const verify = (p: ServerProbe): Uint8Array => {
      const f = p.finished();
      return f.type === 'finished' ? f.verifyData : new Uint8Array(0);
    };
    it(`"empty - cipher ${name}" → decode_error`, async () => {
      const p = await start();
      await p.send(p.protectedRecord(CT.handshake, finishedWithBody(new Uint8Array(0))));
      expectAlert(p, 'decode_error');
    });
    for (const [s, e] of [[0, -1], [0, -16], [0, 12], [1, undefined], [16, undefined]] as const) {
      it(`"truncation - cipher ${name}, start ${s}, end ${e}" → decode_error`, async () => {
        const p = await start();
        await p.send(p.protectedRecord(CT.handshake, finishedWithBody(verify(p).slice(s, e))));
        expectAlert(p, 'decode_error');
      });
    }
    for (const [left, right] of [[0, 1], [0, 16], [1, 0], [8, 8], [12, 0], [0, (1 << 14) - 4 - hashLen]] as const) {
      it(`"padding - cipher ${name}, pad_left ${left}, pad_right ${right}" → decode_error`, async () => {
        const p = await start();
        const body = new Uint8Array(left + hashLen + right);
        body.set(verify(p), left);
        await p.send(p.protectedRecord(CT.handshake, finishedWithBody(body)));
        expectAlert(p, 'decode_error');
      });
    }
    for (const right of [0x20000, 0x30000, 256 ** 3 - 1 - hashLen]) {
      it(`"padding - cipher ${name}, pad_right ${right}" (a Finished of ${hashLen + right} bytes in 2^14-byte records) → decode_error at its header`, async () => {
        const p = await start();
        const body = new Uint8Array(hashLen + right);
        body.set(verify(p));
        const msg = finishedWithBody(body);
        // tlsfuzzer sends it all; the server must answer after the first record, without buffering the rest.
        await p.send(p.protectedRecord(CT.handshake, msg.subarray(0, 1 << 14)));
        expectAlert(p, 'decode_error');
      });
    }
    it(`"single bit error - cipher ${name}" (last byte) → decrypt_error`, async () => {
      const p = await start();
      const v = verify(p).slice();
      expect(v.length).toBe(hashLen);
      v[hashLen - 1] ^= 1;
      await p.send(p.protectedRecord(CT.handshake, finishedWithBody(v)));
      expectAlert(p, 'decrypt_error');
    });
  }
});

describe('test-tls13-record-layer-limits', () => {
  it('"too big payload (2**14 + 1) of Finished msg, with 16349 bytes of left padding" → record_overflow', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    const body = new Uint8Array((1 << 14) - 32 - 4 + 1 + 32);
    await p.send(p.protectedRecord(CT.handshake, finishedWithBody(body)));
    expectAlert(p, 'record_overflow');
  });
  it('"too big Finished msg, with 16332 bytes of record layer padding" (ciphertext 2^14 + 257) → record_overflow', async () => {
    const p = newProbe();
    await sendHello(p);
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished(), { pad: (1 << 14) + 256 - 32 - 16 - 5 + 1 }));
    expectAlert(p, 'record_overflow');
  });
  for (const [suite, name] of [[0x1301, 'TLS_AES_128_GCM_SHA256'], [0x1303, 'TLS_CHACHA20_POLY1305_SHA256']] as const) {
    it(`"max size payload in app_data, cipher ${name}" is read; 2^14 + 1 → record_overflow`, async () => {
      const p = newProbe();
      await p.handshake({ suites: [suite, 0x00ff] });
      await p.send(p.protectedRecord(CT.application_data, new Uint8Array(1 << 14).fill(0x41)));
      expectOpen(p);
      expect(p.ep.data.reduce((n, d) => n + d.length, 0)).toBe(1 << 14);
      await p.send(p.protectedRecord(CT.application_data, new Uint8Array((1 << 14) + 1)));
      expectAlert(p, 'record_overflow');
    });
  }
  it('"too big ciphertext with size 2**14 + 256 and fuzzed tag" → record_overflow (length checked before decryption)', async () => {
    const p = newProbe();
    await p.handshake();
    const r = p.protectedRecord(CT.application_data, new Uint8Array((1 << 14) + 256 - 16));
    r[r.length - 1] ^= 1;
    await p.send(r);
    expectAlert(p, 'record_overflow');
  });
});

describe('test-tls13-signature-algorithms', () => {
  it('"tolerance legacy RSA PKCS#1.5" and "tolerance unallocated 0x0A01 (10+RSA) method": unusable schemes in the list are skipped', async () => {
    const p = newProbe({ certificate: P.server.rsa2048 });
    await p.handshake({ editExtensions: (x) => x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms([0x0201, 0x0a01, 0x0804, 0x0809]) : e)) });
    expectOpen(p);
    const cv = p.messages.find((m) => m.msg.type === 'certificate_verify')!.msg;
    expect(cv.type === 'certificate_verify' && cv.scheme).toBe(0x0804);
  });
  it('"duplicated 32715 non-rsa schemes" and "32715 invalid schemes" (rsa_pkcs1_sha1 repeated) are tolerated', async () => {
    for (const filler of [0x0202, 0x0201]) {
      const p = newProbe({ certificate: P.server.rsa2048 });
      const schemes = [...new Array<number>(32715).fill(filler), 0x0804, 0x0809];
      const ch = p.helloBytes({ editExtensions: (x) => x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms(schemes) : e)) });
      await p.send(...fragment(CT.handshake, ch, 1 << 14));
      expect(p.gotServerFinished).toBe(true);
    }
  });
  it('"empty list of signature methods" → decode_error', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: rawSigAlgs([0, 0]) });
    expectAlert(p, 'decode_error');
  });
  it('"only undefined sigalgs" → handshake_failure', async () => {
    const p = newProbe({ certificate: P.server.rsa2048 });
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms([0x0418, 0x1801, 0x0a0a, 0x0918, 0xffff]) : e)) });
    expectAlert(p, 'handshake_failure');
  });
  it('"only legacy sigalgs" (rsa_pkcs1_sha1, rsa_pkcs1_sha512) with an RSA certificate → handshake_failure (§4.2.3: not for TLS 1.3 CertificateVerify)', async () => {
    const p = newProbe({ certificate: P.server.rsa2048 });
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms([0x0201, 0x0601]) : e)) });
    expectAlert(p, 'handshake_failure');
  });
  for (const [name, data] of [
    ['padded sigalgs', [0, 4, 8, 4, 8, 9, 4, 3]],
    ['one byte array', [0, 1, 2]],
    ['three byte array', [0, 5, 8, 4, 8, 9, 2]],
  ] as const) {
    it(`"${name}" → decode_error`, async () => {
      const p = newProbe();
      await sendHello(p, { editExtensions: rawSigAlgs([...data]) });
      expectAlert(p, 'decode_error');
    });
  }
  it('"fuzz length inside extension to N" (list length 4 ^ i, i = 1..255) → decode_error', async () => {
    for (let i = 1; i < 0x100; i++) {
      const p = newProbe();
      const len = 4 ^ i;
      await sendHello(p, { editExtensions: rawSigAlgs([len >> 8, len & 0xff, 8, 4, 8, 9]) });
      expect([i, p.alerts]).toEqual([i, ['decode_error']]);
    }
  });
});

describe('test-tls13-count-tickets / test-tls13-session-resumption: NewSessionTicket', () => {
  it('"count NewSessionTickets": exactly the configured number, right after the client Finished (before any application data)', async () => {
    for (const n of [1, 2, 3]) {
      const p = newProbe({ sessionTickets: n });
      await p.handshake({ editExtensions: (x) => [...x, encodePskKeyExchangeModes([1])] });
      expect(p.messages.filter((m) => m.msg.type === 'new_session_ticket').length).toBe(n);
      expectOpen(p);
    }
  });
});

describe('test-tls13-psk_ke / test-tls13-psk_dhe_ke: external PSK', () => {
  const identity = new TextEncoder().encode('test');
  const key = new Uint8Array(32).fill(0xaa);
  it('psk_ke "sanity": a ClientHello with only supported_versions, psk_key_exchange_modes and pre_shared_key → ServerHello without key_share, no Certificate', async () => {
    const p = newProbe({ psks: [{ identity, key }], pskKeyExchangeModes: ['psk_ke'] });
    const ch = p.pskHelloBytes(identity, key, { extensions: [encodeSupportedVersionsClient([0x0304, 0x0303]), encodePskKeyExchangeModes([0])], shareGroup: null });
    await p.send(record(CT.handshake, ch, 0x0301));
    expect(p.gotServerFinished).toBe(true);
    expect(p.serverHello!.extensions.map((e) => e.type).sort()).toEqual([E.supported_versions, E.pre_shared_key].sort());
    expect(p.messages.map((m) => m.msg.type)).toEqual(['server_hello', 'encrypted_extensions', 'finished']);
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    p.useApplicationKey();
    await p.send(p.protectedRecord(CT.application_data, GET));
    expectOpen(p);
    expect(p.ep.data.length).toBe(1);
  });
  it('psk_dhe_ke "sanity": with a key share → ServerHello with key_share and pre_shared_key', async () => {
    const p = newProbe({ psks: [{ identity, key }] });
    const ch = p.pskHelloBytes(identity, key, {
      extensions: [encodeSupportedVersionsClient([0x0304, 0x0303]), encodePskKeyExchangeModes([1]), encodeSupportedGroups([0x001d])],
      editExtensions: (x) => [...x, encodeKeyShareClient([{ group: 0x001d, keyExchange: p.share!.publicKey }])],
    });
    await p.send(record(CT.handshake, ch, 0x0301));
    expect(p.gotServerFinished).toBe(true);
    expect(p.serverHello!.extensions.map((e) => e.type).sort()).toEqual([E.supported_versions, E.key_share, E.pre_shared_key].sort());
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    expectOpen(p);
  });
});

describe('test-tls13-unrecognised-groups', () => {
  const known = 0x0017;
  for (const [range, groups] of [['EC', Array.from({ length: 221 }, (_, i) => 34 + i)], ['FFDHE', Array.from({ length: 246 }, (_, i) => 261 + i)]] as const) {
    for (const size of [64, 256]) {
      it(`"only unknown key_share from ${range} range, key_share of size ${size} + secp256r1 in supported_groups" → HelloRetryRequest for secp256r1, then the handshake`, async () => {
        const p = newProbe({ groups: ['secp256r1'] });
        const shares = groups.map((g) => ({ group: g, keyExchange: new Uint8Array(size).fill(0xab) }));
        const ch = p.helloBytes({
          editExtensions: (x) => x.map((e) => {
            if (e.type === E.supported_groups) return encodeSupportedGroups([known, ...groups]);
            if (e.type === E.key_share) return encodeKeyShareClient(shares);
            return e;
          }),
        });
        await p.send(...fragment(CT.handshake, ch, 1 << 14));
        expect(p.helloRetry).toBeDefined();
        await p.send(...fragment(CT.handshake, p.retryHelloBytes(), 1 << 14));
        p.useHandshakeKey();
        await p.send(p.hsRecord(p.finished()));
        expectOpen(p);
      });
      it(`"only unknown supported_groups from ${range} range, key_share of size ${size}" → handshake_failure`, async () => {
        const p = newProbe();
        const shares = groups.map((g) => ({ group: g, keyExchange: new Uint8Array(size).fill(0xab) }));
        const ch = p.helloBytes({
          editExtensions: (x) => x.map((e) => {
            if (e.type === E.supported_groups) return encodeSupportedGroups([...groups]);
            if (e.type === E.key_share) return encodeKeyShareClient(shares);
            return e;
          }),
        });
        await p.send(...fragment(CT.handshake, ch, 1 << 14));
        expectAlert(p, 'handshake_failure');
      });
    }
  }
});

describe('alerts and records before the ClientHello', () => {
  it('empty plaintext alert record before the ClientHello → unexpected_message (test-tls13-empty-alert, §5.1)', async () => {
    const p = newProbe();
    await p.send(record(CT.alert, new Uint8Array(0)));
    expectAlert(p, 'unexpected_message');
  });
  it('zero-length plaintext application_data before the ClientHello → unexpected_message (test-tls13-zero-length-data)', async () => {
    const p = newProbe();
    await p.send(record(CT.application_data, new Uint8Array(0)));
    expectAlert(p, 'unexpected_message');
  });
});

describe('test-tls13-large-number-of-extensions (and test-tls13-shuffled-extentions\' unassigned ranges)', () => {
  // The script's "unassigned" list: ids it expects a TLS 1.3 server to ignore.
  const ids: number[] = [];
  const range = (a: number, b: number): void => { for (let i = a; i < b; i++) ids.push(i); };
  range(2, 5); range(6, 10); ids.push(11, 12, 17); range(22, 28); range(29, 41); ids.push(46); range(52, 65536);
  // 27 is compress_certificate (RFC 8879), which we implement: a malformed one
  // is a decode_error (RFC 8446 §4), so it is run apart, as tlslite-ng runs the
  // script with --exc for the extensions it implements.
  const ignored = ids.filter((i) => i !== E.compress_certificate);
  /** A deterministic byte source (xorshift32), so a failure names the same payloads every run. */
  function prng(seed: number): () => number {
    let x = seed;
    return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  }
  async function handshakeWith(extra: ReturnType<typeof ext>[]): Promise<ServerProbe> {
    const p = newProbe();
    const ch = p.helloBytes({ editExtensions: (x) => [...extra, ...x] });
    await p.send(...fragment(CT.handshake, ch, 1 << 14));
    return p;
  }
  it('"empty unassigned extensions, ids in range ..." (chunks of 4096): ignored, nothing echoed', async () => {
    for (let j = 0; j < ignored.length; j += 4096) {
      const chunk = ignored.slice(j, j + 4096);
      const p = await handshakeWith(chunk.map((i) => ext(i)));
      expect([chunk[0], p.alerts]).toEqual([chunk[0], []]);
      expect(p.serverHello!.extensions.map((e) => e.type).sort()).toEqual([E.supported_versions, E.key_share].sort());
      const ee = p.messages.find((m) => m.msg.type === 'encrypted_extensions')!.msg;
      // Only our own supported_groups (RFC 8446 §4.2.7: the server may send its groups, the client offered supported_groups); none of the unknown ids.
      expect(ee.type === 'encrypted_extensions' && ee.extensions.map((e) => e.type)).toEqual([E.supported_groups]);
    }
  }, 60_000);
  it('"unassigned extensions with random payload, ids in range ..." (chunks of 1024, payloads of 0..64 bytes): ignored', async () => {
    const next = prng(0x7f4a7c15);
    for (let j = 0; j < ignored.length; j += 1024) {
      const chunk = ignored.slice(j, j + 1024);
      const p = await handshakeWith(chunk.map((i) => {
        const body = new Uint8Array(next() % 65);
        for (let k = 0; k < body.length; k++) body[k] = next() & 0xff;
        return ext(i, body);
      }));
      expect([chunk[0], p.alerts]).toEqual([chunk[0], []]);
      expect(p.gotServerFinished).toBe(true);
    }
  }, 120_000);
  it('an empty compress_certificate (27; the script counts it unassigned) → decode_error (RFC 8879 §3: algorithms<2..2^8-2>)', async () => {
    const p = await handshakeWith([ext(E.compress_certificate)]);
    expectAlert(p, 'decode_error');
  });
});

describe('test-tls13-invalid-ciphers / test-tls13-nociphers', () => {
  it('"non-existing cipher 0x1306..0x13ff with valid one" → TLS_AES_128_GCM_SHA256 is chosen', async () => {
    for (let c = 0x1306; c < 0x1400; c += 0x31) {
      const p = newProbe();
      await p.handshake({ suites: [c, 0x1301, 0x00ff] });
      expect([c, p.serverHello!.cipherSuite]).toEqual([c, 0x1301]);
      expectOpen(p);
    }
  });
  it('"only invalid cipher X" (unassigned TLS 1.3 codes, TLS 1.2 and SSLv3 suites, the SCSV) → handshake_failure', async () => {
    for (const c of [0x1306, 0x13ff, 0x0000, 0x0004, 0x002f, 0x0035, 0x009c, 0xc02b, 0xc02f, 0xcca8, 0x00ff, 0x5600]) {
      const p = newProbe();
      await sendHello(p, { suites: [c] });
      expect([c, p.alerts]).toEqual([c, ['handshake_failure']]);
    }
  });
});

describe('test-tls13-rsa-signatures / -pkcs-signature / -rsapss-signatures (an rsaEncryption certificate)', () => {
  const offer = (schemes: number[]) => (x: ReturnType<typeof ext>[]) =>
    x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms(schemes) : e));
  for (const [scheme, name] of [[0x0804, 'rsa_pss_rsae_sha256'], [0x0805, 'rsa_pss_rsae_sha384'], [0x0806, 'rsa_pss_rsae_sha512']] as const) {
    it(`"tls13 signature ${name}": the CertificateVerify uses it`, async () => {
      const p = newProbe({ certificate: P.server.rsa2048 });
      await p.handshake({ editExtensions: offer([scheme]) });
      expectOpen(p);
      const cv = p.messages.find((m) => m.msg.type === 'certificate_verify')!.msg;
      expect(cv.type === 'certificate_verify' && cv.scheme).toBe(scheme);
    });
  }
  for (const [scheme, name] of [
    [0x0809, 'rsa_pss_pss_sha256'], [0x080a, 'rsa_pss_pss_sha384'], [0x080b, 'rsa_pss_pss_sha512'],
    [0x0101, 'rsa_pkcs1_md5'], [0x0201, 'rsa_pkcs1_sha1'], [0x0301, 'rsa_pkcs1_sha224'],
    [0x0401, 'rsa_pkcs1_sha256'], [0x0501, 'rsa_pkcs1_sha384'], [0x0601, 'rsa_pkcs1_sha512'],
  ] as const) {
    it(`"${name}" alone → handshake_failure (no usable TLS 1.3 scheme for an rsaEncryption key)`, async () => {
      const p = newProbe({ certificate: P.server.rsa2048 });
      await sendHello(p, { editExtensions: offer([scheme]) });
      expectAlert(p, 'handshake_failure');
    });
  }
});

describe('ClientHello framing (test-tls13-version-negotiation, the ClientHello fuzzers)', () => {
  /** The ClientHello body after `legacy_session_id` = `sid`, with its lengths fixed. */
  function helloWithSessionId(p: ServerProbe, sid: Uint8Array): Uint8Array {
    const ch = p.helloBytes({ sessionId: new Uint8Array(0) });
    const at = 4 + 2 + 32; // the session id length byte
    const out = new Uint8Array(ch.length + sid.length);
    out.set(ch.subarray(0, at));
    out[at] = sid.length;
    out.set(sid, at + 1);
    out.set(ch.subarray(at + 1), at + 1 + sid.length);
    const len = out.length - 4;
    out.set([1, len >> 16, (len >> 8) & 0xff, len & 0xff]);
    return out;
  }
  it('"SSL 3.0 in supported version" → protocol_version', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => x.map((e) => (e.type === E.supported_versions ? encodeSupportedVersionsClient([0x0300]) : e)) });
    expectAlert(p, 'protocol_version');
  });
  it('"TLS 1.3 in client hello legacy field" without supported_versions → protocol_version (we implement only TLS 1.3; the script expects a TLS 1.2 ServerHello)', async () => {
    const p = newProbe();
    await sendHello(p, { legacyVersion: 0x0304, editExtensions: (x) => x.filter((e) => e.type !== E.supported_versions) });
    expectAlert(p, 'protocol_version');
  });
  it('a legacy_session_id of 33 bytes → decode_error (legacy_session_id<0..32>)', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, helloWithSessionId(p, new Uint8Array(33).fill(1))));
    expectAlert(p, 'decode_error');
  });
  it('bytes after the extensions block → decode_error', async () => {
    const p = newProbe();
    const ch = p.helloBytes();
    const out = new Uint8Array(ch.length + 2);
    out.set(ch);
    const len = out.length - 4;
    out.set([1, len >> 16, (len >> 8) & 0xff, len & 0xff]);
    await p.send(record(CT.handshake, out));
    expectAlert(p, 'decode_error');
  });
  it('no extensions block at all (a TLS 1.2-style ClientHello) → protocol_version', async () => {
    const p = newProbe();
    // legacy_version, random, empty session id, one suite, null compression; no extensions<8..2^16-1> at all.
    const body = [3, 3, ...new Array<number>(32).fill(0x11), 0, 0, 2, 0x13, 0x01, 1, 0];
    await p.send(record(CT.handshake, new Uint8Array([1, 0, 0, body.length, ...body])));
    expectAlert(p, 'protocol_version');
  });
});

describe('review extras: records, alerts and messages after the handshake', () => {
  it('a TLSCiphertext of 0 bytes → bad_record_mac', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(record(CT.application_data, new Uint8Array(0)));
    expectAlert(p, 'bad_record_mac');
  });
  it('a TLSCiphertext of 15 bytes (shorter than the tag) → bad_record_mac', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(record(CT.application_data, new Uint8Array(15)));
    expectAlert(p, 'bad_record_mac');
  });
  it('an authentic record with an empty TLSInnerPlaintext (no content type) → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(sealInner(p.out!, new Uint8Array(0)));
    expectAlert(p, 'unexpected_message');
  });
  it('close_notify at an unknown alert level (3) is a close_notify (§6: the level can be ignored)', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.alertRecord(3, 0));
    expect(p.ep.peerClosed).toBe(true);
    expect(p.ep.errors).toEqual([]);
  });
  it('a ClientHello after the handshake (renegotiation) → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    const q = newProbe();
    await p.send(p.protectedRecord(CT.handshake, encodeHandshake(q.makeHello())));
    expectAlert(p, 'unexpected_message');
  });
  it('a client NewSessionTicket → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    const nst = encodeHandshake({ type: 'new_session_ticket', lifetime: 1, ageAdd: 0, nonce: new Uint8Array(1), ticket: new Uint8Array(1), extensions: [] });
    await p.send(p.protectedRecord(CT.handshake, nst));
    expectAlert(p, 'unexpected_message');
  });
  it('a second client Finished after the handshake → unexpected_message', async () => {
    const p = newProbe();
    await p.handshake();
    await p.send(p.protectedRecord(CT.handshake, finishedWithBody(new Uint8Array(32))));
    expectAlert(p, 'unexpected_message');
  });
  it('a duplicated extension in the ClientHello → illegal_parameter (§4.2)', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: (x) => [...x, x.find((e) => e.type === E.signature_algorithms)!] });
    expectAlert(p, 'illegal_parameter');
  });
  it('signature_algorithms_cert that our chain does not satisfy: the handshake goes on with our chain (§4.4.2.2 SHOULD)', async () => {
    const p = newProbe();
    await p.handshake({ editExtensions: (x) => [...x, encodeSignatureAlgorithms([0x0804], true)] });
    expectOpen(p);
  });
});

describe('review extras: PSK modes and binders (test-tls13-psk_ke, -psk_dhe_ke)', () => {
  const identity = new TextEncoder().encode('test');
  const key = new Uint8Array(32).fill(0xaa);
  const full = (mode: number) => ({ editExtensions: (x: ReturnType<typeof ext>[]) => [...x, encodePskKeyExchangeModes([mode])] });
  it('psk_ke offered to a server allowing only psk_dhe_ke, with key_share and signature_algorithms: the PSK is ignored, full handshake with the certificate', async () => {
    const p = newProbe({ psks: [{ identity, key }] });
    const ch = p.pskHelloBytes(identity, key, full(0));
    p.psk = undefined; // we expect the server to ignore it
    await p.send(record(CT.handshake, ch, 0x0301));
    expect(p.gotServerFinished).toBe(true);
    expect(p.serverHello!.extensions.some((e) => e.type === E.pre_shared_key)).toBe(false);
    expect(p.messages.some((m) => m.msg.type === 'certificate')).toBe(true);
    p.useHandshakeKey();
    await p.send(p.hsRecord(p.finished()));
    expectOpen(p);
  });
  it('psk_dhe_ke offered to a server allowing only psk_ke: the PSK is used without a key exchange', async () => {
    const p = newProbe({ psks: [{ identity, key }], pskKeyExchangeModes: ['psk_ke'] });
    const ch = p.pskHelloBytes(identity, key, { editExtensions: (x) => [...x, encodePskKeyExchangeModes([1, 0])] });
    await p.send(record(CT.handshake, ch, 0x0301));
    expect(p.gotServerFinished).toBe(true);
    expect(p.serverHello!.extensions.map((e) => e.type).sort()).toEqual([E.supported_versions, E.pre_shared_key].sort());
  });
  for (const len of [33, 48]) {
    it(`a ${len}-byte binder for a SHA-256 PSK → decrypt_error (§4.2.11: it cannot validate)`, async () => {
      const p = newProbe({ psks: [{ identity, key }] });
      const hello = p.makeHello(full(1));
      const psk = encodeOfferedPsks({ identities: [{ identity, obfuscatedTicketAge: 0 }], binders: [new Uint8Array(len).fill(1)] });
      await p.send(record(CT.handshake, encodeHandshake({ ...hello, extensions: [...hello.extensions, psk] }), 0x0301));
      expectAlert(p, 'decrypt_error');
    });
  }
});

describe('review extras: ChangeCipherSpec placement (§5, §5.1)', () => {
  // A valid CCS between two fragments of a protected handshake message is
  // dropped, not refused: §5 makes the receiver "simply drop it without
  // further processing" at any time in the handshake (as BoringSSL does);
  // test/record/protection.test.ts holds that case.
  it('a CCS between two fragments of the ClientHello → unexpected_message', async () => {
    const p = newProbe();
    const [a, b] = fragment(CT.handshake, p.helloBytes(), 100);
    await p.send(a!, record(CT.ccs, new Uint8Array([1])), b!);
    expectAlert(p, 'unexpected_message');
  });
  it('a CCS of zero bytes after the ClientHello → unexpected_message', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes()), record(CT.ccs, new Uint8Array(0)));
    expectAlert(p, 'unexpected_message');
  });
  it('a CCS holding 0x02 after the ClientHello → unexpected_message', async () => {
    const p = newProbe();
    await p.send(record(CT.handshake, p.helloBytes()), record(CT.ccs, new Uint8Array([2])));
    expectAlert(p, 'unexpected_message');
  });
});

describe('test-tls13-crfg-curves / -ecdhe-curves / -ffdhe-groups: invalid key shares → illegal_parameter', () => {
  const hex = (h: string): number[] => Array.from(h.match(/../g)!, (b) => parseInt(b, 16));
  const P256 = 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff';
  const FFDHE2048_P = new Uint8Array(256).fill(0xff); // only its length and the top/bottom bytes matter below
  const le1 = (n: number): Uint8Array => { const b = new Uint8Array(n); b[0] = 1; return b; };
  const be = (n: number, v: number): Uint8Array => { const b = new Uint8Array(n); b[n - 1] = v; return b; };
  const cases: [string, 'x25519' | 'x448' | 'secp256r1' | 'secp384r1' | 'ffdhe2048', number, Uint8Array][] = [
    ['all zero x25519', 'x25519', 0x001d, new Uint8Array(32)],
    ['x25519 key share of "1"', 'x25519', 0x001d, le1(32)],
    ['too small x25519', 'x25519', 0x001d, new Uint8Array(31).fill(55)],
    ['too big x25519', 'x25519', 0x001d, new Uint8Array(33).fill(55)],
    ['all zero x448', 'x448', 0x001e, new Uint8Array(56)],
    ['x448 key share of "1"', 'x448', 0x001e, le1(56)],
    ['too small x448', 'x448', 0x001e, new Uint8Array(55).fill(55)],
    ['too big x448', 'x448', 0x001e, new Uint8Array(57).fill(55)],
    ['secp256r1 compressed point', 'secp256r1', 0x0017, new Uint8Array([2, ...new Array<number>(32).fill(1)])],
    ['secp256r1 point at infinity (one zero byte)', 'secp256r1', 0x0017, new Uint8Array([0])],
    ['secp256r1 point with x = p', 'secp256r1', 0x0017, new Uint8Array([4, ...hex(P256), ...new Array<number>(32).fill(0)])],
    ['secp256r1 all-zero coordinates', 'secp256r1', 0x0017, new Uint8Array(65).fill(0).map((b, i) => (i === 0 ? 4 : b))],
    ['secp384r1 point not on the curve', 'secp384r1', 0x0018, new Uint8Array(97).map((_, i) => (i === 0 ? 4 : 1))],
    ['ffdhe2048 share 0', 'ffdhe2048', 0x0100, be(256, 0)],
    ['ffdhe2048 share 1', 'ffdhe2048', 0x0100, be(256, 1)],
    ['ffdhe2048 share p - 1', 'ffdhe2048', 0x0100, (() => { const b = FFDHE2048_P.slice(); b[255] = 0xfe; return b; })()],
    ['ffdhe2048 share not left-padded (255 bytes)', 'ffdhe2048', 0x0100, new Uint8Array(255).fill(7)],
  ];
  for (const [name, group, code, share] of cases) {
    it(`"${name} key share" → illegal_parameter`, async () => {
      const p = newProbe({ groups: [group] });
      await sendHello(p, {
        editExtensions: (x) => x.map((e) => {
          if (e.type === E.supported_groups) return encodeSupportedGroups([code]);
          if (e.type === E.key_share) return encodeKeyShareClient([{ group: code, keyExchange: share }]);
          return e;
        }),
      });
      expectAlert(p, 'illegal_parameter');
    });
  }
});

describe('test-tls13-eddsa / -ecdsa-support: the server key decides the scheme', () => {
  const offer = (schemes: number[]) => (x: ReturnType<typeof ext>[]) =>
    x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms(schemes) : e));
  it('an Ed25519 certificate and ed25519 offered → CertificateVerify ed25519', async () => {
    const p = newProbe({ certificate: P.server.ed25519 });
    await p.handshake({ editExtensions: offer([0x0403, 0x0807]) });
    expectOpen(p);
    const cv = p.messages.find((m) => m.msg.type === 'certificate_verify')!.msg;
    expect(cv.type === 'certificate_verify' && cv.scheme).toBe(0x0807);
  });
  it('an Ed25519 certificate and only ECDSA and RSA-PSS offered → handshake_failure', async () => {
    const p = newProbe({ certificate: P.server.ed25519 });
    await sendHello(p, { editExtensions: offer([0x0403, 0x0503, 0x0804]) });
    expectAlert(p, 'handshake_failure');
  });
  it('a P-256 certificate and only ecdsa_secp384r1_sha384 offered → handshake_failure (TLS 1.3 binds the curve)', async () => {
    const p = newProbe();
    await sendHello(p, { editExtensions: offer([0x0503, 0x0603]) });
    expectAlert(p, 'handshake_failure');
  });
});
