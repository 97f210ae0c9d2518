/**
 * Path building (RFC 4158): a depth-first search from the leaf towards the
 * trust anchors.
 *
 * - Candidate issuers are the certificates whose subject equals the child's
 *   issuer (RFC 5280 §7.1 comparison), trust anchors first, then
 *   intermediates; within each group those whose subjectKeyIdentifier equals
 *   the child's authorityKeyIdentifier come first.
 * - A candidate whose subjectKeyIdentifier contradicts the child's
 *   authorityKeyIdentifier keyIdentifier (both present, different) is not
 *   tried (RFC 5280 §4.2.1.1: the keyIdentifier identifies the issuer's key;
 *   OpenSSL's X509_check_akid does the same). A re-keyed or cross-signed CA
 *   carries its new key's identifier, so its paths are still found.
 * - An intermediate from which no trust anchor can be reached by names
 *   within the depth left is not tried (a cheap name-graph walk, done once).
 * - Checks of the candidate alone (validity, basicConstraints, keyUsage, EKU)
 *   run before its signature on the child is verified: a certificate that
 *   cannot issue costs no signature check.
 * - A candidate already on the path (same certificate, or same subject and
 *   key) is skipped, which stops loops.
 * - Each complete path to an anchor is validated as a whole (path-checks.ts);
 *   if that fails the search backtracks and tries the next candidate.
 *
 * Work is bounded by cost (verify-budget.ts): every signature check is
 * charged what it costs, checked once per child and issuer key, and the
 * search yields to the event loop as it spends; candidates considered and
 * path length are bounded too. Past a bound the answer is `too-complex`.
 */
import type { CryptoProvider, SignatureAlgorithm } from '../crypto/provider.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import type { Certificate } from './certificate.js';
import { checkIssuerAlone, nodeKey, validatePath, type Node, type PathContext } from './path-checks.js';
import { decodeSignatureAlgorithm, keyMismatch, UnsupportedAlgorithm } from './signature.js';
import { signatureCost, type VerifyBudget } from './verify-budget.js';
import { describe, Failure, TooComplex } from './verify-result.js';

/** Candidate issuers considered per call. */
export const MAX_CANDIDATES = 256;

export interface SearchContext extends PathContext {
  readonly provider: CryptoProvider;
  readonly maxDepth: number;
  readonly anchors: readonly Node[];
  readonly intermediates: readonly Node[];
  readonly budget: VerifyBudget;
  candidates: number;
  depthExceeded: boolean;
  best: Failure | undefined;
  bestDepth: number;
}

/** Internal state of one search, built from the context on first use. */
interface Index {
  /** Subject name key → anchors / intermediates with that subject, in input order. */
  readonly anchorsBySubject: Map<string, Node[]>;
  readonly intermediatesBySubject: Map<string, Node[]>;
  /** Intermediate → fewest certificates from it to a trust anchor by names alone (anchor included); absent: unreachable. */
  readonly hops: Map<Node, number>;
  /** child → issuer SPKI (hex) → result: one verification per key, however many certificates carry it. */
  readonly sigCache: Map<Node, Map<string, true | Failure>>;
}

const indexes = new WeakMap<SearchContext, Index>();

function bySubject(nodes: readonly Node[]): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of nodes) {
    const list = m.get(n.cert.subject.key);
    if (list) list.push(n);
    else m.set(n.cert.subject.key, [n]);
  }
  return m;
}

/** RFC 5280 §4.2.1.1: the child names its issuer's key, and the candidate's identifier says it is another one. */
function keyIdContradicts(child: Certificate, cand: Certificate): boolean {
  const aki = child.authorityKeyId?.keyId;
  const ski = cand.subjectKeyId;
  return aki !== undefined && ski !== undefined && !bytesEqual(aki, ski);
}

function keyIdMatches(child: Certificate, cand: Certificate): boolean {
  const aki = child.authorityKeyId?.keyId;
  const ski = cand.subjectKeyId;
  return aki !== undefined && ski !== undefined && bytesEqual(aki, ski);
}

function index(ctx: SearchContext): Index {
  let ix = indexes.get(ctx);
  if (ix) return ix;
  const anchorsBySubject = bySubject(ctx.anchors);
  const intermediatesBySubject = bySubject(ctx.intermediates);
  // Breadth-first from the anchors over "could be issued by" edges (names and key identifiers only).
  const hops = new Map<Node, number>();
  let frontier: Node[] = [];
  for (const n of ctx.intermediates) {
    if ((anchorsBySubject.get(n.cert.issuer.key) ?? []).some((a) => !keyIdContradicts(n.cert, a.cert))) {
      hops.set(n, 2);
      frontier.push(n);
    }
  }
  while (frontier.length > 0) {
    const next: Node[] = [];
    for (const issuer of frontier) {
      const h = hops.get(issuer)! + 1;
      for (const n of ctx.intermediates) {
        if (hops.has(n) || n.cert.issuer.key !== issuer.cert.subject.key || keyIdContradicts(n.cert, issuer.cert)) continue;
        hops.set(n, h);
        next.push(n);
      }
    }
    frontier = next;
  }
  ix = { anchorsBySubject, intermediatesBySubject, hops, sigCache: new Map() };
  indexes.set(ctx, ix);
  return ix;
}

function candidatesFor(child: Certificate, pool: Map<string, Node[]>): Node[] {
  const same = pool.get(child.issuer.key) ?? [];
  const out: Node[] = [];
  for (const n of same) if (keyIdMatches(child, n.cert)) out.push(n);
  for (const n of same) if (!keyIdMatches(child, n.cert) && !keyIdContradicts(child, n.cert)) out.push(n);
  return out;
}

function onPath(path: Node[], cand: Node): boolean {
  return path.some(
    (p) => bytesEqual(p.cert.der, cand.cert.der) || (p.cert.subject.key === cand.cert.subject.key && bytesEqual(p.cert.spki, cand.cert.spki)),
  );
}

export function record(ctx: SearchContext, f: Failure, depth: number): void {
  // Keep the failure of the longest path tried: it is the most specific.
  if (depth > ctx.bestDepth) {
    ctx.best = f;
    ctx.bestDepth = depth;
  }
}

/** A path [leaf, …, anchor] from `path` onwards, or undefined when none is valid. */
export async function search(path: Node[], ctx: SearchContext): Promise<Node[] | undefined> {
  const ix = index(ctx);
  const child = path[path.length - 1]!;
  const tiers = [candidatesFor(child.cert, ix.anchorsBySubject), candidatesFor(child.cert, ix.intermediatesBySubject)];
  for (const list of tiers) {
    for (const cand of list) {
      if (++ctx.candidates > MAX_CANDIDATES) throw new TooComplex(`path building considered more than ${MAX_CANDIDATES} candidate issuers`);
      if (onPath(path, cand)) continue;
      if (!cand.anchor) {
        const hops = ix.hops.get(cand);
        // No anchor reachable from it at all: it cannot be on any path.
        if (hops === undefined) continue;
        if (path.length + hops > ctx.maxDepth) {
          ctx.depthExceeded = true;
          continue;
        }
        // Prune early: problems of the candidate itself that no path can fix, before paying for its signature.
        const own = checkIssuerAlone(cand.cert, ctx.now, ctx.usage);
        if (own) {
          record(ctx, own, path.length + 1);
          continue;
        }
      } else if (path.length + 1 > ctx.maxDepth) {
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
      const found = await search(next, ctx);
      if (found) return found;
    }
  }
  return undefined;
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
async function checkSignature(child: Node, issuer: Node, ctx: SearchContext): Promise<Failure | undefined> {
  const cache = index(ctx).sigCache;
  let byIssuer = cache.get(child);
  if (!byIssuer) cache.set(child, (byIssuer = new Map()));
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
export async function noteSelfSigned(anchor: Node, ctx: SearchContext): Promise<void> {
  const c = anchor.cert;
  if (c.selfIssued || c.authorityKeyId?.keyId || ctx.selfSigned.has(anchor)) return;
  ctx.selfSigned.set(anchor, (await checkSignature(anchor, anchor, ctx)) === undefined);
}

async function verifyOnce(child: Node, issuer: Node, ctx: SearchContext): Promise<Failure | undefined> {
  const alg = signatureAlgorithmOf(child.cert);
  if (alg instanceof Failure) return alg;
  const key = nodeKey(issuer);
  if (key instanceof Failure) return key;
  const mismatch = keyMismatch(alg, key);
  if (mismatch) return new Failure('bad-signature', `${describe(child.cert)}: ${mismatch}`);
  await ctx.budget.charge(signatureCost(key, child.cert.tbs.length), `verifying ${describe(child.cert)} with the key of ${describe(issuer.cert)}`);
  let ok: boolean;
  try {
    ok = await ctx.provider.verify(alg, key, child.cert.tbs, child.cert.signature);
  } catch (e) {
    return new Failure('bad-signature', `${describe(child.cert)}: signature could not be verified: ${(e as Error).message}`);
  }
  if (!ok) return new Failure('bad-signature', `${describe(child.cert)}: signature does not verify with the key of ${describe(issuer.cert)}`);
  return undefined;
}
