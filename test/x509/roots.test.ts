import { describe, it, expect } from 'vitest';
import tls from 'node:tls';
import { mozillaRoots, mozillaRootsGenerated } from '../../src/x509/roots/index.js';
import { verifyCertificateChain } from '../../src/x509/verify.js';
import { decodeCertificate } from '../../src/x509/certificate.js';
import { pemDecode } from '../../src/x509/pem.js';
import { certificatePublicKey } from '../../src/x509/keys.js';
import { nodeVerifyProvider } from './helpers.js';

describe('puretls/roots', () => {
  it('is the generated Mozilla set with its provenance', () => {
    expect(mozillaRoots.length).toBe(mozillaRootsGenerated.count);
    expect(mozillaRoots.length).toBeGreaterThan(100);
    expect(mozillaRootsGenerated.node).toMatch(/^v\d+\./);
    expect(mozillaRootsGenerated.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("every root (bundled and Node's own) parses strictly and is accepted as a trust anchor", async () => {
    const all = new Set([...mozillaRoots, ...tls.rootCertificates]);
    const failures: string[] = [];
    for (const pem of all) {
      const der = pemDecode(pem, 'CERTIFICATE')[0]!;
      const c = decodeCertificate(der);
      certificatePublicKey(der);
      const now = new Date(c.notBefore + 86_400_000);
      const r = await verifyCertificateChain({ leaf: der, roots: [pem], now, provider: nodeVerifyProvider });
      if (!r.ok) failures.push(`${r.code}: ${r.message}`);
    }
    expect(failures).toEqual([]);
  });
});
