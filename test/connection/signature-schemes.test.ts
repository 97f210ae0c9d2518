/**
 * Ed448 (0x0808), ecdsa_secp521r1_sha512 (0x0603) and ML-DSA (0x0904–0x0906,
 * draft-ietf-tls-mldsa, opt-in) end to end between two puretls Connections:
 * certificates issued by puretls/cert (a CA and a leaf of the same type, so
 * the chain's signatures use the algorithm too), CertificateVerify in both
 * roles, on every provider.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import type { CertifiedKey, ClientConfig, ServerConfig, SignatureSchemeName } from '../../src/connection/types.js';
import { createCertificateAuthority, issueCertificate, type KeyType } from '../../src/cert/index.js';
import { DEFAULT_SCHEMES } from '../../src/handshake/common/schemes.js';
import { providers } from '../crypto/helpers.js';
import { connectPair } from './helpers.js';

interface TypePki { caPem: string; server: CertifiedKey; client: CertifiedKey }

async function typePki(keyType: KeyType): Promise<TypePki> {
  const ca = await createCertificateAuthority({ name: `${keyType} CA`, keyType });
  const issue = async (names: string[], client: boolean): Promise<CertifiedKey> => {
    const c = await issueCertificate({ ca, names, keyType, client });
    return { chain: [c.certDer], key: c.key };
  };
  return { caPem: ca.certPem, server: await issue(['localhost'], false), client: await issue(['client'], true) };
}

const CASES: { keyType: KeyType; scheme: SignatureSchemeName; optIn: boolean }[] = [
  { keyType: 'ed448', scheme: 'ed448', optIn: false },
  { keyType: 'ecdsa-p521', scheme: 'ecdsa_secp521r1_sha512', optIn: false },
  { keyType: 'mldsa44', scheme: 'mldsa44', optIn: true },
  { keyType: 'mldsa65', scheme: 'mldsa65', optIn: true },
  { keyType: 'mldsa87', scheme: 'mldsa87', optIn: true },
];

const pkis = new Map<KeyType, TypePki>();
beforeAll(async () => {
  for (const c of CASES) pkis.set(c.keyType, await typePki(c.keyType));
}, 60_000);

describe('ML-DSA is opt-in', () => {
  it('no mldsa scheme is in the default offer', () => {
    expect(DEFAULT_SCHEMES.filter((s) => s.startsWith('mldsa'))).toEqual([]);
    expect(DEFAULT_SCHEMES).toContain('ed448');
    expect(DEFAULT_SCHEMES).toContain('ecdsa_secp521r1_sha512');
  });

  it('a server with an ML-DSA certificate and a client that did not opt in: handshake_failure, no ML-DSA signature sent', async () => {
    const p = pkis.get('mldsa65')!;
    const { client, server } = await connectPair(
      { servername: 'localhost', ca: [p.caPem] },
      { certificate: p.server, signatureSchemes: ['mldsa65'] },
    );
    expect(server.errors[0]?.alert).toBe('handshake_failure');
    expect(client.conn.state).not.toBe('connected');
  });
});

describe.each(providers)('on the %s provider', (_name, provider: CryptoProvider) => {
  for (const { keyType, scheme, optIn } of CASES) {
    const schemes = optIn ? { signatureSchemes: [scheme] } : {};
    it(`${scheme}: server and client authentication with a ${keyType} CA and leaves`, async () => {
      const p = pkis.get(keyType)!;
      const c: ClientConfig = { servername: 'localhost', ca: [p.caPem], certificate: p.client, provider, ...schemes };
      const s: ServerConfig = { certificate: p.server, clientAuth: 'require', ca: [p.caPem], provider, ...schemes };
      const { client, server } = await connectPair(c, s);
      expect(client.errors.map((e) => e.message)).toEqual([]);
      expect(server.errors.map((e) => e.message)).toEqual([]);
      expect(client.info!.signatureScheme).toBe(scheme);
      expect(server.info!.signatureScheme).toBe(scheme);
      expect(client.info!.peerVerified).toBe(true);
      expect(server.info!.peerVerified).toBe(true);
    }, 30_000);
  }
});
