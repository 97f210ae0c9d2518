/**
 * Per-certificate and per-path checks of RFC 5280 §6 (and the CA/B Forum
 * profile where the validator applies it), for path validation
 * (verify.ts) and path building (path-builder.ts). Each check throws a
 * Failure naming the certificate and the reason; the code decides the alert
 * (verify-result.ts).
 */
import type { PublicKey } from '../crypto/provider.js';
import type { TlsError } from '../errors.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import { hasKeyUsage, KeyUsageBit, type Certificate } from './certificate.js';
import { formatIp, parseIpAddress } from './hostname.js';
import { parseSpki } from './keys.js';
import { checkNameConstraints, constraintSyntaxError, NAME_CONSTRAINT_BUDGET_EXCEEDED } from './name-constraints.js';
import { attributeValues, nameIsEmpty } from './name.js';
import { OID } from './oids.js';
import { parseSpkiCached } from './parse-cache.js';
import { MIN_RSA_BITS } from './signature.js';
import { describe, Failure, failureOf, TooComplex } from './verify-result.js';

/** Name-constraint comparisons (presented name × subtree) per call, as rustls-webpki. */
export const MAX_NAME_CONSTRAINT_COMPARISONS = 250_000;

/** A certificate in the search: a trust anchor or not, its key decoded once. */
export interface Node {
  readonly cert: Certificate;
  readonly anchor: boolean;
  key?: PublicKey | Failure;
}

/** What whole-path validation needs from the search. */
export interface PathContext {
  readonly now: number;
  readonly usage: 'server' | 'client' | undefined;
  readonly ncComparisons: { left: number };
  /** Trust anchors that are not self-issued: whether their own key verifies their signature. */
  readonly selfSigned: Map<Node, boolean>;
}

/** The node's public key, decoded once; a Failure when it is malformed or unsupported. */
export function nodeKey(n: Node): PublicKey | Failure {
  if (n.key) return n.key;
  try {
    n.key = parseSpkiCached(n.cert.spki, parseSpki);
  } catch (e) {
    const te = e as TlsError;
    n.key = new Failure(te.alert === 'unsupported_certificate' ? 'unsupported-algorithm' : 'malformed', `${describe(n.cert)}: ${te.message}`);
  }
  return n.key;
}

export function checkValidity(c: Certificate, now: number, role: string): void {
  // RFC 5280 §4.1.2.5: notBefore through notAfter, inclusive.
  if (now < c.notBefore) throw new Failure('not-yet-valid', `${role} ${describe(c)} is not valid before ${new Date(c.notBefore).toISOString()}`);
  if (now > c.notAfter) throw new Failure('expired', `${role} ${describe(c)} expired at ${new Date(c.notAfter).toISOString()}`);
}

/**
 * RFC 8446 §4.4.2.2 (server) and §4.4.2.3 (client): the end-entity key signs
 * CertificateVerify, so when the certificate has a keyUsage extension its
 * digitalSignature bit must be set (RFC 5280 §4.2.1.3). TLS 1.3 has no
 * key-transport or static key-agreement use a certificate could be for
 * instead. `key-usage` → bad_certificate, as for the other keyUsage and EKU
 * violations (the certificate is unacceptable for this purpose, not of an
 * unsupported type).
 */
export function checkTlsLeafKeyUsage(c: Certificate): void {
  if (c.keyUsage && !hasKeyUsage(c, KeyUsageBit.digitalSignature)) {
    throw new Failure('key-usage', `leaf ${describe(c)}: keyUsage lacks digitalSignature, which a TLS 1.3 certificate needs to sign CertificateVerify (RFC 8446 §4.4.2.2)`);
  }
}

/**
 * CA/B Forum BRs 7.1.4.3: a subscriber CN, if present, is a character-for-
 * character copy of a dNSName SAN, or an iPAddress SAN in its canonical text
 * (RFC 3986 dotted decimal, RFC 5952). The CN is never used for matching
 * (RFC 9525 §6.3), but a CN that legacy software would read differently from
 * what we validated is refused. Only the unambiguous cases are enforced (a
 * descriptive or unrelated CN in a private PKI is left alone): an IP-like CN
 * must be the canonical text of an iPAddress SAN; a CN equal to a dNSName SAN
 * but for case, an A-label (xn--) CN not among the SANs, or a dotted CN with
 * non-ASCII characters (a U-label) are refused.
 */
/** Certificate → the outcome of checkCommonName (a function of the certificate alone), cached. */
const commonNameChecks = new WeakMap<Certificate, Failure | true>();

export function checkCommonName(c: Certificate): void {
  let r = commonNameChecks.get(c);
  if (r === undefined) {
    r = failureOf(() => checkCommonNameUncached(c)) ?? true;
    commonNameChecks.set(c, r);
  }
  if (r !== true) throw r;
}

function checkCommonNameUncached(c: Certificate): void {
  const san = c.subjectAltName?.names;
  if (!san) return;
  for (const cn of attributeValues(c.subject, OID.commonName)) {
    const bad = (why: string) => new Failure('name-mismatch', `leaf ${describe(c)}: subject CN "${cn}" ${why}`);
    const ipLike = /^0x[0-9a-f]+$/i.test(cn) || /^\d{1,3}(\.\d{1,3}){3}$/.test(cn) || (/^[0-9a-f:.]+$/i.test(cn) && cn.includes(':'));
    if (ipLike) {
      // The text must be RFC 3986 dotted decimal or RFC 5952 IPv6, so that
      // legacy software reads the address we would. Whether it is also one of
      // the iPAddress SANs is not enforced: BetterTLS (in x509-limbo) expects
      // a leaf with CN=1.1.1.1 and a matching dNSName SAN to be accepted.
      const ip = parseIpAddress(cn);
      if (!ip || formatIp(ip) !== cn) throw bad('is an IP address not in its canonical text form (RFC 3986 §3.2.2, RFC 5952 §4)');
      continue;
    }
    const dns = san.flatMap((g) => (g.kind === 'dns' ? [g.value] : []));
    if (dns.includes(cn)) continue;
    if (dns.some((d) => d.toLowerCase() === cn.toLowerCase())) throw bad('differs in case from its dNSName subjectAltName');
    if (/(^|\.)xn--/i.test(cn)) throw bad('is an A-label name that is not one of its subjectAltNames');
    if (cn.includes('.') && /[^\x00-\x7f]/.test(cn)) throw bad('is an internationalised name not encoded as an A-label');
  }
}

/** EKUs a TLS server certificate must not carry (CA/B Forum BRs 7.1.2.7.10). */
const FORBIDDEN_SERVER_LEAF_EKUS = new Map<string, string>([
  [OID.anyExtendedKeyUsage, 'anyExtendedKeyUsage'],
  [OID.codeSigning, 'codeSigning'],
  [OID.emailProtection, 'emailProtection'],
  [OID.timeStamping, 'timeStamping'],
  [OID.ocspSigning, 'OCSPSigning'],
  [OID.precertificateSigning, 'Precertificate Signing Certificate'],
]);

export function checkEku(c: Certificate, usage: 'server' | 'client', position: 'leaf' | 'ca' | 'anchor', role: string): void {
  const eku = c.extKeyUsage;
  const who = `${role} ${describe(c)}`;
  // CA/B Forum BRs 7.1.2.1.2: a root CA certificate has no extKeyUsage. Only
  // self-issued anchors count as roots: an intermediate may be pinned as a trust anchor.
  if (position === 'anchor' && usage === 'server' && eku && c.selfIssued) throw new Failure('ext-key-usage', `${who}: a root CA certificate must not carry extendedKeyUsage (CA/B Forum BRs 7.1.2.1.2)`);
  if (!eku) return; // RFC 5280 §4.2.1.12: absent means unrestricted.
  const want = usage === 'server' ? OID.serverAuth : OID.clientAuth;
  if (position === 'leaf' && usage === 'server') {
    // CA/B Forum BRs 7.1.2.7.6 (not critical) and 7.1.2.7.10 (purposes).
    if (eku.critical) throw new Failure('ext-key-usage', `${who}: extendedKeyUsage of a TLS server certificate must not be critical (CA/B Forum BRs 7.1.2.7.6)`);
    for (const oid of eku.oids) {
      const bad = FORBIDDEN_SERVER_LEAF_EKUS.get(oid);
      if (bad) throw new Failure('ext-key-usage', `${who}: extendedKeyUsage ${bad} is not allowed in a TLS server certificate (CA/B Forum BRs 7.1.2.7.10)`);
    }
  }
  if (eku.oids.includes(want)) return;
  if (position !== 'leaf' && eku.oids.includes(OID.anyExtendedKeyUsage)) return;
  throw new Failure('ext-key-usage', `${who} extendedKeyUsage does not allow ${usage === 'server' ? 'serverAuth' : 'clientAuth'}`);
}

/** CA/B Forum BRs 6.1.5: RSA moduli of at least 2048 bits, a multiple of 8. */
function checkKeyProfile(n: Node, role: string): void {
  const k = nodeKey(n);
  if (k instanceof Failure) throw k;
  if (k.type === 'rsa') {
    const bits = k.n.toString(2).length;
    if (bits < MIN_RSA_BITS || bits % 8 !== 0) throw new Failure('unsupported-algorithm', `${role} ${describe(n.cert)}: RSA key of ${bits} bits (at least ${MIN_RSA_BITS} and a multiple of 8 are required)`);
  }
}

/**
 * Roots in the Mozilla store that predate rules we otherwise enforce on trust
 * anchors (a non-critical basicConstraints, no subjectKeyIdentifier, an
 * authorityKeyIdentifier with issuer and serial). SHA-256 of the DER. The test
 * suite checks that every root Node bundles is usable as an anchor.
 */
const LEGACY_ROOTS = new Set([
  '85a0dd7dd720adb7ff05f83d542b209dc7ff4528f7d677b18389fea5e5c49e86', // QuoVadis Root CA 2
  '18f1fc7f205df8adddeb7fe007dd57e3af375a9c4d8d73546bf4f1fed1e18d35', // QuoVadis Root CA 3
  'e3b6a2db2ed7ce48842f7ac53241c7b71d54144bfb40c11f3f1d0b42f5eea12d', // Certigna
  'c0a6f4dc63a24bfdcf54ef2a6a082a0a72de35803e2ff5ff527ae5d87206dfd5', // Chunghwa ePKI Root Certification Authority
  '59769007f7685d0fcd50872f9f95d5755a5b2b457d81f3692b610a98672f0e1b', // TWCA Global Root CA
]);
const legacyCache = new WeakMap<Certificate, boolean>();

function isLegacyRoot(c: Certificate): boolean {
  let v = legacyCache.get(c);
  if (v === undefined) {
    v = LEGACY_ROOTS.has(toHex(sha256(c.der)));
    legacyCache.set(c, v);
  }
  return v;
}

/**
 * Checks every certificate must pass whatever its position. `pinnedLeaf`: the
 * leaf is itself the trust anchor (exactly a certificate given in the
 * roots), which RFC 5280 §6.1 makes the whole path: the consistency rule
 * between cA and keyCertSign is about issuing and does not apply to it.
 */
function checkProfile(c: Certificate, role: string, isLeaf: boolean, legacy: boolean, pinnedLeaf: boolean): void {
  const who = `${role} ${describe(c)}`;
  // Several roots in the Mozilla store have serial number 0; trust anchors are exempt.
  const defects = role === 'trust anchor' ? c.defects.filter((d) => d !== 'zero serial number') : c.defects;
  if (defects.length) throw new Failure('malformed', `${who}: ${defects[0]}`);
  if (c.unknownCritical.length) throw new Failure('unknown-critical-extension', `${who}: unsupported critical extension ${c.unknownCritical[0]}`);
  if (c.version !== 2) throw new Failure('malformed', `${who}: not an X.509 v3 certificate`);
  const san = c.subjectAltName;
  // RFC 5280 §4.2.1.6: an empty subject requires a critical subjectAltName.
  if (nameIsEmpty(c.subject) && (!san || !san.critical)) throw new Failure('malformed', `${who}: empty subject without a critical subjectAltName`);
  // CA/B Forum BRs 7.1.2.7.12 (and RFC 5280 "SHOULD"): otherwise SAN is not critical.
  if (isLeaf && san && san.critical && !nameIsEmpty(c.subject)) throw new Failure('malformed', `${who}: critical subjectAltName with a non-empty subject`);
  const ca = c.basicConstraints?.ca === true;
  // RFC 5280 §4.2.1.3 / §4.2.1.9: keyCertSign ⇔ cA.
  if (hasKeyUsage(c, KeyUsageBit.keyCertSign) && !ca) throw new Failure('key-usage', `${who}: keyCertSign without basicConstraints cA`);
  if (ca && c.keyUsage && !hasKeyUsage(c, KeyUsageBit.keyCertSign) && !pinnedLeaf) throw new Failure('key-usage', `${who}: CA certificate whose keyUsage lacks keyCertSign`);
  // RFC 5280 §4.2.1.10: name constraints only in CA certificates.
  if (c.nameConstraints && !ca) throw new Failure('name-constraints', `${who}: nameConstraints in a non-CA certificate`);
  // RFC 5280 §4.2.1.2: every CA certificate has a subjectKeyIdentifier.
  if (ca && !c.subjectKeyId && !legacy && !pinnedLeaf) throw new Failure('malformed', `${who}: CA certificate without subjectKeyIdentifier`);
}

/** RFC 5280 §4.2.1.1: authorityKeyIdentifier keyIdentifier in every certificate not self-signed. */
function checkAki(c: Certificate, role: string, selfSigned: boolean): void {
  const who = `${role} ${describe(c)}`;
  const aki = c.authorityKeyId;
  if (!selfSigned) {
    if (!aki?.keyId) throw new Failure('malformed', `${who}: no authorityKeyIdentifier keyIdentifier`);
    return;
  }
  if (aki) {
    // CA/B Forum BRs 7.1.2.1.3: a root's AKI, when present, is just the keyIdentifier, equal to its SKI.
    if (!aki.keyId) throw new Failure('malformed', `${who}: authorityKeyIdentifier without keyIdentifier`);
    if (aki.hasIssuer || aki.hasSerial) throw new Failure('malformed', `${who}: self-signed authorityKeyIdentifier with authorityCertIssuer/SerialNumber`);
    if (c.subjectKeyId && !bytesEqual(aki.keyId, c.subjectKeyId)) throw new Failure('malformed', `${who}: authorityKeyIdentifier differs from subjectKeyIdentifier`);
  }
}

/** Checks on a would-be issuer that do not depend on the rest of the path (cheap: run before its signature). */
export function checkIssuerAlone(c: Certificate, now: number, usage: 'server' | 'client' | undefined): Failure | undefined {
  return failureOf(() => {
    checkValidity(c, now, 'intermediate');
    checkProfile(c, 'intermediate', false, false, false);
    checkCaBits(c, 'intermediate');
    if (usage) checkEku(c, usage, 'ca', 'intermediate');
  });
}

function checkCaBits(c: Certificate, role: string, legacy = false): void {
  const who = `${role} ${describe(c)}`;
  const bc = c.basicConstraints;
  // RFC 5280 §6.1.4 (k), §4.2.1.9: issuers must assert cA in a critical basicConstraints.
  if (!bc || !bc.ca) throw new Failure('not-a-ca', `${who} is not a CA (basicConstraints cA is not set)`);
  if (!bc.critical && !legacy) throw new Failure('not-a-ca', `${who}: basicConstraints of a CA must be critical`);
  // RFC 5280 §6.1.4 (n).
  if (c.keyUsage && !hasKeyUsage(c, KeyUsageBit.keyCertSign)) throw new Failure('key-usage', `${who}: keyUsage lacks keyCertSign`);
  if (nameIsEmpty(c.subject)) throw new Failure('malformed', `${who}: CA certificate with an empty subject`);
  if (c.nameConstraints) {
    const why = constraintSyntaxError(c.nameConstraints);
    if (why) throw new Failure('name-constraints', `${who}: ${why}`);
  }
}

/** Validate a complete path [leaf, …, anchor] (signatures already checked); undefined when valid. */
export function validatePath(path: Node[], ctx: PathContext): Failure | undefined {
  return failureOf(() => {
    const n = path.length;
    const pinnedLeaf = n === 1;
    for (let i = 0; i < n; i++) {
      const c = path[i]!.cert;
      const isLeaf = i === 0;
      const isAnchor = i === n - 1;
      const role = isAnchor ? 'trust anchor' : isLeaf ? 'leaf' : 'intermediate';
      checkValidity(c, ctx.now, role);
      const legacy = isAnchor && isLegacyRoot(c);
      checkProfile(c, role, isLeaf, legacy, pinnedLeaf);
      // Every key on the path is one we can use (the leaf's: RFC 8446 §4.4.2.2).
      checkKeyProfile(path[i]!, role);
      const selfSigned = isAnchor && (c.selfIssued || ctx.selfSigned.get(path[i]!) === true);
      // The CA/B Forum rules on a root's AKI (BRs 7.1.2.1.3) are not for a pinned end-entity certificate.
      if (!legacy && !pinnedLeaf) checkAki(c, role, selfSigned);
      if (isAnchor && !isLeaf && ctx.usage) checkEku(c, ctx.usage, 'anchor', role);
      if (i === 0) continue;

      checkCaBits(c, role, legacy);
      if (ctx.usage && !isAnchor) checkEku(c, ctx.usage, 'ca', role);

      // RFC 5280 §6.1.4 (l)-(m): pathLenConstraint counts the non-self-issued
      // intermediates below this certificate (the leaf is not counted).
      const pathLen = c.basicConstraints?.pathLen;
      if (pathLen !== undefined) {
        let below = 0;
        for (let j = 1; j < i; j++) if (!path[j]!.cert.selfIssued) below++;
        if (below > pathLen) throw new Failure('path-length', `${role} ${describe(c)} allows ${pathLen} intermediate(s) below it, the path has ${below}`);
      }

      // RFC 5280 §6.1.3 (b)-(c): constraints apply to the certificates below,
      // except self-issued intermediates; always to the leaf.
      const nc = c.nameConstraints;
      if (nc) {
        for (let j = 0; j < i; j++) {
          const below = path[j]!.cert;
          if (j > 0 && below.selfIssued) continue;
          const why = checkNameConstraints(below, j === 0, nc, ctx.ncComparisons);
          if (why === NAME_CONSTRAINT_BUDGET_EXCEEDED) throw new TooComplex(`more than ${MAX_NAME_CONSTRAINT_COMPARISONS} name-constraint comparisons`);
          if (why) throw new Failure('name-constraints', `${j === 0 ? 'leaf' : 'intermediate'} ${describe(below)} violates the name constraints of ${describe(c)}: ${why}`);
        }
      }
    }
  });
}
