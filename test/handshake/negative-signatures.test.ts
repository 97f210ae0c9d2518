/**
 * The alerts for Ed448, ecdsa_secp521r1_sha512 and ML-DSA signatures that
 * are wrong: a scheme that does not fit the certificate's key or was not
 * offered → illegal_parameter (RFC 8446 §4.4.3: the scheme must be one the
 * receiver offered; the key must fit it, as Go and rustls check), a
 * signature that does not verify or has the wrong length (Ed448: 114
 * octets, RFC 8032 §5.2.6) → decrypt_error (§4.4.3), a certificate whose
 * Ed448 SubjectPublicKeyInfo holds no Ed448 key, or that is signed as Ed448
 * by an issuer whose key is not Ed448 → bad_certificate.
 * The sending peer rewrites its own messages after they entered its
 * transcript (`__mutateHandshake`), so only the receiver's check can fail.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as asn1js from 'asn1js';
import type { AlertName } from '../../src/errors.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { decodeHandshake, encodeHandshake, type HandshakeMessage } from '../../src/handshake/messages/index.js';
import { buildCertificate, createCertificateAuthority, extensionValue, generateKey, importSigningKey, issueCertificate, type KeyType } from '../../src/cert/index.js';
import { parsePrivateKey } from '../../src/x509/keys.js';
import { OID } from '../../src/x509/oids.js';
import { makeClient, makeServer, pump } from '../connection/helpers.js';
import { pki, type Pki } from '../connection/fixtures.js';

let P: Pki;
const typed = new Map<KeyType, { caPem: string; server: CertifiedKey; client: CertifiedKey }>();
beforeAll(async () => {
  P = await pki();
  for (const keyType of ['ed448', 'ecdsa-p521', 'mldsa65'] as const) {
    const ca = await createCertificateAuthority({ keyType });
    const s = await issueCertificate({ ca, names: ['localhost'], keyType });
    const c = await issueCertificate({ ca, names: ['client'], keyType, client: true });
    typed.set(keyType, { caPem: ca.certPem, server: { chain: [s.certDer], key: s.key }, client: { chain: [c.certDer], key: c.key } });
  }
}, 60_000);

type Mut = (m: HandshakeMessage) => HandshakeMessage;
const onCertificateVerify = (f: (m: Extract<HandshakeMessage, { type: 'certificate_verify' }>) => HandshakeMessage) => (raw: Uint8Array): Uint8Array => {
  const m = decodeHandshake(raw);
  return m.type === 'certificate_verify' ? encodeHandshake(f(m)) : raw;
};
const resized = (n: number): Mut => (m) => {
  if (m.type !== 'certificate_verify') return m;
  const s = new Uint8Array(m.signature.length + n);
  s.set(m.signature.subarray(0, Math.min(s.length, m.signature.length)));
  return { ...m, signature: s };
};
const flipped: Mut = (m) => {
  if (m.type !== 'certificate_verify') return m;
  const s = m.signature.slice(); s[10]! ^= 1;
  return { ...m, signature: s };
};
const scheme = (code: number): Mut => (m) => ({ ...m, scheme: code } as HandshakeMessage);

interface Case { name: string; alert: AlertName; keyType?: KeyType; mutate: Mut; optIn?: ClientConfig['signatureSchemes'] }
const cases: Case[] = [
  { name: 'a P-256 key signing as ecdsa_secp521r1_sha512 (offered, wrong curve)', alert: 'illegal_parameter', mutate: scheme(0x0603) },
  { name: 'a P-521 key signing as ecdsa_secp256r1_sha256 (offered, wrong curve)', alert: 'illegal_parameter', keyType: 'ecdsa-p521', mutate: scheme(0x0403) },
  { name: 'an Ed448 key signing as ed25519', alert: 'illegal_parameter', keyType: 'ed448', mutate: scheme(0x0807) },
  { name: 'mldsa65 when the peer did not offer it', alert: 'illegal_parameter', mutate: scheme(0x0905) },
  { name: 'an ML-DSA-65 key signing as mldsa44 (both offered)', alert: 'illegal_parameter', keyType: 'mldsa65', mutate: scheme(0x0904), optIn: ['mldsa44', 'mldsa65'] },
  { name: 'Ed448 signature of 113 octets', alert: 'decrypt_error', keyType: 'ed448', mutate: resized(-1) },
  { name: 'Ed448 signature of 115 octets', alert: 'decrypt_error', keyType: 'ed448', mutate: resized(1) },
  { name: 'Ed448 signature with a flipped bit', alert: 'decrypt_error', keyType: 'ed448', mutate: flipped },
  { name: 'ecdsa_secp521r1_sha512 signature with a flipped bit', alert: 'decrypt_error', keyType: 'ecdsa-p521', mutate: flipped },
  { name: 'ML-DSA-65 signature one octet short', alert: 'decrypt_error', keyType: 'mldsa65', mutate: resized(-1), optIn: ['mldsa65'] },
  { name: 'ML-DSA-65 signature with a flipped bit', alert: 'decrypt_error', keyType: 'mldsa65', mutate: flipped, optIn: ['mldsa65'] },
];

describe('client: the server CertificateVerify', () => {
  for (const c of cases) {
    it(`${c.name} → ${c.alert}`, async () => {
      const t = c.keyType ? typed.get(c.keyType)! : { caPem: P.caPem, server: P.server['ecdsa-p256'] };
      const schemes = c.optIn ? { signatureSchemes: c.optIn } : {};
      const server = makeServer({ certificate: t.server, __mutateHandshake: onCertificateVerify(c.mutate as never), ...schemes } as unknown as ServerConfig);
      const client = makeClient({ servername: 'localhost', ca: [t.caPem], ...schemes });
      client.conn.start();
      await pump(client, server);
      expect(client.errors.map((e) => e.alert)).toEqual([c.alert]);
      expect(client.errors[0]!.received).toBe(false);
      expect(server.errors.map((e) => [e.alert, e.received])).toEqual([[c.alert, true]]);
    });
  }
});

describe('server: the client CertificateVerify', () => {
  for (const c of cases.filter((x) => x.keyType)) {
    it(`${c.name} → ${c.alert}`, async () => {
      const t = typed.get(c.keyType!)!;
      const schemes = c.optIn ? { signatureSchemes: c.optIn } : {};
      const server = makeServer({ certificate: t.server, clientAuth: 'require', ca: [t.caPem], ...schemes });
      const client = makeClient({ servername: 'localhost', ca: [t.caPem], certificate: t.client, __mutateHandshake: onCertificateVerify(c.mutate as never), ...schemes } as unknown as ClientConfig);
      client.conn.start();
      await pump(client, server);
      expect(server.errors.map((e) => e.alert)).toEqual([c.alert]);
      expect(client.errors.map((e) => [e.alert, e.received])).toEqual([[c.alert, true]]);
    });
  }
});

describe('certificates', () => {
  it('a leaf signed as Ed448 under a CA whose SubjectPublicKeyInfo is P-256 → bad_certificate', async () => {
    const ed448Signer = await generateKey('ed448');
    const der = await buildCertificate({
      subject: 'CN=localhost', publicKey: ed448Signer.spki, signer: ed448Signer, issuerCert: P.caDer,
      notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 86_400_000),
      extensions: [{ oid: OID.subjectAltName, value: extensionValue.subjectAltName(['localhost']) }],
    });
    const server = makeServer({ certificate: { chain: [der], key: parsePrivateKey(ed448Signer.pkcs8) } });
    const client = makeClient({ servername: 'localhost', ca: [P.caPem] });
    client.conn.start();
    await pump(client, server);
    expect(client.errors.map((e) => e.alert)).toEqual(['bad_certificate']);
    expect(client.errors[0]!.message).toMatch(/Ed448 signature from a non-Ed448 key/);
  });

  it('a leaf whose Ed448 SubjectPublicKeyInfo holds a 32-octet (Ed25519-sized) key → bad_certificate', async () => {
    const t = typed.get('ed448')!;
    const ca = await createCertificateAuthority({ keyType: 'ed448' });
    const caKey = await importSigningKey(ca.keyPem);
    const ab = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    const spki = new Uint8Array(new asn1js.Sequence({
      value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.ed448 })] }), new asn1js.BitString({ valueHex: ab(new Uint8Array(32).fill(7)) })],
    }).toBER(false));
    const der = await buildCertificate({
      subject: 'CN=localhost', publicKey: spki, signer: caKey, issuerCert: ca.certDer,
      notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + 86_400_000),
      extensions: [{ oid: OID.subjectAltName, value: extensionValue.subjectAltName(['localhost']) }],
    });
    const server = makeServer({ certificate: { chain: [der], key: t.server.key } });
    const client = makeClient({ servername: 'localhost', ca: [ca.certPem] });
    client.conn.start();
    await pump(client, server);
    expect(client.errors.map((e) => e.alert)).toEqual(['bad_certificate']);
    expect(client.errors[0]!.message).toMatch(/Ed448 key: wrong length/);
    expect(server.errors.map((e) => [e.alert, e.received])).toEqual([['bad_certificate', true]]);
  });
});
