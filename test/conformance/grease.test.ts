/**
 * GREASE, RFC 8701: the client's ClientHello carries reserved values where
 * Chrome puts them, the second ClientHello repeats them, a server that echoes
 * or selects one is refused, and our server ignores them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../src/connection/types.js';
import { isGrease, isGreasePskMode } from '../../src/handshake/client/grease.js';
import { decodeKeyShareClient, encodeKeyShareHrr } from '../../src/handshake/extensions/key-share.js';
import {
  decodePskKeyExchangeModes, decodeSignatureAlgorithms, decodeSupportedGroups, decodeSupportedVersionsClient,
  encodePskKeyExchangeModes, encodeSignatureAlgorithms, encodeSupportedVersionsServer,
} from '../../src/handshake/extensions/lists.js';
import { encodeHandshake, type ClientHello } from '../../src/handshake/messages/index.js';
import { ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM } from '../../src/handshake/messages/types.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { CT, ClientProbe, ServerProbe, ccsRecord, ext, record } from './probe.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const clientProbe = (c: ClientConfig = {}): Promise<ClientProbe> =>
  ClientProbe.create({ servername: 'localhost', ca: [P.caPem], ...c }, P.server['ecdsa-p256']);

const find = (ch: ClientHello, type: number): Uint8Array => ch.extensions.find((e) => e.type === type)!.data;

function greaseOf(ch: ClientHello) {
  const shares = decodeKeyShareClient(find(ch, E.key_share));
  return {
    suites: ch.cipherSuites.filter(isGrease),
    extensions: ch.extensions.filter((e) => isGrease(e.type)).map((e) => [e.type, e.data.length]),
    groups: decodeSupportedGroups(find(ch, E.supported_groups)).filter(isGrease),
    shares: shares.filter((s) => isGrease(s.group)).map((s) => [s.group, [...s.keyExchange]]),
    versions: decodeSupportedVersionsClient(find(ch, E.supported_versions)).filter(isGrease),
    schemes: decodeSignatureAlgorithms(find(ch, E.signature_algorithms)).filter(isGrease),
    pskModes: decodePskKeyExchangeModes(find(ch, E.psk_key_exchange_modes)).filter(isGreasePskMode),
  };
}

describe('GREASE in our ClientHello (RFC 8701 §3.1)', () => {
  it('by default: one reserved value first in each list, a 1-byte key share, an empty extension first and a 1-byte one last', async () => {
    const p = await clientProbe();
    const ch = p.hello!;
    const g = greaseOf(ch);
    expect(isGrease(ch.cipherSuites[0]!)).toBe(true);
    expect(g.suites.length).toBe(1);
    expect(isGrease(ch.extensions[0]!.type)).toBe(true);
    expect(ch.extensions[0]!.data.length).toBe(0);
    const last = ch.extensions[ch.extensions.length - 1]!;
    expect(isGrease(last.type)).toBe(true);
    expect([...last.data]).toEqual([0]);
    expect(g.extensions.length).toBe(2);
    expect(g.extensions[0]![0]).not.toBe(g.extensions[1]![0]);
    expect(g.groups.length).toBe(1);
    expect(decodeSupportedGroups(find(ch, E.supported_groups))[0]).toBe(g.groups[0]);
    expect(g.shares).toEqual([[g.groups[0], [0]]]);
    expect(decodeKeyShareClient(find(ch, E.key_share))[0]!.group).toBe(g.groups[0]);
    expect(g.versions.length).toBe(1);
    expect(decodeSupportedVersionsClient(find(ch, E.supported_versions))).toEqual([g.versions[0], 0x0304]);
    expect(g.schemes.length).toBe(1);
    expect(g.pskModes.length).toBe(1);
    // ALPN is not GREASEd (no ALPN configured here either way).
    expect(ch.extensions.some((e) => e.type === E.application_layer_protocol_negotiation)).toBe(false);
  });

  it('values differ between connections (drawn from random)', async () => {
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) seen.add((await clientProbe()).hello!.cipherSuites[0]!);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('grease: false sends none', async () => {
    const p = await clientProbe({ grease: false });
    const g = greaseOf(p.hello!);
    expect(g).toEqual({ suites: [], extensions: [], groups: [], shares: [], versions: [], schemes: [], pskModes: [] });
  });

  it('the second ClientHello repeats the GREASE values (its key_share holds only the selected group)', async () => {
    const p = await clientProbe();
    const first = p.hello!;
    await p.send(record(CT.handshake, encodeHandshake({
      type: 'server_hello', legacyVersion: 0x0303, random: HELLO_RETRY_REQUEST_RANDOM, legacySessionIdEcho: first.legacySessionId,
      cipherSuite: 0x1301, legacyCompressionMethod: 0, extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)],
    })), ccsRecord());
    expect(p.ep.errors).toEqual([]);
    const second = p.messages.filter((m) => m.msg.type === 'client_hello')[1]!.msg as ClientHello;
    const a = greaseOf(first);
    const b = greaseOf(second);
    expect({ ...b, shares: a.shares }).toEqual(a);
    expect(b.shares).toEqual([]);
    expect(second.cipherSuites).toEqual(first.cipherSuites);
  });

  it('a server that echoes our GREASE extension in EncryptedExtensions → unsupported_extension', async () => {
    const p = await clientProbe();
    const greaseExt = p.hello!.extensions[0]!.type;
    const sh = p.serverHelloBytes();
    const [ee] = await p.defaultFlight();
    await p.send(sh, ccsRecord(), p.hsRecord({ ...(ee as { type: 'encrypted_extensions'; extensions: [] }), extensions: [ext(greaseExt)] }, { addToTranscript: false }));
    expect(p.alerts).toEqual(['unsupported_extension']);
  });

  it('a HelloRetryRequest selecting our GREASE group → illegal_parameter', async () => {
    const p = await clientProbe();
    const group = greaseOf(p.hello!).groups[0]!;
    await p.send(record(CT.handshake, encodeHandshake({
      type: 'server_hello', legacyVersion: 0x0303, random: HELLO_RETRY_REQUEST_RANDOM, legacySessionIdEcho: p.hello!.legacySessionId,
      cipherSuite: 0x1301, legacyCompressionMethod: 0, extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(group)],
    })));
    expect(p.alerts).toEqual(['illegal_parameter']);
  });

  it('a ServerHello choosing our GREASE cipher suite → illegal_parameter', async () => {
    const p = await clientProbe();
    const suite = p.hello!.cipherSuites[0]!;
    await p.send(p.serverHelloBytes((sh) => ({ ...sh, cipherSuite: suite })));
    expect(p.alerts).toEqual(['illegal_parameter']);
  });
});

describe('our server tolerates GREASE (RFC 8701 §3.2)', () => {
  it('GREASE signature scheme and PSK mode are ignored', async () => {
    const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'] });
    await p.handshake({
      editExtensions: (x) => [...x.map((e) => (e.type === E.signature_algorithms ? encodeSignatureAlgorithms([0x3a3a, 0x0403, 0x0804]) : e)), encodePskKeyExchangeModes([0x2a, 1])],
    });
    expect(p.alerts).toEqual([]);
    expect(p.ep.conn.state).toBe('connected');
  });
});
