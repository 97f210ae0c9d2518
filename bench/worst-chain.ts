/**
 * The most expensive client-certificate chain an unauthenticated peer can
 * make a verifying server work on (path building bounded by cost; see
 * src/x509/verify-budget.ts), used by the x509.worstchain benchmark and by
 * the regression tests in test/x509/path-cost.test.ts.
 *
 * `intermediates` CA certificates (default 31: with the leaf, the 32
 * certificates a Certificate message used to be limited to) that all have
 * the same subject name and claim the same subjectKeyIdentifier, so that
 * neither names nor key identifiers tell them apart, each with its own key
 * of the chosen type, so that every (child, issuer) pair is a distinct
 * signature check. Each is signed by the previous one's key, and the first
 * names the real trust anchor as its issuer (its signature is a forgery), so
 * that an anchor is reachable by names from every one of them. The leaf is
 * signed by the last intermediate's key, so a search in input order verifies
 * it against every other key first.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { PrivateKey } from '../src/crypto/provider.js';
import { parsePrivateKey } from '../src/x509/keys.js';
import { buildCertificate, extensionValue as ev, generateKey, importSigningKey, keyIdentifier, type ExtensionSpec, type SigningKey } from '../src/x509/issue.js';
import { OID } from '../src/x509/oids.js';

export type WorstChainKey = 'P-256' | 'P-384' | 'P-521' | 'ed25519' | 'rsa-2048';

export interface WorstChain {
  /** The trust anchor the verifier is given (DER). */
  readonly root: Uint8Array;
  /** What the peer sends: the leaf, then the intermediates. */
  readonly chain: Uint8Array[];
  /** The leaf's private key (P-256), for signing CertificateVerify. */
  readonly leafKey: PrivateKey;
}

const NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
const NOT_AFTER = new Date('2099-01-01T00:00:00Z');

/** A fresh signing key of `type` (node:crypto makes the curves WebCrypto's generateKey in issue.ts does not offer). */
export async function signingKey(type: WorstChainKey): Promise<SigningKey> {
  if (type === 'P-256') return generateKey('ecdsa-p256');
  if (type === 'P-384') return generateKey('ecdsa-p384');
  if (type === 'ed25519') return generateKey('ed25519');
  if (type === 'rsa-2048') return generateKey('rsa2048');
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  return importSigningKey(new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' })));
}

const ext = (oid: string, value: Uint8Array, critical = false): ExtensionSpec => ({ oid, critical, value });

function caExtensions(ski: Uint8Array, aki: Uint8Array): ExtensionSpec[] {
  return [
    ext(OID.basicConstraints, ev.basicConstraints(true), true),
    ext(OID.keyUsage, ev.keyUsage([5, 6]), true),
    ext(OID.subjectKeyIdentifier, ev.subjectKeyId(ski)),
    ext(OID.authorityKeyIdentifier, ev.authorityKeyId(aki)),
  ];
}

export async function worstChain(opts: { keyType?: WorstChainKey; intermediates?: number } = {}): Promise<WorstChain> {
  const keyType = opts.keyType ?? 'P-521';
  const n = opts.intermediates ?? 31;
  const rootKey = await generateKey('ecdsa-p256');
  const rootSki = keyIdentifier(rootKey.spki);
  const rootName = 'CN=worst-chain root';
  const root = await buildCertificate({
    subject: rootName, publicKey: rootKey.spki, signer: rootKey, notBefore: NOT_BEFORE, notAfter: NOT_AFTER,
    extensions: [
      ext(OID.basicConstraints, ev.basicConstraints(true), true),
      ext(OID.keyUsage, ev.keyUsage([5, 6]), true),
      ext(OID.subjectKeyIdentifier, ev.subjectKeyId(rootSki)),
    ],
  });

  const caName = 'CN=attacker CA';
  const claimed = new Uint8Array(20).fill(0xa5); // every intermediate claims this key identifier
  const keys: SigningKey[] = [];
  for (let i = 0; i < n; i++) keys.push(await signingKey(keyType));
  const intermediates: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const first = i === 0;
    intermediates.push(await buildCertificate({
      subject: caName,
      issuer: first ? rootName : caName,
      publicKey: keys[i]!.spki,
      signer: first ? keys[0]! : keys[i - 1]!,
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
      extensions: caExtensions(claimed, first ? rootSki : claimed),
    }));
  }

  const leafKey = await generateKey('ecdsa-p256');
  const leaf = await buildCertificate({
    subject: 'CN=client', issuer: caName, publicKey: leafKey.spki, signer: keys[n - 1]!, notBefore: NOT_BEFORE, notAfter: NOT_AFTER,
    extensions: [
      ext(OID.keyUsage, ev.keyUsage([0]), true),
      ext(OID.extKeyUsage, ev.extKeyUsage([OID.clientAuth])),
      ext(OID.subjectKeyIdentifier, ev.subjectKeyId(keyIdentifier(leafKey.spki))),
      ext(OID.authorityKeyIdentifier, ev.authorityKeyId(claimed)),
    ],
  });
  return { root, chain: [leaf, ...intermediates], leafKey: parsePrivateKey(leafKey.pkcs8) };
}
