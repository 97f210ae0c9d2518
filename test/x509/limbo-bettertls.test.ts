/**
 * x509-limbo `bettertls::nameconstraints::*`: the Netflix BetterTLS name
 * constraints suite (test-suites/nameconstraints in Netflix/bettertls), all
 * 2 × 2 × 3^7 parameter combinations rebuilt with the same certificate shapes
 * as its Go generator, and judged by the same ExpectedResult() rules
 * (soft pass → ACCEPT, soft fail → REJECT, as `bettertls export-tests` and limbo do).
 *
 * Chain: leaf ← local_ica (name constraints) ← local_root ← trust root.
 */
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { X, ecKey, gn, type Pair } from './limbo-builder.js';
import { buildCertificate, keyIdentifier, type NameSpec, type SigningKey } from '../../src/x509/issue.js';
import { verifyCertificateChain } from '../../src/x509/verify.js';
import { nodeVerifyProvider } from './helpers.js';

type Tri = 'NONE' | 'VALID' | 'INVALID';
const TRI: Tri[] = ['NONE', 'VALID', 'INVALID'];

interface Case {
  host: 'DNS' | 'IP';
  cnType: 'DNS' | 'IP';
  cn: Tri;
  dnsSan: Tri;
  ipSan: Tri;
  dnsWhite: Tri;
  ipWhite: Tri;
  dnsBlack: Tri;
  ipBlack: Tri;
}

/** NameConstraintsTestCase.ExpectedResult(), with soft results collapsed as the export does. */
function expected(n: Case): 'ACCEPT' | 'REJECT' {
  let softFail = false;
  if (n.host === 'DNS' && n.dnsSan !== 'VALID') {
    if (n.cnType !== 'DNS' || n.cn !== 'VALID') return 'REJECT';
    softFail = true;
  } else if (n.host === 'IP' && n.ipSan !== 'VALID') {
    if (n.cnType !== 'IP' || n.cn !== 'VALID') return 'REJECT';
    softFail = true;
  }
  if (n.host === 'DNS' && (n.dnsWhite === 'INVALID' || n.dnsBlack === 'VALID')) return 'REJECT';
  if (n.host === 'IP' && (n.ipWhite === 'INVALID' || n.ipBlack === 'VALID')) return 'REJECT';
  let sanViolation = false;
  if (n.dnsSan === 'VALID' && (n.dnsWhite === 'INVALID' || n.dnsBlack === 'VALID')) sanViolation = true;
  if (n.dnsSan === 'INVALID' && (n.dnsWhite === 'VALID' || n.dnsBlack === 'INVALID')) sanViolation = true;
  if (n.ipSan === 'VALID' && (n.ipWhite === 'INVALID' || n.ipBlack === 'VALID')) sanViolation = true;
  if (n.ipSan === 'INVALID' && (n.ipWhite === 'VALID' || n.ipBlack === 'INVALID')) sanViolation = true;
  if (sanViolation) softFail = true;
  return softFail ? 'REJECT' : 'ACCEPT';
}

const NOW = new Date('2024-06-01T00:00:00Z');
const NB = new Date('2024-05-31T00:00:00Z');
const NA = new Date('2025-06-01T00:00:00Z');

function goName(cn: string | undefined): NameSpec {
  // pkix.Name order: O, then CN, then serialNumber (Go emits CN after O).
  return [['O', 'bettertls.com'], ...(cn ? ([['CN', cn]] as [string, string][]) : []), ['2.5.4.5', randomUUID()]];
}

async function ca(subject: NameSpec, key: SigningKey, parent: Pair | undefined, extra: ReturnType<typeof X.nc>[] = []): Promise<Pair> {
  const ski = keyIdentifier(key.spki);
  const der = await buildCertificate({
    subject,
    ...(parent ? { issuer: parent.subject } : {}),
    publicKey: key.spki,
    signer: parent?.key ?? key,
    notBefore: NB,
    notAfter: NA,
    extensions: [X.ku([5], true), X.bc(true), X.ski(ski), ...(parent ? [X.aki({ keyId: parent.ski })] : []), ...extra],
  });
  return { der, key, subject, ski };
}

describe('limbo bettertls::nameconstraints (all 8748 combinations)', () => {
  it('matches the BetterTLS expectation for every combination', async () => {
    const root = await ca(goName('bettertls_trust_root'), await ecKey(), undefined);
    const localRoot = await ca(goName('local_root'), await ecKey(), root);
    const leafKey = await ecKey();
    const icaKey = await ecKey();
    const mismatches: string[] = [];
    let accepted = 0;
    let total = 0;
    for (const dnsWhite of TRI)
      for (const ipWhite of TRI)
        for (const dnsBlack of TRI)
          for (const ipBlack of TRI) {
            const permitted: Uint8Array[] = [];
            const excluded: Uint8Array[] = [];
            if (dnsWhite !== 'NONE') permitted.push(gn.dns(dnsWhite === 'VALID' ? 'localhost' : 'example.com'));
            if (ipWhite !== 'NONE') permitted.push(gn.ip(ipWhite === 'VALID' ? '127.0.0.0/24' : '1.1.1.0/24'));
            if (dnsBlack !== 'NONE') excluded.push(gn.dns(dnsBlack === 'VALID' ? 'localhost' : 'bad.example.com'));
            if (ipBlack !== 'NONE') excluded.push(gn.ip(ipBlack === 'VALID' ? '127.0.0.0/24' : '1.1.1.0/24'));
            const nc = permitted.length || excluded.length ? [X.nc({ ...(permitted.length ? { permitted } : {}), ...(excluded.length ? { excluded } : {}) })] : [];
            const ica = await ca(goName('local_ica'), icaKey, localRoot, nc);
            for (const cnType of ['DNS', 'IP'] as const)
              for (const cn of TRI)
                for (const dnsSan of TRI)
                  for (const ipSan of TRI) {
                    const cnValue = cn === 'NONE' ? undefined : cnType === 'DNS' ? (cn === 'VALID' ? 'test.localhost' : 'bad.example.com') : cn === 'VALID' ? '127.0.0.1' : '1.1.1.1';
                    const sans: Uint8Array[] = [];
                    if (dnsSan !== 'NONE') sans.push(gn.dns(dnsSan === 'VALID' ? 'test.localhost' : 'bad.example.com'));
                    if (ipSan !== 'NONE') sans.push(gn.ip(ipSan === 'VALID' ? '127.0.0.1' : '1.1.1.1'));
                    const leaf = await buildCertificate({
                      subject: goName(cnValue),
                      issuer: ica.subject,
                      publicKey: leafKey.spki,
                      signer: icaKey,
                      notBefore: NB,
                      notAfter: NA,
                      extensions: [X.ku([0], true), X.eku(['1.3.6.1.5.5.7.3.1']), X.bc(false), X.aki({ keyId: ica.ski }), ...(sans.length ? [X.san(sans)] : [])],
                    });
                    for (const host of ['DNS', 'IP'] as const) {
                      const tc: Case = { host, cnType, cn, dnsSan, ipSan, dnsWhite, ipWhite, dnsBlack, ipBlack };
                      const want = expected(tc);
                      const r = await verifyCertificateChain({
                        leaf,
                        intermediates: [ica.der, localRoot.der],
                        roots: [root.der],
                        now: NOW,
                        name: host === 'DNS' ? 'test.localhost' : '127.0.0.1',
                        usage: 'server',
                        provider: nodeVerifyProvider,
                      });
                      total++;
                      if (r.ok) accepted++;
                      const got = r.ok ? 'ACCEPT' : 'REJECT';
                      if (got !== want) mismatches.push(`${JSON.stringify(tc)} want ${want} got ${got}${r.ok ? '' : ` (${r.code}: ${r.message})`}`);
                    }
                  }
          }
    if (process.env.LIMBO_REPORT) console.log(`BETTERTLS total=${total} accepted=${accepted} mismatches=${mismatches.length}\n${mismatches.slice(0, 20).join('\n')}`);
    expect(total).toBe(8748);
    expect(mismatches.slice(0, 10)).toEqual([]);
  }, 600_000);
});
