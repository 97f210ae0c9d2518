/**
 * x509-limbo `webpki::*` family (CA/B Forum profile, server validation),
 * rebuilt case by case from limbo/testcases/webpki/*.py.
 */
import { describe, it, expect } from 'vitest';
import { EKU, X, ecKey, foreignSpki, gn, intermediateCa, leafCert, rootCa, rsaKey, runCases, type LimboCase } from './limbo-builder.js';

const rootLeaf = async (leafOpts: Parameters<typeof leafCert>[1] = {}, name: string | null = 'example.com') => {
  const root = await rootCa();
  return { roots: [root], leaf: await leafCert(root, leafOpts), name };
};

const san = (...names: string[]) => X.san(names.map((n) => gn.dns(n)));

const nameCases: LimboCase[] = [
  { id: 'webpki::san::exact-dns-san', expected: 'SUCCESS', build: () => rootLeaf({ san: san('example.com') }) },
  { id: 'webpki::san::exact-localhost-ip-san', expected: 'SUCCESS', build: () => rootLeaf({ san: X.san([gn.ip('127.0.0.1')]) }, '127.0.0.1') },
  { id: 'webpki::san::mismatch-domain-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('example.com') }, 'example2.com') },
  { id: 'webpki::san::mismatch-subdomain-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('abc.example.com') }, 'def.example.com') },
  { id: 'webpki::san::mismatch-subdomain-apex-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('example.com') }, 'abc.example.com') },
  { id: 'webpki::san::mismatch-apex-subdomain-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('abc.example.com') }, 'example.com') },
  { id: 'webpki::san::public-suffix-wildcard-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('*.com') }, 'example.com') },
  { id: 'webpki::san::leftmost-wildcard-san', expected: 'SUCCESS', build: () => rootLeaf({ san: san('*.example.com') }, 'foo.example.com') },
  { id: 'webpki::san::wildcard-embedded-leftmost-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('ba*.example.com') }, 'baz.example.com') },
  { id: 'webpki::san::wildcard-not-in-leftmost-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('foo.*.example.com') }, 'foo.bar.example.com') },
  { id: 'webpki::san::wildcard-match-across-labels-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('*.example.com') }, 'foo.bar.example.com') },
  { id: 'webpki::san::wildcard-embedded-ulabel-san', expected: 'FAILURE', build: () => rootLeaf({ san: san('xn--*-1b3c148a.example.com') }, 'xn--bliss-1b3c148a.example.com') },
  { id: 'webpki::san::unicode-emoji-san', expected: 'FAILURE', build: () => rootLeaf({ san: X.san([gn.dnsRaw('😜.example.com')]) }, 'xn--628h.example.com') },
  { id: 'webpki::san::no-san', expected: 'FAILURE', build: () => rootLeaf({ subject: 'CN=example.com', san: null }) },
  { id: 'webpki::san::san-critical-with-nonempty-subject', expected: 'FAILURE', build: () => rootLeaf({ subject: 'CN=something-else', san: X.san([gn.dns('example.com')], true) }) },
];

const cnCase = (id: string, cn: string, sanNames: Uint8Array[], name: string): LimboCase => ({
  id: `webpki::cn::${id}`,
  expected: 'FAILURE',
  build: () => rootLeaf({ subject: [['CN', cn]], san: X.san(sanNames) }, name),
});

const cnCases: LimboCase[] = [
  cnCase('cabf-cn-ipv4-hex-mismatch', '0xC0A80101', [gn.ip('192.168.1.1')], '192.168.1.1'),
  cnCase('cabf-cn-ipv4-leading-zeros-mismatch', '192.168.001.001', [gn.ip('192.168.1.1')], '192.168.1.1'),
  cnCase('cabf-cn-ipv6-uppercase-mismatch', '2001:DB8::8A2E:370:7334', [gn.ip('2001:db8::8a2e:370:7334')], '2001:db8::8a2e:370:7334'),
  cnCase('cabf-cn-ipv6-uncompressed-mismatch', '2001:0db8:0000:0000:0000:0000:0000:0001', [gn.ip('2001:db8::1')], '2001:db8::1'),
  cnCase('cabf-cn-ipv6-non-rfc5952-mismatch', '2001:db8:0:0:1:0:0:1', [gn.ip('2001:db8::1:0:0:1')], '2001:db8::1:0:0:1'),
  cnCase('cabf-cn-punycode-not-in-san', 'xn--nxasmq6b.com', [gn.dns('xn--n3h.com')], 'xn--n3h.com'),
  cnCase('cabf-cn-utf8-vs-punycode-mismatch', 'test-測試.com', [gn.dns('xn--test--wg5h0h.com')], 'xn--test--wg5h0h.com'),
  {
    ...cnCase('cabf-cn-not-in-san', 'notinsan.example.com', [gn.dns('valid.example.com'), gn.dns('another.example.com')], 'valid.example.com'),
    deviates:
      'BetterTLS (thousands of cases in the same corpus) expects a leaf whose CN is some other host name than its SANs to be accepted; a CN that is an IP literal, an A-label or a case variant is still checked',
  },
  cnCase('cabf-cn-case-mismatch', 'Example.COM', [gn.dns('example.com')], 'example.com'),
];

const ekuCase = (id: string, expected: 'SUCCESS' | 'FAILURE', oids: string[], critical = false): LimboCase => ({
  id: `webpki::eku::${id}`,
  expected,
  build: () => rootLeaf({ eku: X.eku(oids, critical) }),
});

const ekuCases: LimboCase[] = [
  ekuCase('ee-anyeku', 'FAILURE', [EKU.serverAuth, EKU.any]),
  ekuCase('ee-critical-eku', 'FAILURE', [EKU.serverAuth], true),
  {
    id: 'webpki::eku::ee-without-eku',
    expected: 'FAILURE',
    deviates: 'conflicts with rfc5280::eku::ee-without-eku (limbo marks the pair); RFC 5280 §4.2.1.12 (absent = any purpose), as rustls-webpki and Go',
    build: () => rootLeaf({ eku: null }),
  },
  {
    id: 'webpki::eku::root-has-eku',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa({ extra: [X.eku([EKU.serverAuth])] });
      return { roots: [root], leaf: await leafCert(root) };
    },
  },
  ekuCase('ee-clientauth-only', 'FAILURE', [EKU.clientAuth]),
  ekuCase('ee-precertificate-only', 'FAILURE', [EKU.precert]),
  ekuCase('ee-precertificate-with-serverauth', 'FAILURE', [EKU.serverAuth, EKU.precert]),
  ekuCase('ee-serverauth-with-additional', 'SUCCESS', [EKU.serverAuth, EKU.clientAuth]),
  ekuCase('ee-codesigning-with-serverauth', 'FAILURE', [EKU.serverAuth, EKU.codeSigning]),
  ekuCase('ee-emailprotection-with-serverauth', 'FAILURE', [EKU.serverAuth, EKU.emailProtection]),
  ekuCase('ee-timestamping-with-serverauth', 'FAILURE', [EKU.serverAuth, EKU.timeStamping]),
  ekuCase('ee-ocspsigning-with-serverauth', 'FAILURE', [EKU.serverAuth, EKU.ocspSigning]),
];

const rootAki = (aki: (k: Awaited<ReturnType<typeof ecKey>>, ski: Uint8Array) => ReturnType<typeof X.aki>) => async () => {
  const key = await ecKey();
  const { keyIdentifier } = await import('../../src/x509/issue.js');
  const ski = keyIdentifier(key.spki);
  const root = await rootCa({ key, aki: aki(key, ski) });
  return { roots: [root], leaf: await leafCert(root) };
};

const akiCases: LimboCase[] = [
  { id: 'webpki::aki::root-with-aki-missing-keyidentifier', expected: 'FAILURE', build: rootAki(() => X.aki({})) },
  { id: 'webpki::aki::root-with-aki-authoritycertissuer', expected: 'FAILURE', build: rootAki((_k, ski) => X.aki({ keyId: ski, issuer: [gn.dn('CN=myCN')] })) },
  { id: 'webpki::aki::root-with-aki-authoritycertserialnumber', expected: 'FAILURE', build: rootAki((_k, ski) => X.aki({ keyId: ski, serial: 1234 })) },
  { id: 'webpki::aki::root-with-aki-all-fields', expected: 'FAILURE', build: rootAki((_k, ski) => X.aki({ keyId: ski, issuer: [gn.dn('CN=myCN')], serial: 1234 })) },
  { id: 'webpki::aki::root-with-aki-ski-mismatch', expected: 'FAILURE', build: rootAki(() => X.aki({ keyId: new Uint8Array(20).fill(7) })) },
];

const ncCases: LimboCase[] = [
  {
    id: 'webpki::nc::permitted-dns-match-noncritical',
    expected: 'SUCCESS',
    build: async () => {
      const root = await rootCa({ nc: X.nc({ permitted: [gn.dns('example.com')] }, false) });
      return { roots: [root], leaf: await leafCert(root) };
    },
  },
  ...(['both-null', 'both-empty-sequences'] as const).map(
    (v): LimboCase => ({
      id: `webpki::nc::intermediate-permitted-excluded-subtrees-${v}`,
      expected: 'FAILURE',
      build: async () => {
        const root = await rootCa();
        const nc = v === 'both-null' ? X.nc({}) : X.nc({ permitted: [], excluded: [] });
        const ica = await intermediateCa(root, { nc });
        return { roots: [root], intermediates: [ica], leaf: await leafCert(ica) };
      },
    }),
  ),
];

const keyCases: LimboCase[] = [
  { id: 'webpki::forbidden-p192-leaf', expected: 'FAILURE', build: () => rootLeaf({ spki: foreignSpki('p192') }) },
  { id: 'webpki::forbidden-dsa-leaf', expected: 'FAILURE', build: () => rootLeaf({ spki: foreignSpki('dsa') }) },
  { id: 'webpki::forbidden-weak-rsa-in-leaf', expected: 'FAILURE', build: async () => rootLeaf({ spki: (await rsaKey(1024)).spki }) },
  { id: 'webpki::forbidden-rsa-key-not-divisable-by-8-in-leaf', expected: 'FAILURE', build: async () => rootLeaf({ spki: (await rsaKey(2052)).spki }) },
  {
    id: 'webpki::forbidden-weak-rsa-key-in-root',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa({ key: await rsaKey(1024) });
      return { roots: [root], leaf: await leafCert(root) };
    },
  },
  {
    id: 'webpki::forbidden-rsa-not-divisable-by-8-in-root',
    expected: 'FAILURE',
    build: async () => {
      const root = await rootCa({ key: await rsaKey(2052) });
      return { roots: [root], leaf: await leafCert(root) };
    },
  },
  { id: 'webpki::ee-rsa-without-any-usages (ku)', expected: 'FAILURE', build: async () => rootLeaf({ key: await rsaKey(2048), ku: X.ku([], true) }) },
];

const otherCases: LimboCase[] = [
  { id: 'webpki::malformed-aia', expected: 'FAILURE', build: () => rootLeaf({ extra: [X.raw('1.3.6.1.5.5.7.1.1', new TextEncoder().encode('malformed'))] }) },
  { id: 'webpki::v1-cert', expected: 'FAILURE', build: () => rootLeaf({ version: 0 }) },
  { id: 'webpki::ee-basicconstraints-ca', expected: 'FAILURE', build: () => rootLeaf({ bc: X.bc(true) }) },
  {
    id: 'webpki::ca-as-leaf',
    expected: 'FAILURE',
    deviates: 'conflicts with rfc5280::ca-as-leaf and pathlen::validation-ignores-pathlen-in-leaf (both expect success); RFC 5280 §4.2.1.9 note',
    build: async () => {
      const root = await rootCa();
      const ica = await intermediateCa(root, { san: X.san([gn.dns('ca.example.com')]) });
      return { roots: [root], leaf: ica, name: 'ca.example.com' };
    },
  },
];

describe('limbo webpki::san', () => runCases(it, expect, nameCases));
describe('limbo webpki::cn', () => runCases(it, expect, cnCases));
describe('limbo webpki::eku', () => runCases(it, expect, ekuCases));
describe('limbo webpki::aki', () => runCases(it, expect, akiCases));
describe('limbo webpki::nc', () => runCases(it, expect, ncCases));
describe('limbo webpki keys', () => runCases(it, expect, keyCases));
describe('limbo webpki other', () => runCases(it, expect, otherCases));
