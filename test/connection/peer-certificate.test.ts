/**
 * The handshake's use of the peer's certificate chain: the worst chain a
 * peer can send costs bounded work (issue 8), chains of more than 32
 * certificates are processed (issue 12), a leaf whose keyUsage lacks
 * digitalSignature cannot sign CertificateVerify (issue 12), and a
 * self-signed certificate given in `ca` is its own trust anchor (issue 10).
 * Both roles, over two in-memory Connections.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { extensionValue as ev } from '../../src/x509/issue.js';
import { parsePrivateKey } from '../../src/x509/keys.js';
import { OID } from '../../src/x509/oids.js';
import { DEFAULT_VERIFY_BUDGET, signatureCost } from '../../src/x509/verify.js';
import { worstChain, type WorstChain } from '../../bench/worst-chain.js';
import { leaf, longChain, root, type Made } from '../x509/helpers.js';
import { acceptAll, connectPair, type Endpoint } from './helpers.js';

function certified(m: Made, ...chain: Made[]): CertifiedKey {
  return { chain: [m.der, ...chain.map((c) => c.der)], key: parsePrivateKey(m.key.pkcs8) };
}

function connect(c: ClientConfig, s: ServerConfig): Promise<{ client: Endpoint; server: Endpoint }> {
  return connectPair({ servername: 'example.com', ...c }, s);
}

function expectOk(client: Endpoint, server: Endpoint): void {
  expect(client.errors.map((e) => e.message)).toEqual([]);
  expect(server.errors.map((e) => e.message)).toEqual([]);
  expect(client.conn.state).toBe('connected');
  expect(server.conn.state).toBe('connected');
}

const keyUsage = (bits: number[]) => ({ [OID.keyUsage]: { oid: OID.keyUsage, critical: true, value: ev.keyUsage(bits) } });

describe('the worst client chain costs the server bounded work', () => {
  let w: WorstChain;
  beforeAll(async () => {
    w = await worstChain({ keyType: 'P-521', intermediates: 31 });
  }, 60_000);

  it('31 same-name intermediates with their own P-521 keys → certificate_unknown after at most the budget', async () => {
    const stats = { calls: 0, cost: 0 };
    const provider: CryptoProvider = {
      ...pureProvider,
      verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array) {
        stats.calls++;
        stats.cost += signatureCost(key, message.length);
        return pureProvider.verify(alg, key, message, signature);
      },
    };
    const srv = await root();
    const serverCert = certified(await leaf(srv));
    const { client, server } = await connect(
      { ca: [srv.der], certificate: { chain: w.chain, key: w.leafKey } },
      { certificate: serverCert, clientAuth: 'require', ca: [w.root], provider },
    );
    expect(server.errors[0]?.alert).toBe('certificate_unknown');
    expect(server.errors[0]?.message).toMatch(/too-complex/);
    expect(client.errors[0]?.alert).toBe('certificate_unknown');
    expect(client.errors[0]?.received).toBe(true);
    // Before: 100 P-521 verifications (~1.3 s of blocking CPU with the pure provider).
    expect(stats.calls).toBeLessThanOrEqual(Math.floor(DEFAULT_VERIFY_BUDGET / 5));
    expect(stats.cost).toBeLessThanOrEqual(DEFAULT_VERIFY_BUDGET);
  });
});

describe('a chain of 51 certificates (more than the former limit of 32) is processed', () => {
  it('server role sends it, the client validates the 4 on the path and ignores the rest', async () => {
    const { root: r, leaf: l, sent } = await longChain(47);
    const chain = certified(l, ...sent);
    expect(chain.chain.length).toBe(51);
    const { client, server } = await connect({ ca: [r.der] }, { certificate: chain });
    expectOk(client, server);
    expect(client.info!.peerVerified).toBe(true);
    expect(client.info!.peerCertificates.length).toBe(51);
  });
});

describe('TLS 1.3 leaf without digitalSignature in a present keyUsage → bad_certificate (RFC 8446 §4.4.2.2)', () => {
  it('server certificate with keyUsage keyEncipherment only: refused by the client, whatever the verifier', async () => {
    const r = await root();
    const bad = certified(await leaf(r, { ext: keyUsage([2]) }));
    const a = await connect({ ca: [r.der] }, { certificate: bad });
    expect(a.client.errors[0]?.alert).toBe('bad_certificate');
    expect(a.client.errors[0]?.message).toMatch(/digitalSignature/);
    expect(a.server.errors[0]?.alert).toBe('bad_certificate');
    // A custom verifier that accepts the chain does not lift the TLS requirement.
    const b = await connect({ verifyCertificate: acceptAll }, { certificate: bad });
    expect(b.client.errors[0]?.alert).toBe('bad_certificate');
    // rejectUnauthorized: false records the failure, as for any other verification failure.
    const c = await connect({ ca: [r.der], rejectUnauthorized: false }, { certificate: bad });
    expectOk(c.client, c.server);
    expect(c.client.info!.peerVerified).toBe(false);
    expect(c.client.info!.peerVerifyError).toMatch(/key-usage/);
    // Absent keyUsage, or digitalSignature among others, is fine.
    const d = await connect({ ca: [r.der] }, { certificate: certified(await leaf(r, { ext: { [OID.keyUsage]: undefined } })) });
    expectOk(d.client, d.server);
    const e = await connect({ ca: [r.der] }, { certificate: certified(await leaf(r, { ext: keyUsage([0, 2]) })) });
    expectOk(e.client, e.server);
  });

  it('client certificate with keyUsage keyAgreement only: refused by the server', async () => {
    const r = await root();
    const clientCert = certified(await leaf(r, { subject: 'CN=client', san: null, eku: [OID.clientAuth], ext: keyUsage([4]) }));
    const { client, server } = await connect(
      { ca: [r.der], certificate: clientCert },
      { certificate: certified(await leaf(r)), clientAuth: 'require', ca: [r.der] },
    );
    expect(server.errors[0]?.alert).toBe('bad_certificate');
    expect(server.errors[0]?.message).toMatch(/digitalSignature/);
    expect(client.errors[0]?.alert).toBe('bad_certificate');
    expect(client.errors[0]?.received).toBe(true);
  });
});

describe('a self-signed certificate given in ca that is exactly the peer\'s leaf is its own trust anchor', () => {
  // As `openssl req -x509` makes them with a keyUsage for a server: cA TRUE, keyUsage digitalSignature (no keyCertSign).
  const selfSigned = (subject: string, names: string[], eku?: string) => root({
    subject,
    ext: keyUsage([0]),
    extra: [
      { oid: OID.subjectAltName, critical: false, value: ev.subjectAltName(names) },
      ...(eku ? [{ oid: OID.extKeyUsage, critical: false, value: ev.extKeyUsage([eku]) }] : []),
    ],
  });

  it('server role: accepted; the name and the validity are still checked', async () => {
    const s = await selfSigned('CN=example.com', ['example.com']);
    const ok = await connect({ ca: [s.der] }, { certificate: certified(s) });
    expectOk(ok.client, ok.server);
    expect(ok.client.info!.peerVerified).toBe(true);
    const wrongName = await connect({ ca: [s.der], servername: 'other.example' }, { certificate: certified(s) });
    expect(wrongName.client.errors[0]?.alert).toBe('bad_certificate');
    const later = await connect({ ca: [s.der], now: () => new Date('3000-01-01T00:00:00Z') }, { certificate: certified(s) });
    expect(later.client.errors[0]?.alert).toBe('certificate_expired');
    // Another self-signed certificate with the same name is not trusted through it.
    const other = await selfSigned('CN=example.com', ['example.com']);
    const impostor = await connect({ ca: [s.der] }, { certificate: certified(other) });
    expect(impostor.client.errors[0]?.alert).toBe('bad_certificate');
  });

  it('client role: the server accepts a self-signed client certificate it was given in ca', async () => {
    const c = await selfSigned('CN=client', ['client.example'], OID.clientAuth);
    const srv = await root();
    const { client, server } = await connect(
      { ca: [srv.der], certificate: certified(c) },
      { certificate: certified(await leaf(srv)), clientAuth: 'require', ca: [c.der] },
    );
    expectOk(client, server);
    expect(server.info!.peerVerified).toBe(true);
  });
});
