/** Shared helpers for the record-layer unit tests. */
import type { AeadKey } from '../../src/crypto/provider.js';
import { pureAead } from '../../src/crypto/pure/aead.js';
import { TlsError } from '../../src/errors.js';
import { RecordProtection, RecordReader, RecordWriter, type InboundRecord } from '../../src/record/index.js';
import { concatBytes, isPromise, type MaybePromise } from '../../src/util/bytes.js';

export const KEY = new Uint8Array(16).map((_, i) => i + 1);
export const IV = new Uint8Array(12).map((_, i) => 0xa0 + i);
export const KEY2 = new Uint8Array(16).map((_, i) => 0x40 + i);

export function pureKey(key = KEY): AeadKey {
  return pureAead('AES-128-GCM').importKey(key) as AeadKey;
}

export function protection(key = KEY, options?: { initialSequence?: bigint }): RecordProtection {
  return new RecordProtection(pureKey(key), IV, 'AES-128-GCM', options);
}

/** Seal records with a writer and return the wire bytes. */
export function sealAll(
  writes: [type: number, data: Uint8Array | Uint8Array[]][],
  prot: RecordProtection | undefined,
  padding?: () => number,
): Uint8Array {
  const out: Uint8Array[] = [];
  const w = new RecordWriter({ emit: (c) => out.push(...c), ...(padding ? { padding } : {}) });
  w.setProtection(prot);
  for (const [t, d] of writes) {
    const r = w.write(t as 22, d);
    if (isPromise(r)) throw new Error('expected sync');
  }
  return concatBytes(...out);
}

/** Read everything currently available; sync or async. */
export async function readAll(r: RecordReader): Promise<InboundRecord[]> {
  const out: InboundRecord[] = [];
  for (;;) {
    let x: MaybePromise<InboundRecord | undefined> = r.read();
    if (isPromise(x)) x = await x;
    if (!x) return out;
    out.push(x);
  }
}

/** Expect a TlsError with the given alert from a sync or async call. */
export async function expectAlert(fn: () => unknown, alert: string, code?: string): Promise<TlsError> {
  let err: unknown;
  try {
    const r = fn();
    if (isPromise(r as MaybePromise<unknown>)) await r;
  } catch (e) {
    err = e;
  }
  if (!(err instanceof TlsError)) throw new Error(`expected TlsError(${alert}), got ${String(err)}`);
  if (err.alert !== alert) throw new Error(`expected alert ${alert}, got ${err.alert}: ${err.message}`);
  if (code !== undefined && err.code !== code) throw new Error(`expected code ${code}, got ${err.code}`);
  return err;
}

/**
 * An asynchronous AEAD key whose operations complete only when the test
 * says so, in any order it chooses: no timers decide anything.
 */
export class ControlledAeadKey implements AeadKey {
  readonly ops: { kind: 'seal' | 'open'; settle: () => void; fail: (e: unknown) => void; forceNull: () => void }[] = [];
  /** `lazy`: read the plaintext only when the op settles (a provider may keep its input until then). */
  constructor(private readonly inner: AeadKey, private readonly lazy = false) {}

  seal(nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Promise<Uint8Array> {
    const n = nonce.slice(), a = aad.slice(), p = this.lazy ? pt : pt.slice();
    return new Promise((resolve, reject) => {
      this.ops.push({
        kind: 'seal',
        settle: () => resolve(this.inner.seal(n, a, p) as Uint8Array),
        fail: reject,
        forceNull: () => reject(new Error('seal failed')),
      });
    });
  }

  open(nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array): Promise<Uint8Array | null> {
    const n = nonce.slice(), a = aad.slice(), c = ct.slice();
    return new Promise((resolve, reject) => {
      this.ops.push({
        kind: 'open',
        settle: () => resolve(this.inner.open(n, a, c) as Uint8Array | null),
        fail: reject,
        forceNull: () => resolve(null),
      });
    });
  }

  /** Settle every pending op, newest first (the worst order for in-order delivery). */
  settleAllReversed(): void {
    const ops = this.ops.splice(0);
    for (let i = ops.length - 1; i >= 0; i--) ops[i]!.settle();
  }
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
