import { describe, it, expect } from 'vitest';
import { DEFAULT_VERIFY_BUDGET, verifyCertificateChain, type VerifyOptions } from '../../src/x509/verify.js';
import { extensionValue as ev } from '../../src/x509/issue.js';
import { OID } from '../../src/x509/oids.js';
import { pemEncode } from '../../src/x509/pem.js';
import { nodeVerifyProvider, root, inter, leaf, NOW, type Made } from './helpers.js';

async function check(l: Made, roots: Made[], inters: Made[] = [], o: Partial<VerifyOptions> = {}) {
  return verifyCertificateChain({
    leaf: l.der,
    intermediates: inters.map((i) => i.der),
    roots: roots.map((r) => r.der),
    now: NOW,
    name: 'example.com',
    usage: 'server',
    provider: nodeVerifyProvider,
    ...o,
  });
}

async function expectOk(p: ReturnType<typeof check>, len?: number) {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  if (len !== undefined) expect(r.chain.length).toBe(len);
  return r;
}
async function expectFail(p: ReturnType<typeof check>, code: string) {
  const r = await p;
  expect(r.ok ? 'ok' : r.code, r.ok ? '' : r.message).toBe(code);
}

const crit = (oid: string, value: Uint8Array, critical = true) => ({ oid, critical, value });

describe('basic chains', () => {
  it('root → leaf and root → intermediate → leaf; PEM inputs; chain returned leaf..root', async () => {
    const r = await root();
    const i = await inter(r);
    const l = await leaf(i);
    const res = await expectOk(check(l, [r], [i]), 3);
    expect(res.chain[0]).toEqual(l.der);
    expect(res.chain[2]).toEqual(r.der);
    await expectOk(
      verifyCertificateChain({
        leaf: pemEncode(l.der, 'CERTIFICATE'),
        intermediates: [pemEncode(i.der, 'CERTIFICATE')],
        roots: [pemEncode(r.der, 'CERTIFICATE')],
        now: NOW,
        name: 'example.com',
        provider: nodeVerifyProvider,
      }) as ReturnType<typeof check>,
    );
  });
  it('missing intermediate → unknown-issuer; untrusted root → unknown-issuer', async () => {
    const r = await root();
    const i = await inter(r);
    const l = await leaf(i);
    await expectFail(check(l, [r]), 'unknown-issuer');
    const other = await root();
    await expectFail(check(l, [other], [i, r]), 'unknown-issuer');
  });
  it('a forged signature → bad-signature', async () => {
    const r = await root();
    const impostor = await root({ subject: r.subject });
    // The impostor's leaf names the real root's key identifier: only the signature tells them apart.
    const l = await leaf(impostor, { ext: { [OID.authorityKeyIdentifier]: { oid: OID.authorityKeyIdentifier, critical: false, value: ev.authorityKeyId(r.ski) } } });
    await expectFail(check(l, [r]), 'bad-signature');
  });
  it('an issuer whose subjectKeyIdentifier contradicts the authorityKeyIdentifier is not tried (RFC 5280 §4.2.1.1)', async () => {
    const r = await root();
    const impostor = await root({ subject: r.subject });
    let calls = 0;
    const counting = { ...nodeVerifyProvider, verify: (...a: Parameters<typeof nodeVerifyProvider.verify>) => (calls++, nodeVerifyProvider.verify(...a)) };
    await expectFail(check(await leaf(impostor), [r], [], { provider: counting as typeof nodeVerifyProvider }), 'unknown-issuer');
    expect(calls).toBe(0);
  });
  it('intermediates in reverse order, with distractors', async () => {
    const r = await root();
    const i1 = await inter(r);
    const i2 = await inter(i1);
    const i3 = await inter(i2);
    const l = await leaf(i3);
    const junkRoot = await root();
    const distractors = [await inter(junkRoot), await inter(junkRoot, { subject: i2.subject }), await leaf(r)];
    await expectOk(check(l, [r], [...distractors, r, i1, i2, i3].reverse()), 5);
  });
  it('a self-signed leaf given as a root is its own anchor, even with cA and no keyCertSign; name and validity still checked', async () => {
    // As `openssl req -x509` makes it with keyUsage digitalSignature: basicConstraints cA TRUE.
    const self = await root({
      subject: 'CN=example.com',
      ext: { [OID.keyUsage]: crit(OID.keyUsage, ev.keyUsage([0])) },
      extra: [{ oid: OID.subjectAltName, critical: false, value: ev.subjectAltName(['example.com']) }],
      notAfter: new Date('2030-01-01T00:00:00Z'),
    });
    await expectOk(check(self, [self]), 1);
    await expectFail(check(self, [self], [], { name: 'other.example' }), 'name-mismatch');
    await expectFail(check(self, [self], [], { now: new Date('2031-01-01T00:00:00Z') }), 'expired');
    // As an issuer the same certificate is still refused: keyUsage lacks keyCertSign.
    await expectFail(check(await leaf(self), [self]), 'key-usage');
  });
  it('the trusted intermediate ends the path (root given as an intermediate)', async () => {
    const r = await root();
    const i = await inter(r);
    const l = await leaf(i);
    await expectOk(check(l, [i], [r]), 2);
  });
});

describe('validity', () => {
  const past = new Date('2020-01-01T00:00:00Z');
  const future = new Date('2030-01-01T00:00:00Z');
  it('expired / not-yet-valid leaf', async () => {
    const r = await root();
    await expectFail(check(await leaf(r, { notAfter: past }), [r]), 'expired');
    await expectFail(check(await leaf(r, { notBefore: future }), [r]), 'not-yet-valid');
    await expectOk(check(await leaf(r, { notBefore: past, notAfter: future }), [r]));
  });
  it('expired / not-yet-valid intermediate and root', async () => {
    const r = await root();
    await expectFail(check(await leaf(await inter(r, { notAfter: past }).then((i) => (tmp = i))), [r], [tmp!]), 'expired');
    const i2 = await inter(r, { notBefore: future });
    await expectFail(check(await leaf(i2), [r], [i2]), 'not-yet-valid');
    const oldRoot = await root({ notAfter: past });
    await expectFail(check(await leaf(oldRoot), [oldRoot]), 'expired');
  });
  it('bounds are inclusive at whole seconds', async () => {
    const r = await root();
    const nb = new Date('2024-03-01T00:00:01Z');
    const l = await leaf(r, { notBefore: nb, notAfter: new Date('2024-04-01T00:00:00Z') });
    await expectOk(check(l, [r], [], { now: nb }));
    await expectFail(check(l, [r], [], { now: new Date(nb.getTime() - 1) }), 'not-yet-valid');
    await expectOk(check(l, [r], [], { now: new Date('2024-04-01T00:00:00.500Z') }));
    await expectFail(check(l, [r], [], { now: new Date('2024-04-01T00:00:01Z') }), 'expired');
  });
});
let tmp: Made | undefined;

describe('basic constraints, key usage, path length', () => {
  it('intermediate without cA → not-a-ca; without basicConstraints → not-a-ca', async () => {
    const r = await root();
    const i = await inter(r, { ext: { [OID.basicConstraints]: crit(OID.basicConstraints, ev.basicConstraints(false)), [OID.keyUsage]: crit(OID.keyUsage, ev.keyUsage([0])) } });
    await expectFail(check(await leaf(i), [r], [i]), 'not-a-ca');
    const j = await inter(r, { ext: { [OID.basicConstraints]: undefined, [OID.keyUsage]: undefined } });
    await expectFail(check(await leaf(j), [r], [j]), 'not-a-ca');
    const ok = await inter(r);
    await expectOk(check(await leaf(ok), [r], [ok]));
  });
  it('keyCertSign missing in the issuer → key-usage', async () => {
    const r = await root();
    const i = await inter(r, { ext: { [OID.keyUsage]: crit(OID.keyUsage, ev.keyUsage([0, 6])) } });
    await expectFail(check(await leaf(i), [r], [i]), 'key-usage');
    const r2 = await root({ ext: { [OID.keyUsage]: crit(OID.keyUsage, ev.keyUsage([6])) } });
    await expectFail(check(await leaf(r2), [r2]), 'key-usage');
  });
  it('leaf with keyCertSign but not a CA → key-usage', async () => {
    const r = await root();
    await expectFail(check(await leaf(r, { ext: { [OID.keyUsage]: crit(OID.keyUsage, ev.keyUsage([0, 5])) } }), [r]), 'key-usage');
  });
  it('pathLen 0 allows a leaf below, not another CA', async () => {
    const r = await root();
    const i0 = await inter(r, { pathLen: 0 });
    await expectOk(check(await leaf(i0), [r], [i0]));
    const i00 = await inter(i0, { pathLen: 0 });
    await expectFail(check(await leaf(i00), [r], [i0, i00]), 'path-length');
    // The last certificate is not counted, even when it is a CA (RFC 5280 §4.2.1.9).
    await expectOk(check(i00, [r], [i0], { name: undefined }));
  });
  it('pathLen on the root; self-issued intermediates are not counted', async () => {
    const r = await root({ ext: { [OID.basicConstraints]: crit(OID.basicConstraints, ev.basicConstraints(true, 1)) } });
    const a = await inter(r, { pathLen: 1 });
    const b = await inter(a, { pathLen: 1 });
    await expectFail(check(await leaf(await inter(b)).then((x) => x), [r], [a, b]), 'unknown-issuer');
    const c = await inter(b);
    await expectFail(check(await leaf(c), [r], [a, b, c]), 'path-length');
    const r2 = await root();
    const x = await inter(r2, { pathLen: 1 });
    const xSelf = await inter(x, { pathLen: 1, subject: x.subject });
    const y = await inter(xSelf, { pathLen: 0 });
    await expectOk(check(await leaf(y), [r2], [x, xSelf, y]), 5);
  });
  it('a CA certificate as the leaf is accepted; cA with keyUsage lacking keyCertSign is not', async () => {
    const r = await root();
    const i = await inter(r, { extra: [{ oid: OID.subjectAltName, value: ev.subjectAltName(['ca.example.com']) }] });
    await expectOk(check(i, [r], [], { name: 'ca.example.com' }));
    const l = await leaf(r, { extra: [crit(OID.basicConstraints, ev.basicConstraints(true))] });
    await expectFail(check(l, [r]), 'key-usage');
  });
  it('root basicConstraints must be critical; root without SKI is malformed', async () => {
    const r = await root({ ext: { [OID.basicConstraints]: crit(OID.basicConstraints, ev.basicConstraints(true), false) } });
    await expectFail(check(await leaf(r), [r]), 'not-a-ca');
    const r2 = await root({ ext: { [OID.subjectKeyIdentifier]: undefined } });
    await expectFail(check(await leaf(r2), [r2]), 'malformed');
  });
});

describe('extended key usage', () => {
  it('leaf EKU must include the requested usage', async () => {
    const r = await root();
    const cli = await leaf(r, { eku: [OID.clientAuth] });
    await expectFail(check(cli, [r]), 'ext-key-usage');
    await expectOk(check(cli, [r], [], { usage: 'client' }));
    await expectOk(check(await leaf(r, { eku: null }), [r]));
    await expectOk(check(await leaf(r, { eku: [OID.serverAuth, OID.clientAuth] }), [r]));
    // anyExtendedKeyUsage alone does not satisfy serverAuth in a leaf (rustls-webpki).
    await expectFail(check(await leaf(r, { eku: [OID.anyExtendedKeyUsage] }), [r]), 'ext-key-usage');
  });
  it('an intermediate EKU constrains the leaf purpose', async () => {
    const r = await root();
    const i = await inter(r, { extra: [{ oid: OID.extKeyUsage, value: ev.extKeyUsage([OID.clientAuth]) }] });
    await expectFail(check(await leaf(i), [r], [i]), 'ext-key-usage');
    const j = await inter(r, { extra: [{ oid: OID.extKeyUsage, value: ev.extKeyUsage([OID.serverAuth]) }] });
    await expectOk(check(await leaf(j), [r], [j]));
  });
});

describe('names (RFC 9525)', () => {
  it('no CN fallback', async () => {
    const r = await root();
    await expectFail(check(await leaf(r, { san: null }), [r]), 'name-mismatch');
  });
  it('wildcards', async () => {
    const r = await root();
    const w = await leaf(r, { san: ['*.example.com'] });
    await expectOk(check(w, [r], [], { name: 'foo.example.com' }));
    await expectOk(check(w, [r], [], { name: 'FOO.Example.COM' }));
    await expectFail(check(w, [r], [], { name: 'example.com' }), 'name-mismatch');
    await expectFail(check(w, [r], [], { name: 'a.b.example.com' }), 'name-mismatch');
    const partial = await leaf(r, { san: ['*x.example.com', 'f*.example.com', 'foo.*.example.com', '*.com'] });
    await expectFail(check(partial, [r], [], { name: 'ax.example.com' }), 'name-mismatch');
    await expectFail(check(partial, [r], [], { name: 'foo.example.com' }), 'name-mismatch');
    await expectFail(check(partial, [r], [], { name: 'foo.bar.example.com' }), 'name-mismatch');
    await expectFail(check(partial, [r], [], { name: 'example.com' }), 'name-mismatch');
  });
  it('IP vs DNS confusion; IPv6 forms', async () => {
    const r = await root();
    const l = await leaf(r, { san: ['127.0.0.1', '::1', 'example.com', { dns: '10.0.0.1' }] });
    await expectOk(check(l, [r], [], { name: '127.0.0.1' }));
    await expectOk(check(l, [r], [], { name: '0:0:0:0:0:0:0:1' }));
    await expectOk(check(l, [r], [], { name: '[::1]' }));
    await expectFail(check(l, [r], [], { name: '10.0.0.1' }), 'name-mismatch');
    await expectFail(check(l, [r], [], { name: '127.0.0.2' }), 'name-mismatch');
    const w = await leaf(r, { san: ['*.0.0.1'] });
    await expectFail(check(w, [r], [], { name: '127.0.0.1' }), 'name-mismatch');
  });
});

describe('name constraints', () => {
  const nc = (v: Parameters<typeof ev.nameConstraints>[0], critical = true) => ({ [OID.nameConstraints]: crit(OID.nameConstraints, ev.nameConstraints(v), critical) });
  it('permitted and excluded DNS', async () => {
    const r = await root({ ext: nc({ permitted: [{ dns: 'example.com' }] }) });
    await expectOk(check(await leaf(r, { san: ['foo.bar.example.com'] }), [r], [], { name: 'foo.bar.example.com' }));
    await expectFail(check(await leaf(r, { san: ['example.com', 'notexample.com'] }), [r]), 'name-constraints');
    const i = await inter(await root(), { ext: nc({ excluded: [{ dns: 'bad.example.com' }] }) });
    const rr = await root();
    void rr;
  });
  it('excluded DNS on an intermediate applies to the leaf', async () => {
    const r = await root();
    const i = await inter(r, { ext: nc({ excluded: [{ dns: 'bad.example.com' }] }) });
    await expectFail(check(await leaf(i, { san: ['example.com', 'x.bad.example.com'] }), [r], [i]), 'name-constraints');
    await expectOk(check(await leaf(i, { san: ['example.com', 'good.example.com'] }), [r], [i]));
  });
  it('wildcard SAN vs constraints (CVE-2025-61727)', async () => {
    const r = await root();
    const i = await inter(r, { ext: nc({ permitted: [{ dns: 'example.com' }], excluded: [{ dns: 'bar.example.com' }] }) });
    await expectFail(check(await leaf(i, { san: ['*.example.com'] }), [r], [i], { name: 'foo.example.com' }), 'name-constraints');
    const j = await inter(r, { ext: nc({ permitted: [{ dns: 'foo.example.com' }] }) });
    await expectFail(check(await leaf(j, { san: ['*.example.com'] }), [r], [j], { name: 'foo.example.com' }), 'name-constraints');
    const k = await inter(r, { ext: nc({ permitted: [{ dns: 'example.com' }] }) });
    await expectOk(check(await leaf(k, { san: ['*.example.com'] }), [r], [k], { name: 'foo.example.com' }));
  });
  it('IP permitted and excluded (v4 and v6)', async () => {
    const r = await root({ ext: nc({ permitted: [{ ip: '192.0.2.0/24' }, { ip: '2001:db8::/32' }] }) });
    await expectOk(check(await leaf(r, { san: ['192.0.2.7'] }), [r], [], { name: '192.0.2.7' }));
    await expectOk(check(await leaf(r, { san: ['2001:db8::5'] }), [r], [], { name: '2001:db8::5' }));
    await expectFail(check(await leaf(r, { san: ['192.0.3.7'] }), [r], [], { name: '192.0.3.7' }), 'name-constraints');
    const x = await root({ ext: nc({ excluded: [{ ip: '10.0.0.0/8' }] }) });
    await expectFail(check(await leaf(x, { san: ['10.1.2.3'] }), [x], [], { name: '10.1.2.3' }), 'name-constraints');
    await expectOk(check(await leaf(x, { san: ['11.1.2.3'] }), [x], [], { name: '11.1.2.3' }));
    // A DNS-only constraint does not restrict IP names, and vice versa.
    await expectOk(check(await leaf(x, { san: ['example.com'] }), [x]));
  });
  it('directoryName permitted/excluded applies to the subject', async () => {
    const r = await root({ ext: nc({ permitted: [{ dn: 'O=Good' }] }) });
    const i = await inter(r, { subject: 'CN=i,O=Good' });
    await expectOk(check(await leaf(i, { subject: 'CN=leaf,O=Good' }), [r], [i]));
    await expectFail(check(await leaf(i, { subject: 'CN=leaf,O=Evil' }), [r], [i]), 'name-constraints');
    const x = await root({ ext: nc({ excluded: [{ dn: 'O=Evil' }] }) });
    await expectFail(check(await leaf(x, { subject: 'CN=leaf,O=Evil' }), [x]), 'name-constraints');
    await expectOk(check(await leaf(x, { subject: 'CN=leaf,O=Good' }), [x]));
  });
  it('malformed constraints and constraints in a leaf are rejected', async () => {
    const r = await root({ ext: nc({ permitted: [{ dns: '.example.com' }] }) });
    await expectFail(check(await leaf(r, { san: ['a.example.com'] }), [r], [], { name: 'a.example.com' }), 'name-constraints');
    const r2 = await root();
    await expectFail(check(await leaf(r2, { extra: [crit(OID.nameConstraints, ev.nameConstraints({ permitted: [{ dns: 'example.com' }] }))] }), [r2]), 'name-constraints');
  });
});

describe('extensions and encoding', () => {
  it('unknown critical extension in leaf, intermediate or root', async () => {
    const unk = crit('1.3.6.1.4.1.55738.666.1', new Uint8Array([5, 0]));
    const r = await root();
    await expectFail(check(await leaf(r, { extra: [unk] }), [r]), 'unknown-critical-extension');
    await expectOk(check(await leaf(r, { extra: [{ ...unk, critical: false }] }), [r]));
    const i = await inter(r, { extra: [unk] });
    await expectFail(check(await leaf(i), [r], [i]), 'unknown-critical-extension');
    const r2 = await root({ extra: [unk] });
    await expectFail(check(await leaf(r2), [r2]), 'unknown-critical-extension');
  });
  it('v1 leaf, missing AKI, zero serial, critical AKI → malformed', async () => {
    const r = await root();
    await expectFail(check(await leaf(r, { version: 0 }), [r], [], { name: undefined }), 'malformed');
    await expectFail(check(await leaf(r, { ext: { [OID.authorityKeyIdentifier]: undefined } }), [r]), 'malformed');
    await expectFail(check(await leaf(r, { serial: new Uint8Array([0]) }), [r]), 'malformed');
    await expectFail(check(await leaf(r, { ext: { [OID.authorityKeyIdentifier]: crit(OID.authorityKeyIdentifier, ev.authorityKeyId(r.ski)) } }), [r]), 'malformed');
  });
  it('non-DER encodings of the leaf → malformed', async () => {
    const r = await root();
    const l = await leaf(r);
    // Long-form length where the short form fits: rewrite the outer SEQUENCE header.
    const der = l.der;
    const hdr = der[1]! & 0x7f; // 0x82 → 2 length bytes
    const len = (der[2]! << 8) | der[3]!;
    const bad = new Uint8Array(der.length + 1);
    bad.set([0x30, 0x83, 0x00, (len >> 8) & 0xff, len & 0xff]);
    bad.set(der.subarray(2 + hdr), 5);
    await expectFail(check({ ...l, der: bad }, [r]), 'malformed');
    const trailing = new Uint8Array([...der, 0]);
    await expectFail(check({ ...l, der: trailing }, [r]), 'malformed');
    const indefinite = new Uint8Array([0x30, 0x80, ...der.subarray(2 + hdr), 0, 0]);
    await expectFail(check({ ...l, der: indefinite }, [r]), 'malformed');
  });
});

describe('path building', () => {
  it('cross-signed alternative where only one path is valid', async () => {
    // leaf ← I; I's issuer "X" exists twice: X1 (signed by an expired root) and X2 (cross-signed by a good root).
    const expiredRoot = await root({ notAfter: new Date('2020-01-01T00:00:00Z') });
    const goodRoot = await root();
    const xKey = (await inter(goodRoot)).key;
    const x1 = await inter(expiredRoot, { subject: 'CN=X', key: xKey });
    const x2 = await inter(goodRoot, { subject: 'CN=X', key: xKey });
    const i = await inter(x1);
    const l = await leaf(i);
    const r = await expectOk(check(l, [expiredRoot, goodRoot], [x1, i, x2]), 4);
    expect(r.chain[3]).toEqual(goodRoot.der);
    // Only the invalid path available → the failure of that path.
    await expectFail(check(l, [expiredRoot, goodRoot], [x1, i]), 'expired');
  });
  it('re-keyed CA: two issuers with the same name, AKI picks the right one', async () => {
    const r = await root();
    const old = await inter(r, { subject: 'CN=Issuing CA' });
    const rekeyed = await inter(r, { subject: 'CN=Issuing CA' });
    const l = await leaf(rekeyed);
    await expectOk(check(l, [r], [old, rekeyed]), 3);
  });
  it('loops terminate', async () => {
    const r = await root();
    const ka = await inter(r);
    const kb = await inter(r);
    // A and B sign each other; neither chains to r.
    const a = await inter({ ...kb, subject: 'CN=B' }, { subject: 'CN=A', key: ka.key });
    const b = await inter({ ...ka, subject: 'CN=A' }, { subject: 'CN=B', key: kb.key });
    await expectFail(check(await leaf({ ...a, key: ka.key }), [r], [a, b]), 'unknown-issuer');
  });
  it('a hostile mesh ends in too-complex quickly', async () => {
    const r = await root();
    const k = await inter(r);
    // 40 intermediates that all share one name and key: each can sign each.
    const mesh: Made[] = [];
    for (let n = 0; n < 40; n++) mesh.push(await inter({ ...k, subject: 'CN=mesh' }, { subject: 'CN=mesh', key: k.key }));
    const l = await leaf({ ...k, subject: 'CN=mesh' });
    let calls = 0;
    const counting = { ...nodeVerifyProvider, verify: (...a: Parameters<typeof nodeVerifyProvider.verify>) => (calls++, nodeVerifyProvider.verify(...a)) };
    // Shared name+key are skipped as loops, so add 30 with their own keys, and one that names the
    // root as its issuer (a forgery) so that the mesh reaches a trust anchor by names. All of them
    // claim k's key identifier, so that key identifiers prune nothing.
    const ski = { [OID.subjectKeyIdentifier]: { oid: OID.subjectKeyIdentifier, critical: false, value: ev.subjectKeyId(k.ski) } };
    const mesh2: Made[] = [];
    for (let n = 0; n < 30; n++) mesh2.push(await inter({ ...k, subject: 'CN=mesh' }, { subject: 'CN=mesh', issuer: 'CN=mesh', key: (await inter(r)).key, ext: ski }));
    const bridge = await inter({ ...k, subject: r.subject, ski: r.ski }, { subject: 'CN=mesh', ext: ski });
    const res = await check(l, [r], [...mesh, ...mesh2, bridge], { provider: counting as typeof nodeVerifyProvider });
    expect(res.ok).toBe(false);
    // Exhausting a work bound always reports too-complex (issue 4), never the last path's failure.
    expect(res.ok ? 'ok' : res.code).toBe('too-complex');
    expect(calls).toBeLessThanOrEqual(DEFAULT_VERIFY_BUDGET);
  });
  it('intermediates from which no trust anchor is reachable by names cost no signature check', async () => {
    const r = await root();
    const k = await inter(r);
    const mesh: Made[] = [];
    for (let n = 0; n < 30; n++) mesh.push(await inter({ ...k, subject: 'CN=mesh' }, { subject: 'CN=mesh', issuer: 'CN=mesh', key: (await inter(r)).key }));
    let calls = 0;
    const counting = { ...nodeVerifyProvider, verify: (...a: Parameters<typeof nodeVerifyProvider.verify>) => (calls++, nodeVerifyProvider.verify(...a)) };
    await expectFail(check(await leaf({ ...k, subject: 'CN=mesh' }), [r], mesh, { provider: counting as typeof nodeVerifyProvider }), 'unknown-issuer');
    expect(calls).toBe(0);
  });
});

describe('subject CN consistency (CA/B BRs 7.1.4.3)', () => {
  it('IP-like, case-variant, A-label and U-label CNs must agree with the SANs; other CNs are ignored', async () => {
    const r = await root();
    await expectOk(check(await leaf(r, { subject: 'CN=other.example.com' }), [r]));
    await expectFail(check(await leaf(r, { subject: 'CN=Example.COM' }), [r]), 'name-mismatch');
    await expectFail(check(await leaf(r, { subject: 'CN=xn--nxasmq6b.com' }), [r]), 'name-mismatch');
    await expectFail(check(await leaf(r, { subject: 'CN=test-測試.com' }), [r]), 'name-mismatch');
    await expectFail(check(await leaf(r, { subject: 'CN=0xC0A80101', san: ['192.168.1.1'] }), [r], [], { name: '192.168.1.1' }), 'name-mismatch');
    await expectFail(check(await leaf(r, { subject: 'CN=2001:DB8::1', san: ['2001:db8::1'] }), [r], [], { name: '2001:db8::1' }), 'name-mismatch');
    await expectFail(check(await leaf(r, { subject: 'CN=192.168.001.001', san: ['192.168.1.1'] }), [r], [], { name: '192.168.1.1' }), 'name-mismatch');
    await expectOk(check(await leaf(r, { subject: 'CN=2001:db8::1', san: ['2001:db8::1'] }), [r], [], { name: '2001:db8::1' }));
    await expectOk(check(await leaf(r, { subject: 'CN=Build Server' }), [r]));
  });
});

describe('providers', () => {
  it('every key type verifies with the default (pure) provider and the WebCrypto provider', async () => {
    const crypto = (await import('../../src/crypto/index.js')) as Record<string, unknown>;
    const providers: [string, VerifyOptions['provider']][] = [['default', undefined]];
    if (crypto.webCryptoProvider) providers.push(['webcrypto', crypto.webCryptoProvider as VerifyOptions['provider']]);
    for (const keyType of ['rsa2048', 'ecdsa-p256', 'ecdsa-p384', 'ed25519'] as const) {
      const r = await root({ keyType });
      const i = await inter(r, { keyType });
      const l = await leaf(i, { keyType });
      // Same issuer name and key identifier as i, another key: only the signature tells them apart.
      const forged = await leaf(await inter(await root({ keyType }), { keyType, subject: i.subject }), { keyType, ext: { [OID.authorityKeyIdentifier]: { oid: OID.authorityKeyIdentifier, critical: false, value: ev.authorityKeyId(i.ski) } } });
      for (const [name, provider] of providers) {
        const o = provider ? { provider } : { provider: undefined };
        const good = await verifyCertificateChain({ leaf: l.der, intermediates: [i.der], roots: [r.der], now: NOW, name: 'example.com', usage: 'server', ...o });
        expect(good.ok, `${keyType} ${name} ${good.ok ? '' : good.message}`).toBe(true);
        const bad = await verifyCertificateChain({ leaf: forged.der, intermediates: [i.der], roots: [r.der], now: NOW, ...o });
        expect(bad.ok ? 'ok' : bad.code, `${keyType} ${name}`).toBe('bad-signature');
      }
    }
  });
});
