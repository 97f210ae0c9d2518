import { describe, it, expect } from 'vitest';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { parsePrivateKey, parseSpki } from '../../src/x509/keys.js';
import { pemDecode, pemEncode, base64Decode, base64Encode } from '../../src/x509/pem.js';
import { parseIpAddress, formatIp, dnsNameMatches, normaliseReferenceName } from '../../src/x509/hostname.js';
import { DerReader, decodeTime, DerError } from '../../src/x509/der.js';

const spkiOf = (pem: string) => new Uint8Array(createPublicKey(pem).export({ format: 'der', type: 'spki' }));

describe('private keys', () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    it(`EC ${curve}: PKCS#8 and SEC1 give the same key, public point computed`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const pk8 = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }) as string;
      const a = parsePrivateKey(pk8);
      const b = parsePrivateKey(sec1);
      const der = parsePrivateKey(new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })));
      expect(a).toEqual(b);
      expect(der).toEqual(a);
      const pub = parseSpki(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
      expect(a.type === 'ec' && pub.type === 'ec' && Buffer.from(a.point).equals(Buffer.from(pub.point))).toBe(true);
    });
  }
  it('RSA: PKCS#8 and PKCS#1; RSA-PSS keys are pssOnly', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const a = parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const b = parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs1' }) as string);
    expect(a).toEqual(b);
    expect(a.type === 'rsa' && a.p * a.q === a.n).toBe(true);
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const k = parsePrivateKey(pss.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    expect(k.type === 'rsa' && k.pssOnly).toBe(true);
    const pub = parseSpki(new Uint8Array(pss.publicKey.export({ format: 'der', type: 'spki' })));
    expect(pub.type === 'rsa' && pub.pssOnly).toBe(true);
  });
  it('Ed25519: seed and public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const k = parsePrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const pub = parseSpki(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })));
    expect(k.type === 'ed25519' && pub.type === 'ed25519' && Buffer.from(k.key).equals(Buffer.from(pub.key))).toBe(true);
  });
  it('refuses encrypted, unknown and garbage keys', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const enc = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-128-cbc', passphrase: 'x' }) as string;
    expect(() => parsePrivateKey(enc)).toThrow(/encrypted/);
    expect(() => parsePrivateKey('nothing here')).toThrow();
    expect(() => parsePrivateKey(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))).toThrow();
    const x448 = generateKeyPairSync('x448').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(() => parsePrivateKey(x448)).toThrow(/unsupported/);
  });
});

describe('public keys', () => {
  it('rejects unsupported algorithms and curves with unsupported_certificate', () => {
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 224 });
    expect(() => parseSpki(spkiOf(dsa.publicKey.export({ format: 'pem', type: 'spki' }) as string))).toThrow(expect.objectContaining({ alert: 'unsupported_certificate' }));
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => parseSpki(spkiOf(k1.publicKey.export({ format: 'pem', type: 'spki' }) as string))).toThrow(expect.objectContaining({ alert: 'unsupported_certificate' }));
  });
  it('rejects an EC point off the curve with bad_certificate', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    der[der.length - 1]! ^= 1;
    expect(() => parseSpki(der)).toThrow(expect.objectContaining({ alert: 'bad_certificate' }));
  });
});

describe('PEM and base64', () => {
  it('round-trips and finds blocks by label', () => {
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    const text = `junk\n${pemEncode(data, 'CERTIFICATE')}${pemEncode(data.subarray(0, 7), 'PRIVATE KEY')}`;
    expect(pemDecode(text, 'CERTIFICATE')).toEqual([data]);
    expect(pemDecode(text)).toHaveLength(2);
    for (let n = 0; n < 10; n++) expect(base64Decode(base64Encode(data.subarray(0, n)))).toEqual(data.subarray(0, n));
    expect(base64Encode(data)).toBe(Buffer.from(data).toString('base64'));
    expect(() => base64Decode('ab$c')).toThrow();
  });
});

describe('names and addresses', () => {
  it('parses and formats IPv4/IPv6 strictly', () => {
    expect(formatIp(parseIpAddress('2001:0db8:0000:0000:0000:0000:0000:0001')!)).toBe('2001:db8::1');
    expect(formatIp(parseIpAddress('::ffff:192.0.2.1')!)).toBe('::ffff:c000:201');
    expect(formatIp(parseIpAddress('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    for (const bad of ['1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', 'example.com']) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
  });
  it('DNS matching rules', () => {
    expect(dnsNameMatches('*.example.com', 'a.example.com')).toBe(true);
    expect(dnsNameMatches('*.example.com', 'example.com')).toBe(false);
    expect(dnsNameMatches('*.com', 'example.com')).toBe(false);
    expect(dnsNameMatches('a*.example.com', 'ab.example.com')).toBe(false);
    expect(dnsNameMatches('EXAMPLE.com', 'example.com')).toBe(true);
    expect(normaliseReferenceName('Example.COM.')).toBe('example.com');
    expect(normaliseReferenceName('*.example.com')).toBeUndefined();
  });
});

describe('strict DER', () => {
  const time = (tag: number, s: string) => decodeTime({ tag, raw: new Uint8Array(), value: new TextEncoder().encode(s) });
  it('times: only the RFC 5280 forms', () => {
    expect(time(0x17, '491231235959Z')).toBe(Date.UTC(2049, 11, 31, 23, 59, 59));
    expect(time(0x17, '500101000000Z')).toBe(Date.UTC(1950, 0, 1));
    expect(time(0x18, '20500101000000Z')).toBe(Date.UTC(2050, 0, 1));
    for (const [tag, s] of [[0x17, '4912312359Z'], [0x17, '491231235959+0000'], [0x18, '20500101000000.5Z'], [0x17, '490230000000Z'], [0x18, '2050010100000Z']] as const) {
      expect(() => time(tag, s), s).toThrow(DerError);
    }
  });
  it('rejects non-minimal INTEGERs, bad BOOLEANs, constructed primitives', () => {
    expect(() => new DerReader(new Uint8Array([0x02, 0x02, 0x00, 0x01])).integer()).toThrow(DerError);
    expect(() => new DerReader(new Uint8Array([0x01, 0x01, 0x01])).boolean()).toThrow(DerError);
    expect(() => new DerReader(new Uint8Array([0x24, 0x00])).readAny() && new DerReader(new Uint8Array([0x24, 0x00])).read(0x24)).toThrow(DerError);
    expect(() => new DerReader(new Uint8Array([0x03, 0x02, 0x01, 0x01])).bitStringOctets()).toThrow(DerError);
  });
});
