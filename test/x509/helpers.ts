/** Test helpers: a node:crypto verifier and a small PKI builder on src/x509/issue.ts (pkijs). */
import { createPublicKey, verify as nodeVerify, constants } from 'node:crypto';
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../../src/crypto/provider.js';
import {
  buildCertificate,
  extensionValue as ev,
  generateKey,
  keyIdentifier,
  type ExtensionSpec,
  type KeyType,
  type NameSpec,
  type SanEntry,
  type SigningKey,
} from '../../src/x509/issue.js';
import { OID } from '../../src/x509/oids.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';

const nodeHash = (h: string) => h.replace('-', '').toLowerCase();
const MLDSA = { 44: ml_dsa44, 65: ml_dsa65, 87: ml_dsa87 } as const;

/** A provider whose verify() is node:crypto (the pure one may still be a placeholder). */
export const nodeVerifyProvider = {
  name: 'node-verify',
  verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
    if (!key.spki) throw new Error('test provider needs key.spki');
    const k = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
    try {
      switch (alg.kind) {
        case 'ed25519':
        case 'ed448':
          return nodeVerify(null, message, k, signature);
        case 'mldsa': // node:crypto on Node 20 has no ML-DSA
          return key.type === 'mldsa' && MLDSA[alg.level].verify(signature, message, key.key);
        case 'ecdsa':
          return nodeVerify(nodeHash(alg.hash), message, { key: k, dsaEncoding: 'der' }, signature);
        case 'rsa-pkcs1':
          return nodeVerify(nodeHash(alg.hash), message, { key: k, padding: constants.RSA_PKCS1_PADDING }, signature);
        case 'rsa-pss':
          return nodeVerify(nodeHash(alg.hash), message, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, signature);
      }
    } catch {
      return false;
    }
  },
} as unknown as CryptoProvider;

export const EPOCH = new Date('2000-01-01T00:00:00Z');
export const FAR = new Date('2999-01-01T00:00:00Z');
export const NOW = new Date('2025-06-01T00:00:00Z');

export interface Made {
  der: Uint8Array;
  key: SigningKey;
  ski: Uint8Array;
  subject: NameSpec;
}

export interface CertOpts {
  subject?: NameSpec;
  issuer?: NameSpec;
  key?: SigningKey;
  keyType?: KeyType;
  notBefore?: Date;
  notAfter?: Date;
  serial?: Uint8Array;
  /** Replace the default extensions by OID (undefined value = omit). */
  ext?: Record<string, ExtensionSpec | undefined>;
  /** Extra extensions appended. */
  extra?: ExtensionSpec[];
  version?: 0 | 2;
}

let counter = 0;
const keyPool: Partial<Record<KeyType, SigningKey[]>> = {};

/** Fresh keys are slow to make for RSA; reuse a few per type (distinct subjects keep certificates apart). */
export async function key(type: KeyType = 'ecdsa-p256', fresh = false): Promise<SigningKey> {
  if (fresh || type !== 'rsa2048') return generateKey(type);
  const pool = (keyPool[type] ??= []);
  if (pool.length < 3) pool.push(await generateKey(type));
  return pool[counter++ % pool.length]!;
}

function exts(defaults: ExtensionSpec[], o: CertOpts): ExtensionSpec[] {
  const out: ExtensionSpec[] = [];
  for (const d of defaults) {
    if (o.ext && d.oid in o.ext) {
      const r = o.ext[d.oid];
      if (r) out.push(r);
    } else out.push(d);
  }
  for (const [oid, r] of Object.entries(o.ext ?? {})) if (r && !defaults.some((d) => d.oid === oid)) out.push(r);
  return [...out, ...(o.extra ?? [])];
}

export async function root(o: CertOpts = {}): Promise<Made> {
  const k = o.key ?? (await key(o.keyType));
  const ski = keyIdentifier(k.spki);
  const subject = o.subject ?? `CN=root ${++counter}`;
  const der = await buildCertificate({
    subject,
    ...(o.issuer !== undefined ? { issuer: o.issuer } : {}),
    publicKey: k.spki,
    signer: k,
    notBefore: o.notBefore ?? EPOCH,
    notAfter: o.notAfter ?? FAR,
    ...(o.serial ? { serial: o.serial } : {}),
    ...(o.version !== undefined ? { version: o.version } : {}),
    extensions: exts(
      [
        { oid: OID.basicConstraints, critical: true, value: ev.basicConstraints(true) },
        { oid: OID.keyUsage, critical: true, value: ev.keyUsage([5, 6]) },
        { oid: OID.subjectKeyIdentifier, value: ev.subjectKeyId(ski) },
      ],
      o,
    ),
  });
  return { der, key: k, ski, subject };
}

export async function inter(parent: Made, o: CertOpts & { pathLen?: number } = {}): Promise<Made> {
  const k = o.key ?? (await key(o.keyType));
  const ski = keyIdentifier(k.spki);
  const subject = o.subject ?? `CN=intermediate ${++counter}`;
  const der = await buildCertificate({
    subject,
    issuer: o.issuer ?? parent.subject,
    publicKey: k.spki,
    signer: parent.key,
    notBefore: o.notBefore ?? EPOCH,
    notAfter: o.notAfter ?? FAR,
    ...(o.serial ? { serial: o.serial } : {}),
    extensions: exts(
      [
        { oid: OID.basicConstraints, critical: true, value: ev.basicConstraints(true, o.pathLen) },
        { oid: OID.keyUsage, critical: true, value: ev.keyUsage([5, 6]) },
        { oid: OID.subjectKeyIdentifier, value: ev.subjectKeyId(ski) },
        { oid: OID.authorityKeyIdentifier, value: ev.authorityKeyId(parent.ski) },
      ],
      o,
    ),
  });
  return { der, key: k, ski, subject };
}

export async function leaf(parent: Made, o: CertOpts & { san?: SanEntry[] | null; eku?: string[] | null } = {}): Promise<Made> {
  const k = o.key ?? (await key(o.keyType));
  const ski = keyIdentifier(k.spki);
  const subject = o.subject ?? 'CN=example.com';
  const base: ExtensionSpec[] = [
    { oid: OID.keyUsage, critical: true, value: ev.keyUsage([0]) },
    { oid: OID.subjectKeyIdentifier, value: ev.subjectKeyId(ski) },
    { oid: OID.authorityKeyIdentifier, value: ev.authorityKeyId(parent.ski) },
  ];
  if (o.eku !== null) base.push({ oid: OID.extKeyUsage, value: ev.extKeyUsage(o.eku ?? [OID.serverAuth]) });
  if (o.san !== null) base.push({ oid: OID.subjectAltName, value: ev.subjectAltName(o.san ?? ['example.com']) });
  const der = await buildCertificate({
    subject,
    issuer: o.issuer ?? parent.subject,
    publicKey: k.spki,
    signer: parent.key,
    notBefore: o.notBefore ?? EPOCH,
    notAfter: o.notAfter ?? FAR,
    ...(o.serial ? { serial: o.serial } : {}),
    ...(o.version !== undefined ? { version: o.version } : {}),
    extensions: o.version === 0 ? [] : exts(base, o),
  });
  return { der, key: k, ski, subject };
}

/**
 * A long chain as some real PKIs send: root → a → b → c → leaf, and `extra`
 * further intermediates (issued by the root, on no path of the leaf). `sent`
 * is what a peer would send after the leaf: c, the first half of the extras,
 * b, the rest, a.
 */
export async function longChain(extra: number): Promise<{ root: Made; leaf: Made; sent: Made[] }> {
  const r = await root();
  const a = await inter(r);
  const b = await inter(a);
  const c = await inter(b);
  const l = await leaf(c);
  const others: Made[] = [];
  for (let n = 0; n < extra; n++) others.push(await inter(r));
  const half = extra >> 1;
  return { root: r, leaf: l, sent: [c, ...others.slice(0, half), b, ...others.slice(half), a] };
}
