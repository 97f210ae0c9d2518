/**
 * Wycheproof (C2SP/wycheproof, testvectors_v1) over every provider.
 *
 * Policy for "acceptable" results, per file (see test/vectors/wycheproof/README.md):
 * - x25519: accepted and must give the RFC 7748 result, except ZeroSharedSecret,
 *   which must be rejected with illegal_parameter (RFC 8446 §7.4.2).
 * - ecdh_*_ecpoint: CompressedPublic/CompressedPoint must be rejected with
 *   illegal_parameter (RFC 8446 §4.2.8.2 allows only the uncompressed form).
 * - rsa_signature_* (PKCS#1 v1.5): MissingNull must be rejected (strict
 *   comparison of the whole encoded block).
 * Every other file has only valid/invalid; both are checked exactly.
 * Each test collects every mismatch and compares the list with [] so one run
 * shows all failures; the number of vectors run is checked too, so a filter
 * that skipped everything would fail.
 */
import { describe, it, expect } from 'vitest';
import type { CryptoProvider, HashAlgorithm, AeadAlgorithm, PublicKey } from '../../src/crypto/provider.js';
import { providers, loadWycheproof, hex, toHex, settle, outcome, type WycheproofTest } from './helpers.js';

const SUPPORTED_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

function queueRandom(...chunks: Uint8Array[]) {
  return (n: number): Uint8Array => {
    const c = chunks.shift();
    if (!c || c.length !== n) throw new Error(`test random: asked for ${n} bytes, have ${c?.length}`);
    return c.slice();
  };
}

describe.each(providers)('Wycheproof on the %s provider', (_name, provider: CryptoProvider) => {
  describe('AEAD', () => {
    async function runAead(file: string, pick: (keyBits: number) => AeadAlgorithm | undefined) {
      const w = loadWycheproof(file);
      const failures: string[] = [];
      let run = 0, skipped = 0;
      for (const g of w.testGroups) {
        const alg = pick(g.keySize as number);
        // In scope: 96-bit IV, 128-bit tag (TLS 1.3 AEADs), supported key sizes.
        if (g.ivSize !== 96 || g.tagSize !== 128 || !alg) { skipped += g.tests.length; continue; }
        for (const t of g.tests) {
          run++;
          const key = await settle(provider.aead(alg).importKey(hex(t.key)));
          const [iv, aad, msg, ct, tag] = [hex(t.iv), hex(t.aad), hex(t.msg), hex(t.ct), hex(t.tag)];
          const sealed = Uint8Array.from([...ct, ...tag]);
          const opened = await settle(key.open(iv, aad, sealed));
          if (t.result === 'valid') {
            const s = await settle(key.seal(iv, aad, msg));
            if (toHex(s) !== toHex(sealed)) failures.push(`${t.tcId} seal mismatch`);
            if (!opened || toHex(opened) !== toHex(msg)) failures.push(`${t.tcId} open failed`);
          } else if (opened !== null) failures.push(`${t.tcId} invalid (${t.comment}) opened`);
        }
      }
      return { failures, run, skipped };
    }

    it('AES-GCM (aes_gcm_test.json, 96-bit IV / 128-bit tag, 128/256-bit keys)', async () => {
      const r = await runAead('aes_gcm_test.json', (b) => (b === 128 ? 'AES-128-GCM' : b === 256 ? 'AES-256-GCM' : undefined));
      expect(r.failures).toEqual([]);
      expect(r.run).toBeGreaterThan(100);
      expect(r.run + r.skipped).toBe(316);
    });

    it('ChaCha20-Poly1305 (chacha20_poly1305_test.json)', async () => {
      const r = await runAead('chacha20_poly1305_test.json', (b) => (b === 256 ? 'CHACHA20-POLY1305' : undefined));
      expect(r.failures).toEqual([]);
      expect(r.run).toBeGreaterThan(250);
    });
  });

  describe('HMAC and HKDF', () => {
    it.each([
      ['hmac_sha256_test.json', 'SHA-256'],
      ['hmac_sha384_test.json', 'SHA-384'],
    ] as const)('%s', (file, hash: HashAlgorithm) => {
      const w = loadWycheproof(file);
      const failures: number[] = [];
      let run = 0;
      for (const g of w.testGroups) {
        const tagBytes = (g.tagSize as number) / 8;
        for (const t of g.tests) {
          run++;
          const mac = provider.hmac(hash, hex(t.key), hex(t.msg)).subarray(0, tagBytes);
          if ((toHex(mac) === t.tag) !== (t.result === 'valid')) failures.push(t.tcId);
        }
      }
      expect(failures).toEqual([]);
      expect(run).toBe(w.numberOfTests);
    });

    it.each([
      ['hkdf_sha256_test.json', 'SHA-256'],
      ['hkdf_sha384_test.json', 'SHA-384'],
    ] as const)('%s', (file, hash: HashAlgorithm) => {
      const w = loadWycheproof(file);
      const failures: number[] = [];
      for (const g of w.testGroups) {
        for (const t of g.tests) {
          let okm: string | undefined;
          try {
            const prk = provider.hkdfExtract(hash, hex(t.salt), hex(t.ikm));
            okm = toHex(provider.hkdfExpand(hash, prk, hex(t.info), t.size as number));
          } catch {
            okm = undefined;
          }
          // invalid = output longer than 255 * HashLen: must throw.
          if (t.result === 'valid' ? okm !== t.okm : okm !== undefined) failures.push(t.tcId);
        }
      }
      expect(failures).toEqual([]);
    });
  });

  describe('key exchange', () => {
    it('x25519 (x25519_test.json)', async () => {
      const w = loadWycheproof('x25519_test.json');
      const group = provider.group('x25519')!;
      const failures: string[] = [];
      let rejected = 0;
      for (const g of w.testGroups) {
        for (const t of g.tests) {
          const mustReject = t.flags.includes('ZeroSharedSecret');
          const [pub, priv] = [hex(t.public), hex(t.private)];
          const server = await outcome(() => group.respond(pub, queueRandom(priv)));
          const client = await outcome(async () => (await settle(group.generate(queueRandom(priv)))).complete(pub));
          for (const [role, o] of [['server', server], ['client', client]] as const) {
            if (mustReject) {
              if (o.ok || o.alert !== 'illegal_parameter') failures.push(`${t.tcId} ${role}: zero shared secret not rejected`);
              else rejected++;
            } else if (!o.ok) failures.push(`${t.tcId} ${role}: ${o.message}`);
            else {
              const shared = role === 'server' ? (o.value as { sharedSecret: Uint8Array }).sharedSecret : (o.value as Uint8Array);
              if (toHex(shared) !== t.shared) failures.push(`${t.tcId} ${role}: wrong shared secret`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(rejected).toBeGreaterThan(0);
    });

    it.each([
      ['ecdh_secp256r1_ecpoint_test.json', 'secp256r1', 32],
      ['ecdh_secp384r1_ecpoint_test.json', 'secp384r1', 48],
    ] as const)('%s', async (file, name, size) => {
      const w = loadWycheproof(file);
      const group = provider.group(name)!;
      const failures: string[] = [];
      const counts = { valid: 0, rejected: 0 };
      for (const g of w.testGroups) {
        for (const t of g.tests) {
          const pub = hex(t.public);
          let d = hex(t.private);
          while (d.length > size && d[0] === 0) d = d.subarray(1);
          d = Uint8Array.from([...new Uint8Array(size - d.length), ...d]);
          const server = await outcome(() => group.respond(pub, queueRandom(d)));
          // Both roles share the derivation code; the client role runs on every
          // rejected vector and on every 8th valid one (P-384 in pure JS is slow).
          const runClient = t.result !== 'valid' || t.tcId % 8 === 0;
          const client = runClient ? await outcome(async () => (await settle(group.generate(queueRandom(d)))).complete(pub)) : undefined;
          for (const [role, o] of [['server', server], ['client', client]] as const) {
            if (!o) continue;
            if (t.result === 'valid') {
              if (!o.ok) failures.push(`${t.tcId} ${role}: ${o.message}`);
              else {
                const shared = role === 'server' ? (o.value as { sharedSecret: Uint8Array }).sharedSecret : (o.value as Uint8Array);
                if (toHex(shared) !== t.shared) failures.push(`${t.tcId} ${role}: wrong shared secret`);
                counts.valid++;
              }
            } else {
              // invalid, and acceptable (compressed points): rejected per RFC 8446 §4.2.8.2.
              if (o.ok || o.alert !== 'illegal_parameter') failures.push(`${t.tcId} ${role} (${t.result}: ${t.flags.join(',')}) not rejected: ${o.ok ? 'accepted' : o.message}`);
              else counts.rejected++;
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(counts.valid).toBeGreaterThan(100);
      expect(counts.rejected).toBeGreaterThan(10);
    });

    it('ML-KEM-768 through X25519MLKEM768 (mlkem_768_test.json)', async () => {
      const w = loadWycheproof('mlkem_768_test.json');
      const group = provider.group('X25519MLKEM768')!;
      const xsk = new Uint8Array(32).fill(7);
      const peer = await settle(provider.group('x25519')!.generate());
      const failures: string[] = [];
      let run = 0, skipped = 0;
      for (const g of w.testGroups) {
        for (const t of g.tests) {
          // A seed of the wrong length cannot reach the group API (it always draws 64 bytes).
          if ((t.seed as string).length !== 128) { skipped++; continue; }
          run++;
          const share = await settle(group.generate(queueRandom(hex(t.seed), xsk)));
          if (toHex(share.publicKey.subarray(0, 1184)) !== t.ek) failures.push(`${t.tcId}: ek mismatch`);
          const o = await outcome(() => share.complete(Uint8Array.from([...hex(t.c), ...peer.publicKey])));
          if (t.result === 'valid') {
            if (!o.ok) failures.push(`${t.tcId}: ${o.message}`);
            else if (toHex(o.value.subarray(0, 32)) !== t.K) failures.push(`${t.tcId}: wrong K`);
          } else if (o.ok || o.alert !== 'illegal_parameter') failures.push(`${t.tcId}: ${t.comment} not rejected`);
        }
      }
      expect(failures).toEqual([]);
      expect(run).toBeGreaterThan(150);
      expect(run + skipped).toBe(w.numberOfTests);
      expect(skipped).toBeLessThan(30);
    });
  });

  describe('signatures', () => {
    async function runVerify(
      file: string,
      keyOf: (g: Record<string, unknown>) => PublicKey,
      algOf: (g: Record<string, unknown>) => Parameters<CryptoProvider['verify']>[0] | undefined,
      expected: (t: WycheproofTest) => boolean,
    ) {
      const w = loadWycheproof(file);
      const failures: string[] = [];
      let run = 0, skipped = 0;
      for (const g of w.testGroups) {
        const alg = algOf(g);
        if (!alg) { skipped += g.tests.length; continue; }
        const key = keyOf(g);
        for (const t of g.tests) {
          run++;
          const got = await outcome(() => provider.verify(alg, key, hex(t.msg), hex(t.sig)));
          if (!got.ok) failures.push(`${t.tcId}: threw ${got.message}`);
          else if (got.value !== expected(t)) failures.push(`${t.tcId} (${t.result} ${t.flags.join(',')}): got ${got.value}`);
        }
      }
      return { failures, run, skipped };
    }
    const strict = (t: WycheproofTest) => t.result === 'valid';
    const ecKey = (curve: 'P-256' | 'P-384' | 'P-521') => (g: Record<string, unknown>): PublicKey =>
      ({ type: 'ec', curve, point: hex((g.publicKey as { uncompressed: string }).uncompressed) });
    const rsaKey = (g: Record<string, unknown>): PublicKey => {
      const k = g.publicKey as { modulus: string; publicExponent: string };
      return { type: 'rsa', n: BigInt('0x' + k.modulus), e: BigInt('0x' + k.publicExponent) };
    };

    it.each([
      ['ecdsa_secp256r1_sha256_test.json', 'P-256'],
      ['ecdsa_secp384r1_sha384_test.json', 'P-384'],
      ['ecdsa_secp521r1_sha512_test.json', 'P-521'],
    ] as const)('%s', async (file, curve) => {
      const r = await runVerify(file, ecKey(curve), (g) => ({ kind: 'ecdsa', hash: g.sha as HashAlgorithm }), strict);
      expect(r.failures).toEqual([]);
      expect(r.run).toBeGreaterThan(400);
    });

    it('ed25519_test.json', async () => {
      const r = await runVerify('ed25519_test.json', (g) => ({ type: 'ed25519', key: hex((g.publicKey as { pk: string }).pk) }), () => ({ kind: 'ed25519' }), strict);
      expect(r.failures).toEqual([]);
      expect(r.run).toBe(151);
    });

    it.each([
      'rsa_pss_2048_sha256_mgf1_32_test.json',
      'rsa_pss_2048_sha384_mgf1_48_test.json',
      'rsa_pss_3072_sha256_mgf1_32_test.json',
      'rsa_pss_4096_sha512_mgf1_64_test.json',
      'rsa_pss_misc_test.json',
    ])('%s', async (file) => {
      const r = await runVerify(file, rsaKey, (g) => {
        // SHA-1 / SHA-224 are not TLS 1.3 hashes: those groups are skipped (counted).
        if (!SUPPORTED_HASHES.has(g.sha as string) || !SUPPORTED_HASHES.has(g.mgfSha as string) || g.mgf !== 'MGF1') return undefined;
        return { kind: 'rsa-pss', hash: g.sha as HashAlgorithm, mgfHash: g.mgfSha as HashAlgorithm, saltLength: g.sLen as number };
      }, strict);
      expect(r.failures).toEqual([]);
      expect(r.run).toBeGreaterThanOrEqual(file === 'rsa_pss_misc_test.json' ? 50 : 100);
    });

    it.each([
      'rsa_signature_2048_sha256_test.json',
      'rsa_signature_2048_sha384_test.json',
      'rsa_signature_3072_sha256_test.json',
      'rsa_signature_4096_sha512_test.json',
    ])('%s', async (file) => {
      // acceptable (MissingNull) → must be rejected: strict DigestInfo comparison.
      const r = await runVerify(file, rsaKey, (g) => ({ kind: 'rsa-pkcs1', hash: g.sha as HashAlgorithm }), strict);
      expect(r.failures).toEqual([]);
      expect(r.run).toBeGreaterThan(250);
    });
  });
});
