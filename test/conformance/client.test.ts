/**
 * The client against the inputs TLS-Anvil's client tests (client/tls13,
 * both/tls13, rfc8701) send from a misbehaving server: each case plays the
 * server on the wire with our codec and checks the alert RFC 8446 names.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { ClientConfig } from '../../src/connection/types.js';
import { encodeKeyShareHrr, encodeKeyShareServer } from '../../src/handshake/extensions/key-share.js';
import { encodeSupportedVersionsServer } from '../../src/handshake/extensions/lists.js';
import { encodeHandshake, type HandshakeMessage } from '../../src/handshake/messages/index.js';
import { ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM } from '../../src/handshake/messages/types.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { CT, ClientProbe, ccsRecord, ext, fragment, record, sealInner, u8 } from './probe.js';

function sync<T>(v: T | Promise<T>): T {
  if (v instanceof Promise) throw new Error('the pure provider is synchronous');
  return v;
}

let P: Pki;
beforeAll(async () => { P = await pki(); });

const newProbe = (c: ClientConfig = {}): Promise<ClientProbe> =>
  ClientProbe.create({ servername: 'localhost', ca: [P.caPem], ...c }, P.server['ecdsa-p256']);

function expectAlert(p: ClientProbe, alert: string): void {
  expect(p.alerts).toEqual([alert]);
  expect(p.ep.errors.map((e) => e.alert)).toEqual([alert]);
  expect(p.ep.conn.state).toBe('failed');
}

/** ServerHello + CCS + the default encrypted flight, each message its own record; returns the flight records. */
async function serverFlight(p: ClientProbe, edit?: (m: HandshakeMessage, i: number) => HandshakeMessage | undefined): Promise<Uint8Array[]> {
  const out = [p.serverHelloBytes(), ccsRecord()];
  const msgs = await p.defaultFlight();
  msgs.forEach((m, i) => {
    const e = edit ? edit(m, i) : m;
    if (e) out.push(p.hsRecord(e, { addToTranscript: false }));
  });
  return out;
}

async function connected(c: ClientConfig = {}): Promise<ClientProbe> {
  const p = await newProbe(c);
  await p.send(...(await serverFlight(p)));
  expect(p.ep.conn.state).toBe('connected');
  expect(p.gotClientFinished).toBe(true);
  p.useApplicationKey();
  return p;
}

describe('sanity', () => {
  it('handshake with a scripted server; data both ways; NewSessionTicket with a GREASE extension is ignored (RFC 8701 §4)', async () => {
    const p = await connected();
    await p.send(p.hsRecord({ type: 'new_session_ticket', lifetime: 7200, ageAdd: 1, nonce: u8(0), ticket: u8(1, 2, 3), extensions: [ext(0x0a0a, new Uint8Array(25))] }, { addToTranscript: false }));
    await p.send(p.protectedRecord(CT.application_data, u8(1, 2, 3)));
    expect(p.ep.errors).toEqual([]);
    expect(p.ep.data.map((d) => Array.from(d))).toEqual([[1, 2, 3]]);
  });
});

describe('ChangeCipherSpec from the server (RFC 8446 §5)', () => {
  it('CCS before the ServerHello is dropped (allowed once the ClientHello was sent)', async () => {
    const p = await newProbe();
    const f = await serverFlight(p);
    await p.send(ccsRecord(), ...f.filter((_, i) => i !== 1));
    expect(p.ep.conn.state).toBe('connected');
  });
  it('CCS protected under the handshake key → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes(), p.protectedRecord(CT.ccs, u8(1)));
    expectAlert(p, 'unexpected_message');
  });
  it('CCS after the server Finished → unexpected_message', async () => {
    const p = await connected();
    await p.send(ccsRecord());
    expectAlert(p, 'unexpected_message');
  });
  it('CCS with body 0x02 → unexpected_message', async () => {
    const p = await newProbe();
    const f = await serverFlight(p);
    await p.send(f[0]!, record(CT.ccs, u8(2)));
    expectAlert(p, 'unexpected_message');
  });
});

describe('messages a server must not send (Anvil client StateMachine, rfc8701)', () => {
  it('EndOfEarlyData from the server → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m) => (m.type === 'finished' ? { type: 'end_of_early_data' } : m))));
    expectAlert(p, 'unexpected_message');
  });
  it('NewSessionTicket in place of EncryptedExtensions → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m, i) => (i === 0 ? { type: 'new_session_ticket', lifetime: 1, ageAdd: 0, nonce: u8(), ticket: u8(1), extensions: [] } : m))));
    expectAlert(p, 'unexpected_message');
  });
  it('GREASE extension in ServerHello → unsupported_extension', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes((sh) => ({ ...sh, extensions: [...sh.extensions, ext(0x0a0a, new Uint8Array(25))] })));
    expectAlert(p, 'unsupported_extension');
  });
  it('GREASE extension in EncryptedExtensions → unsupported_extension', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m) => (m.type === 'encrypted_extensions' ? { ...m, extensions: [ext(0x1a1a, new Uint8Array(25))] } : m))));
    expectAlert(p, 'unsupported_extension');
  });
  it('unrequested ALPN in EncryptedExtensions, carrying a list of names → unsupported_extension (Anvil sendAdditionalExtension)', async () => {
    const p = await newProbe();
    const names = [u8(0x68, 0x32), u8(0x66, 0x74, 0x70), u8(0x69, 0x6d)];
    const list = names.flatMap((n) => [n.length, ...n]);
    const alpn = ext(E.application_layer_protocol_negotiation, [0, list.length, ...list]);
    await p.send(...(await serverFlight(p, (m) => (m.type === 'encrypted_extensions' ? { ...m, extensions: [alpn] } : m))));
    expectAlert(p, 'unsupported_extension');
  });
  it('unrequested max_fragment_length in EncryptedExtensions → unsupported_extension', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m) => (m.type === 'encrypted_extensions' ? { ...m, extensions: [ext(E.max_fragment_length, [2])] } : m))));
    expectAlert(p, 'unsupported_extension');
  });
  it('server_name acknowledged when we sent no SNI (IP literal) → unsupported_extension', async () => {
    const p = await newProbe({ servername: '127.0.0.1' });
    await p.send(...(await serverFlight(p, (m) => (m.type === 'encrypted_extensions' ? { ...m, extensions: [ext(E.server_name)] } : m))));
    expectAlert(p, 'unsupported_extension');
  });
  it('heartbeat extension in ServerHello (recognized, not allowed there) → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes((sh) => ({ ...sh, extensions: [...sh.extensions, ext(E.heartbeat, [1])] })));
    expectAlert(p, 'illegal_parameter');
  });
  it('GREASE selected_version (0x7a7a) in ServerHello → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes((sh) => ({ ...sh, extensions: sh.extensions.map((e) => (e.type === E.supported_versions ? encodeSupportedVersionsServer(0x7a7a) : e)) })));
    expectAlert(p, 'illegal_parameter');
  });
  it('GREASE cipher suite in ServerHello → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes((sh) => ({ ...sh, cipherSuite: 0x2a2a })));
    expectAlert(p, 'illegal_parameter');
  });
  it('GREASE signature scheme in CertificateVerify → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m) => (m.type === 'certificate_verify' ? { ...m, scheme: 0x0a0a } : m))));
    expectAlert(p, 'illegal_parameter');
  });
  it('CertificateVerify with an empty signature → decrypt_error (Anvil emptySignature)', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m) => (m.type === 'certificate_verify' ? { ...m, signature: new Uint8Array(0) } : m))));
    expectAlert(p, 'decrypt_error');
  });
  it('CertificateVerify with a truncated ECDSA signature → decrypt_error', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m) => (m.type === 'certificate_verify' ? { ...m, signature: m.signature.subarray(0, 10) } : m))));
    expectAlert(p, 'decrypt_error');
  });
  it('CertificateVerify with rsa_pkcs1_sha1 (0x0201) → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(...(await serverFlight(p, (m) => (m.type === 'certificate_verify' ? { ...m, scheme: 0x0201 } : m))));
    expectAlert(p, 'illegal_parameter');
  });
  it('CertificateRequest with a GREASE extension is accepted (unknown extensions are ignored there)', async () => {
    const p = await newProbe();
    const out = [p.serverHelloBytes(), ccsRecord()];
    const cr: HandshakeMessage = { type: 'certificate_request', context: new Uint8Array(0), extensions: [ext(0x3a3a, new Uint8Array(3)), ext(E.signature_algorithms, [0, 2, 4, 3])] };
    const ee: HandshakeMessage = { type: 'encrypted_extensions', extensions: [] };
    out.push(p.hsRecord(ee), p.hsRecord(cr));
    const rest = await restOfFlight(p);
    await p.send(...out, ...rest);
    expect(p.ep.errors).toEqual([]);
    expect(p.ep.conn.state).toBe('connected');
  });
  it('NewSessionTicket with an empty ticket → decode_error', async () => {
    const p = await connected();
    // ticket<1..2^16-1>: lifetime, age_add, nonce<0..255> = [], ticket length 0, extensions length 0
    const body = u8(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    await p.send(p.protectedRecord(CT.handshake, u8(4, 0, 0, body.length, ...body)));
    expectAlert(p, 'decode_error');
  });
  it('NewSessionTicket with a 3-byte early_data extension → decode_error', async () => {
    const p = await connected();
    await p.send(p.hsRecord({ type: 'new_session_ticket', lifetime: 1, ageAdd: 0, nonce: u8(), ticket: u8(1), extensions: [ext(E.early_data, [0, 0, 1])] }, { addToTranscript: false }));
    expectAlert(p, 'decode_error');
  });
  it('NewSessionTicket with a key_share extension (not allowed in NST) → illegal_parameter', async () => {
    const p = await connected();
    await p.send(p.hsRecord({ type: 'new_session_ticket', lifetime: 1, ageAdd: 0, nonce: u8(), ticket: u8(1), extensions: [ext(E.key_share, [0, 0x1d])] }, { addToTranscript: false }));
    expectAlert(p, 'illegal_parameter');
  });
});

/** Certificate, CertificateVerify, Finished after a custom EE/CR (the transcript already holds them). */
async function restOfFlight(p: ClientProbe): Promise<Uint8Array[]> {
  const { signCertificateVerify } = await import('../../src/handshake/common/certificate-verify.js');
  const { schemeByName } = await import('../../src/handshake/common/schemes.js');
  const { finishedVerifyData } = await import('../../src/handshake/key-schedule.js');
  const out: Uint8Array[] = [];
  out.push(p.hsRecord({ type: 'certificate', context: new Uint8Array(0), entries: p.cert.chain.map((d) => ({ data: d, extensions: [] })) }));
  const scheme = schemeByName('ecdsa_secp256r1_sha256')!;
  const sig = await signCertificateVerify(p.provider, 'server', scheme, p.cert.key, p.transcript.hash(), (n) => p.provider.randomBytes(n));
  out.push(p.hsRecord({ type: 'certificate_verify', scheme: scheme.code, signature: sig }));
  out.push(p.hsRecord({ type: 'finished', verifyData: finishedVerifyData(p.provider, p.suite, p.serverHsSecret!, p.transcript.hash()) }));
  p.deriveApplication();
  return out;
}

describe('HelloRetryRequest (Anvil client HelloRetryRequest)', () => {
  const hrr = (p: ClientProbe, exts: ReturnType<typeof ext>[], suite = 0x1301): Uint8Array => record(CT.handshake, encodeHandshake({
    type: 'server_hello', legacyVersion: 0x0303, random: HELLO_RETRY_REQUEST_RANDOM, legacySessionIdEcho: p.hello!.legacySessionId,
    cipherSuite: suite, legacyCompressionMethod: 0, extensions: exts,
  }));
  it('HRR with a cookie: the second ClientHello echoes it and drops nothing else', async () => {
    const p = await newProbe();
    const first = p.hello!;
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017), ext(E.cookie, [0, 3, 7, 8, 9])]));
    expect(p.ep.errors).toEqual([]);
    const second = p.messages.filter((m) => m.msg.type === 'client_hello').map((m) => m.msg)[1]!;
    expect(second).toBeDefined();
    if (second.type !== 'client_hello') throw new Error('not a ClientHello');
    expect(second.random).toEqual(first.random);
    expect(second.extensions.find((e) => e.type === E.cookie)!.data).toEqual(u8(0, 3, 7, 8, 9));
  });
  it('HRR with an unknown extension → unsupported_extension', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017), ext(0x4a4a)]));
    expectAlert(p, 'unsupported_extension');
  });
  it('HRR with a cipher suite we did not offer → illegal_parameter', async () => {
    const p = await newProbe({ cipherSuites: ['TLS_AES_128_GCM_SHA256'] });
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)], 0x1302));
    expectAlert(p, 'illegal_parameter');
  });
  it('HRR without supported_versions → protocol_version (it reads as a TLS 1.2 ServerHello)', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeKeyShareHrr(0x0017)]));
    expect(p.alerts.length).toBe(1);
    expect(p.ep.conn.state).toBe('failed');
  });
  // RFC 8446 §4.1.4 checks on the HelloRetryRequest itself.
  it('a second HelloRetryRequest → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)]));
    expect(p.ep.errors).toEqual([]);
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), ext(E.cookie, [0, 1, 1])]));
    expectAlert(p, 'unexpected_message');
  });
  it('HRR selecting a group we already sent a share for (x25519) → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x001d)]));
    expectAlert(p, 'illegal_parameter');
  });
  it('HRR selecting a group we did not offer (ffdhe2048) → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0100)]));
    expectAlert(p, 'illegal_parameter');
  });
  it('HRR with neither key_share nor cookie (no change to the ClientHello) → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304)]));
    expectAlert(p, 'illegal_parameter');
  });
  it('HRR with an empty cookie (cookie<1..2^16-1>) → decode_error', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017), ext(E.cookie, [0, 0])]));
    expectAlert(p, 'decode_error');
  });
  it('ServerHello after HRR with another cipher suite → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)], 0x1301));
    await p.send(ccsRecord(), p.serverHelloBytes((sh) => ({ ...sh, cipherSuite: 0x1302 })));
    expectAlert(p, 'illegal_parameter');
  });
  it('ServerHello after HRR(secp256r1) with an x25519 share (the group of ClientHello1) → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)]));
    const x25519 = sync(p.provider.group('x25519')!.generate());
    await p.send(ccsRecord(), record(CT.handshake, encodeHandshake({
      type: 'server_hello', legacyVersion: 0x0303, random: new Uint8Array(32).fill(5), legacySessionIdEcho: p.hello!.legacySessionId,
      cipherSuite: 0x1301, legacyCompressionMethod: 0,
      extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareServer({ group: 0x001d, keyExchange: x25519.publicKey })],
    })));
    expectAlert(p, 'illegal_parameter');
  });
  it('ServerHello after HRR with another selected_version → illegal_parameter', async () => {
    const p = await newProbe();
    await p.send(hrr(p, [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)]));
    await p.send(ccsRecord(), record(CT.handshake, encodeHandshake({
      type: 'server_hello', legacyVersion: 0x0303, random: new Uint8Array(32).fill(5), legacySessionIdEcho: p.hello!.legacySessionId,
      cipherSuite: 0x1301, legacyCompressionMethod: 0, extensions: [encodeSupportedVersionsServer(0x0305)],
    })));
    expectAlert(p, 'illegal_parameter');
  });
});

describe('record layer from the server (Anvil both/RecordProtocol, client RecordLayer)', () => {
  // The server-side record-layer cases of tlsfuzzer, mirrored against the client.
  it('a zero-length handshake record before the ServerHello → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(record(CT.handshake, new Uint8Array(0)));
    expectAlert(p, 'unexpected_message');
  });
  it('an empty protected alert record from the server → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes(), ccsRecord(), p.protectedRecord(CT.alert, new Uint8Array(0), 5));
    expectAlert(p, 'unexpected_message');
  });
  it('a protected record of zeros only (no content type) from the server → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes(), ccsRecord(), sealInner(p.out!, new Uint8Array(43)));
    expectAlert(p, 'unexpected_message');
  });
  it('a server Finished declaring 0x20020 bytes → decode_error at its header', async () => {
    const p = await newProbe();
    const f = await serverFlight(p, (m) => (m.type === 'finished' ? undefined : m));
    const fin = new Uint8Array(1 << 14);
    fin.set([20, 0x02, 0x00, 0x20]);
    await p.send(...f, p.protectedRecord(CT.handshake, fin));
    expectAlert(p, 'decode_error');
  });
  it('a ciphertext of 2^14 + 257 bytes from the server → record_overflow', async () => {
    const p = await connected();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array((1 << 14) + 240)));
    expectAlert(p, 'record_overflow');
  });
  it('2^14 - 8 bytes of data plus padding to 2^14 + 2 inner bytes from the server → record_overflow', async () => {
    const p = await connected();
    const data = new Uint8Array((1 << 14) - 8);
    await p.send(p.protectedRecord(CT.application_data, data, (1 << 14) + 2 - data.length - 1));
    expectAlert(p, 'record_overflow');
  });
  it('ServerHello in 1-byte records is accepted', async () => {
    const p = await newProbe();
    const f = await serverFlight(p);
    const sh = f[0]!.subarray(5);
    await p.send(...fragment(CT.handshake, sh, 1), ...f.slice(1));
    expect(p.ep.conn.state).toBe('connected');
  });
  it('ServerHello and EncryptedExtensions bytes in one plaintext record → unexpected_message (key change mid-record)', async () => {
    const p = await newProbe();
    const f = await serverFlight(p);
    const sh = f[0]!.subarray(5);
    const both = new Uint8Array(sh.length + 6);
    both.set(sh);
    both.set([8, 0, 0, 2, 0, 0], sh.length);
    await p.send(record(CT.handshake, both));
    expectAlert(p, 'unexpected_message');
  });
  it('application data (2^14 + 1 bytes) → record_overflow', async () => {
    const p = await connected();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array((1 << 14) + 1)));
    expectAlert(p, 'record_overflow');
  });
  it('zero-length application data and a padding-only record are accepted', async () => {
    const p = await connected();
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array(0)), p.protectedRecord(CT.application_data, new Uint8Array(0), 500));
    expect(p.ep.errors).toEqual([]);
  });
  it('application data before the server Finished → unexpected_message', async () => {
    const p = await newProbe();
    await p.send(p.serverHelloBytes(), ccsRecord(), p.hsRecord({ type: 'encrypted_extensions', extensions: [] }), p.protectedRecord(CT.application_data, u8(1)));
    expectAlert(p, 'unexpected_message');
  });
  it('unencrypted Certificate after the ServerHello → unexpected_message', async () => {
    const p = await newProbe();
    const f = await serverFlight(p);
    await p.send(f[0]!, record(CT.handshake, encodeHandshake({ type: 'certificate', context: new Uint8Array(0), entries: [{ data: P.server['ecdsa-p256'].chain[0]!, extensions: [] }] })));
    expectAlert(p, 'unexpected_message');
  });
  it('alert record of 1 byte → decode_error', async () => {
    const p = await connected();
    await p.send(p.protectedRecord(CT.alert, u8(1)));
    expectAlert(p, 'decode_error');
  });
  it('KeyUpdate(update_requested) from the server is answered, and data under the new key is read', async () => {
    const p = await connected();
    await p.send(p.hsRecord({ type: 'key_update', requestUpdate: 1 }, { addToTranscript: false }));
    expect(p.ep.errors).toEqual([]);
    expect(p.messages.filter((m) => m.msg.type === 'key_update').length).toBe(1);
  });
});
