/**
 * Certificate path building and validation (RFC 5280 §6, RFC 4158 for path
 * building, RFC 9525 for the server name).
 *
 * This file is the entry point: inputs, the checks on the leaf alone, the
 * pinned leaf, then path building. The parts, by concern:
 *   path-builder.ts   the search for a path (RFC 4158), candidates and pruning,
 *                     signature checks with their cache;
 *   path-checks.ts    per-certificate and per-path RFC 5280 §6 checks;
 *   verify-budget.ts  the cost of each signature check and the work budget;
 *   verify-result.ts  failure codes and the TLS alert of each.
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
 * - Work bounds: exhausting any of them (the signature-check budget, candidate
 *   issuers, name-constraint comparisons, path length) ends the search with
 *   `too-complex`, whatever failures were seen before; a search that finishes
 *   within the bounds reports the failure of the longest path it tried. The
 *   number of certificates given is not bounded here: the caller's input size
 *   is (the handshake's message size limit), and each costs a parse.
 * - Whether the leaf's key may sign a TLS 1.3 CertificateVerify (keyUsage
 *   digitalSignature) is the handshake's check (checkTlsSigningKeyUsage),
 *   not part of path validation: a CA certificate as the leaf, whose
 *   keyUsage is keyCertSign only, is a valid path (x509-limbo ca-as-leaf).
 * - A leaf that is itself one of the roots (a pinned or self-signed
 *   certificate) is its own trust anchor, as in Node, OpenSSL and Go: its
 *   validity, profile and the name are checked, not the rules for issuers
 *   (a cA certificate whose keyUsage lacks keyCertSign is accepted there).
 */
import { pureProvider } from '../crypto/pure/index.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { bytesEqual } from '../util/bytes.js';
import type { Certificate } from './certificate.js';
import { DerError } from './der.js';
import { matchServerName } from './hostname.js';
import { nameToString } from './name.js';
import { decodeCertificateCached } from './parse-cache.js';
import { search, record, type SearchContext } from './path-builder.js';
import { checkCommonName, checkEku, checkTlsLeafKeyUsage, checkValidity, MAX_NAME_CONSTRAINT_COMPARISONS, validatePath, type Node } from './path-checks.js';
import { pemDecode } from './pem.js';
import { DEFAULT_VERIFY_BUDGET, defaultPause, VerifyBudget } from './verify-budget.js';
import { describe, Failure, TooComplex, type VerifyErrorCode, type VerifyResult } from './verify-result.js';

export { ALERT_FOR_CODE, verifyErrorToTlsError } from './verify-result.js';
export type { VerifyErrorCode, VerifyResult } from './verify-result.js';
export { DEFAULT_VERIFY_BUDGET, MAX_SIGNATURE_CHECKS, signatureCost } from './verify-budget.js';
export { MAX_CANDIDATES } from './path-builder.js';
export { MAX_NAME_CONSTRAINT_COMPARISONS } from './path-checks.js';

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
  /** Longest path accepted, counting the leaf and the trust anchor (default 8, at most 32). */
  maxDepth?: number;
  /**
   * Work units path building may spend on signature checks (default
   * DEFAULT_VERIFY_BUDGET; one ECDSA P-256 verification is 1 unit, see
   * signatureCost). Past it the answer is `too-complex`.
   */
  budget?: number;
  /**
   * Called between signature checks once some work was done, to let other
   * tasks run (default: a zero-delay timer). A hostile chain then cannot hold
   * the event loop for the whole of its budget.
   */
  pause?: () => Promise<void>;
}

export const DEFAULT_MAX_DEPTH = 8;

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

// ---------------------------------------------------------------------------

/**
 * RFC 8446 §4.4.2.2 (server) and §4.4.2.3 (client): the peer's end-entity
 * key signs CertificateVerify, so a keyUsage extension in its certificate
 * must assert digitalSignature. The failure (`key-usage` → bad_certificate)
 * or undefined.
 */
export function checkTlsSigningKeyUsage(leaf: CertificateInput): { ok: false; code: VerifyErrorCode; message: string } | undefined {
  const der = toDerList(leaf)[0];
  if (!der) return { ok: false, code: 'malformed', message: 'no certificate given for the leaf' };
  try {
    checkTlsLeafKeyUsage(parse(der));
    return undefined;
  } catch (e) {
    if (e instanceof Failure) return { ok: false, code: e.code, message: e.message };
    return { ok: false, code: 'malformed', message: `leaf certificate: ${(e as Error).message}` };
  }
}

export async function verifyCertificateChain(opts: VerifyOptions): Promise<VerifyResult> {
  // A bad option is the caller's error, not a verdict on the certificate.
  if (opts.budget !== undefined && !(opts.budget >= 0)) throw new RangeError(`verifyCertificateChain: budget must be a number of work units ≥ 0, got ${String(opts.budget)}`);
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

  const ctx: SearchContext = {
    provider,
    now,
    usage: opts.usage,
    maxDepth,
    anchors,
    intermediates,
    budget: new VerifyBudget(opts.budget ?? DEFAULT_VERIFY_BUDGET, opts.pause ?? defaultPause),
    candidates: 0,
    ncComparisons: { left: MAX_NAME_CONSTRAINT_COMPARISONS },
    depthExceeded: false,
    selfSigned: new Map(),
    best: undefined,
    bestDepth: -1,
  };

  // The leaf is itself trusted (a pinned or self-signed certificate).
  const self = anchors.find((a) => bytesEqual(a.cert.der, leafCert.der));
  if (self) {
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

