/**
 * x509-limbo `pathlen::*`, `pathological::*`, `cve::*` and `invalid::*`
 * families, rebuilt from limbo/testcases/{pathlen,pathological,cve,invalid}.py.
 */
import { describe, it, expect } from 'vitest';
import { X, ecKey, gn, intermediateCa, leafCert, rootCa, rsaKey, runCases, EPOCH, TORMENT, type LimboCase, type Pair } from './limbo-builder.js';
import { buildCertificate, keyIdentifier, type SigningKey } from '../../src/x509/issue.js';

/** limbo assets.ee_cert: CN=x509-limbo-ee, RSA key, no SAN, no EKU. */
const eeCert = async (parent: Pair) => leafCert(parent, { key: await rsaKey(2048), subject: 'CN=x509-limbo-ee', san: null, eku: null, bc: X.bc(false, undefined, false) });

const pathlen: LimboCase[] = [
  ...[0, 1, 2].map(
    (n): LimboCase => ({
      id: `pathlen::ee-with-intermediate-pathlen-${n}`,
      expected: 'SUCCESS',
      build: async () => {
        const root = await rootCa();
        const ica = await intermediateCa(root, { pathLen: n });
        return { roots: [root], intermediates: [ica], leaf: await eeCert(ica), name: null };
      },
    }),
  ),
  {
    id: 'pathlen::validation-ignores-pathlen-in-leaf',
    expected: 'SUCCESS',
    build: async () => {
      const root = await rootCa();
      const i1 = await intermediateCa(root, { pathLen: 0 });
      const i2 = await intermediateCa(i1, { pathLen: 0 });
      return { roots: [root], intermediates: [i1], leaf: i2 };
    },
  },
  {
    id: 'pathlen::intermediate-violates-pathlen-0',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa();
      const i1 = await intermediateCa(root, { pathLen: 0 });
      const i2 = await intermediateCa(i1, { pathLen: 0 });
      return { roots: [root], intermediates: [i1, i2], leaf: await eeCert(i2), name: null };
    },
  },
  {
    id: 'pathlen::intermediate-pathlen-may-increase',
    expected: 'SUCCESS',
    build: async () => {
      const root = await rootCa();
      const i1 = await intermediateCa(root, { pathLen: 1 });
      const i2 = await intermediateCa(i1, { pathLen: 2 });
      return { roots: [root], intermediates: [i1, i2], leaf: await eeCert(i2), name: null };
    },
  },
  {
    id: 'pathlen::intermediate-pathlen-too-long',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa();
      const i1 = await intermediateCa(root, { pathLen: 1 });
      const i2 = await intermediateCa(i1, { pathLen: 0 });
      const i3 = await intermediateCa(i2, { pathLen: 0 });
      return { roots: [root], intermediates: [i1, i2, i3], leaf: await eeCert(i3), name: null };
    },
  },
  {
    id: 'pathlen::self-issued-certs-pathlen',
    expected: 'SUCCESS',
    build: async () => {
      const root = await rootCa();
      const i1 = await intermediateCa(root, { pathLen: 1 });
      const i2 = await intermediateCa(i1, { pathLen: 1, subject: i1.subject });
      const i3 = await intermediateCa(i2, { pathLen: 0 });
      return { roots: [root], intermediates: [i1, i2, i3], leaf: await eeCert(i3), name: null };
    },
  },
];

/** Two CAs that sign each other (limbo builds them with CertificateBuilder directly). */
async function cycle(names: [string, string], withKu: boolean): Promise<[Pair, Pair]> {
  const k1 = await ecKey();
  const k2 = await ecKey();
  const make = (subject: string, issuer: string, key: SigningKey, signer: SigningKey) =>
    buildCertificate({
      subject,
      issuer,
      publicKey: key.spki,
      signer,
      notBefore: EPOCH,
      notAfter: TORMENT,
      extensions: [X.bc(true), ...(withKu ? [X.ku([5])] : []), X.aki({ keyId: keyIdentifier(signer.spki) }), X.ski(keyIdentifier(key.spki))],
    });
  const c1 = await make(names[0], names[1], k1, k2);
  const c2 = await make(names[1], names[0], k2, k1);
  return [
    { der: c1, key: k1, subject: names[0], ski: keyIdentifier(k1.spki) },
    { der: c2, key: k2, subject: names[1], ski: keyIdentifier(k2.spki) },
  ];
}

const pathological: LimboCase[] = [
  {
    id: 'pathological::multiple-chains-expired-intermediate',
    expected: 'SUCCESS',
    build: async () => {
      const root = await rootCa();
      const root2 = await rootCa({ issuer: 'CN=x509-limbo-root-2' });
      const expired = await intermediateCa(root2, { pathLen: 1, subject: root.subject, notAfter: new Date('1988-11-25T00:00:00Z'), key: root.key });
      return { roots: [root, root2], intermediates: [expired], leaf: await leafCert(root) };
    },
  },
  ...([
    ['intermediate-cycle-distinct-cas', ['CN=intermediate-cycle-distinct-ca1', 'CN=intermediate-cycle-distinct-ca2'], true, undefined],
    ['intermediate-cycle-distinct-cas-max-depth', ['CN=intermediate-cycle-distinct-ca1', 'CN=intermediate-cycle-distinct-ca2'], true, 255],
    ['intermediate-cycle-same-logical-ca', ['CN=intermediate-cycle-same-logical-ca', 'CN=intermediate-cycle-same-logical-ca'], false, undefined],
  ] as const).map(
    ([id, names, ku, depth]): LimboCase => ({
      id: `pathological::${id}`,
      expected: 'FAILURE',
      build: async () => {
        const root = await rootCa();
        const [a, b] = await cycle([names[0], names[1]], ku);
        return { roots: [root], intermediates: [a, b], leaf: await leafCert(a), ...(depth ? { maxDepth: depth } : {}) };
      },
    }),
  ),
  {
    id: 'pathological::nc-dos-1',
    expected: 'FAILURE',
    build: async () => {
      const permitted = [...Array.from({ length: 513 }, (_, i) => gn.dns(`t${i}.test`)), gn.dns('.test')];
      const excluded = Array.from({ length: 513 }, (_, i) => gn.dns(`x${i}.test`));
      const root = await rootCa({ nc: X.nc({ permitted, excluded }) });
      const leaf = await leafCert(root, { subject: [], san: X.san(permitted, true) });
      return { roots: [root], leaf, name: 't0.test' };
    },
  },
];

const cve: LimboCase[] = [
  {
    id: 'cve::cve-2024-0567',
    expected: 'SUCCESS',
    build: async () => {
      const rootA = await rootCa({ subject: 'CN=Root A' });
      const [kB, kC, kA1, kB1, kC1] = await Promise.all([ecKey(), ecKey(), ecKey(), ecKey(), ecKey()]);
      const kA = rootA.key;
      const mk = async (subject: string, issuer: string, key: SigningKey, signer: SigningKey): Promise<Pair> => ({
        der: await buildCertificate({
          subject,
          issuer,
          publicKey: key.spki,
          signer,
          notBefore: EPOCH,
          notAfter: TORMENT,
          extensions: [X.bc(true), X.ku([5]), X.aki({ keyId: keyIdentifier(signer.spki) }), X.ski(keyIdentifier(key.spki))],
        }),
        key,
        subject,
        ski: keyIdentifier(key.spki),
      });
      const a1 = await mk('CN=Intermediate A1', 'CN=Root A', kA1, kA);
      const inters = [
        a1,
        await mk('CN=Root A', 'CN=Root B', kA, kB),
        await mk('CN=Root A', 'CN=Root C', kA, kC),
        await mk('CN=Intermediate B1', 'CN=Root B', kB1, kB),
        await mk('CN=Root B', 'CN=Root A', kB, kA),
        await mk('CN=Root B', 'CN=Root C', kB, kC),
        await mk('CN=Intermediate C1', 'CN=Root C', kC1, kC),
        await mk('CN=Root C', 'CN=Root A', kC, kA),
        await mk('CN=Root C', 'CN=Root B', kC, kB),
      ];
      const leaf = await leafCert(a1, { subject: [], san: X.san([gn.dns('cve-2024-0567.example.com')], true) });
      return { roots: [rootA], intermediates: inters, leaf, name: 'cve-2024-0567.example.com' };
    },
  },
  {
    id: 'cve::cve-2025-61727',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa();
      const ica = await intermediateCa(root, { nc: X.nc({ permitted: [gn.dns('example.com')], excluded: [gn.dns('bar.example.com')] }), san: null });
      return { roots: [root], intermediates: [ica], leaf: await leafCert(ica, { san: X.san([gn.dns('*.example.com')]) }), name: 'bar.example.com' };
    },
  },
  {
    id: 'cve::cve-2025-61727-nc-permits-variant',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa();
      const ica = await intermediateCa(root, { nc: X.nc({ permitted: [gn.dns('foo.example.com')] }), san: null });
      return { roots: [root], intermediates: [ica], leaf: await leafCert(ica, { san: X.san([gn.dns('*.example.com')]) }), name: 'foo.example.com' };
    },
  },
];

const invalid: LimboCase[] = [
  {
    id: 'invalid::invalid-issuer-key',
    expected: 'FAILURE',
    build: async () => {
      const root1 = await rootCa();
      const root2 = await rootCa();
      // An intermediate whose SPKI is an RSA key with an empty modulus, and a leaf "signed" with SEQUENCE {}.
      const badSpki = new Uint8Array([0x30, 0x12, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x01, 0x00]);
      const subject = 'CN=x509-limbo-intermediate-pathlen-None';
      const ica = await buildCertificate({
        subject,
        issuer: root2.subject,
        publicKey: badSpki,
        signer: root2.key,
        notBefore: EPOCH,
        notAfter: TORMENT,
        extensions: [X.bc(true), X.ku([5]), X.aki({ keyId: root2.ski }), X.ski(keyIdentifier(badSpki))],
      });
      // The leaf is signed by an unrelated key: with the intermediate's key empty, no signature can verify.
      const other = await ecKey();
      const leaf = await leafCert({ der: ica, key: other, subject, ski: keyIdentifier(badSpki) });
      return { roots: [root1], intermediates: [ica], leaf };
    },
  },
];

describe('limbo pathlen', () => runCases(it, expect, pathlen));
describe('limbo pathological', () => runCases(it, expect, pathological));
describe('limbo cve', () => runCases(it, expect, cve));
describe('limbo invalid', () => runCases(it, expect, invalid));
