/**
 * Certificate path building and validation (RFC 5280 §6, RFC 4158 for path
 * building, RFC 9525 for the server name).
 *
 * Path building is a depth-first search from the leaf towards the trust
 * anchors: candidate issuers are those whose subject equals the child's issuer
 * (RFC 5280 §7.1 comparison), trust anchors first, then intermediates, and
 * within each group those whose subjectKeyIdentifier equals the child's
 * authorityKeyIdentifier first (a mismatching key id is tried last, as Go
 * does). A candidate already on the path (same certificate, or same subject and
 * key) is skipped, which stops loops. Each complete path to an anchor is then
 * validated as a whole; if that fails the search backtracks and tries the next
 * candidate. Work is bounded: path length, signature checks and candidates
 * considered; past a bound the answer is `too-complex`.
 *
 * Choices where RFC 5280 leaves room, and whom we follow:
 * - Trust anchors are certificates, and their own validity period, basic
 *   constraints, key usage, name constraints and critical extensions are
 *   enforced (RFC 5280 §6.2 allows it; the x509-limbo corpus expects it;
 *   rustls-webpki ignores all but name constraints).
 * - Every certificate must be X.509 v3 (rustls-webpki).
 * - EKU: a certificate that has the extension must list the requested purpose;
 *   anyExtendedKeyUsage does not satisfy it in the leaf (rustls-webpki), but
 *   does in CA certificates (Go). A leaf without EKU is valid for any purpose
 *   (RFC 5280 §4.2.1.12; x509-limbo rfc5280::eku::ee-without-eku). For
 *   `usage: 'server'` the CA/B Forum profile applies on top: the leaf's EKU is
 *   not critical and lists none of anyExtendedKeyUsage, codeSigning,
 *   emailProtection, timeStamping, OCSPSigning or the CT precertificate
 *   purpose (BRs 7.1.2.7.10), and the trust anchor carries no EKU
 *   (BRs 7.1.2.1.2).
 * - A CA certificate in the leaf position is accepted (RFC 5280; rustls-webpki
 *   refuses it), but cA=TRUE with a keyUsage lacking keyCertSign is refused
 *   everywhere as inconsistent.
 * - Non-critical name constraints are honoured, not rejected (rustls-webpki,
 *   Go, CA/B Forum BRs 7.1.2.5.2).
 * - Validity is checked at whole seconds (now is floored), inclusive at both
 *   ends (RFC 5280 §4.1.2.5).
 * - A trust anchor needs no authorityKeyIdentifier when it is self-signed (its
 *   own key verifies its signature), even if its issuer name differs from its
 *   subject (RFC 5280 §4.2.1.1 exception; x509-limbo cve::cve-2024-0567).
 * - Every public key on the path is one we support; RSA moduli are at least
 *   2048 bits and a multiple of 8 (CA/B Forum BRs 6.1.5).
 * - Work bounds: exhausting any of them (signature checks, candidate issuers,
 *   name-constraint comparisons, path length) ends the search with
 *   `too-complex`, whatever failures were seen before; a search that finishes
 *   within the bounds reports the failure of the longest path it tried.
 */
import type { CryptoProvider, PublicKey, SignatureAlgorithm } from '../crypto/provider.js';
import { pureProvider } from '../crypto/pure/index.js';
import { TlsError } from '../errors.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import { hasKeyUsage, KeyUsageBit, type Certificate } from './certificate.js';
import { DerError } from './der.js';
import { formatIp, matchServerName, parseIpAddress } from './hostname.js';
import { parseSpki } from './keys.js';
import { decodeCertificateCached, parseSpkiCached } from './parse-cache.js';
import { checkNameConstraints, constraintSyntaxError, NAME_CONSTRAINT_BUDGET_EXCEEDED } from './name-constraints.js';
import { attributeValues, nameIsEmpty, nameToString } from './name.js';
import { OID } from './oids.js';
import { pemDecode } from './pem.js';
import { decodeSignatureAlgorithm, keyMismatch, MIN_RSA_BITS, UnsupportedAlgorithm } from './signature.js';

export type CertificateInput = Uint8Array | string;

export interface VerifyOptions {
  /** The end-entity certificate (DER, or PEM whose first certificate is the leaf). */
  leaf: CertificateInput;
  /** Other certificates the peer sent, in any order; extra or useless ones are ignored. */
  intermediates?: readonly CertificateInput[];
  /** Trust anchors. A PEM string may hold several certificates. */
  roots: readonly CertificateInput[];
  /** Validation time (default: now). */
  now?: Date;
  /** DNS name or IPv4/IPv6 literal the leaf must be valid for. */
  name?: string;
  /** Required extended key usage: serverAuth or clientAuth. No EKU check when absent. */
  usage?: 'server' | 'client';
  /** Signature verification (default: the pure provider). */
  provider?: CryptoProvider;
  /** Longest path accepted, counting the leaf and the trust anchor (default 8). */
  maxDepth?: number;
}

export type VerifyErrorCode =
  | 'expired'
  | 'not-yet-valid'
  | 'unknown-issuer'
  | 'bad-signature'
  | 'name-mismatch'
  | 'not-a-ca'
  | 'path-length'
  | 'key-usage'
  | 'ext-key-usage'
  | 'name-constraints'
  | 'unknown-critical-extension'
  | 'unsupported-algorithm'
  | 'malformed'
  | 'too-complex';

export type VerifyResult =
  | { ok: true; chain: Uint8Array[] }
  | { ok: false; code: VerifyErrorCode; message: string };

/** The TLS alert for each failure code (RFC 8446 §6.2). */
export const ALERT_FOR_CODE: Record<VerifyErrorCode, 'bad_certificate' | 'unsupported_certificate' | 'certificate_expired' | 'certificate_unknown' | 'unknown_ca'> = {
  expired: 'certificate_expired',
  'not-yet-valid': 'certificate_expired',
  'unknown-issuer': 'unknown_ca',
  'bad-signature': 'bad_certificate',
  'name-mismatch': 'bad_certificate',
  'not-a-ca': 'bad_certificate',
  'path-length': 'bad_certificate',
  'key-usage': 'bad_certificate',
  'ext-key-usage': 'bad_certificate',
  'name-constraints': 'bad_certificate',
  'unknown-critical-extension': 'unsupported_certificate',
  'unsupported-algorithm': 'unsupported_certificate',
  malformed: 'bad_certificate',
  'too-complex': 'certificate_unknown',
};

/** A verification failure as a TlsError carrying the right alert. */
export function verifyErrorToTlsError(r: { code: VerifyErrorCode; message: string }): TlsError {
  return new TlsError(ALERT_FOR_CODE[r.code], `certificate verify failed (${r.code}): ${r.message}`, { code: r.code });
}

export const DEFAULT_MAX_DEPTH = 8;
/** Signature verifications per call (rustls-webpki uses 100). */
export const MAX_SIGNATURE_CHECKS = 100;
/** Candidate issuers considered per call. */
export const MAX_CANDIDATES = 256;
/** Certificates accepted in `intermediates`. */
export const MAX_INTERMEDIATES = 64;
/** Name-constraint comparisons (presented name × subtree) per call, as rustls-webpki. */
export const MAX_NAME_CONSTRAINT_COMPARISONS = 250_000;

class Failure extends Error {
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A work bound was exhausted: ends the whole search, never recorded as a path failure. */
class TooComplex extends Failure {
  constructor(message: string) {
    super('too-complex', message);
  }
}

interface Node {
  readonly cert: Certificate;
  readonly anchor: boolean;
  key?: PublicKey | Failure;
}

// ---------------------------------------------------------------------------
// Input handling and parse cache

const derCache = new WeakMap<Uint8Array, Certificate | DerError>();
const pemCache = new Map<string, Uint8Array[]>();
const PEM_CACHE_LIMIT = 4096;

function toDerList(input: CertificateInput): Uint8Array[] {
  if (typeof input !== 'string') return [input];
  let list = pemCache.get(input);
  if (!list) {
    list = pemDecode(input, 'CERTIFICATE');
    if (pemCache.size >= PEM_CACHE_LIMIT) pemCache.clear();
    pemCache.set(input, list);
  }
  return list;
}

function parse(der: Uint8Array): Certificate {
  const hit = derCache.get(der);
  if (hit instanceof DerError) throw hit;
  if (hit) return hit;
  try {
    const c = decodeCertificateCached(der);
    derCache.set(der, c);
    return c;
  } catch (e) {
    if (e instanceof DerError) derCache.set(der, e);
    throw e;
  }
}

/** Certificate → its description, cached (checks build messages on the success path too). */
const descriptions = new WeakMap<Certificate, string>();

function describe(c: Certificate): string {
  let d = descriptions.get(c);
  if (d === undefined) {
    const s = nameToString(c.subject);
    d = s ? `"${s}"` : '(empty subject)';
    descriptions.set(c, d);
  }
  return d;
}

// ---------------------------------------------------------------------------

export async function verifyCertificateChain(opts: VerifyOptions): Promise<VerifyResult> {
  try {
    return await verify(opts);
  } catch (e) {
    if (e instanceof Failure) return { ok: false, code: e.code, message: e.message };
    if (e instanceof DerError) return { ok: false, code: 'malformed', message: e.message };
    return { ok: false, code: 'malformed', message: e instanceof Error ? e.message : String(e) };
  }
}

async function verify(opts: VerifyOptions): Promise<VerifyResult> {
  const provider = opts.provider ?? pureProvider;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000) * 1000;
  const maxDepth = Math.max(1, Math.min(opts.maxDepth ?? DEFAULT_MAX_DEPTH, 32));

  const leafDer = toDerList(opts.leaf)[0];
  if (!leafDer) throw new Failure('malformed', 'no certificate given for the leaf');
  let leafCert: Certificate;
  try {
    leafCert = parse(leafDer);
  } catch (e) {
    throw new Failure('malformed', `leaf certificate: ${(e as Error).message}`);
  }
  const leaf: Node = { cert: leafCert, anchor: false };

  const intermediates: Node[] = [];
  for (const input of opts.intermediates ?? []) {
    for (const der of toDerList(input)) {
      if (intermediates.length >= MAX_INTERMEDIATES) throw new TooComplex(`more than ${MAX_INTERMEDIATES} intermediate certificates`);
      try {
        intermediates.push({ cert: parse(der), anchor: false });
      } catch {
        // A malformed extra certificate cannot be on a valid path; ignore it.
      }
    }
  }
  const anchors: Node[] = [];
  for (const input of opts.roots) {
    for (const der of toDerList(input)) {
      try {
        anchors.push({ cert: parse(der), anchor: true });
      } catch {
        // Skip malformed roots.
      }
    }
  }

  // Checks on the leaf alone come first: they give the most useful answer.
  checkValidity(leafCert, now, 'leaf');
  if (opts.name !== undefined) {
    const why = matchServerName(leafCert.subjectAltName?.names, opts.name);
    if (why) throw new Failure('name-mismatch', `leaf ${describe(leafCert)}: ${why}`);
  }
  if (opts.usage) checkEku(leafCert, opts.usage, 'leaf', 'leaf');
  if (opts.usage === 'server' || opts.name !== undefined) checkCommonName(leafCert);

  const ctx: Ctx = {
    provider,
    now,
    usage: opts.usage,
    maxDepth,
    anchors,
    intermediates,
    sigChecks: 0,
    candidates: 0,
    ncComparisons: { left: MAX_NAME_CONSTRAINT_COMPARISONS },
    depthExceeded: false,
    sigCache: new Map(),
    selfSigned: new Map(),
    best: undefined,
    bestDepth: -1,
  };

  // The leaf is itself trusted (a pinned or self-signed certificate).
  const self = anchors.find((a) => bytesEqual(a.cert.der, leafCert.der));
  if (self) {
    await noteSelfSigned(self, ctx);
    const err = validatePath([self], ctx);
    if (!err) return { ok: true, chain: [leafCert.der.slice()] };
    record(ctx, err, 1);
  }

  const path = await search([leaf], ctx);
  // Copies: a certificate decoded once may be shared by later calls (parse-cache.ts).
  if (path) return { ok: true, chain: path.map((n) => n.cert.der.slice()) };
  // A path cut short by the depth bound might have been valid: that is a bound, not a verdict.
  if (ctx.depthExceeded) throw new TooComplex(`no valid path of at most ${ctx.maxDepth} certificates`);
  const f = ctx.best ?? new Failure('unknown-issuer', `no trusted issuer found for ${describe(leafCert)} (issuer ${JSON.stringify(nameToString(leafCert.issuer))})`);
  return { ok: false, code: f.code, message: f.message };
}

interface Ctx {
  readonly provider: CryptoProvider;
  readonly now: number;
  readonly usage: 'server' | 'client' | undefined;
  readonly maxDepth: number;
  readonly anchors: Node[];
  readonly intermediates: Node[];
  sigChecks: number;
  candidates: number;
  readonly ncComparisons: { left: number };
  depthExceeded: boolean;
  /** child → issuer SPKI (hex) → result: one verification per key, however many certificates carry it. */
  readonly sigCache: Map<Node, Map<string, true | Failure>>;
  /** Trust anchors that are not self-issued: whether their own key verifies their signature. */
  readonly selfSigned: Map<Node, boolean>;
  best: Failure | undefined;
  bestDepth: number;
}

function record(ctx: Ctx, f: Failure, depth: number): void {
  // Keep the failure of the longest path tried: it is the most specific.
  if (depth > ctx.bestDepth) {
    ctx.best = f;
    ctx.bestDepth = depth;
  }
}

function keyIdRank(child: Certificate, cand: Certificate): number {
  const aki = child.authorityKeyId?.keyId;
  const ski = cand.subjectKeyId;
  if (!aki || !ski) return 1;
  return bytesEqual(aki, ski) ? 0 : 2;
}

function candidatesFor(child: Certificate, pool: Node[]): Node[] {
  return pool
    .filter((n) => n.cert.subject.key === child.issuer.key)
    .map((n, i) => ({ n, r: keyIdRank(child, n.cert) * 1000 + i }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.n);
}

function onPath(path: Node[], cand: Node): boolean {
  return path.some(
    (p) => bytesEqual(p.cert.der, cand.cert.der) || (p.cert.subject.key === cand.cert.subject.key && bytesEqual(p.cert.spki, cand.cert.spki)),
  );
}

async function search(path: Node[], ctx: Ctx): Promise<Node[] | undefined> {
  const child = path[path.length - 1]!;
  const tiers = [candidatesFor(child.cert, ctx.anchors), candidatesFor(child.cert, ctx.intermediates)];
  for (const list of tiers) {
    for (const cand of list) {
      if (++ctx.candidates > MAX_CANDIDATES) throw new TooComplex(`path building considered more than ${MAX_CANDIDATES} candidate issuers`);
      if (onPath(path, cand)) continue;
      if (path.length + 1 > ctx.maxDepth || (!cand.anchor && path.length + 2 > ctx.maxDepth)) {
        ctx.depthExceeded = true;
        continue;
      }
      const sig = await checkSignature(child, cand, ctx);
      if (sig) {
        record(ctx, sig, path.length + 1);
        continue;
      }
      const next = [...path, cand];
      if (cand.anchor) {
        await noteSelfSigned(cand, ctx);
        const err = validatePath(next, ctx);
        if (!err) return next;
        record(ctx, err, next.length);
        continue;
      }
      // Prune early: problems of the candidate itself that no path can fix.
      const own = checkIssuerAlone(cand.cert, ctx);
      if (own) {
        record(ctx, own, next.length);
        continue;
      }
      const found = await search(next, ctx);
      if (found) return found;
    }
  }
  return undefined;
}

function issuerKey(n: Node): PublicKey | Failure {
  if (n.key) return n.key;
  try {
    n.key = parseSpkiCached(n.cert.spki, parseSpki);
  } catch (e) {
    const te = e as TlsError;
    n.key = new Failure(te.alert === 'unsupported_certificate' ? 'unsupported-algorithm' : 'malformed', `${describe(n.cert)}: ${te.message}`);
  }
  return n.key;
}

const sigAlgCache = new WeakMap<Certificate, SignatureAlgorithm | Failure>();

function signatureAlgorithmOf(c: Certificate): SignatureAlgorithm | Failure {
  let a = sigAlgCache.get(c);
  if (!a) {
    try {
      a = decodeSignatureAlgorithm(c.signatureAlgorithm);
    } catch (e) {
      a = new Failure(e instanceof UnsupportedAlgorithm ? 'unsupported-algorithm' : 'malformed', `${describe(c)}: ${(e as Error).message}`);
    }
    sigAlgCache.set(c, a);
  }
  return a;
}

/** Certificate → its SPKI in hex (the sigCache key), cached: trust anchors are decoded once and checked every handshake. */
const spkiHex = new WeakMap<Certificate, string>();

function spkiKey(c: Certificate): string {
  let k = spkiHex.get(c);
  if (k === undefined) {
    k = toHex(c.spki);
    spkiHex.set(c, k);
  }
  return k;
}

/** Undefined when `issuer` signed `child`; the failure otherwise. */
async function checkSignature(child: Node, issuer: Node, ctx: Ctx): Promise<Failure | undefined> {
  let byIssuer = ctx.sigCache.get(child);
  if (!byIssuer) ctx.sigCache.set(child, (byIssuer = new Map()));
  const k = spkiKey(issuer.cert);
  const hit = byIssuer.get(k);
  if (hit !== undefined) return hit === true ? undefined : hit;
  const result = await verifyOnce(child, issuer, ctx);
  byIssuer.set(k, result ?? true);
  return result;
}

/**
 * RFC 5280 §4.2.1.1 exempts self-signed certificates from carrying an
 * authorityKeyIdentifier. A trust anchor whose issuer name differs from its
 * subject may still be self-signed; find out (once) by verifying it with its
 * own key, only when it lacks the identifier.
 */
async function noteSelfSigned(anchor: Node, ctx: Ctx): Promise<void> {
  const c = anchor.cert;
  if (c.selfIssued || c.authorityKeyId?.keyId || ctx.selfSigned.has(anchor)) return;
  ctx.selfSigned.set(anchor, (await checkSignature(anchor, anchor, ctx)) === undefined);
}

async function verifyOnce(child: Node, issuer: Node, ctx: Ctx): Promise<Failure | undefined> {
  const alg = signatureAlgorithmOf(child.cert);
  if (alg instanceof Failure) return alg;
  const key = issuerKey(issuer);
  if (key instanceof Failure) return key;
  const mismatch = keyMismatch(alg, key);
  if (mismatch) return new Failure('bad-signature', `${describe(child.cert)}: ${mismatch}`);
  if (++ctx.sigChecks > MAX_SIGNATURE_CHECKS) throw new TooComplex(`path building needed more than ${MAX_SIGNATURE_CHECKS} signature checks`);
  let ok: boolean;
  try {
    ok = await ctx.provider.verify(alg, key, child.cert.tbs, child.cert.signature);
  } catch (e) {
    return new Failure('bad-signature', `${describe(child.cert)}: signature could not be verified: ${(e as Error).message}`);
  }
  if (!ok) return new Failure('bad-signature', `${describe(child.cert)}: signature does not verify with the key of ${describe(issuer.cert)}`);
  return undefined;
}

// ---------------------------------------------------------------------------
// Per-certificate and per-path checks

function checkValidity(c: Certificate, now: number, role: string): void {
  // RFC 5280 §4.1.2.5: notBefore through notAfter, inclusive.
  if (now < c.notBefore) throw new Failure('not-yet-valid', `${role} ${describe(c)} is not valid before ${new Date(c.notBefore).toISOString()}`);
  if (now > c.notAfter) throw new Failure('expired', `${role} ${describe(c)} expired at ${new Date(c.notAfter).toISOString()}`);
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

function checkCommonName(c: Certificate): void {
  let r = commonNameChecks.get(c);
  if (r === undefined) {
    try {
      checkCommonNameUncached(c);
      r = true;
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      r = e;
    }
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

function checkEku(c: Certificate, usage: 'server' | 'client', position: 'leaf' | 'ca' | 'anchor', role: string): void {
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
  const k = issuerKey(n);
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

/** Checks every certificate must pass whatever its position. */
function checkProfile(c: Certificate, role: string, isLeaf: boolean, legacy = false): void {
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
  if (ca && c.keyUsage && !hasKeyUsage(c, KeyUsageBit.keyCertSign)) throw new Failure('key-usage', `${who}: CA certificate whose keyUsage lacks keyCertSign`);
  // RFC 5280 §4.2.1.10: name constraints only in CA certificates.
  if (c.nameConstraints && !ca) throw new Failure('name-constraints', `${who}: nameConstraints in a non-CA certificate`);
  // RFC 5280 §4.2.1.2: every CA certificate has a subjectKeyIdentifier.
  if (ca && !c.subjectKeyId && !legacy) throw new Failure('malformed', `${who}: CA certificate without subjectKeyIdentifier`);
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

/** Checks on a would-be issuer that do not depend on the rest of the path. */
function checkIssuerAlone(c: Certificate, ctx: Ctx): Failure | undefined {
  try {
    checkValidity(c, ctx.now, 'intermediate');
    checkProfile(c, 'intermediate', false);
    checkCaBits(c, 'intermediate');
    if (ctx.usage) checkEku(c, ctx.usage, 'ca', 'intermediate');
    return undefined;
  } catch (e) {
    if (e instanceof TooComplex) throw e;
    if (e instanceof Failure) return e;
    throw e;
  }
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

/** Validate a complete path [leaf, …, anchor]; undefined when valid. */
function validatePath(path: Node[], ctx: Ctx): Failure | undefined {
  try {
    const n = path.length;
    for (let i = 0; i < n; i++) {
      const c = path[i]!.cert;
      const isLeaf = i === 0;
      const isAnchor = i === n - 1;
      const role = isAnchor ? 'trust anchor' : isLeaf ? 'leaf' : 'intermediate';
      checkValidity(c, ctx.now, role);
      const legacy = isAnchor && isLegacyRoot(c);
      checkProfile(c, role, isLeaf, legacy);
      // Every key on the path is one we can use (the leaf's: RFC 8446 §4.4.2.2).
      checkKeyProfile(path[i]!, role);
      const selfSigned = isAnchor && (c.selfIssued || ctx.selfSigned.get(path[i]!) === true);
      if (!legacy) checkAki(c, role, selfSigned);
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
    return undefined;
  } catch (e) {
    if (e instanceof TooComplex) throw e;
    if (e instanceof Failure) return e;
    throw e;
  }
}
