/**
 * Each malformed or out-of-order message produces the alert RFC 8446 names,
 * sent exactly once. Messages are crafted with our own codec: plaintext
 * hellos are rewritten on the wire; encrypted messages are rewritten by the
 * peer's test hook (`__mutateHandshake`) after they entered its transcript.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { AlertDescription, type AlertName } from '../../src/errors.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { decodeHandshake, encodeHandshake, type ClientHello, type HandshakeMessage, type ServerHello } from '../../src/handshake/messages/index.js';
import { ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM, DOWNGRADE_TLS12 } from '../../src/handshake/messages/types.js';
import type { Extension } from '../../src/handshake/extensions/list.js';
import { encodeKeyShareHrr } from '../../src/handshake/extensions/key-share.js';
import { encodeSupportedVersionsServer } from '../../src/handshake/extensions/lists.js';
import { encodeAlpn } from '../../src/handshake/extensions/alpn.js';
import { makeClient, makeServer, pump, type Endpoint } from '../connection/helpers.js';
import { pki, type Pki } from '../connection/fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

function record(type: number, body: Uint8Array): Uint8Array {
  const r = new Uint8Array(5 + body.length);
  r.set([type, 3, 3, body.length >> 8, body.length & 0xff]);
  r.set(body, 5);
  return r;
}
const hsRecord = (m: HandshakeMessage): Uint8Array => record(22, encodeHandshake(m));
const firstMessage = (rec: Uint8Array): HandshakeMessage => decodeHandshake(rec.subarray(5));
const ext = (type: number, data: number[] = []): Extension => ({ type, data: new Uint8Array(data) });

/** The endpoint failed with `alert` and put exactly one alert record on the wire. */
function expectFailed(ep: Endpoint, alert: AlertName, sentBefore: number, plaintextAlert: boolean): void {
  expect(ep.errors.map((e) => e.alert)).toEqual([alert]);
  expect(ep.errors[0]!.received).toBe(false);
  expect(ep.conn.state).toBe('failed');
  const after = ep.sent.slice(sentBefore);
  expect(after.length).toBe(1);
  if (plaintextAlert) expect(Array.from(after[0]!)).toEqual([21, 3, 3, 0, 2, 2, AlertDescription[alert]]);
  else expect(after[0]![0]).toBe(23);
  // Nothing more, whatever else arrives.
  ep.conn.receive(record(22, new Uint8Array([1, 0, 0, 0])));
  expect(ep.sent.length).toBe(sentBefore + 1);
}

// ---- the client against a rewritten ServerHello ----

async function clientSeesServerHello(mutate: (sh: ServerHello, ch: ClientHello) => ServerHello | HandshakeMessage, c: ClientConfig = {}): Promise<Endpoint> {
  const client = makeClient({ servername: 'localhost', ca: [P.caPem], ...c });
  const server = makeServer({ certificate: P.server['ecdsa-p256'] });
  client.conn.start();
  await client.conn.drained();
  const ch = firstMessage(client.sent[0]!) as ClientHello;
  server.conn.receive(client.sent[0]!);
  await server.conn.drained();
  const sh = firstMessage(server.sent[0]!) as ServerHello;
  const before = client.sent.length;
  client.conn.receive(hsRecord(mutate(sh, ch)));
  await client.conn.drained();
  (client as Endpoint & { before: number }).before = before;
  return client;
}

const replaceExt = (m: ServerHello, type: number, e: Extension | undefined): ServerHello => ({
  ...m, extensions: [...m.extensions.filter((x) => x.type !== type), ...(e ? [e] : [])],
});

const shCases: [string, AlertName, (sh: ServerHello, ch: ClientHello) => HandshakeMessage][] = [
  ['legacy_session_id_echo differs', 'illegal_parameter', (sh) => ({ ...sh, legacySessionIdEcho: new Uint8Array(32).fill(7) })],
  ['cipher suite not offered', 'illegal_parameter', (sh) => ({ ...sh, cipherSuite: 0x1304 })],
  ['compression method 1', 'illegal_parameter', (sh) => ({ ...sh, legacyCompressionMethod: 1 })],
  ['supported_versions selects TLS 1.2', 'illegal_parameter', (sh) => replaceExt(sh, E.supported_versions, encodeSupportedVersionsServer(0x0303))],
  ['legacy_version 0x0301', 'illegal_parameter', (sh) => ({ ...sh, legacyVersion: 0x0301 })],
  ['TLS 1.2 ServerHello with downgrade sentinel', 'illegal_parameter', (sh) => {
    const random = sh.random.slice();
    random.set(DOWNGRADE_TLS12, 24);
    return { ...replaceExt(sh, E.supported_versions, undefined), random };
  }],
  ['TLS 1.2 ServerHello without sentinel', 'protocol_version', (sh) => replaceExt(sh, E.supported_versions, undefined)],
  ['duplicate extension', 'illegal_parameter', (sh) => ({ ...sh, extensions: [...sh.extensions, sh.extensions[0]!] })],
  ['server_name in ServerHello (not allowed there)', 'illegal_parameter', (sh) => ({ ...sh, extensions: [...sh.extensions, ext(E.server_name)] })],
  ['unknown extension not offered', 'unsupported_extension', (sh) => ({ ...sh, extensions: [...sh.extensions, ext(0x7777)] })],
  ['key_share for a group we sent no share for', 'illegal_parameter', (sh) => {
    const ks = sh.extensions.find((e) => e.type === E.key_share)!;
    const d = ks.data.slice();
    d[1] = 0x17;
    return replaceExt(sh, E.key_share, { type: E.key_share, data: d });
  }],
  ['key_share missing', 'missing_extension', (sh) => replaceExt(sh, E.key_share, undefined)],
  ['invalid x25519 share (all zero)', 'illegal_parameter', (sh) => replaceExt(sh, E.key_share, { type: E.key_share, data: new Uint8Array([0, 0x1d, 0, 32, ...new Uint8Array(32)]) })],
  ['EncryptedExtensions instead of ServerHello', 'unexpected_message', () => ({ type: 'encrypted_extensions', extensions: [] })],
  ['Finished instead of ServerHello', 'unexpected_message', () => ({ type: 'finished', verifyData: new Uint8Array(32) })],
  ['HRR selecting a group that already had a share', 'illegal_parameter', (sh) => ({
    ...sh, random: HELLO_RETRY_REQUEST_RANDOM, extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x001d)],
  })],
  ['HRR selecting a group not offered', 'illegal_parameter', (sh) => ({
    ...sh, random: HELLO_RETRY_REQUEST_RANDOM, extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0019)],
  })],
  ['HRR that changes nothing', 'illegal_parameter', (sh) => ({ ...sh, random: HELLO_RETRY_REQUEST_RANDOM, extensions: [encodeSupportedVersionsServer(0x0304)] })],
];

describe('client: malformed ServerHello / HelloRetryRequest', () => {
  for (const [name, alert, mutate] of shCases) {
    it(`${name} → ${alert}`, async () => {
      const client = await clientSeesServerHello(mutate);
      expectFailed(client, alert, (client as Endpoint & { before: number }).before, true);
    });
  }

  it('a second HelloRetryRequest → unexpected_message', async () => {
    const hrr = (sh: ServerHello): ServerHello => ({
      ...sh, random: HELLO_RETRY_REQUEST_RANDOM, extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0017)],
    });
    const client = await clientSeesServerHello(hrr);
    expect(client.errors).toEqual([]);
    const sh = firstMessage(client.sent[0]!) as ClientHello; // only for its session id
    const second: ServerHello = { ...hrr({ type: 'server_hello', legacyVersion: 0x0303, random: new Uint8Array(32), legacySessionIdEcho: sh.legacySessionId, cipherSuite: 0x1301, legacyCompressionMethod: 0, extensions: [] }) };
    const before = client.sent.length;
    client.conn.receive(hsRecord({ ...second, extensions: [encodeSupportedVersionsServer(0x0304), encodeKeyShareHrr(0x0018)] }));
    await client.conn.drained();
    expectFailed(client, 'unexpected_message', before, true);
  });

  it('application data before the handshake → unexpected_message', async () => {
    const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
    client.conn.start();
    await client.conn.drained();
    const before = client.sent.length;
    client.conn.receive(record(23, new Uint8Array([1, 2, 3])));
    await client.conn.drained();
    expectFailed(client, 'unexpected_message', before, true);
  });

  it('a fatal alert from the peer surfaces as received, and we send nothing', async () => {
    const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
    client.conn.start();
    await client.conn.drained();
    const before = client.sent.length;
    client.conn.receive(record(21, new Uint8Array([2, AlertDescription.handshake_failure])));
    await client.conn.drained();
    expect(client.errors.map((e) => [e.alert, e.received])).toEqual([['handshake_failure', true]]);
    expect(client.sent.length).toBe(before);
    expect(client.conn.state).toBe('failed');
  });
});

// ---- the server against a rewritten ClientHello ----

async function serverSeesClientHello(mutate: (ch: ClientHello) => HandshakeMessage, s: ServerConfig = {}): Promise<{ server: Endpoint; before: number }> {
  const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
  const server = makeServer({ certificate: P.server['ecdsa-p256'], ...s });
  client.conn.start();
  await client.conn.drained();
  const ch = firstMessage(client.sent[0]!) as ClientHello;
  const before = server.sent.length;
  server.conn.receive(hsRecord(mutate(ch)));
  await server.conn.drained();
  return { server, before };
}

const chExt = (m: ClientHello, f: (e: Extension[]) => Extension[]): ClientHello => ({ ...m, extensions: f([...m.extensions]) });

const chCases: [string, AlertName, (ch: ClientHello) => HandshakeMessage, ServerConfig?][] = [
  ['no supported_versions (TLS 1.2 client)', 'protocol_version', (ch) => chExt(ch, (x) => x.filter((e) => e.type !== E.supported_versions))],
  ['supported_versions without TLS 1.3', 'protocol_version', (ch) => chExt(ch, (x) => x.map((e) => (e.type === E.supported_versions ? ext(E.supported_versions, [2, 3, 3]) : e)))],
  ['compression methods [0, 1]', 'illegal_parameter', (ch) => ({ ...ch, legacyCompressionMethods: new Uint8Array([0, 1]) })],
  ['compression methods [1]', 'illegal_parameter', (ch) => ({ ...ch, legacyCompressionMethods: new Uint8Array([1]) })],
  ['legacy_version 0x0300 (SSL 3.0, §D.5)', 'protocol_version', (ch) => ({ ...ch, legacyVersion: 0x0300 })],
  ['obsolete group sect163k1 (0x0001) in supported_groups (§4.2.7)', 'illegal_parameter', (ch) => chExt(ch, (x) => x.map((e) => (e.type === E.supported_groups ? ext(E.supported_groups, [0, 4, 0, 1, 0, 0x1d]) : e)))],
  ['no cipher suite in common', 'handshake_failure', (ch) => ({ ...ch, cipherSuites: [0x1301, 0x1302] }), { cipherSuites: ['TLS_CHACHA20_POLY1305_SHA256'] }],
  ['pre_shared_key not last', 'illegal_parameter', (ch) => chExt(ch, (x) => [ext(E.pre_shared_key, [0, 7, 0, 1, 1, 0, 0, 0, 0, 0, 33, 32, ...new Array(32).fill(0)]), ...x])],
  ['duplicate extension', 'illegal_parameter', (ch) => chExt(ch, (x) => [...x, x[1]!])],
  ['oid_filters (CertificateRequest only)', 'illegal_parameter', (ch) => chExt(ch, (x) => [...x, ext(E.oid_filters, [0, 0])])],
  ['no signature_algorithms', 'missing_extension', (ch) => chExt(ch, (x) => x.filter((e) => e.type !== E.signature_algorithms))],
  ['no key_share', 'missing_extension', (ch) => chExt(ch, (x) => x.filter((e) => e.type !== E.key_share))],
  ['key_share for a group not in supported_groups', 'illegal_parameter', (ch) => chExt(ch, (x) => x.map((e) => (e.type === E.supported_groups ? ext(E.supported_groups, [0, 2, 0, 0x17]) : e)))],
  ['short x25519 key share', 'illegal_parameter', (ch) => chExt(ch, (x) => x.map((e) => (e.type === E.key_share ? ext(E.key_share, [0, 6, 0, 0x1d, 0, 2, 1, 2]) : e)))],
  ['truncated extension block', 'decode_error', (ch) => chExt(ch, (x) => x.map((e) => (e.type === E.supported_groups ? ext(E.supported_groups, [0, 4, 0, 0x1d]) : e)))],
  ['ALPN with no overlap', 'no_application_protocol', (ch) => chExt(ch, (x) => [...x, encodeAlpn([new TextEncoder().encode('x')])]), { ALPNProtocols: ['h2'] }],
  ['ServerHello sent to a server', 'unexpected_message', () => ({ type: 'server_hello', legacyVersion: 0x0303, random: new Uint8Array(32), legacySessionIdEcho: new Uint8Array(0), cipherSuite: 0x1301, legacyCompressionMethod: 0, extensions: [ext(E.supported_versions, [3, 4]), ext(0x1234)] })],
];

describe('server: malformed ClientHello', () => {
  for (const [name, alert, mutate, cfg] of chCases) {
    it(`${name} → ${alert}`, async () => {
      const { server, before } = await serverSeesClientHello(mutate, cfg);
      expectFailed(server, alert, before, true);
    });
  }

  it('second ClientHello differing from the first → illegal_parameter', async () => {
    let n = 0;
    const client = makeClient({
      servername: 'localhost', ca: [P.caPem], groups: ['x25519', 'secp256r1'],
      __mutateHandshake: (raw: Uint8Array) => {
        if (raw[0] !== 1 || n++ === 0) return raw;
        const ch = decodeHandshake(raw) as ClientHello;
        return encodeHandshake({ ...ch, cipherSuites: [0x1301] });
      },
    } as ClientConfig);
    const server = makeServer({ certificate: P.server['ecdsa-p256'], groups: ['secp256r1'] });
    client.conn.start();
    await pump(client, server);
    expect(server.errors.map((e) => e.alert)).toEqual(['illegal_parameter']);
    expect(client.errors.map((e) => [e.alert, e.received])).toEqual([['illegal_parameter', true]]);
  });
});

// ---- encrypted messages, rewritten by the sending peer ----

type Mut = (m: HandshakeMessage) => HandshakeMessage | HandshakeMessage[];
function mutator(type: HandshakeMessage['type'], f: Mut): (raw: Uint8Array) => Uint8Array | Uint8Array[] {
  return (raw) => {
    const m = decodeHandshake(raw);
    if (m.type !== type) return raw;
    const r = f(m);
    return Array.isArray(r) ? r.map(encodeHandshake) : encodeHandshake(r);
  };
}

const fromServer: [string, AlertName, Mut, HandshakeMessage['type'], ClientConfig?][] = [
  ['EE: ALPN protocol not offered', 'illegal_parameter', (m) => ({ ...m, extensions: [encodeAlpn([new TextEncoder().encode('evil')])] } as HandshakeMessage), 'encrypted_extensions', { ALPNProtocols: ['h2'] }],
  ['EE: ALPN when none offered', 'unsupported_extension', (m) => ({ ...m, extensions: [encodeAlpn([new TextEncoder().encode('h2')])] } as HandshakeMessage), 'encrypted_extensions'],
  ['EE: key_share (not allowed in EE)', 'illegal_parameter', (m) => ({ ...m, extensions: [ext(E.key_share, [0, 0x1d])] } as HandshakeMessage), 'encrypted_extensions'],
  ['EE: unknown extension', 'unsupported_extension', (m) => ({ ...m, extensions: [ext(0x7777)] } as HandshakeMessage), 'encrypted_extensions'],
  ['Certificate: empty', 'decode_error', (m) => ({ ...m, entries: [] } as HandshakeMessage), 'certificate'],
  ['Certificate: non-empty context', 'illegal_parameter', (m) => ({ ...m, context: new Uint8Array([1]) } as HandshakeMessage), 'certificate'],
  ['Certificate: status_request not requested', 'unsupported_extension', (m) => m.type === 'certificate' ? { ...m, entries: [{ data: m.entries[0]!.data, extensions: [ext(E.status_request, [1])] }] } : m, 'certificate'],
  ['CertificateVerify: bad signature', 'decrypt_error', (m) => {
    if (m.type !== 'certificate_verify') return m;
    const s = m.signature.slice(); s[s.length - 3] ^= 1;
    return { ...m, signature: s };
  }, 'certificate_verify'],
  ['CertificateVerify: rsa_pkcs1 scheme', 'illegal_parameter', (m) => ({ ...m, scheme: 0x0401 } as HandshakeMessage), 'certificate_verify'],
  ['CertificateVerify: scheme does not match the key', 'illegal_parameter', (m) => ({ ...m, scheme: 0x0503 } as HandshakeMessage), 'certificate_verify'],
  ['Finished: wrong verify_data', 'decrypt_error', (m) => {
    if (m.type !== 'finished') return m;
    const v = m.verifyData.slice(); v[0] ^= 0x80;
    return { ...m, verifyData: v };
  }, 'finished'],
  ['Finished: wrong length', 'decode_error', (m) => m.type === 'finished' ? { ...m, verifyData: m.verifyData.subarray(1) } : m, 'finished'],
  ['CertificateRequest in place of Certificate with a context', 'illegal_parameter', (m) => ({ type: 'certificate_request', context: new Uint8Array([9]), extensions: [ext(E.signature_algorithms, [0, 2, 4, 3])] } as HandshakeMessage), 'certificate'],
  ['CertificateRequest without signature_algorithms', 'missing_extension', (m) => [m, { type: 'certificate_request', context: new Uint8Array(0), extensions: [ext(E.certificate_authorities, [0, 3, 0, 1, 0])] } as HandshakeMessage], 'encrypted_extensions'],
  ['two EncryptedExtensions', 'unexpected_message', (m) => [m, m], 'encrypted_extensions'],
  ['Finished before CertificateVerify', 'unexpected_message', () => ({ type: 'finished', verifyData: new Uint8Array(32) }), 'certificate_verify'],
];

describe('client: malformed encrypted server messages', () => {
  for (const [name, alert, f, type, c] of fromServer) {
    it(`${name} → ${alert}`, async () => {
      const server = makeServer({ certificate: P.server['ecdsa-p256'], __mutateHandshake: mutator(type, f) } as ServerConfig);
      const client = makeClient({ servername: 'localhost', ca: [P.caPem], ...c });
      client.conn.start();
      await pump(client, server);
      expect(client.errors.map((e) => e.alert)).toEqual([alert]);
      expect(client.errors[0]!.received).toBe(false);
      expect(server.errors.map((e) => [e.alert, e.received])).toEqual([[alert, true]]);
    });
  }
});

const fromClient: [string, AlertName, Mut, HandshakeMessage['type'], ServerConfig?][] = [
  ['client Finished: wrong verify_data', 'decrypt_error', (m) => {
    if (m.type !== 'finished') return m;
    const v = m.verifyData.slice(); v[5] ^= 1;
    return { ...m, verifyData: v };
  }, 'finished'],
  ['client CertificateVerify: bad signature', 'decrypt_error', (m) => {
    if (m.type !== 'certificate_verify') return m;
    const s = m.signature.slice(); s[s.length - 3] ^= 1;
    return { ...m, signature: s };
  }, 'certificate_verify', { clientAuth: 'require' }],
  ['client Certificate: non-empty context', 'illegal_parameter', (m) => ({ ...m, context: new Uint8Array([1]) } as HandshakeMessage), 'certificate', { clientAuth: 'require' }],
  ['client sends EncryptedExtensions', 'unexpected_message', () => ({ type: 'encrypted_extensions', extensions: [] }), 'finished'],
];

describe('server: malformed encrypted client messages', () => {
  for (const [name, alert, f, type, s] of fromClient) {
    it(`${name} → ${alert}`, async () => {
      const server = makeServer({ certificate: P.server['ecdsa-p256'], ca: [P.caPem], ...s });
      const client = makeClient({ servername: 'localhost', ca: [P.caPem], certificate: P.client, __mutateHandshake: mutator(type, f) } as ClientConfig);
      client.conn.start();
      await pump(client, server);
      expect(server.errors.map((e) => e.alert)).toEqual([alert]);
      expect(client.errors.map((e) => [e.alert, e.received])).toEqual([[alert, true]]);
    });
  }
});

describe('post-handshake messages', () => {
  async function established(sm?: (raw: Uint8Array) => Uint8Array | Uint8Array[], cm?: (raw: Uint8Array) => Uint8Array | Uint8Array[]) {
    const server = makeServer({ certificate: P.server['ecdsa-p256'], __mutateHandshake: sm } as ServerConfig);
    const client = makeClient({ servername: 'localhost', ca: [P.caPem], __mutateHandshake: cm } as ClientConfig);
    client.conn.start();
    await pump(client, server);
    expect(client.conn.state).toBe('connected');
    return { client, server };
  }

  it('KeyUpdate with request_update 2 → illegal_parameter', async () => {
    const { client, server } = await established(mutator('key_update', () => ({ type: 'key_update', requestUpdate: 2 })));
    server.conn.keyUpdate(false);
    await pump(client, server);
    expect(client.errors.map((e) => e.alert)).toEqual(['illegal_parameter']);
    expect(server.errors.map((e) => [e.alert, e.received])).toEqual([['illegal_parameter', true]]);
  });

  it('post-handshake CertificateRequest (never offered) → unexpected_message', async () => {
    const { client, server } = await established(mutator('key_update', () => ({
      type: 'certificate_request', context: new Uint8Array([1]), extensions: [ext(E.signature_algorithms, [0, 2, 4, 3])],
    })));
    server.conn.keyUpdate(false);
    await pump(client, server);
    expect(client.errors.map((e) => e.alert)).toEqual(['unexpected_message']);
  });

  it('NewSessionTicket is accepted and ignored', async () => {
    const { client, server } = await established(mutator('key_update', (m) => [
      { type: 'new_session_ticket', lifetime: 3600, ageAdd: 1, nonce: new Uint8Array([0]), ticket: new Uint8Array([1, 2, 3]), extensions: [ext(E.early_data, [0, 0, 64, 0])] },
      m,
    ]));
    server.conn.keyUpdate(false);
    await pump(client, server);
    void server.conn.write(new Uint8Array([42]));
    await pump(client, server);
    expect(client.errors).toEqual([]);
    expect(client.data.map((d) => Array.from(d))).toEqual([[42]]);
  });

  it('NewSessionTicket sent by a client → unexpected_message', async () => {
    const { client, server } = await established(undefined, mutator('key_update', () => ({
      type: 'new_session_ticket', lifetime: 1, ageAdd: 1, nonce: new Uint8Array(0), ticket: new Uint8Array([1]), extensions: [],
    })));
    client.conn.keyUpdate(false);
    await pump(client, server);
    expect(server.errors.map((e) => e.alert)).toEqual(['unexpected_message']);
  });
});
