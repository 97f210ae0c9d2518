/**
 * The work budget of one path validation. A peer chooses the certificates,
 * so it chooses how much work path building does; what bounds that work is
 * the cost of the signature checks, not their number: one ECDSA P-521
 * verification costs several P-256 ones, an RSA-8192 one several RSA-2048.
 *
 * Costs are in units of one ECDSA P-256 verification. They were measured
 * with each provider (pure, node:crypto, WebCrypto) as a fraction of an
 * ordinary full handshake with that provider, and each algorithm gets the
 * largest such fraction (so the budget holds for every provider), relative
 * to P-256 with the pure provider, where one P-256 verification with a key
 * it has not seen before is about a third of a handshake:
 *
 *   P-256 1, P-384 3, P-521 5, Ed25519 1, Ed448 5,
 *   ML-DSA-44 2, ML-DSA-65 3, ML-DSA-87 5,
 *   RSA: 1.5 × (modulus bits / 8192)² × (modular multiplications for e / 17),
 *        e.g. 1.5 for RSA-8192 with e = 65537;
 *   plus hashing the signed data: 1 per 64 KiB of tbsCertificate;
 *   every check at least 1 (with WebCrypto each verification first imports
 *   the key, which costs about as much as a P-256 verification whatever the
 *   algorithm), rounded up to 1/64 unit.
 *
 * Ed448 and ML-DSA were measured with bench/signature-costs.ts (three runs
 * on a shared 2-core machine; P-521, for scale, came out at 5.6, 4.0 and
 * 3.5 units there). Ed448 is dearest with WebCrypto, which lacks it and
 * verifies with the pure code (5.5, 2.0, 3.5 units: about one P-521
 * verification; node:crypto's native Ed448 is 0.3); ML-DSA is pure with
 * every provider and dearest with node:crypto or WebCrypto, whose
 * handshakes are the fastest (ML-DSA-44 1.8, 1.2, 1.4; -65 4.1, 2.6, 2.2;
 * -87 6.5, 3.7, 3.6: about one P-521 verification). A leaf and an
 * intermediate of any one of them (two checks) fit the default budget.
 *
 * The costs are the same whatever the provider, so whether a chain validates
 * never depends on the provider. A validation may spend DEFAULT_VERIFY_BUDGET
 * units; past it the search ends with `too-complex`. Results are cached
 * within one validation (one check per child and issuer key), and after
 * every PAUSE_EVERY units the search yields to the event loop, so other
 * connections progress while a hostile chain is being refused.
 */
import type { PublicKey } from '../crypto/provider.js';
import { TooComplex } from './verify-result.js';

/** Work units one validation may spend on signature checks (see the table above). */
export const DEFAULT_VERIFY_BUDGET = 12;
/** Signature checks per validation, whatever their cost (rustls-webpki and Go use 100). */
export const MAX_SIGNATURE_CHECKS = 100;
/** Units of signature checking between two yields to the event loop. */
export const PAUSE_EVERY = 2;

const EC_COST = { 'P-256': 1, 'P-384': 3, 'P-521': 5 } as const;
const ED448_COST = 5;
const MLDSA_COST = { 44: 2, 65: 3, 87: 5 } as const;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

function popCount(n: bigint): number {
  let c = 0;
  for (const ch of n.toString(2)) if (ch === '1') c++;
  return c;
}

function keyCost(key: PublicKey): number {
  switch (key.type) {
    case 'ec':
      return EC_COST[key.curve];
    case 'ed25519':
      return 1;
    case 'ed448':
      return ED448_COST;
    case 'mldsa':
      return MLDSA_COST[key.level];
    case 'rsa': {
      const bits = bitLength(key.n);
      // Square-and-multiply: one squaring per exponent bit after the first, one multiplication per further set bit.
      const mults = Math.max(1, bitLength(key.e) - 1 + popCount(key.e) - 1);
      return 1.5 * (bits / 8192) ** 2 * (mults / 17);
    }
  }
}

/** The cost of verifying, with `key`, a signature over `signedBytes` bytes, in P-256 verifications. */
export function signatureCost(key: PublicKey, signedBytes: number): number {
  // Rounded up to 1/64 unit: sums of costs stay exact in binary floating point.
  return Math.ceil(Math.max(1, keyCost(key) + signedBytes / 65536) * 64) / 64;
}

type Immediate = (fn: () => void) => unknown;

/**
 * One macrotask: every other ready task (I/O, timers, other connections)
 * runs first. setImmediate where the runtime has it (Node, Bun: after the
 * I/O poll, without the 1 ms clamp of a timer), else a zero-delay timer.
 */
export function defaultPause(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(() => resolve()) : setTimeout(resolve, 0)));
}

export class VerifyBudget {
  /** Units spent so far. */
  spent = 0;
  /** Signature verifications performed. */
  checks = 0;
  private sincePause = 0;

  constructor(
    readonly limit: number,
    private readonly pause: () => Promise<void>,
  ) {}

  /**
   * Account for one signature verification costing `cost` units, before it
   * is made: past the budget the whole search ends (too-complex). Yields to
   * the event loop first when PAUSE_EVERY units were spent since the last
   * yield, so an ordinary chain (a unit or two) never waits.
   */
  async charge(cost: number, what: string): Promise<void> {
    if (this.checks + 1 > MAX_SIGNATURE_CHECKS) throw new TooComplex(`path building needed more than ${MAX_SIGNATURE_CHECKS} signature checks`);
    if (this.spent + cost > this.limit) {
      throw new TooComplex(`path building would spend more than its budget of ${this.limit} units on signature checks (${this.spent} spent; ${what} costs ${cost})`);
    }
    if (this.sincePause >= PAUSE_EVERY) {
      this.sincePause = 0;
      await this.pause();
    }
    this.checks++;
    this.spent += cost;
    this.sincePause += cost;
  }
}
