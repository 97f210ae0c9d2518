/**
 * Ed448 (RFC 8410) and ML-DSA (RFC 9881) keys: SubjectPublicKeyInfo and
 * PKCS#8 decoding, the private-key forms, and the malformed cases with the
 * alerts they map to.
 */
import { describe, it, expect } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { parsePrivateKey, parseSpki } from '../../src/x509/keys.js';
import { publicKeyMatches } from '../../src/x509/key-match.js';
import { generatePureKey } from '../../src/x509/pure-signing-key.js';
import { OID } from '../../src/x509/oids.js';

const ab = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const der = (v: asn1js.AsnType) => new Uint8Array(v.toBER(false));
const algId = (oid: string, params?: asn1js.AsnType) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), ...(params ? [params] : [])] });
const spki = (oid: string, key: Uint8Array, params?: asn1js.AsnType) => der(new asn1js.Sequence({ value: [algId(oid, params), new asn1js.BitString({ valueHex: ab(key) })] }));
const pkcs8 = (oid: string, inner: Uint8Array) =>
  der(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), algId(oid), new asn1js.OctetString({ valueHex: ab(inner) })] }));
const octets = (b: Uint8Array) => der(new asn1js.OctetString({ valueHex: ab(b) }));

describe('Ed448 keys (RFC 8410)', () => {
  it('PKCS#8 and SPKI from node:crypto (OpenSSL) give the same 57-octet public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed448');
    const k = parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const pub = parseSpki(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
    expect(k.type).toBe('ed448');
    expect(pub.type).toBe('ed448');
    expect(pub.type === 'ed448' && pub.key.length).toBe(57);
    expect(publicKeyMatches(pub, k)).toBe(true);
    expect(publicKeyMatches(pub, parsePrivateKey(generateKeyPairSync('ed448').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string))).toBe(false);
  });

  it('a wrong key length or present parameters → bad_certificate; a 32-octet private key is refused', () => {
    expect(() => parseSpki(spki(OID.ed448, new Uint8Array(56)))).toThrow(expect.objectContaining({ alert: 'bad_certificate' }));
    expect(() => parseSpki(spki(OID.ed448, new Uint8Array(57), new asn1js.Null()))).toThrow(expect.objectContaining({ alert: 'bad_certificate' }));
    expect(() => parsePrivateKey(pkcs8(OID.ed448, octets(new Uint8Array(32))))).toThrow(/57 bytes/);
  });

  it('an Ed25519 key is not an Ed448 one', () => {
    const pub = parseSpki(new Uint8Array(generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' })));
    expect(pub.type).toBe('ed25519');
  });
});

describe('ML-DSA keys (RFC 9881)', () => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
  const ref = ml_dsa65.keygen(seed);

  it('seed [0], expandedKey and both forms all give the key the seed determines', () => {
    const seedForm = der(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: ab(seed) }));
    const expanded = octets(ref.secretKey);
    const both = der(new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: ab(seed) }), new asn1js.OctetString({ valueHex: ab(ref.secretKey) })] }));
    for (const inner of [seedForm, expanded, both]) {
      const k = parsePrivateKey(pkcs8(OID.mlDsa65, inner));
      expect(k.type === 'mldsa' && k.level).toBe(65);
      expect(k.type === 'mldsa' && Buffer.from(k.key).equals(Buffer.from(ref.publicKey))).toBe(true);
      expect(k.type === 'mldsa' && Buffer.from(k.secretKey).equals(Buffer.from(ref.secretKey))).toBe(true);
    }
  });

  it('refuses a both form whose expanded key is not the seed’s, a short seed, a wrong-size expanded key, and the key under another parameter set', () => {
    const other = ml_dsa65.keygen(new Uint8Array(32).fill(9)).secretKey;
    const bad = der(new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: ab(seed) }), new asn1js.OctetString({ valueHex: ab(other) })] }));
    expect(() => parsePrivateKey(pkcs8(OID.mlDsa65, bad))).toThrow(/does not match its seed/);
    const short = der(new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: ab(seed.subarray(0, 31)) }));
    expect(() => parsePrivateKey(pkcs8(OID.mlDsa65, short))).toThrow(/32 bytes/);
    expect(() => parsePrivateKey(pkcs8(OID.mlDsa44, octets(ref.secretKey)))).toThrow(/2560 bytes/);
  });

  it('SPKI: the raw public key; a wrong length or parameters → bad_certificate', () => {
    const pub = parseSpki(spki(OID.mlDsa65, ref.publicKey));
    expect(pub.type === 'mldsa' && pub.level).toBe(65);
    expect(() => parseSpki(spki(OID.mlDsa44, ref.publicKey))).toThrow(expect.objectContaining({ alert: 'bad_certificate' }));
    expect(() => parseSpki(spki(OID.mlDsa65, ref.publicKey, new asn1js.Null()))).toThrow(expect.objectContaining({ alert: 'bad_certificate' }));
  });

  it('keys made for puretls/cert round-trip through their own SPKI and PKCS#8 encodings', () => {
    for (const type of ['ed448', 'mldsa44', 'mldsa65', 'mldsa87'] as const) {
      const g = generatePureKey(type);
      const k = parsePrivateKey(g.pkcs8);
      expect(publicKeyMatches(parseSpki(g.spki), k), type).toBe(true);
    }
  });
});
