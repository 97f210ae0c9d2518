/**
 * Making certificates: a development CA and the server/client certificates it
 * issues (`puretls cert`), and a general builder the tests use to make chains
 * for every validation rule. Structures are built with pkijs/asn1js; keys and
 * signatures come from WebCrypto (`globalThis.crypto`, present in Node 20,
 * Deno, Bun, browsers and Workers), except Ed448 and ML-DSA, which WebCrypto
 * lacks: those use the pure implementations (src/x509/pure-signing-key.ts).
 * Keys are exported as PKCS#8.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sha256 } from '@noble/hashes/sha2.js';
import type { PrivateKey } from '../crypto/provider.js';
import { concatBytes } from '../util/bytes.js';
import { decodeCertificate } from './certificate.js';
import { DerReader } from './der.js';
import { parseIpAddress } from './hostname.js';
import { parsePrivateKey } from './keys.js';
import { OID } from './oids.js';
import { pemDecode, pemEncode } from './pem.js';
import { generatePureKey, pureKeyOid, pureSignTbs, pureSigningParts, type PureKeyType, type PureSigningParts } from './pure-signing-key.js';

/**
 * Key types for issuing. Ed448 and ML-DSA keys are made and used with the
 * pure implementations (WebCrypto has neither); ML-DSA certificates are for
 * peers that opt in to the mldsa* signature schemes.
 */
export type KeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'ed25519' | 'ed448' | 'rsa2048' | 'mldsa44' | 'mldsa65' | 'mldsa87';

/** Every KeyType, for option parsing (`puretls cert --key`). */
export const KEY_TYPES: readonly KeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519', 'ed448', 'rsa2048', 'mldsa44', 'mldsa65', 'mldsa87'];

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  certDer: Uint8Array;
  key: PrivateKey;
}

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new Error('certificate generation needs WebCrypto (globalThis.crypto.subtle)');
  return c.subtle;
}

function ab(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

// ---------------------------------------------------------------------------
// Keys

/** A key that signs certificates: a WebCrypto key, or (Ed448, ML-DSA) a key for the pure implementation. */
export type SigningKey =
  | {
      readonly type: Exclude<KeyType, PureKeyType> | 'rsa';
      readonly privateKey: CryptoKey;
      /** SubjectPublicKeyInfo DER. */
      readonly spki: Uint8Array;
      /** PKCS#8 DER. */
      readonly pkcs8: Uint8Array;
    }
  | {
      readonly type: PureKeyType;
      readonly key: PureSigningParts['key'];
      readonly spki: Uint8Array;
      readonly pkcs8: Uint8Array;
    };

function genParams(type: Exclude<KeyType, PureKeyType>): RsaHashedKeyGenParams | EcKeyGenParams | Algorithm {
  switch (type) {
    case 'ecdsa-p256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ecdsa-p384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ecdsa-p521':
      return { name: 'ECDSA', namedCurve: 'P-521' };
    case 'ed25519':
      return { name: 'Ed25519' };
    case 'rsa2048':
      return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  }
}

function isPureType(type: string): type is PureKeyType {
  return type === 'ed448' || type === 'mldsa44' || type === 'mldsa65' || type === 'mldsa87';
}

export async function generateKey(type: KeyType = 'ecdsa-p256'): Promise<SigningKey> {
  if (!KEY_TYPES.includes(type)) throw new Error(`unknown key type ${JSON.stringify(type)} (one of ${KEY_TYPES.join(', ')})`);
  if (isPureType(type)) {
    const { key, spki, pkcs8 } = generatePureKey(type);
    return { type, key, spki, pkcs8 };
  }
  const s = subtle();
  const pair = (await s.generateKey(genParams(type) as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await s.exportKey('spki', pair.publicKey));
  const pkcs8 = new Uint8Array(await s.exportKey('pkcs8', pair.privateKey));
  return { type, privateKey: pair.privateKey, spki, pkcs8 };
}

/** Import a PKCS#8 / SEC1 / PKCS#1 key (PEM or DER) for signing certificates. */
export async function importSigningKey(pemOrDer: string | Uint8Array): Promise<SigningKey> {
  const k = parsePrivateKey(pemOrDer);
  let pkcs8: Uint8Array;
  if (typeof pemOrDer === 'string' && pemDecode(pemOrDer, 'PRIVATE KEY').length) pkcs8 = pemDecode(pemOrDer, 'PRIVATE KEY')[0]!;
  else if (typeof pemOrDer !== 'string') pkcs8 = pemOrDer;
  else throw new Error('signing keys must be PKCS#8 ("PRIVATE KEY")');
  if (k.type === 'ed448' || k.type === 'mldsa') {
    const { spki } = pureSigningParts(k, pkcs8);
    return { type: k.type === 'ed448' ? 'ed448' : `mldsa${k.level}`, key: k, spki, pkcs8 };
  }
  const s = subtle();
  let alg: Algorithm | EcKeyImportParams | RsaHashedImportParams;
  let type: SigningKey['type'];
  if (k.type === 'ec') {
    alg = { name: 'ECDSA', namedCurve: k.curve };
    type = k.curve === 'P-256' ? 'ecdsa-p256' : k.curve === 'P-384' ? 'ecdsa-p384' : 'ecdsa-p521';
  } else if (k.type === 'ed25519') {
    alg = { name: 'Ed25519' };
    type = 'ed25519';
  } else {
    if (k.pssOnly) throw new Error('RSASSA-PSS CA keys are not supported for issuing');
    alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    type = 'rsa';
  }
  const privateKey = await s.importKey('pkcs8', ab(pkcs8), alg, true, ['sign']);
  // Recover the SPKI through a JWK round trip (WebCrypto cannot export a public key from a private one directly).
  const jwk = await s.exportKey('jwk', privateKey);
  delete jwk.d;
  delete jwk.p;
  delete jwk.q;
  delete jwk.dp;
  delete jwk.dq;
  delete jwk.qi;
  jwk.key_ops = ['verify'];
  const pub = await s.importKey('jwk', jwk, alg, true, ['verify']);
  const spki = new Uint8Array(await s.exportKey('spki', pub));
  return { type, privateKey, spki, pkcs8 };
}

/** DER AlgorithmIdentifier and a WebCrypto signer for `key`. */
function signerFor(key: SigningKey): { algId: pkijs.AlgorithmIdentifier; sign: (tbs: Uint8Array) => Promise<Uint8Array> } {
  if ('key' in key) {
    // RFC 8410 §3 / RFC 9881 §2: the key's OID with absent parameters.
    return { algId: new pkijs.AlgorithmIdentifier({ algorithmId: pureKeyOid(key.key) }), sign: async (tbs) => pureSignTbs(key.key, tbs) };
  }
  const s = subtle();
  switch (key.type) {
    case 'ecdsa-p256':
    case 'ecdsa-p384':
    case 'ecdsa-p521': {
      const hash = key.type === 'ecdsa-p256' ? 'SHA-256' : key.type === 'ecdsa-p384' ? 'SHA-384' : 'SHA-512';
      const oid = hash === 'SHA-256' ? OID.ecdsaWithSha256 : hash === 'SHA-384' ? OID.ecdsaWithSha384 : OID.ecdsaWithSha512;
      return {
        algId: new pkijs.AlgorithmIdentifier({ algorithmId: oid }),
        sign: async (tbs) => rawEcdsaToDer(new Uint8Array(await s.sign({ name: 'ECDSA', hash }, key.privateKey, ab(tbs)))),
      };
    }
    case 'ed25519':
      return {
        algId: new pkijs.AlgorithmIdentifier({ algorithmId: OID.ed25519 }),
        sign: async (tbs) => new Uint8Array(await s.sign({ name: 'Ed25519' }, key.privateKey, ab(tbs))),
      };
    case 'rsa':
    case 'rsa2048':
      return {
        algId: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256WithRSA, algorithmParams: new asn1js.Null() }),
        sign: async (tbs) => new Uint8Array(await s.sign({ name: 'RSASSA-PKCS1-v1_5' }, key.privateKey, ab(tbs))),
      };
  }
}

/** IEEE P1363 r||s → DER Ecdsa-Sig-Value. */
function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const int = (b: Uint8Array): Uint8Array => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0]! & 0x80) v = concatBytes(new Uint8Array([0]), v);
    return new Uint8Array(new asn1js.Integer({ valueHex: ab(v) }).toBER(false));
  };
  return new Uint8Array(
    new asn1js.Sequence({ value: [asn1js.fromBER(ab(int(raw.subarray(0, half)))).result, asn1js.fromBER(ab(int(raw.subarray(half)))).result] }).toBER(false),
  );
}

// ---------------------------------------------------------------------------
// Names

const SHORT: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6', L: '2.5.4.7', ST: '2.5.4.8', DC: '0.9.2342.19200300.100.1.25', emailAddress: OID.emailAddress };

/** `CN=foo,O=bar` (most significant last, as RFC 4514) or [[type, value], …] (most significant first). */
export type NameSpec = string | readonly (readonly [string, string])[];

export function buildName(spec: NameSpec): pkijs.RelativeDistinguishedNames {
  let pairs: (readonly [string, string])[];
  if (typeof spec === 'string') {
    pairs = spec.trim() === '' ? [] : spec.split(',').map((p) => {
      const eq = p.indexOf('=');
      return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
    });
    pairs.reverse();
  } else {
    pairs = [...spec];
  }
  // One attribute per RDN. (pkijs would put them all in one multi-valued RDN,
  // and encode an empty name as SEQUENCE { SET {} }.)
  const rdns = pairs.map(([t, v]) => {
    const type = SHORT[t] ?? t;
    const value = type === '2.5.4.6' ? new asn1js.PrintableString({ value: v }) : type === OID.emailAddress || type === SHORT.DC ? new asn1js.IA5String({ value: v }) : new asn1js.Utf8String({ value: v });
    return new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value }).toSchema()] });
  });
  const nameDer = new asn1js.Sequence({ value: rdns }).toBER(false);
  return new pkijs.RelativeDistinguishedNames({ valueBeforeDecode: nameDer });
}

// ---------------------------------------------------------------------------
// Extension values (DER), for the issuer and for tests

export type SanEntry = string | { dns: string } | { ip: string | Uint8Array } | { email: string } | { uri: string } | { dn: NameSpec };

function generalName(e: SanEntry): pkijs.GeneralName {
  if (typeof e === 'string') {
    const ip = parseIpAddress(e);
    return ip ? new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ab(ip) }) }) : new pkijs.GeneralName({ type: 2, value: e });
  }
  if ('dns' in e) return new pkijs.GeneralName({ type: 2, value: e.dns });
  if ('email' in e) return new pkijs.GeneralName({ type: 1, value: e.email });
  if ('uri' in e) return new pkijs.GeneralName({ type: 6, value: e.uri });
  if ('dn' in e) return new pkijs.GeneralName({ type: 4, value: buildName(e.dn) });
  const bytes = typeof e.ip === 'string' ? parseCidrOrIp(e.ip) : e.ip;
  return new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ab(bytes) }) });
}

/** `10.0.0.0/8` → address||mask; a bare address → its bytes. */
function parseCidrOrIp(s: string): Uint8Array {
  const [addr, len] = s.split('/');
  const a = parseIpAddress(addr!);
  if (!a) throw new Error(`bad IP ${s}`);
  if (len === undefined) return a;
  const bits = Number(len);
  const mask = new Uint8Array(a.length);
  for (let i = 0; i < bits; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  return concatBytes(a, mask);
}

const der = (o: { toSchema(): asn1js.AsnType }): Uint8Array => new Uint8Array(o.toSchema().toBER(false));

export const extensionValue = {
  basicConstraints(ca: boolean, pathLen?: number): Uint8Array {
    return der(new pkijs.BasicConstraints(pathLen === undefined ? { cA: ca } : { cA: ca, pathLenConstraint: pathLen }));
  },
  /** Bit numbers per RFC 5280 §4.2.1.3 (0 digitalSignature … 5 keyCertSign, 6 cRLSign). */
  keyUsage(bits: number[]): Uint8Array {
    let n = 0;
    for (const b of bits) n |= 1 << b;
    const bytes: number[] = [];
    let last = -1;
    for (let i = 0; i < 9; i++) if (n & (1 << i)) last = i;
    const len = last < 0 ? 1 : (last >> 3) + 1;
    for (let i = 0; i < len; i++) bytes.push(0);
    for (let i = 0; i <= last; i++) if (n & (1 << i)) bytes[i >> 3]! |= 0x80 >> (i & 7);
    const unused = last < 0 ? 0 : 7 - (last & 7);
    return concatBytes(new Uint8Array([0x03, bytes.length + 1, unused]), new Uint8Array(bytes));
  },
  extKeyUsage(oids: string[]): Uint8Array {
    return der(new pkijs.ExtKeyUsage({ keyPurposes: oids }));
  },
  subjectAltName(names: SanEntry[]): Uint8Array {
    return der(new pkijs.AltName({ altNames: names.map(generalName) }));
  },
  subjectKeyId(id: Uint8Array): Uint8Array {
    return new Uint8Array(new asn1js.OctetString({ valueHex: ab(id) }).toBER(false));
  },
  authorityKeyId(id: Uint8Array): Uint8Array {
    return der(new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: ab(id) }) }));
  },
  nameConstraints(nc: { permitted?: SanEntry[]; excluded?: SanEntry[] }): Uint8Array {
    const sub = (l: SanEntry[]) => l.map((e) => new pkijs.GeneralSubtree({ base: generalName(e) }));
    return der(
      new pkijs.NameConstraints({
        ...(nc.permitted ? { permittedSubtrees: sub(nc.permitted) } : {}),
        ...(nc.excluded ? { excludedSubtrees: sub(nc.excluded) } : {}),
      }),
    );
  },
};

/** RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 of subjectPublicKey. */
export function keyIdentifier(spki: Uint8Array): Uint8Array {
  const r = new DerReader(spki);
  const s = r.sequence();
  s.read(0x30);
  const bits = s.bitStringOctets();
  return sha256(bits).subarray(0, 20);
}

// ---------------------------------------------------------------------------
// The general builder

export interface ExtensionSpec {
  oid: string;
  critical?: boolean;
  value: Uint8Array;
}

export interface CertificateSpec {
  subject: NameSpec;
  /** Issuer name; default: the signer certificate's subject, or `subject` when self-signed. */
  issuer?: NameSpec;
  /** Subject public key (SPKI DER). */
  publicKey: Uint8Array;
  /** Key that signs the certificate. */
  signer: SigningKey;
  /** The issuing certificate (DER): its subject becomes the issuer name. */
  issuerCert?: Uint8Array;
  serial?: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions?: ExtensionSpec[];
  /** 0 = v1 (then no extensions may be given), 2 = v3 (default). */
  version?: 0 | 1 | 2;
}

function randomSerial(): Uint8Array {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[0] = (b[0]! & 0x7f) | 0x40; // positive, 16 octets, never zero
  return b;
}

function time(at: Date): pkijs.Time {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  // §4.1.2.5.2: GeneralizedTime is YYYYMMDDHHMMSSZ, "MUST NOT include
  // fractional seconds" (asn1js writes ".123Z" for a Date with milliseconds):
  // whole seconds, rounded down.
  const d = new Date(Math.floor(at.getTime() / 1000) * 1000);
  const y = d.getUTCFullYear();
  return new pkijs.Time({ type: y >= 1950 && y < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: d });
}

export async function buildCertificate(spec: CertificateSpec): Promise<Uint8Array> {
  const cert = new pkijs.Certificate();
  cert.version = spec.version ?? 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: ab(spec.serial ?? randomSerial()) });
  cert.subject = buildName(spec.subject);
  if (spec.issuer !== undefined) cert.issuer = buildName(spec.issuer);
  else if (spec.issuerCert) cert.issuer = pkijs.Certificate.fromBER(ab(spec.issuerCert)).subject;
  else cert.issuer = buildName(spec.subject);
  cert.notBefore = time(spec.notBefore);
  cert.notAfter = time(spec.notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(ab(spec.publicKey));
  if (spec.extensions?.length) {
    cert.extensions = spec.extensions.map(
      (e) => new pkijs.Extension({ extnID: e.oid, critical: e.critical ?? false, extnValue: ab(e.value) }),
    );
  }
  const { algId, sign } = signerFor(spec.signer);
  cert.signature = algId;
  cert.signatureAlgorithm = algId;
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  const sig = await sign(tbs);
  cert.signatureValue = new asn1js.BitString({ valueHex: ab(sig) });
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

// ---------------------------------------------------------------------------
// Development CA and certificates (`puretls cert`)

const DAY = 86_400_000;

export interface CaOptions {
  name?: string;
  keyType?: KeyType;
  days?: number;
  now?: Date;
}

export async function createCertificateAuthority(opts: CaOptions = {}): Promise<IssuedCertificate> {
  const now = opts.now ?? new Date();
  const key = await generateKey(opts.keyType ?? 'ecdsa-p256');
  const ski = keyIdentifier(key.spki);
  const certDer = await buildCertificate({
    subject: [
      ['O', 'puretls development CA'],
      ['CN', opts.name ?? 'puretls development CA'],
    ],
    publicKey: key.spki,
    signer: key,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + (opts.days ?? 3650) * DAY),
    extensions: [
      { oid: OID.basicConstraints, critical: true, value: extensionValue.basicConstraints(true) },
      { oid: OID.keyUsage, critical: true, value: extensionValue.keyUsage([0, 5, 6]) },
      { oid: OID.subjectKeyIdentifier, value: extensionValue.subjectKeyId(ski) },
    ],
  });
  return finish(certDer, key);
}

export interface IssueOptions {
  /** The CA: as returned by createCertificateAuthority, or its PEM files' contents. */
  ca: { certPem: string; keyPem: string };
  /** DNS names and IP literals; the first is also the subject CN. */
  names: string[];
  /** A client certificate (EKU clientAuth) instead of a server one (serverAuth). */
  client?: boolean;
  keyType?: KeyType;
  days?: number;
  now?: Date;
}

export async function issueCertificate(opts: IssueOptions): Promise<IssuedCertificate> {
  if (!opts.names.length) throw new Error('issueCertificate: at least one name is needed');
  const now = opts.now ?? new Date();
  const caDer = pemDecode(opts.ca.certPem, 'CERTIFICATE')[0];
  if (!caDer) throw new Error('issueCertificate: no CA certificate');
  const caKey = await importSigningKey(opts.ca.keyPem);
  const key = await generateKey(opts.keyType ?? 'ecdsa-p256');
  const caNotAfter = pkijs.Certificate.fromBER(ab(caDer)).notAfter.value.getTime();
  const notAfter = Math.min(now.getTime() + (opts.days ?? 365) * DAY, caNotAfter);
  const ku = key.type === 'rsa2048' ? [0, 2] : [0];
  const certDer = await buildCertificate({
    subject: [['CN', opts.names[0]!]],
    issuerCert: caDer,
    publicKey: key.spki,
    signer: caKey,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(notAfter),
    extensions: [
      { oid: OID.basicConstraints, critical: true, value: extensionValue.basicConstraints(false) },
      { oid: OID.keyUsage, critical: true, value: extensionValue.keyUsage(ku) },
      { oid: OID.extKeyUsage, value: extensionValue.extKeyUsage([opts.client ? OID.clientAuth : OID.serverAuth]) },
      { oid: OID.subjectAltName, value: extensionValue.subjectAltName(opts.names) },
      { oid: OID.subjectKeyIdentifier, value: extensionValue.subjectKeyId(keyIdentifier(key.spki)) },
      { oid: OID.authorityKeyIdentifier, value: extensionValue.authorityKeyId(decodeCertificate(caDer).subjectKeyId ?? keyIdentifier(caKey.spki)) },
    ],
  });
  return finish(certDer, key);
}

function finish(certDer: Uint8Array, key: SigningKey): IssuedCertificate {
  return {
    certDer,
    certPem: pemEncode(certDer, 'CERTIFICATE'),
    keyPem: pemEncode(key.pkcs8, 'PRIVATE KEY'),
    key: parsePrivateKey(key.pkcs8),
  };
}
