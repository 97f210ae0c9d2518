import { describe, it, expect } from 'vitest';
import { Reader } from '../../src/codec/reader.js';
import { TlsError } from '../../src/errors.js';
import { decodeHandshake, describe as describeMsg, encodeHandshake, isHelloRetryRequest } from '../../src/handshake/messages/index.js';
import { readExtensions } from '../../src/handshake/extensions/list.js';
import { checkAllowed, checkSolicited } from '../../src/handshake/extensions/allowed.js';
import { parseClientHelloExtensions } from '../../src/handshake/extensions/parse.js';
import { decodeAlpn, encodeAlpn } from '../../src/handshake/extensions/alpn.js';
import { decodeKeyShareClient, encodeKeyShareClient } from '../../src/handshake/extensions/key-share.js';
import { decodeServerName, encodeServerName } from '../../src/handshake/extensions/server-name.js';
import { decodeOfferedPsks, encodeOfferedPsks } from '../../src/handshake/extensions/psk.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { loadRfc8448 } from './vectors.js';

const vectors = loadRfc8448();

function alertOf(f: () => unknown): string {
  try { f(); } catch (e) { if (e instanceof TlsError) return e.alert; throw e; }
  return 'none';
}

/** Strip the 5-byte record header of a plaintext record (may hold several messages). */
function messagesOfRecord(rec: Uint8Array): Uint8Array[] {
  const body = rec.subarray(5);
  const out: Uint8Array[] = [];
  for (let off = 0; off < body.length;) {
    const len = (body[off + 1]! << 16) | (body[off + 2]! << 8) | body[off + 3]!;
    out.push(body.subarray(off, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

describe('RFC 8448 handshake messages parse and re-encode byte for byte', () => {
  for (const [section, kv] of vectors) {
    for (const [key, value] of kv) {
      let msgs: Uint8Array[] = [];
      if (key.startsWith('Message_')) msgs = [value];
      else if (key === 'Record_ClientHello_1' || key === 'Record_ServerHello' || key === 'Record_HelloRetryRequest' || key === 'Record_ClientHello_2') {
        if (value[0] !== 0x16) continue;
        msgs = messagesOfRecord(value);
      } else continue;
      it(`${section} ${key}`, () => {
        for (const raw of msgs) {
          const m = decodeHandshake(raw);
          expect(toHex(encodeHandshake(m))).toBe(toHex(raw));
          expect(describeMsg(m).length).toBeGreaterThan(0);
          if (m.type === 'client_hello') {
            checkAllowed(m.extensions, 'CH');
            const p = parseClientHelloExtensions(m.extensions);
            expect(p.supportedVersions).toContain(0x0304);
          }
          if (m.type === 'server_hello') checkAllowed(m.extensions, isHelloRetryRequest(m) ? 'HRR' : 'SH');
          if (m.type === 'encrypted_extensions') checkAllowed(m.extensions, 'EE');
        }
      });
    }
  }

  it('recognises the RFC 8448 §5 HelloRetryRequest', () => {
    const hrr = vectors.get('HelloRetryRequest_Handshake')!.get('Record_HelloRetryRequest')!;
    const m = decodeHandshake(messagesOfRecord(hrr)[0]!);
    expect(m.type === 'server_hello' && isHelloRetryRequest(m)).toBe(true);
  });

  it('no proper prefix of an RFC 8448 message decodes', () => {
    const raw = vectors.get('Simple_1RTT_Handshake')!.get('Message_EncryptedExtensions')!;
    const ch = messagesOfRecord(vectors.get('Simple_1RTT_Handshake')!.get('Record_ClientHello_1')!)[0]!;
    for (const m of [raw, ch]) {
      for (let n = 0; n < m.length; n++) expect(alertOf(() => decodeHandshake(m.subarray(0, n)))).toBe('decode_error');
    }
  });
});

describe('malformed messages and extensions', () => {
  const ch = messagesOfRecord(vectors.get('Simple_1RTT_Handshake')!.get('Record_ClientHello_1')!)[0]!;

  it('trailing bytes in a message body → decode_error', () => {
    const bad = new Uint8Array(ch.length + 1);
    bad.set(ch);
    bad[3] = bad[3]! + 1;
    expect(alertOf(() => decodeHandshake(bad))).toBe('decode_error');
  });

  it('unknown handshake type → unexpected_message', () => {
    expect(alertOf(() => decodeHandshake(fromHex('63000000')))).toBe('unexpected_message');
  });

  it('duplicate extension → illegal_parameter', () => {
    expect(alertOf(() => readExtensions(new Reader(fromHex('0008' + '002b0000' + '002b0000')), 0))).toBe('illegal_parameter');
  });

  it('extension not allowed in a message → illegal_parameter; unsolicited → unsupported_extension', () => {
    expect(alertOf(() => checkAllowed([{ type: 0, data: new Uint8Array() }], 'SH'))).toBe('illegal_parameter');
    expect(alertOf(() => checkAllowed([{ type: 51, data: new Uint8Array() }], 'EE'))).toBe('illegal_parameter');
    expect(alertOf(() => checkAllowed([{ type: 48, data: new Uint8Array() }], 'CH'))).toBe('illegal_parameter');
    expect(alertOf(() => checkAllowed([{ type: 0x1234, data: new Uint8Array() }], 'CH'))).toBe('none');
    expect(alertOf(() => checkSolicited([{ type: 16, data: new Uint8Array() }], new Set([0]), 'EE'))).toBe('unsupported_extension');
    expect(alertOf(() => checkSolicited([{ type: 44, data: new Uint8Array([0, 1, 1]) }], new Set([]), 'HRR'))).toBe('none');
  });

  it('pre_shared_key not last in ClientHello → illegal_parameter', () => {
    const exts = [{ type: 41, data: new Uint8Array() }, { type: 43, data: new Uint8Array() }];
    expect(alertOf(() => checkAllowed(exts, 'CH'))).toBe('illegal_parameter');
  });

  it('typed extension bodies round-trip and enforce their bounds', () => {
    expect(decodeServerName(encodeServerName('example.com').data)).toBe('example.com');
    expect(alertOf(() => decodeServerName(fromHex('0000')))).toBe('decode_error');
    const alpn = encodeAlpn([new TextEncoder().encode('h2'), new TextEncoder().encode('http/1.1')]);
    expect(decodeAlpn(alpn.data).length).toBe(2);
    expect(alertOf(() => decodeAlpn(fromHex('00020000')))).toBe('decode_error');
    const ks = encodeKeyShareClient([{ group: 29, keyExchange: new Uint8Array(32) }]);
    expect(decodeKeyShareClient(ks.data)[0]!.group).toBe(29);
    expect(alertOf(() => decodeKeyShareClient(fromHex('000a7a7a00010a7a7a00010b')))).toBe('illegal_parameter'); // two shares for one group
    expect(alertOf(() => decodeKeyShareClient(fromHex('00047a7a0000')))).toBe('decode_error'); // empty, unknown group: key_exchange<1..>
    expect(alertOf(() => decodeKeyShareClient(fromHex('0004001d0000')))).toBe('illegal_parameter'); // empty x25519 share (§4.2.8.2)
    const psk = encodeOfferedPsks({ identities: [{ identity: new Uint8Array([1]), obfuscatedTicketAge: 7 }], binders: [new Uint8Array(32)] });
    expect(decodeOfferedPsks(psk.data).identities[0]!.obfuscatedTicketAge).toBe(7);
  });

  it('a ClientHello with two key shares for one group → illegal_parameter', () => {
    const exts = [
      { type: 43, data: fromHex('020304') },
      { type: 10, data: fromHex('0002001d') },
      { type: 51, data: fromHex('000a001d00010a001d00010b') },
    ];
    expect(alertOf(() => parseClientHelloExtensions(exts))).toBe('illegal_parameter');
  });
});
