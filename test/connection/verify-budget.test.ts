/**
 * verifyBudget: the work the built-in verifier may spend on the peer's
 * chain (src/x509/verify-budget.ts; one ECDSA P-256 verification = 1 unit,
 * P-384 = 3), settable on the connection config, the Node-style options and
 * the CLI (--verify-budget). Bounded (1..1000, whole units) and refused
 * next to a custom verifyCertificate, which it could not bound.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertifiedKey } from '../../src/connection/types.js';
import { createCertificateAuthority, issueCertificate } from '../../src/cert/index.js';
import { resolveClientConfig, resolveServerConfig } from '../../src/handshake/config.js';
import { clientConfig } from '../../src/io/options.js';
import { parseArgs } from '../../src/cli/args.js';
import { commonTlsOptions, TLS_OPTIONS } from '../../src/cli/common.js';
import { connectPair } from './helpers.js';

let caPem: string;
let server: CertifiedKey;
beforeAll(async () => {
  // A P-384 CA: checking the leaf's signature costs 3 units (plus 1/64 for hashing it).
  const ca = await createCertificateAuthority({ name: 'P-384 CA', keyType: 'ecdsa-p384' });
  const leaf = await issueCertificate({ ca, names: ['localhost'] });
  caPem = ca.certPem;
  server = { chain: [leaf.certDer], key: leaf.key };
});

describe('verifyBudget', () => {
  it('default (12): a chain costing 3 units validates', async () => {
    const { client } = await connectPair({ servername: 'localhost', ca: [caPem] }, { certificate: server });
    expect(client.errors.map((e) => e.message)).toEqual([]);
    expect(client.info!.peerVerified).toBe(true);
  });

  it('a budget of 4 is enough; 3 is not (3 units and 1/64 for hashing the leaf): too-complex → certificate_unknown, sent by the client', async () => {
    const ok = await connectPair({ servername: 'localhost', ca: [caPem], verifyBudget: 4 }, { certificate: server });
    expect(ok.client.errors.map((e) => e.message)).toEqual([]);
    const { client, server: srv } = await connectPair({ servername: 'localhost', ca: [caPem], verifyBudget: 3 }, { certificate: server });
    expect(client.errors[0]?.alert).toBe('certificate_unknown');
    expect(client.errors[0]?.message).toMatch(/too-complex/);
    expect(srv.errors[0]?.alert).toBe('certificate_unknown');
  });

  it('bounded: whole numbers 1..1000; refused beside verifyCertificate', () => {
    for (const b of [0, -1, 1.5, 1001, Number.NaN, Infinity, '12' as unknown as number]) {
      expect(() => resolveClientConfig({ servername: 'x', verifyBudget: b }), String(b)).toThrow(/verifyBudget must be a whole number/);
    }
    expect(resolveClientConfig({ servername: 'x' }).verifyBudget).toBe(12);
    expect(resolveServerConfig({ verifyBudget: 1000 }).verifyBudget).toBe(1000);
    expect(() => resolveClientConfig({ servername: 'x', verifyBudget: 20, verifyCertificate: () => ({ ok: true }) })).toThrow(/verifyCertificate replaces/);
  });

  it('the Node-style options and the CLI pass it through', () => {
    expect(clientConfig({ servername: 'example.com', verifyBudget: 40 }).verifyBudget).toBe(40);
    const args = parseArgs(['--verify-budget', '30'], TLS_OPTIONS);
    expect(commonTlsOptions(args).verifyBudget).toBe(30);
    expect(() => commonTlsOptions(parseArgs(['--verify-budget', '0'], TLS_OPTIONS))).toThrow(/--verify-budget: a whole number from 1 to 1000/);
  });
});
