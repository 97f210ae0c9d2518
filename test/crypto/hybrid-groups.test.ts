/**
 * The draft-ietf-tls-ecdhe-mlkem hybrids (X25519MLKEM768 0x11EC,
 * SecP256r1MLKEM768 0x11EB, SecP384r1MLKEM1024 0x11ED) on every provider:
 * known answers computed independently with OpenSSL (pyca/cryptography 48 on
 * OpenSSL 4.0; test/vectors/ecdhe-mlkem/generate.py), the order of the parts
 * (ML-KEM first only for X25519MLKEM768), Wycheproof's ML-KEM-768 vectors
 * through SecP256r1MLKEM768, and the checks that end in illegal_parameter.
 */
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { p256, p384 } from '@noble/curves/nist.js';
import { ml_kem768, ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import type { CryptoProvider, NamedGroupName } from '../../src/crypto/provider.js';
import { SHARE_LENGTHS } from '../../src/crypto/group-rules.js';
import { providers, settle, outcome, toHex, hex, loadWycheproof } from './helpers.js';

interface Kat {
  group: NamedGroupName; codepoint: number;
  clientSeed: string; clientPrivate: string; clientShare: string;
  clientRole: { serverShare: string; sharedSecret: string };
  serverM: string; serverPrivate: string;
  serverRole: { serverShare: string; sharedSecret: string };
}
const KAT = JSON.parse(readFileSync(new URL('../vectors/ecdhe-mlkem/kat.json', import.meta.url), 'utf8')) as { vectors: Kat[] };

function queueRandom(...chunks: Uint8Array[]) {
  return (n: number): Uint8Array => {
    const c = chunks.shift();
    if (!c || c.length !== n) throw new Error(`test random: asked for ${n} bytes, have ${c?.length}`);
    return c.slice();
  };
}

async function expectIllegal(what: string, f: () => unknown) {
  const o = await outcome(f as () => Promise<unknown>);
  expect(o.ok ? 'accepted' : o.alert, what).toBe('illegal_parameter');
}

const NIST = [
  { name: 'SecP256r1MLKEM768' as const, curve: p256, ec: 65, kem: ml_kem768, ek: 1184, ct: 1088 },
  { name: 'SecP384r1MLKEM1024' as const, curve: p384, ec: 97, kem: ml_kem1024, ek: 1568, ct: 1568 },
];

describe('ECDHE-MLKEM share lengths (draft-ietf-tls-ecdhe-mlkem)', () => {
  it('client = EC point + encapsulation key, server = EC point + ciphertext', () => {
    expect(SHARE_LENGTHS.SecP256r1MLKEM768).toEqual({ client: 65 + 1184, server: 65 + 1088 });
    expect(SHARE_LENGTHS.SecP384r1MLKEM1024).toEqual({ client: 97 + 1568, server: 97 + 1568 });
    expect(SHARE_LENGTHS.X25519MLKEM768).toEqual({ client: 1184 + 32, server: 1088 + 32 });
  });
});

describe.each(providers)('ECDHE-MLKEM hybrids on the %s provider', (_name, provider: CryptoProvider) => {
  it.each(KAT.vectors.map((v, i) => [`${v.group} #${i}`, v] as const))('%s: known answers (OpenSSL), client and server roles', async (_label, v) => {
    const grp = provider.group(v.group)!;
    expect(grp.codepoint).toBe(v.codepoint);
    const share = await settle(grp.generate(queueRandom(hex(v.clientSeed), hex(v.clientPrivate))));
    expect(toHex(share.publicKey)).toBe(v.clientShare);
    expect(toHex(await settle(share.complete(hex(v.clientRole.serverShare))))).toBe(v.clientRole.sharedSecret);
    const resp = await settle(grp.respond(hex(v.clientShare), queueRandom(hex(v.serverM), hex(v.serverPrivate))));
    expect(toHex(resp.publicKey)).toBe(v.serverRole.serverShare);
    expect(toHex(resp.sharedSecret)).toBe(v.serverRole.sharedSecret);
  });

  it.each(NIST)('$name: ECDHE part first in both shares and in the secret', async (g) => {
    const grp = provider.group(g.name)!;
    const d = new Uint8Array(g.ec === 65 ? 32 : 48).fill(3), e = new Uint8Array(d.length).fill(5);
    const seed = new Uint8Array(64).fill(9), m = new Uint8Array(32).fill(11);
    const share = await settle(grp.generate(queueRandom(seed, d)));
    const kem = g.kem.keygen(seed.slice());
    expect(toHex(share.publicKey)).toBe(toHex(Uint8Array.from([...g.curve.getPublicKey(d, false), ...kem.publicKey])));
    const resp = await settle(grp.respond(share.publicKey, queueRandom(m, e)));
    const enc = g.kem.encapsulate(kem.publicKey, m.slice());
    expect(toHex(resp.publicKey)).toBe(toHex(Uint8Array.from([...g.curve.getPublicKey(e, false), ...enc.cipherText])));
    const ecdh = g.curve.getSharedSecret(e, g.curve.getPublicKey(d, false), true).subarray(1);
    const expected = Uint8Array.from([...ecdh, ...enc.sharedSecret]);
    expect(toHex(resp.sharedSecret)).toBe(toHex(expected));
    expect(toHex(await settle(share.complete(resp.publicKey)))).toBe(toHex(expected));
  });

  it.each(NIST)('$name: bad shares → illegal_parameter in both roles', async (g) => {
    const grp = provider.group(g.name)!;
    const share = await settle(grp.generate());
    const pk = share.publicKey;
    expect(pk.length).toBe(g.ec + g.ek);
    const withEc = (ec: Uint8Array, rest: Uint8Array) => Uint8Array.from([...ec, ...rest]);
    const kemPart = pk.subarray(g.ec);
    const good = pk.subarray(0, g.ec);
    const offCurve = good.slice(); offCurve[offCurve.length - 1]! ^= 1;
    const compressed = Uint8Array.from([...g.curve.getPublicKey(g.curve.utils.randomSecretKey(), true), ...new Uint8Array(g.ec - 1 - (g.ec - 1) / 2)]);
    const other = (g.curve === p256 ? p384 : p256).getPublicKey((g.curve === p256 ? p384 : p256).utils.randomSecretKey(), false);
    // FIPS 203 §7.2: the first coefficient of the encapsulation key set to 0xFFF ≥ q.
    const badEk = kemPart.slice(); badEk[0] = 0xff; badEk[1] = badEk[1]! | 0x0f;
    const clientCases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['EC point alone', good],
      ['one byte short', pk.subarray(0, pk.length - 1)],
      ['one byte long', Uint8Array.from([...pk, 0])],
      ['X25519MLKEM768 order (ML-KEM first)', Uint8Array.from([...kemPart, ...good])],
      ['off-curve point', withEc(offCurve, kemPart)],
      ['point at infinity padded', withEc(new Uint8Array(g.ec), kemPart)],
      ['compressed point padded to length', withEc(compressed, kemPart)],
      ['prefix 0x06 (hybrid point form)', withEc(Uint8Array.from([6, ...good.subarray(1)]), kemPart)],
      ['encapsulation key failing the modulus check', withEc(good, badEk)],
    ];
    if (other.length !== g.ec) clientCases.push(['a point of the other curve', withEc(other, kemPart).subarray(0, g.ec + g.ek)]);
    for (const [why, bad] of clientCases) await expectIllegal(`respond(${why})`, () => grp.respond(bad));
    const resp = await settle(grp.respond(pk));
    const rs = resp.publicKey;
    expect(rs.length).toBe(g.ec + g.ct);
    const ct = rs.subarray(g.ec);
    const serverCases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one byte short', rs.subarray(1)],
      ['one byte long', Uint8Array.from([...rs, 0])],
      ['off-curve point', withEc(offCurve, ct)],
      ['all zeros', new Uint8Array(rs.length)],
    ];
    for (const [why, bad] of serverCases) {
      const fresh = await settle(grp.generate());
      await expectIllegal(`complete(${why})`, () => fresh.complete(bad));
    }
    expect(toHex(await settle(share.complete(rs)))).toBe(toHex(resp.sharedSecret));
  });

  it('ML-KEM-768 through SecP256r1MLKEM768 (Wycheproof mlkem_768_test.json): ML-KEM after the 65-byte point', async () => {
    const w = loadWycheproof('mlkem_768_test.json');
    const group = provider.group('SecP256r1MLKEM768')!;
    const d = new Uint8Array(32).fill(7);
    const peer = await settle(provider.group('secp256r1')!.generate());
    const failures: string[] = [];
    let run = 0;
    for (const g of w.testGroups) {
      for (const t of g.tests) {
        if ((t.seed as string).length !== 128) continue; // the group always draws a 64-byte seed
        run++;
        const share = await settle(group.generate(queueRandom(hex(t.seed), d)));
        if (toHex(share.publicKey.subarray(65)) !== t.ek) failures.push(`${t.tcId}: ek mismatch`);
        const o = await outcome(() => share.complete(Uint8Array.from([...peer.publicKey, ...hex(t.c)])));
        if (t.result === 'valid') {
          if (!o.ok) failures.push(`${t.tcId}: ${o.message}`);
          else if (toHex(o.value.subarray(32)) !== t.K) failures.push(`${t.tcId}: wrong K`);
        } else if (o.ok || o.alert !== 'illegal_parameter') failures.push(`${t.tcId}: ${t.comment} not rejected`);
      }
    }
    expect(failures).toEqual([]);
    expect(run).toBeGreaterThan(150);
  });
});
