/**
 * A small re-creation of the x509-limbo test-case builder (C2SP/x509-limbo,
 * limbo/testcases/_core.py) on our pkijs issuer, so the limbo-*.test.ts files
 * can rebuild each limbo case with the same certificate profile:
 *
 * - root: issuer/subject "CN=x509-limbo-root", basicConstraints cA (critical),
 *   keyUsage keyCertSign (non-critical), SAN dNSName example.com, SKI, no AKI;
 * - intermediate: the same plus an AKI, subject "CN=x509-limbo-intermediate-…";
 * - leaf: subject "CN=example.com", SKI, AKI, keyUsage digitalSignature,
 *   EKU serverAuth, SAN dNSName example.com (all non-critical).
 *
 * Extensions are given as raw DER so malformed ones can be expressed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { buildCertificate, buildName, generateKey, keyIdentifier, type NameSpec, type SigningKey } from '../../src/x509/issue.js';
import { parseIpAddress } from '../../src/x509/hostname.js';
import { OID } from '../../src/x509/oids.js';
import { verifyCertificateChain, type VerifyOptions, type VerifyResult } from '../../src/x509/verify.js';
import { nodeVerifyProvider } from './helpers.js';

export const EPOCH = new Date('1970-01-01T00:00:00Z');
export const TORMENT = new Date(EPOCH.getTime() + 365 * 1000 * 86_400_000);

// ---------------------------------------------------------------------------
// Raw DER

function lenBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x100) return [0x81, n];
  if (n < 0x10000) return [0x82, n >> 8, n & 0xff];
  return [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const size = parts.reduce((a, p) => a + p.length, 0);
  const head = [tag, ...lenBytes(size)];
  const out = new Uint8Array(head.length + size);
  out.set(head);
  let o = head.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
const text = (s: string) => new TextEncoder().encode(s);

export function oidDer(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const bytes: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const a of arcs.slice(2)) {
    const b: number[] = [a & 0x7f];
    let v = Math.floor(a / 128);
    while (v > 0) {
      b.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(...b);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

export function nameDer(spec: NameSpec): Uint8Array {
  return new Uint8Array(buildName(spec).toSchema().toBER(false));
}

/** GeneralName encoders (RFC 5280 §4.2.1.6). */
export const gn = {
  dns: (s: string) => tlv(0x82, text(s)),
  /** Raw UTF-8 bytes in a dNSName (not a valid IA5String when non-ASCII). */
  dnsRaw: (s: string) => tlv(0x82, text(s)),
  email: (s: string) => tlv(0x81, text(s)),
  uri: (s: string) => tlv(0x86, text(s)),
  ip: (s: string) => tlv(0x87, ipBytes(s)),
  ipRaw: (b: Uint8Array) => tlv(0x87, b),
  dn: (spec: NameSpec) => tlv(0xa4, nameDer(spec)),
  other: (oid: string, value: Uint8Array) => tlv(0xa0, oidDer(oid), tlv(0xa0, value)),
};

/** `192.0.2.0/24` → address||mask; a bare address → its bytes. */
export function ipBytes(s: string): Uint8Array {
  const [addr, len] = s.split('/');
  const a = parseIpAddress(addr!);
  if (!a) throw new Error(`bad IP ${s}`);
  if (len === undefined) return a;
  const mask = new Uint8Array(a.length);
  for (let i = 0; i < Number(len); i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  const out = new Uint8Array(a.length * 2);
  out.set(a);
  out.set(mask, a.length);
  return out;
}

export interface Ext {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}
const ext = (oid: string, value: Uint8Array, critical = false): Ext => ({ oid, critical, value });
const bool = (v: boolean) => tlv(0x01, new Uint8Array([v ? 0xff : 0]));
const int = (n: number) => {
  const b: number[] = [];
  let v = n;
  do {
    b.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (b[0]! & 0x80) b.unshift(0);
  return tlv(0x02, new Uint8Array(b));
};

/** Extension builders; each returns a complete Ext (critical flag as limbo's defaults unless given). */
export const X = {
  bc: (ca: boolean, pathLen?: number, critical = true) =>
    ext(OID.basicConstraints, seq(...(ca ? [bool(true)] : []), ...(pathLen !== undefined ? [int(pathLen)] : [])), critical),
  /** Bits per RFC 5280 §4.2.1.3 (0 digitalSignature … 5 keyCertSign, 6 cRLSign). */
  ku: (bits: number[], critical = false) => {
    let last = -1;
    for (const b of bits) last = Math.max(last, b);
    const n = last < 0 ? 1 : (last >> 3) + 1;
    const bytes = new Uint8Array(n);
    for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
    const unused = last < 0 ? 0 : 7 - (last & 7);
    return ext(OID.keyUsage, tlv(0x03, new Uint8Array([unused]), bytes), critical);
  },
  eku: (oids: string[], critical = false) => ext(OID.extKeyUsage, seq(...oids.map(oidDer)), critical),
  san: (names: Uint8Array[], critical = false) => ext(OID.subjectAltName, seq(...names), critical),
  ski: (id: Uint8Array, critical = false) => ext(OID.subjectKeyIdentifier, tlv(0x04, id), critical),
  aki: (o: { keyId?: Uint8Array; issuer?: Uint8Array[]; serial?: number }, critical = false) =>
    ext(
      OID.authorityKeyIdentifier,
      seq(
        ...(o.keyId ? [tlv(0x80, o.keyId)] : []),
        ...(o.issuer ? [tlv(0xa1, ...o.issuer)] : []),
        ...(o.serial !== undefined ? [tlv(0x82, int(o.serial).subarray(2))] : []),
      ),
      critical,
    ),
  /** permitted/excluded: lists of GeneralName DER; `[]` encodes an empty [n] SEQUENCE; undefined omits it. */
  nc: (o: { permitted?: Uint8Array[]; excluded?: Uint8Array[] }, critical = true) =>
    ext(
      OID.nameConstraints,
      seq(
        ...(o.permitted ? [tlv(0xa0, ...o.permitted.map((g) => seq(g)))] : []),
        ...(o.excluded ? [tlv(0xa1, ...o.excluded.map((g) => seq(g)))] : []),
      ),
      critical,
    ),
  aia: (critical = false) =>
    ext(OID.authorityInfoAccess, seq(seq(oidDer('1.3.6.1.5.5.7.48.2'), gn.dns('example.com'))), critical),
  raw: (oid: string, value: Uint8Array, critical = false) => ext(oid, value, critical),
  policyConstraints: (requireExplicit: number, critical = true) => ext(OID.policyConstraints, seq(tlv(0x80, new Uint8Array([requireExplicit]))), critical),
};

export const EKU = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  any: OID.anyExtendedKeyUsage,
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  precert: '1.3.6.1.4.1.11129.2.4.4',
};

// ---------------------------------------------------------------------------
// Keys

/** A P-256 key (WebCrypto), as limbo uses by default. */
export const ecKey = () => generateKey('ecdsa-p256');

/** An RSA signing key of any size (WebCrypto accepts odd sizes such as 2052). */
export async function rsaKey(bits: number): Promise<SigningKey> {
  const s = globalThis.crypto.subtle;
  const alg = { name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const pair = (await s.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  return {
    type: 'rsa',
    privateKey: pair.privateKey,
    spki: new Uint8Array(await s.exportKey('spki', pair.publicKey)),
    pkcs8: new Uint8Array(await s.exportKey('pkcs8', pair.privateKey)),
  };
}

/** The SPKI of a key that cannot sign here (P-192, DSA): usable as a subject key only. */
export function foreignSpki(kind: 'p192' | 'dsa'): Uint8Array {
  const pair = kind === 'p192' ? generateKeyPairSync('ec', { namedCurve: 'prime192v1' }) : generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
  return new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
}

// ---------------------------------------------------------------------------
// Certificates

export interface Pair {
  der: Uint8Array;
  key: SigningKey;
  subject: NameSpec;
  ski: Uint8Array;
}

type Opt<T> = T | null | undefined;

export interface CaOpts {
  issuer?: NameSpec;
  subject?: NameSpec;
  serial?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  key?: SigningKey;
  /** null = omit. */
  bc?: Opt<Ext>;
  ku?: Opt<Ext>;
  san?: Opt<Ext>;
  /** Default: none for roots, the parent's key id for intermediates. */
  aki?: Opt<Ext>;
  ski?: Opt<Ext>;
  nc?: Ext;
  extra?: Ext[];
}

function orDefault(v: Opt<Ext>, d: Ext | undefined): Ext[] {
  if (v === null) return [];
  if (v === undefined) return d ? [d] : [];
  return [v];
}

const LIMBO_ROOT = 'CN=x509-limbo-root';
let serialCounter = 1;

function serial(): Uint8Array {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[0] = (b[0]! & 0x7f) | 0x40;
  b[15] = serialCounter++ & 0xff;
  return b;
}

export async function rootCa(o: CaOpts = {}): Promise<Pair> {
  const key = o.key ?? (await ecKey());
  const issuer = o.issuer ?? LIMBO_ROOT;
  const subject = o.subject ?? issuer;
  const ski = keyIdentifier(key.spki);
  const extensions = [
    ...orDefault(o.bc, X.bc(true)),
    ...orDefault(o.ku, X.ku([5])),
    ...orDefault(o.san, X.san([gn.dns('example.com')])),
    ...orDefault(o.aki, undefined),
    ...orDefault(o.ski, X.ski(ski)),
    ...(o.nc ? [o.nc] : []),
    ...(o.extra ?? []),
  ];
  const der = await buildCertificate({
    subject,
    issuer,
    publicKey: key.spki,
    signer: key,
    serial: o.serial ?? serial(),
    notBefore: o.notBefore ?? EPOCH,
    notAfter: o.notAfter ?? TORMENT,
    extensions,
  });
  return { der, key, subject, ski };
}

export async function intermediateCa(parent: Pair, o: CaOpts & { pathLen?: number } = {}): Promise<Pair> {
  const key = o.key ?? (await ecKey());
  const subject = o.subject ?? `CN=x509-limbo-intermediate-pathlen-${o.pathLen ?? 'None'},OU=${serialCounter}`;
  const ski = keyIdentifier(key.spki);
  const extensions = [
    ...orDefault(o.bc, X.bc(true, o.pathLen)),
    ...orDefault(o.ku, X.ku([5])),
    ...orDefault(o.san, X.san([gn.dns('example.com')])),
    ...orDefault(o.aki, X.aki({ keyId: parent.ski })),
    ...orDefault(o.ski, X.ski(ski)),
    ...(o.nc ? [o.nc] : []),
    ...(o.extra ?? []),
  ];
  const der = await buildCertificate({
    subject,
    issuer: o.issuer ?? parent.subject,
    publicKey: key.spki,
    signer: parent.key,
    serial: o.serial ?? serial(),
    notBefore: o.notBefore ?? EPOCH,
    notAfter: o.notAfter ?? TORMENT,
    extensions,
  });
  return { der, key, subject, ski };
}

export interface LeafOpts {
  issuer?: NameSpec;
  /** Default "CN=example.com"; [] is an empty subject. */
  subject?: NameSpec;
  serial?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  key?: SigningKey;
  /** A subject key that is never used to sign (P-192, DSA, odd RSA sizes). */
  spki?: Uint8Array;
  bc?: Ext;
  ku?: Opt<Ext>;
  eku?: Opt<Ext>;
  san?: Opt<Ext>;
  aki?: Opt<Ext>;
  extra?: Ext[];
  version?: 0 | 2;
}

export async function leafCert(parent: Pair, o: LeafOpts = {}): Promise<Pair> {
  const key = o.key ?? (await ecKey());
  const spki = o.spki ?? key.spki;
  const subject = o.subject ?? 'CN=example.com';
  const ski = keyIdentifier(spki);
  const extensions =
    o.version === 0
      ? []
      : [
          X.ski(ski),
          ...(o.bc ? [o.bc] : []),
          ...orDefault(o.aki, X.aki({ keyId: parent.ski })),
          ...orDefault(o.ku, X.ku([0])),
          ...orDefault(o.eku, X.eku([EKU.serverAuth])),
          ...orDefault(o.san, X.san([gn.dns('example.com')])),
          ...(o.extra ?? []),
        ];
  const der = await buildCertificate({
    subject,
    issuer: o.issuer ?? parent.subject,
    publicKey: spki,
    signer: parent.key,
    serial: o.serial ?? serial(),
    notBefore: o.notBefore ?? EPOCH,
    notAfter: o.notAfter ?? TORMENT,
    extensions,
    ...(o.version === 0 ? { version: 0 as const } : {}),
  });
  return { der, key, subject, ski };
}

// ---------------------------------------------------------------------------
// Running a case

export interface LimboInput {
  leaf: Pair | Uint8Array | string;
  intermediates?: (Pair | Uint8Array | string)[];
  roots: (Pair | Uint8Array | string)[];
  now?: Date;
  /** Default 'example.com'; null = no name check. */
  name?: string | null;
  usage?: 'server' | 'client' | null;
  maxDepth?: number;
  provider?: VerifyOptions['provider'];
}

const input = (c: Pair | Uint8Array | string) => (typeof c === 'string' || c instanceof Uint8Array ? c : c.der);

export function runLimbo(i: LimboInput): Promise<VerifyResult> {
  const name = i.name === undefined ? 'example.com' : i.name;
  const usage = i.usage === undefined ? 'server' : i.usage;
  return verifyCertificateChain({
    leaf: input(i.leaf),
    intermediates: (i.intermediates ?? []).map(input),
    roots: i.roots.map(input),
    now: i.now ?? new Date('2024-01-01T00:00:00Z'),
    ...(name !== null ? { name } : {}),
    ...(usage !== null ? { usage } : {}),
    ...(i.maxDepth !== undefined ? { maxDepth: i.maxDepth } : {}),
    provider: i.provider ?? nodeVerifyProvider,
  });
}

export type Expected = 'SUCCESS' | 'FAILURE';

export interface LimboCase {
  id: string;
  expected: Expected;
  /** Why our answer differs on purpose (a conflicting case or a documented choice). */
  deviates?: string;
  build: () => Promise<LimboInput>;
}

/**
 * One vitest `it` per case. A case marked `deviates` is expected to give the
 * opposite of limbo's answer (a conflicting pair, or a documented choice).
 * With LIMBO_REPORT=1 a line per case is printed: id, limbo's answer, ours.
 */
export function runCases(it: (name: string, fn: () => Promise<void>, timeout?: number) => void, expect: (v: unknown, m?: string) => { toBe(v: unknown): void }, cases: LimboCase[]): void {
  for (const c of cases) {
    it(
      c.id,
      async () => {
        const r = await runLimbo(await c.build());
        const got: Expected = r.ok ? 'SUCCESS' : 'FAILURE';
        if (process.env.LIMBO_REPORT) console.log(`LIMBO ${c.id} expected=${c.expected} got=${got}${r.ok ? '' : ` (${r.code}: ${r.message})`}`);
        const want: Expected = c.deviates ? (c.expected === 'SUCCESS' ? 'FAILURE' : 'SUCCESS') : c.expected;
        expect(got, r.ok ? 'accepted' : `${r.code}: ${r.message}`).toBe(want);
      },
      30_000,
    );
  }
}
