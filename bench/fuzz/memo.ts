/**
 * Speed for a million inputs: the fuzzer replays the same few flights with
 * the same fixed randomness, so most public-key operations repeat exactly
 * (the same key share generated, the same ECDH, the same CertificateVerify
 * signed and verified). This wraps the pure provider and memoizes those
 * operations by their complete inputs (including the random bytes they
 * would draw), so each distinct operation is computed once. The results are
 * the pure provider's own, byte for byte, so the code under test (parsers,
 * state machines, record layer, key schedule, AEAD, hashing) sees exactly
 * what it would see unmemoized; a mutated share or signature is a new input
 * and is computed for real. The crypto primitives themselves are tested
 * elsewhere (Wycheproof, RFC vectors).
 */
import { createHash } from 'node:crypto';
import type { ClientKeyShare, CryptoProvider, KeyExchangeGroup, NamedGroupName, PrivateKey, PublicKey, RandomSource, SignatureAlgorithm } from '../../src/crypto/provider.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { concatBytes, toHex } from '../../src/util/bytes.js';
import type { Flight } from './flights.js';
import type { PeekableRandom } from './random.js';

const MAX_ENTRIES = 20_000;

/**
 * A bounded map keyed by the SHA-256 of the key text (the keys spell out
 * whole key shares and messages in hex: kilobytes each), so that the
 * fuzzer's own memory stays small next to what it measures.
 */
class Memo<V> {
  private m = new Map<string, V>();
  private static id(k: string): string { return createHash('sha256').update(k).digest('base64'); }
  get(k: string): V | undefined { return this.m.get(Memo.id(k)); }
  set(k: string, v: V): void {
    if (this.m.size >= MAX_ENTRIES) this.m.clear(); // bounded: the fuzzer must not grow without limit itself
    this.m.set(Memo.id(k), v);
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

function settle<T>(f: () => T): Outcome<T> {
  try { return { ok: true, value: f() }; } catch (error) { return { ok: false, error }; }
}
function unwrap<T>(o: Outcome<T>): T {
  if (!o.ok) throw o.error;
  return o.value;
}

const copy = (b: Uint8Array): Uint8Array => b.slice();

function memoGroup(g: KeyExchangeGroup): KeyExchangeGroup {
  // How many random bytes generate()/respond() draw: learnt on the first call.
  let genBytes: number | undefined;
  let respBytes: number | undefined;
  const shares = new Memo<{ drawn: Uint8Array; publicKey: Uint8Array }>();
  const completes = new Memo<Outcome<Uint8Array>>();
  const responses = new Memo<Outcome<{ publicKey: Uint8Array; sharedSecret: Uint8Array }>>();
  // Log a copy: a group may wipe the random bytes it drew once used (the hybrids wipe the ML-KEM seed and message).
  const counting = (random: RandomSource, log: Uint8Array[]): RandomSource => (n) => { const b = random(n); log.push(b.slice()); return b; };
  const replay = (bytes: Uint8Array): RandomSource => { let o = 0; return (n) => { const b = bytes.slice(o, o + n); o += n; return b; }; };

  const shareFor = (drawn: Uint8Array, publicKey: Uint8Array): ClientKeyShare => ({
    publicKey: copy(publicKey),
    complete: (serverShare) => {
      const k = `${toHex(drawn)}:${toHex(serverShare)}`;
      let o = completes.get(k);
      if (!o) {
        const real = g.generate(replay(drawn)) as ClientKeyShare;
        o = settle(() => real.complete(serverShare) as Uint8Array);
        completes.set(k, o);
      }
      return copy(unwrap(o));
    },
  });

  return {
    name: g.name,
    codepoint: g.codepoint,
    generate(random?: RandomSource): ClientKeyShare {
      const r = random as PeekableRandom | undefined;
      if (r?.peek && genBytes !== undefined) {
        const k = toHex(r.peek(genBytes));
        const hit = shares.get(k);
        if (hit) { r(genBytes); return shareFor(hit.drawn, hit.publicKey); }
      }
      if (!r) return g.generate() as ClientKeyShare;
      const log: Uint8Array[] = [];
      const real = g.generate(counting(r, log)) as ClientKeyShare;
      const drawn = concatBytes(...log);
      genBytes = drawn.length;
      shares.set(toHex(drawn), { drawn, publicKey: copy(real.publicKey) });
      return shareFor(drawn, real.publicKey);
    },
    respond(clientShare: Uint8Array, random?: RandomSource) {
      const r = random as PeekableRandom | undefined;
      if (!r?.peek) return g.respond(clientShare, random);
      if (respBytes !== undefined) {
        const k = `${toHex(r.peek(respBytes))}:${toHex(clientShare)}`;
        const hit = responses.get(k);
        if (hit) {
          r(respBytes);
          const v = unwrap(hit);
          return { publicKey: copy(v.publicKey), sharedSecret: copy(v.sharedSecret) };
        }
      }
      const log: Uint8Array[] = [];
      const o = settle(() => g.respond(clientShare, counting(r, log)) as { publicKey: Uint8Array; sharedSecret: Uint8Array });
      const drawn = concatBytes(...log);
      // An invalid share may throw before drawing: only a full draw fixes the count.
      if (o.ok) respBytes = drawn.length;
      if (respBytes !== undefined && drawn.length === respBytes) {
        responses.set(`${toHex(drawn)}:${toHex(clientShare)}`, o.ok ? { ok: true, value: { publicKey: copy(o.value.publicKey), sharedSecret: copy(o.value.sharedSecret) } } : o);
      }
      const v = unwrap(o);
      return { publicKey: copy(v.publicKey), sharedSecret: copy(v.sharedSecret) };
    },
  };
}

function keyId(k: PublicKey | PrivateKey): string {
  switch (k.type) {
    case 'ec': return `ec:${k.curve}:${toHex(k.point)}`;
    case 'ed25519': return `ed:${toHex(k.key)}`;
    case 'ed448': return `ed448:${toHex(k.key)}`;
    case 'mldsa': return `mldsa${k.level}:${toHex(k.key)}`;
    case 'rsa': return `rsa:${k.n.toString(16)}:${k.e.toString(16)}:${'pssOnly' in k && k.pssOnly ? 1 : 0}`;
  }
}

/** The pure provider with public-key operations memoized (see the file comment). */
export function memoizedPureProvider(): CryptoProvider {
  const groups = new Map<NamedGroupName, KeyExchangeGroup | undefined>();
  const verifies = new Memo<Outcome<boolean>>();
  const signs = new Memo<Outcome<Uint8Array>>();
  return {
    ...pureProvider,
    name: 'pure (memoized public-key operations, fuzzing only)',
    group(name) {
      if (!groups.has(name)) {
        const g = pureProvider.group(name);
        groups.set(name, g && memoGroup(g));
      }
      return groups.get(name);
    },
    verify(alg: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array) {
      const k = `${JSON.stringify(alg)}|${keyId(key)}|${toHex(message)}|${toHex(signature)}`;
      let o = verifies.get(k);
      if (!o) { o = settle(() => pureProvider.verify(alg, key, message, signature) as boolean); verifies.set(k, o); }
      return unwrap(o);
    },
    sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random?: RandomSource) {
      // Only deterministic signatures (ECDSA per RFC 6979, Ed25519) are memoized.
      if (alg.kind !== 'ecdsa' && alg.kind !== 'ed25519') return pureProvider.sign(alg, key, message, random);
      const k = `${JSON.stringify(alg)}|${keyId(key)}|${toHex(message)}`;
      let o = signs.get(k);
      if (!o) { o = settle(() => pureProvider.sign(alg, key, message) as Uint8Array); signs.set(k, o); }
      return copy(unwrap(o));
    },
  };
}

/** The same flights, their scenarios now using one shared memoized provider. */
export function memoizeFlights(flights: readonly Flight[]): Flight[] {
  const provider = memoizedPureProvider();
  return flights.map((f) => ({
    ...f,
    scenario: {
      name: f.scenario.name,
      client: () => ({ ...f.scenario.client(), provider }),
      server: () => ({ ...f.scenario.server(), provider }),
    },
  }));
}
