/** The SignatureScheme table (RFC 8446 §4.2.3). */
import { describe, it, expect } from 'vitest';
import {
  SIGNATURE_SCHEMES, schemeByCode, schemeByName, schemesForKey, keyMatchesScheme, isTls13SignatureScheme,
} from '../../src/crypto/schemes.js';
import type { PublicKey } from '../../src/crypto/provider.js';

const RFC_CODES: Record<string, number> = {
  rsa_pkcs1_sha256: 0x0401, rsa_pkcs1_sha384: 0x0501, rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403, ecdsa_secp384r1_sha384: 0x0503, ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804, rsa_pss_rsae_sha384: 0x0805, rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807, ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809, rsa_pss_pss_sha384: 0x080a, rsa_pss_pss_sha512: 0x080b,
  // draft-ietf-tls-mldsa §2 (IANA TLS SignatureScheme registry)
  mldsa44: 0x0904, mldsa65: 0x0905, mldsa87: 0x0906,
};

const rsa = (bits: number, pssOnly = false): PublicKey => ({ type: 'rsa', n: (1n << BigInt(bits - 1)) | 1n, e: 65537n, pssOnly });
const ec = (curve: 'P-256' | 'P-384' | 'P-521'): PublicKey => ({ type: 'ec', curve, point: new Uint8Array(0) });
const ed: PublicKey = { type: 'ed25519', key: new Uint8Array(32) };
const names = (key: PublicKey) => schemesForKey(key).map((s) => s.name);

describe('SignatureScheme table', () => {
  it('has exactly the RFC 8446 and draft-ietf-tls-mldsa codepoints, both ways', () => {
    expect(Object.fromEntries(SIGNATURE_SCHEMES.map((s) => [s.name, s.code]))).toEqual(RFC_CODES);
    for (const [name, code] of Object.entries(RFC_CODES)) {
      expect(schemeByCode(code)?.name).toBe(name);
      expect(schemeByName(name)?.code).toBe(code);
    }
    expect(schemeByCode(0x0201)).toBeUndefined(); // rsa_pkcs1_sha1: not supported
    expect(schemeByCode(0x0907)).toBeUndefined(); // not assigned
    expect(schemeByName('toString')).toBeUndefined();
  });

  it('maps each scheme to its algorithm (PSS salt = hash length)', () => {
    expect(schemeByName('rsa_pss_rsae_sha384')!.algorithm).toEqual({ kind: 'rsa-pss', hash: 'SHA-384', saltLength: 48 });
    expect(schemeByName('rsa_pss_pss_sha512')!.algorithm).toEqual({ kind: 'rsa-pss', hash: 'SHA-512', saltLength: 64 });
    expect(schemeByName('ecdsa_secp384r1_sha384')!.algorithm).toEqual({ kind: 'ecdsa', hash: 'SHA-384' });
    expect(schemeByName('rsa_pkcs1_sha256')!.algorithm).toEqual({ kind: 'rsa-pkcs1', hash: 'SHA-256' });
    expect(schemeByName('ed25519')!.algorithm).toEqual({ kind: 'ed25519' });
    expect(schemeByName('ed448')!.algorithm).toEqual({ kind: 'ed448' });
    expect(schemeByName('mldsa65')!.algorithm).toEqual({ kind: 'mldsa', level: 65 });
  });

  it('Ed448 and ML-DSA keys fit only their own scheme (an ML-DSA-44 key is not an ML-DSA-65 one)', () => {
    expect(names({ type: 'ed448', key: new Uint8Array(57) })).toEqual(['ed448']);
    for (const level of [44, 65, 87] as const) expect(names({ type: 'mldsa', level, key: new Uint8Array(0) })).toEqual([`mldsa${level}`]);
    expect(names(ed)).toEqual(['ed25519']);
  });

  it('rsa_pkcs1_* are not TLS 1.3 CertificateVerify schemes (RFC 8446 §4.4.3)', () => {
    for (const s of SIGNATURE_SCHEMES) expect(isTls13SignatureScheme(s), s.name).toBe(!s.name.startsWith('rsa_pkcs1'));
    expect(isTls13SignatureScheme(0x0401)).toBe(false);
    expect(isTls13SignatureScheme(0x0804)).toBe(true);
    expect(isTls13SignatureScheme('ed25519')).toBe(true);
    expect(isTls13SignatureScheme(0x0201)).toBe(false);
  });

  it('keys select their schemes (rsae vs pss keys, curves, PSS size limit)', () => {
    expect(names(rsa(2048))).toEqual(['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pss_rsae_sha512', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512']);
    expect(names(rsa(2048, true))).toEqual(['rsa_pss_pss_sha256', 'rsa_pss_pss_sha384', 'rsa_pss_pss_sha512']);
    // RSA-1024: emLen 128 < 2·64 + 2, so no PSS with SHA-512.
    expect(names(rsa(1024))).toEqual(['rsa_pss_rsae_sha256', 'rsa_pss_rsae_sha384', 'rsa_pkcs1_sha256', 'rsa_pkcs1_sha384', 'rsa_pkcs1_sha512']);
    expect(names(ec('P-256'))).toEqual(['ecdsa_secp256r1_sha256']);
    expect(names(ec('P-384'))).toEqual(['ecdsa_secp384r1_sha384']);
    expect(names(ec('P-521'))).toEqual(['ecdsa_secp521r1_sha512']);
    expect(names(ed)).toEqual(['ed25519']);
    expect(keyMatchesScheme(ec('P-256'), schemeByName('ecdsa_secp384r1_sha384')!)).toBe(false);
    expect(keyMatchesScheme(rsa(2048, true), schemeByName('rsa_pss_rsae_sha256')!)).toBe(false);
    expect(keyMatchesScheme(rsa(2048), schemeByName('rsa_pss_pss_sha256')!)).toBe(false);
    expect(keyMatchesScheme(rsa(2048, true), schemeByName('rsa_pkcs1_sha256')!)).toBe(false);
  });
});
