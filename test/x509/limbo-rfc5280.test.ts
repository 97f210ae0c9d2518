/**
 * x509-limbo `rfc5280::*` family, rebuilt case by case from
 * limbo/testcases/rfc5280/*.py (server validation unless noted).
 */
import { describe, it, expect } from 'vitest';
import { EKU, X, ecKey, gn, intermediateCa, leafCert, rootCa, runCases, type LimboCase } from './limbo-builder.js';
import { keyIdentifier } from '../../src/x509/issue.js';
import { OID } from '../../src/x509/oids.js';

const UNKNOWN = X.raw('1.3.6.1.4.1.55738.666.1', new Uint8Array(0), true);
const san = (...names: string[]) => X.san(names.map((n) => gn.dns(n)));
const chain = async (o: { root?: Parameters<typeof rootCa>[0]; ica?: Parameters<typeof intermediateCa>[1]; leaf?: Parameters<typeof leafCert>[1] } = {}) => {
  const root = await rootCa(o.root);
  const ica = await intermediateCa(root, o.ica);
  return { root, ica, leaf: await leafCert(ica, o.leaf) };
};
const rl = async (rootOpts: Parameters<typeof rootCa>[0] = {}, leafOpts: Parameters<typeof leafCert>[1] = {}) => {
  const root = await rootCa(rootOpts);
  return { roots: [root], leaf: await leafCert(root, leafOpts) };
};

const base: LimboCase[] = [
  { id: 'rfc5280::ee-empty-issuer', expected: 'FAILURE', build: () => rl({}, { issuer: [], subject: 'CN=empty-issuer' }) },
  { id: 'rfc5280::ca-empty-subject', expected: 'FAILURE', build: () => rl({ subject: [] }) },
  { id: 'rfc5280::unknown-critical-extension-ee', expected: 'FAILURE', build: () => rl({}, { extra: [UNKNOWN] }) },
  { id: 'rfc5280::unknown-critical-extension-root', expected: 'FAILURE', build: () => rl({ extra: [UNKNOWN] }) },
  {
    id: 'rfc5280::unknown-critical-extension-intermediate',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { pathLen: 0, extra: [UNKNOWN] } });
      return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf };
    },
  },
  {
    id: 'rfc5280::chain-untrusted-root',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { pathLen: 0 } });
      const unrelated = await rootCa({ issuer: 'CN=x509-limbo-unrelated-root' });
      return { roots: [unrelated], intermediates: [c.root, c.ica], leaf: c.leaf };
    },
  },
  {
    id: 'rfc5280::intermediate-ca-without-ca-bit',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { bc: X.bc(false) } });
      return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf };
    },
  },
  {
    id: 'rfc5280::intermediate-ca-missing-basic-constraints',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { bc: null } });
      return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf };
    },
  },
  { id: 'rfc5280::root-missing-basic-constraints', expected: 'FAILURE', build: () => rl({ bc: null }) },
  { id: 'rfc5280::root-non-critical-basic-constraints', expected: 'FAILURE', build: () => rl({ bc: X.bc(true, undefined, false) }) },
  { id: 'rfc5280::root-inconsistent-ca-extensions', expected: 'FAILURE', build: () => rl({ ku: X.ku([]) }) },
  {
    id: 'rfc5280::ica-ku-keycertsign',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { pathLen: 0, ku: X.ku([]) } });
      return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf };
    },
  },
  { id: 'rfc5280::leaf-ku-keycertsign', expected: 'FAILURE', build: () => rl({}, { bc: X.bc(false), ku: X.ku([0, 5]) }) },
  { id: 'rfc5280::ee-aia', expected: 'SUCCESS', build: () => rl({}, { extra: [X.aia()] }) },
  { id: 'rfc5280::ee-critical-aia-invalid', expected: 'FAILURE', build: () => rl({}, { extra: [X.aia(true)] }) },
  { id: 'rfc5280::duplicate-extensions', expected: 'FAILURE', build: () => rl({}, { san: null, extra: [san('example.com'), san('example.com')] }) },
  { id: 'rfc5280::no-keyusage', expected: 'SUCCESS', build: () => rl({}, { ku: null }) },
  { id: 'rfc5280::no-basicconstraints', expected: 'SUCCESS', build: () => rl({}, {}) },
  {
    id: 'rfc5280::ca-as-leaf',
    expected: 'SUCCESS',
    build: async () => {
      const root = await rootCa();
      return { roots: [root], leaf: await intermediateCa(root, { san: san('ca.example.com') }), name: 'ca.example.com' };
    },
  },
  {
    id: 'rfc5280::ca-as-leaf-wrong-san',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa();
      return { roots: [root], leaf: await intermediateCa(root, { san: san('ca.example.com') }), name: 'some-other-ca.example.com' };
    },
  },
  {
    id: 'rfc5280::root-and-intermediate-swapped',
    expected: 'SUCCESS',
    build: async () => {
      const c = await chain();
      return { roots: [c.ica], intermediates: [c.root], leaf: c.leaf };
    },
  },
];

const aki: LimboCase[] = [
  {
    id: 'rfc5280::aki::critical-aki',
    expected: 'FAILURE',
    build: async () => {
      const key = await ecKey();
      return rl({ key, aki: X.aki({ keyId: keyIdentifier(key.spki) }, true) });
    },
  },
  { id: 'rfc5280::aki::leaf-missing-aki', expected: 'FAILURE', build: () => rl({}, { aki: null }) },
  {
    id: 'rfc5280::aki::intermediate-missing-aki',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { pathLen: 0, aki: null } });
      return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf };
    },
  },
  { id: 'rfc5280::aki::self-signed-root-missing-aki', expected: 'SUCCESS', build: () => rl({ aki: null }) },
  {
    id: 'rfc5280::aki::cross-signed-root-missing-aki',
    expected: 'FAILURE',
    build: async () => {
      const x = await rootCa();
      const root = await intermediateCa(x, { pathLen: 0, aki: null });
      return { roots: [root], leaf: await leafCert(root) };
    },
  },
];

const ski: LimboCase[] = [
  {
    id: 'rfc5280::ski::critical-ski',
    expected: 'FAILURE',
    build: async () => {
      const key = await ecKey();
      return rl({ key, ski: X.ski(keyIdentifier(key.spki), true) });
    },
  },
  { id: 'rfc5280::ski::root-missing-ski', expected: 'FAILURE', build: () => rl({ ski: null }) },
  {
    id: 'rfc5280::ski::intermediate-missing-ski',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { ski: null } });
      return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf };
    },
  },
];

const serial: LimboCase[] = [
  { id: 'rfc5280::serial::serial-number-too-long', expected: 'FAILURE', build: () => rl({}, { serial: new Uint8Array(22).fill(0x5a) }) },
  { id: 'rfc5280::serial::serial-number-zero', expected: 'FAILURE', build: () => rl({}, { serial: new Uint8Array([0]) }) },
  {
    id: 'rfc5280::serial::serial-number-negative',
    expected: 'FAILURE',
    build: async () => {
      // A self-signed certificate that is both the trust anchor and the peer.
      const key = await ecKey();
      const self = await rootCa({ key, subject: 'CN=gov.us', issuer: 'CN=gov.us', san: san('gov.us'), serial: new Uint8Array([0xfe, 0x12, 0x34]) });
      return { roots: [self], leaf: self, name: 'gov.us' };
    },
  },
];

const d = (s: string) => new Date(s);
const validity = (id: string, expected: 'SUCCESS' | 'FAILURE', r: [string, string], i: [string, string], l: [string, string], now: Date): LimboCase => ({
  id: `rfc5280::validity::${id}`,
  expected,
  build: async () => {
    const c = await chain({ root: { notBefore: d(r[0]), notAfter: d(r[1]) }, ica: { notBefore: d(i[0]), notAfter: d(i[1]) }, leaf: { notBefore: d(l[0]), notAfter: d(l[1]) } });
    return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf, now };
  },
});
const M1 = '2024-03-01T00:00:00Z';
const A1 = '2024-04-01T00:00:00Z';
const validityCases: LimboCase[] = [
  validity('expired-root', 'FAILURE', ['2016-01-01T00:00:00Z', '2020-01-01T00:00:00Z'], ['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2018-01-01T00:00:00Z', '2023-01-01T00:00:00Z'], d('2022-01-01T00:00:00Z')),
  validity('expired-intermediate', 'FAILURE', ['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2016-01-01T00:00:00Z', '2020-01-01T00:00:00Z'], ['2018-01-01T00:00:00Z', '2023-01-01T00:00:00Z'], d('2022-01-01T00:00:00Z')),
  validity('expired-leaf', 'FAILURE', ['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], ['2018-01-01T00:00:00Z', '2021-01-01T00:00:00Z'], d('2022-01-01T00:00:00Z')),
  validity('notbefore-exact', 'SUCCESS', [M1, A1], [M1, A1], [M1, A1], d(M1)),
  validity('notbefore-fractional', 'FAILURE', ['2024-03-01T00:00:01Z', A1], ['2024-03-01T00:00:01Z', A1], ['2024-03-01T00:00:01Z', A1], d('2024-03-01T00:00:00.999Z')),
  validity('notafter-exact', 'SUCCESS', [M1, A1], [M1, A1], [M1, A1], d(A1)),
  validity('notafter-fractional', 'SUCCESS', [M1, A1], [M1, A1], [M1, A1], d('2024-04-01T00:00:00.005Z')),
];

const sanCases: LimboCase[] = [
  { id: 'rfc5280::san::malformed', expected: 'FAILURE', build: () => rl({}, { san: null, extra: [X.raw(OID.subjectAltName, new TextEncoder().encode('example.com'))] }) },
  { id: 'rfc5280::san::noncritical-with-empty-subject', expected: 'FAILURE', build: () => rl({}, { subject: [], san: san('example.com') }) },
];

const ekuCases: LimboCase[] = [
  { id: 'rfc5280::eku::ee-wrong-eku', expected: 'FAILURE', build: () => rl({}, { eku: X.eku([EKU.clientAuth]) }) },
  { id: 'rfc5280::eku::ee-without-eku', expected: 'SUCCESS', build: () => rl({}, { eku: null }) },
];

const pcCases: LimboCase[] = [
  {
    id: 'rfc5280::pc::ica-noncritical-pc',
    expected: 'FAILURE',
    build: async () => {
      const c = await chain({ ica: { extra: [X.policyConstraints(3, false)] } });
      return { roots: [c.root], intermediates: [c.ica], leaf: c.leaf };
    },
  },
];

// ---------------------------------------------------------------------------
// Name constraints (rfc5280/nc.py)

const ncRoot = (nc: ReturnType<typeof X.nc>, leafOpts: Parameters<typeof leafCert>[1], name: string | null, expected: 'SUCCESS' | 'FAILURE', id: string, usage?: 'client'): LimboCase => ({
  id: `rfc5280::nc::${id}`,
  expected,
  build: async () => {
    const root = await rootCa({ nc });
    return { roots: [root], leaf: await leafCert(root, leafOpts), name, ...(usage ? { usage } : {}) };
  },
});
const viaIca = (nc: ReturnType<typeof X.nc>, leafOpts: Parameters<typeof leafCert>[1], name: string | null, expected: 'SUCCESS' | 'FAILURE', id: string, icaOpts: Parameters<typeof intermediateCa>[1] = {}, usage?: 'client'): LimboCase => ({
  id: `rfc5280::nc::${id}`,
  expected,
  build: async () => {
    const root = await rootCa();
    const ica = await intermediateCa(root, { nc, ...icaOpts });
    return { roots: [root], intermediates: [ica], leaf: await leafCert(ica, leafOpts), name, ...(usage ? { usage } : {}) };
  },
});
const dns = (s: string) => gn.dns(s);
const clientEku = { eku: X.eku([EKU.clientAuth]) };
const OTHER = '1.3.6.1.4.1.55738.666.3';
const NULL = new Uint8Array([5, 0]);

const ncCases: LimboCase[] = [
  ncRoot(X.nc({ permitted: [dns('example.com')] }), { san: san('not-example.com') }, null, 'FAILURE', 'permitted-dns-mismatch'),
  viaIca(X.nc({ excluded: [dns('example.com')] }), { san: san('example.com') }, 'example.com', 'FAILURE', 'excluded-dns-match'),
  ncRoot(X.nc({ permitted: [dns('example.com')] }), { san: san('example.com') }, 'example.com', 'SUCCESS', 'permitted-dns-match'),
  {
    ...ncRoot(X.nc({ permitted: [dns('example.com')] }, false), { san: san('example.com') }, 'example.com', 'FAILURE', 'permitted-dns-match-noncritical'),
    deviates: 'conflicts with webpki::nc::permitted-dns-match-noncritical (limbo marks the pair; feature rfc5280-incompatible-with-webpki); CA/B BRs 7.1.2.5.2 allow non-critical',
  },
  ncRoot(X.nc({ permitted: [dns('example.com')] }), { san: san('foo.bar.example.com') }, 'foo.bar.example.com', 'SUCCESS', 'permitted-dns-match-more'),
  ncRoot(X.nc({ excluded: [dns('not-allowed.example.com')] }), { san: san('example.com', 'not-allowed.example.com') }, 'example.com', 'FAILURE', 'excluded-dns-match-second'),
  ncRoot(X.nc({ permitted: [gn.ip('192.0.2.0/24')] }), { san: X.san([gn.ip('192.0.3.1')]) }, '192.0.3.1', 'FAILURE', 'permitted-ip-mismatch'),
  ncRoot(X.nc({ excluded: [gn.ip('192.0.2.0/24')] }), { san: X.san([gn.ip('192.0.2.1')]) }, '192.0.2.1', 'FAILURE', 'excluded-ipv4-match'),
  ncRoot(X.nc({ excluded: [gn.ip('::1/128')] }), { san: X.san([gn.ip('::1')]) }, '::1', 'FAILURE', 'excluded-ipv6-match'),
  ncRoot(X.nc({ permitted: [gn.ip('192.0.2.0/24')] }), { san: X.san([gn.ip('192.0.2.1')]) }, '192.0.2.1', 'SUCCESS', 'permitted-ipv4-match'),
  ncRoot(X.nc({ permitted: [gn.ip('::1/128')] }), { san: X.san([gn.ip('::1')]) }, '::1', 'SUCCESS', 'permitted-ipv6-match'),
  ncRoot(X.nc({ permitted: [gn.dn('CN=foo')] }), { subject: 'CN=not-foo', san: X.san([gn.dn('CN=not-foo')]) }, null, 'FAILURE', 'permitted-dn-mismatch'),
  ncRoot(X.nc({ excluded: [gn.dn('CN=foo')] }), { subject: 'CN=foo', san: X.san([gn.dn('CN=foo')]) }, null, 'FAILURE', 'excluded-dn-match'),
  ncRoot(X.nc({ permitted: [gn.dn('CN=foo')] }), { subject: 'CN=foo', san: X.san([gn.dn('CN=foo')]) }, null, 'SUCCESS', 'permitted-dn-match'),
  ncRoot(X.nc({ permitted: [gn.dn('CN=foo')] }), { subject: 'CN=not-foo', san: X.san([gn.dn('CN=foo')]) }, null, 'FAILURE', 'permitted-dn-match-subject-san-mismatch'),
  ncRoot(X.nc({ excluded: [gn.dn('CN=foo')] }), { subject: 'CN=foo', san: X.san([gn.dn('CN=not-foo')]) }, null, 'FAILURE', 'excluded-dn-match-sub-mismatch'),
  {
    id: 'rfc5280::nc::permitted-self-issued',
    expected: 'SUCCESS',
    build: async () => {
      const root = await rootCa({ issuer: 'CN=not-example.com', subject: 'CN=not-example.com', san: san('not-example.com'), nc: X.nc({ permitted: [dns('example.com')] }) });
      const ica = await intermediateCa(root, { issuer: 'CN=not-example.com', subject: 'CN=not-example.com', san: san('not-example.com') });
      return { roots: [root], intermediates: [ica], leaf: await leafCert(ica) };
    },
  },
  {
    id: 'rfc5280::nc::excluded-self-issued-leaf',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa({ nc: X.nc({ permitted: [dns('example.com')] }) });
      const ica = await intermediateCa(root, { subject: 'CN=not-example.com', san: san('not-example.com') });
      const leaf = await leafCert(ica, { issuer: 'CN=not-example.com', subject: 'CN=not-example.com', san: san('not-example.com') });
      return { roots: [root], intermediates: [ica], leaf, name: 'not-example.com' };
    },
  },
  ncRoot(X.nc({ permitted: [dns('example.com')], excluded: [dns('example.com')] }), { san: san('example.com') }, 'example.com', 'FAILURE', 'excluded-match-permitted-and-excluded'),
  ncRoot(X.nc({ permitted: [gn.ip('192.0.2.0/24')] }), { san: san('example.com') }, 'example.com', 'SUCCESS', 'permitted-different-constraint-type'),
  ncRoot(X.nc({ excluded: [gn.ip('192.0.2.0/24')] }), { san: san('example.com') }, 'example.com', 'SUCCESS', 'excluded-different-constraint-type'),
  ncRoot(X.nc({ permitted: [dns('*.example.com')] }), { san: san('foo.example.com') }, 'foo.example.com', 'FAILURE', 'invalid-dnsname-wildcard'),
  ncRoot(X.nc({ permitted: [dns('.example.com')] }), { san: san('foo.example.com') }, 'foo.example.com', 'FAILURE', 'invalid-dnsname-leading-period'),
  ncRoot(X.nc({ permitted: [gn.ip('127.0.0.1')] }), { san: X.san([gn.ip('127.0.0.1')]) }, '127.0.0.1', 'FAILURE', 'invalid-ipv4-address'),
  ncRoot(X.nc({ permitted: [gn.ip('::1')] }), { san: X.san([gn.ip('::1')]) }, '::1', 'FAILURE', 'invalid-ipv6-address'),
  ncRoot(X.nc({ permitted: [gn.email('invalid@invalid@example.com')] }), { san: X.san([gn.email('example@example.com')]), ...clientEku }, null, 'FAILURE', 'invalid-email-address', 'client'),
  { id: 'rfc5280::nc::not-allowed-in-ee-noncritical', expected: 'FAILURE', build: () => rl({}, { extra: [X.nc({ permitted: [dns('example.com')] }, false)] }) },
  { id: 'rfc5280::nc::not-allowed-in-ee-critical', expected: 'FAILURE', build: () => rl({}, { extra: [X.nc({ permitted: [dns('example.com')] }, true)] }) },
  {
    id: 'rfc5280::nc::intermediate-with-san-rejected-by-intermediate-nc',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa();
      const ica1 = await intermediateCa(root, { nc: X.nc({ permitted: [dns('permitted.example.com')], excluded: [dns('forbidden.example.com')] }) });
      const ica2 = await intermediateCa(ica1, { san: san('forbidden.example.com') });
      const leaf = await leafCert(ica2, { san: san('permitted.example.com') });
      return { roots: [root], intermediates: [ica1, ica2], leaf, name: 'permitted.example.com' };
    },
  },
  {
    id: 'rfc5280::nc::intermediate-with-san-rejected-by-root-nc',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa({ nc: X.nc({ permitted: [dns('permitted.example.com')], excluded: [dns('forbidden.example.com')] }) });
      const ica1 = await intermediateCa(root);
      const ica2 = await intermediateCa(ica1, { san: san('forbidden.example.com') });
      const leaf = await leafCert(ica2, { san: san('permitted.example.com') });
      return { roots: [root], intermediates: [ica1, ica2], leaf, name: 'permitted.example.com' };
    },
  },
  ...(['narrows', 'widens'] as const).map(
    (v): LimboCase => ({
      id: `rfc5280::nc::restrictive-permits-in-intermediates-${v}`,
      expected: 'FAILURE',
      build: async () => {
        const root = await rootCa();
        const both = X.nc({ permitted: [dns('foo.example.com'), dns('bar.example.com')] });
        const bar = X.nc({ permitted: [dns('bar.example.com')] });
        const ica1 = await intermediateCa(root, { nc: v === 'narrows' ? both : bar });
        const ica2 = await intermediateCa(ica1, { nc: v === 'narrows' ? bar : both });
        const leaf = await leafCert(ica2, { san: san('foo.example.com') });
        return { roots: [root], intermediates: [ica1, ica2], leaf, name: 'foo.example.com' };
      },
    }),
  ),
  viaIca(X.nc({ permitted: [dns('example.com')] }), { san: san('.example.com', 'foo.example.com') }, 'foo.example.com', 'FAILURE', 'nc-permits-invalid-dns-san'),
  viaIca(X.nc({ permitted: [gn.ip('192.0.2.0/24')] }), { san: X.san([gn.ip('192.0.2.0/24'), gn.ip('192.0.2.1')]) }, '192.0.2.1', 'FAILURE', 'nc-permits-invalid-ip-san'),
  viaIca(
    X.nc({ permitted: [gn.email('example.com')] }),
    { san: X.san([gn.email('good@example.com'), gn.email('alsogood@example.com'), gn.email('invalid@address@example.com')]), ...clientEku },
    null,
    'FAILURE',
    'nc-permits-invalid-email-san',
    { san: null },
    'client',
  ),
  {
    id: 'rfc5280::nc::nc-forbids-alternate-chain-ica',
    expected: 'SUCCESS',
    build: async () => {
      const discarded = await rootCa({ san: null });
      const trusted = await rootCa({ san: null });
      const icaA = await intermediateCa(trusted, { nc: X.nc({ permitted: [dns('permitted.example.com')], excluded: [dns('forbidden.example.com')] }), san: null });
      const key = await ecKey();
      const b1 = await intermediateCa(discarded, { key, subject: 'CN=an-intermediate', san: san('forbidden.example.com') });
      const b2 = await intermediateCa(icaA, { key, subject: 'CN=an-intermediate', san: null });
      const leaf = await leafCert(b1, { subject: 'CN=permitted.example.com', san: san('permitted.example.com') });
      return { roots: [trusted], intermediates: [icaA, b1, b2], leaf, name: 'permitted.example.com' };
    },
  },
  {
    id: 'rfc5280::nc::nc-forbids-same-chain-ica',
    expected: 'SUCCESS',
    build: async () => {
      const rootA = await rootCa({ san: null });
      const rootB = await rootCa({ san: null });
      const icaA = await intermediateCa(rootA, { nc: X.nc({ excluded: [dns('forbidden.example.com')] }), san: null });
      const key = await ecKey();
      const b1 = await intermediateCa(icaA, { key, subject: 'CN=an-intermediate', san: san('forbidden.example.com') });
      const b2 = await intermediateCa(rootB, { key, subject: 'CN=an-intermediate', san: san('unconstrained-ica.example.com') });
      const leaf = await leafCert(b1, { subject: 'CN=unconstrained.example.com', san: san('unconstrained.example.com') });
      return { roots: [rootA, rootB], intermediates: [icaA, b1, b2], leaf, name: 'unconstrained.example.com' };
    },
  },
  viaIca(X.nc({ permitted: [gn.email('foo@example.com')] }), { san: X.san([gn.email('foo@example.com')]), ...clientEku }, null, 'SUCCESS', 'nc-permits-email-exact', { san: null }, 'client'),
  viaIca(X.nc({ permitted: [gn.email('example.com')] }), { san: X.san([gn.email('foo@example.com')]), ...clientEku }, null, 'SUCCESS', 'nc-permits-email-domain', { san: null }, 'client'),
  viaIca(X.nc({ permitted: [dns('example.com')], excluded: [gn.other(OTHER, NULL)] }), { san: X.san([dns('example.com'), gn.other(OTHER, NULL)]) }, 'example.com', 'FAILURE', 'nc-forbids-othername', { san: null }),
  viaIca(X.nc({ permitted: [dns('example.com')], excluded: [gn.other(OTHER, NULL)] }), { san: san('example.com') }, 'example.com', 'SUCCESS', 'nc-forbids-othername-noop', { san: null }),
];

describe('limbo rfc5280', () => runCases(it, expect, base));
describe('limbo rfc5280::aki', () => runCases(it, expect, aki));
describe('limbo rfc5280::ski', () => runCases(it, expect, ski));
describe('limbo rfc5280::serial', () => runCases(it, expect, serial));
describe('limbo rfc5280::validity', () => runCases(it, expect, validityCases));
describe('limbo rfc5280::san', () => runCases(it, expect, sanCases));
describe('limbo rfc5280::eku', () => runCases(it, expect, ekuCases));
describe('limbo rfc5280::pc', () => runCases(it, expect, pcCases));
describe('limbo rfc5280::nc', () => runCases(it, expect, ncCases));
