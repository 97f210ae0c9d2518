import { describe, it, expect, beforeAll } from 'vitest';
import type { NamedGroupName } from '../../src/crypto/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { concatAll, connectPair, makeClient, makeServer, pump, type Endpoint } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array[]): string => new TextDecoder().decode(concatAll(b));

function connect(c: ClientConfig, s: ServerConfig): Promise<{ client: Endpoint; server: Endpoint }> {
  return connectPair({ servername: 'localhost', ca: [P.caPem], ...c }, s);
}

function expectOk(client: Endpoint, server: Endpoint): void {
  expect(client.errors.map((e) => e.message)).toEqual([]);
  expect(server.errors.map((e) => e.message)).toEqual([]);
  expect(client.conn.state).toBe('connected');
  expect(server.conn.state).toBe('connected');
}

async function roundTrip(client: Endpoint, server: Endpoint): Promise<void> {
  const p = client.conn.write(enc('ping'));
  await pump(client, server);
  await p;
  expect(dec(server.data)).toContain('ping');
  const q = server.conn.write(enc('pong'));
  await pump(client, server);
  await q;
  expect(dec(client.data)).toContain('pong');
}

describe('every cipher suite × every group', () => {
  const suites = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
  const groups: NamedGroupName[] = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];
  for (const suite of suites) {
    for (const group of groups) {
      it(`${suite} with ${group}`, async () => {
        const { client, server } = await connect(
          { cipherSuites: [suite], groups: [group] },
          { certificate: P.server['ecdsa-p256'], cipherSuites: [suite], groups: [group] },
        );
        expectOk(client, server);
        expect(client.info!.cipherSuite).toBe(suite);
        expect(client.info!.group).toBe(group);
        expect(server.info!.group).toBe(group);
        expect(client.info!.peerVerified).toBe(true);
        await roundTrip(client, server);
      });
    }
  }
});

describe('server key types', () => {
  for (const kt of ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa2048'] as const) {
    it(kt, async () => {
      const { client, server } = await connect({}, { certificate: P.server[kt] });
      expectOk(client, server);
      const expected = { 'ecdsa-p256': 'ecdsa_secp256r1_sha256', 'ecdsa-p384': 'ecdsa_secp384r1_sha384', ed25519: 'ed25519', rsa2048: 'rsa_pss_rsae_sha256' }[kt];
      expect(client.info!.signatureScheme).toBe(expected);
      await roundTrip(client, server);
    });
  }
});

describe('HelloRetryRequest', () => {
  it('server asks for another group; both sides see helloRetry', async () => {
    const { client, server } = await connect(
      { groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'] },
      { certificate: P.server['ecdsa-p256'], groups: ['secp256r1', 'x25519'].slice(0, 1) as NamedGroupName[] },
    );
    expectOk(client, server);
    expect(client.info!.helloRetry).toBe(true);
    expect(server.info!.helloRetry).toBe(true);
    expect(client.info!.group).toBe('secp256r1');
    await roundTrip(client, server);
  });

  it('HRR without middlebox compatibility', async () => {
    const { client, server } = await connect(
      { groups: ['x25519', 'secp384r1'], keyShareGroups: ['x25519'], middleboxCompat: false },
      { certificate: P.server['ecdsa-p256'], groups: ['secp384r1'] },
    );
    expectOk(client, server);
    expect(client.info!.helloRetry).toBe(true);
  });

  it('no group in common → handshake_failure', async () => {
    const { client, server } = await connect({ groups: ['x25519'] }, { certificate: P.server['ecdsa-p256'], groups: ['secp384r1'] });
    expect(server.errors[0]?.alert).toBe('handshake_failure');
    expect(client.errors[0]?.alert).toBe('handshake_failure');
    expect(client.errors[0]?.received).toBe(true);
  });
});

describe('mutual TLS', () => {
  for (const policy of ['none', 'request', 'require'] as const) {
    for (const withCert of [true, false]) {
      it(`server ${policy}, client ${withCert ? 'with' : 'without'} a certificate`, async () => {
        const { client, server } = await connect(
          withCert ? { certificate: P.client } : {},
          { certificate: P.server['ecdsa-p256'], clientAuth: policy, ca: [P.caPem] },
        );
        if (policy === 'require' && !withCert) {
          expect(server.errors[0]?.alert).toBe('certificate_required');
          expect(client.errors[0]?.alert).toBe('certificate_required');
          expect(client.errors[0]?.received).toBe(true);
          return;
        }
        expectOk(client, server);
        const got = policy !== 'none' && withCert;
        expect(server.info!.peerCertificates.length).toBe(got ? 1 : 0);
        expect(server.info!.peerVerified).toBe(got);
        await roundTrip(client, server);
      });
    }
  }

  it('client certificate from an unknown CA → unknown_ca', async () => {
    const other = await pki();
    const { server } = await connect({ certificate: other.client }, {
      certificate: P.server['ecdsa-p256'], clientAuth: 'require', ca: [P.server['ecdsa-p256'].chain[0]!],
    });
    expect(server.errors[0]?.alert).toBe('unknown_ca');
  });

  it('certificate_authorities are sent in CertificateRequest', async () => {
    const lines: string[] = [];
    const { client, server } = await connect(
      { certificate: P.client, onHandshakeMessage: (d, _t, s) => lines.push(`${d} ${s}`) },
      { certificate: P.server['ecdsa-p256'], clientAuth: 'require', ca: [P.caPem], clientCertificateAuthorities: [new Uint8Array([0x30, 0x03, 0x31, 0x01, 0x00])] },
    );
    expectOk(client, server);
    expect(lines.some((l) => l.startsWith('received CertificateRequest') && l.includes('certificate_authorities'))).toBe(true);
  });
});

describe('certificate checks', () => {
  it('unknown CA → unknown_ca sent by the client', async () => {
    const { client, server } = await connect({ ca: [P.server.ed25519.chain[0]!] }, { certificate: P.server['ecdsa-p256'] });
    expect(client.errors[0]?.alert).toBe('unknown_ca');
    expect(server.errors[0]?.alert).toBe('unknown_ca');
    expect(server.errors[0]?.received).toBe(true);
  });

  it('name mismatch → bad_certificate; rejectUnauthorized:false records it and continues', async () => {
    const a = await connect({ servername: 'nothere.example' }, { certificate: P.server['ecdsa-p256'] });
    expect(a.client.errors[0]?.alert).toBe('bad_certificate');
    const b = await connect({ servername: 'nothere.example', rejectUnauthorized: false }, { certificate: P.server['ecdsa-p256'] });
    expectOk(b.client, b.server);
    expect(b.client.info!.peerVerified).toBe(false);
    expect(b.client.info!.peerVerifyError).toMatch(/name-mismatch/);
  });

  it('expired (by injected clock) → certificate_expired', async () => {
    const { client } = await connect({ now: () => new Date(Date.now() + 20 * 365 * 86400_000) }, { certificate: P.server['ecdsa-p256'] });
    expect(client.errors[0]?.alert).toBe('certificate_expired');
  });

  it('IP literal: no SNI sent, the certificate is checked against the IP', async () => {
    const { client, server } = await connect({ servername: '127.0.0.1' }, { certificate: P.server['ecdsa-p256'] });
    expectOk(client, server);
    expect(server.info!.servername).toBeUndefined();
  });
});

describe('ALPN and SNI', () => {
  it('ALPN: server preference among the client offer', async () => {
    const { client, server } = await connect({ ALPNProtocols: ['http/1.1', 'h2'] }, { certificate: P.server['ecdsa-p256'], ALPNProtocols: ['h2', 'http/1.1'] });
    expectOk(client, server);
    expect(client.info!.alpnProtocol).toBe('h2');
    expect(server.info!.alpnProtocol).toBe('h2');
  });

  it('ALPN: no overlap → no_application_protocol', async () => {
    const { client, server } = await connect({ ALPNProtocols: ['h2'] }, { certificate: P.server['ecdsa-p256'], ALPNProtocols: ['http/1.1'] });
    expect(server.errors[0]?.alert).toBe('no_application_protocol');
    expect(client.errors[0]?.alert).toBe('no_application_protocol');
  });

  it('ALPN: only one side configured → none negotiated', async () => {
    const { client, server } = await connect({ ALPNProtocols: ['h2'] }, { certificate: P.server['ecdsa-p256'] });
    expectOk(client, server);
    expect(client.info!.alpnProtocol).toBeUndefined();
  });

  it('SNI selects the certificate', async () => {
    const seen: (string | undefined)[] = [];
    const cfg: ServerConfig = {
      certificate: P.server['ecdsa-p256'],
      selectCertificate: (name) => { seen.push(name); return name === 'other.example' ? P.other : undefined; },
    };
    const a = await connect({ servername: 'other.example' }, cfg);
    expectOk(a.client, a.server);
    expect(a.server.info!.servername).toBe('other.example');
    const b = await connect({ servername: 'localhost' }, cfg);
    expectOk(b.client, b.server);
    expect(seen).toEqual(['other.example', 'localhost']);
  });
});

describe('post-handshake', () => {
  it('KeyUpdate both directions, with and without update_requested', async () => {
    const { client, server } = await connect({}, { certificate: P.server['ecdsa-p256'] });
    expectOk(client, server);
    for (const [a, b] of [[client, server], [server, client]] as const) {
      a.conn.keyUpdate(true);
      await pump(client, server);
      await roundTrip(client, server);
      b.conn.keyUpdate(false);
      await pump(client, server);
      await roundTrip(client, server);
    }
    expectOk(client, server);
  });

  it('each KeyUpdate(update_requested) is answered by exactly one KeyUpdate(update_not_requested), before the data that follows (RFC 8446 §4.6.3)', async () => {
    const sent: number[] = []; // request_update of each KeyUpdate the server sends
    const { client, server } = await connect({}, {
      certificate: P.server['ecdsa-p256'],
      onHandshakeMessage: (d, t, _summary, raw) => { if (d === 'sent' && t === 'key_update') sent.push(raw[4]!); },
    });
    expectOk(client, server);
    // Three requests in one flight from the client, and server data queued meanwhile.
    for (let i = 0; i < 3; i++) client.conn.keyUpdate(true);
    await pump(client, server);
    expect(sent).toEqual([0, 0, 0]);
    // One request while the server has data to send: one answer, then the data under the new key.
    sent.length = 0;
    client.conn.keyUpdate(true);
    const w = server.conn.write(enc('after'));
    await pump(client, server);
    await w;
    expect(sent).toEqual([0]);
    expect(dec(client.data)).toContain('after');
    await roundTrip(client, server);
    expect(sent).toEqual([0]);
    // The other direction: the client answers each of the server's two requests once.
    const clientSent: number[] = [];
    const c2 = await connect({ onHandshakeMessage: (d, t, _s, raw) => { if (d === 'sent' && t === 'key_update') clientSent.push(raw[4]!); } }, { certificate: P.server['ecdsa-p256'] });
    c2.server.conn.keyUpdate(true);
    c2.server.conn.keyUpdate(true);
    await pump(c2.client, c2.server);
    expect(clientSent).toEqual([0, 0]);
    await roundTrip(c2.client, c2.server);
    expectOk(c2.client, c2.server);
    expectOk(client, server);
  });

  it('automatic KeyUpdate before the record limit', async () => {
    const lines: string[] = [];
    const { client, server } = await connect({ keyUpdateAfterRecords: 3, onHandshakeMessage: (d, t) => lines.push(`${d} ${t}`) }, { certificate: P.server['ecdsa-p256'] });
    for (let i = 0; i < 10; i++) void client.conn.write(enc(`m${i};`));
    await pump(client, server);
    expect(dec(server.data)).toBe('m0;m1;m2;m3;m4;m5;m6;m7;m8;m9;');
    expect(lines.filter((l) => l === 'sent key_update').length).toBeGreaterThanOrEqual(2);
    expectOk(client, server);
  });

  it('close_notify and half-close', async () => {
    const { client, server } = await connect({}, { certificate: P.server['ecdsa-p256'] });
    client.conn.close();
    await pump(client, server);
    expect(server.peerClosed).toBe(true);
    expect(client.conn.state).toBe('connected');
    // The server can still write after the client closed its side.
    await server.conn.write(enc('late data'));
    await pump(client, server);
    expect(dec(client.data)).toBe('late data');
    await expect(client.conn.write(enc('x'))).rejects.toThrow();
    server.conn.close();
    await pump(client, server);
    expect(client.peerClosed).toBe(true);
    expect(client.conn.state).toBe('closed');
    expect(server.conn.state).toBe('closed');
    expect(client.errors).toEqual([]);
    expect(server.errors).toEqual([]);
  });

  it('writes before the handshake completes are queued and delivered', async () => {
    const server = makeServer({ certificate: P.server['ecdsa-p256'] });
    const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
    const w = client.conn.write(enc('early'));
    client.conn.start();
    await pump(client, server);
    await w;
    expect(dec(server.data)).toBe('early');
  });

  it('exportKeyingMaterial agrees on both sides', async () => {
    const { client, server } = await connect({}, { certificate: P.server['ecdsa-p256'] });
    const a = client.conn.exportKeyingMaterial(32, 'EXPERIMENTAL test', new Uint8Array([1, 2]));
    const b = server.conn.exportKeyingMaterial(32, 'EXPERIMENTAL test', new Uint8Array([1, 2]));
    expect(a).toEqual(b);
    expect(client.conn.exportKeyingMaterial(32, 'EXPERIMENTAL other', new Uint8Array(0))).not.toEqual(a);
  });

  it('key log lines for every secret, identical on both sides', async () => {
    const cl: string[] = [];
    const sl: string[] = [];
    const { client, server } = await connect({ keyLog: (l) => cl.push(l) }, { certificate: P.server['ecdsa-p256'], keyLog: (l) => sl.push(l) });
    expectOk(client, server);
    expect(cl.map((l) => l.split(' ')[0]).sort()).toEqual(
      ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'EXPORTER_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'],
    );
    expect([...cl].sort()).toEqual([...sl].sort());
    expect(cl[0]).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64}$/);
  });
});
