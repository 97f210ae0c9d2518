/**
 * RecordWriter's path for async AEADs that copy their input before
 * returning (`copiesInput`, as WebCrypto): in-order failure, the in-flight
 * window, padding, coalesced parts and a key change between writes, with
 * seals settled in the worst order.
 */
import { describe, it, expect } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { ContentType, RecordProtection, RecordReader, RecordWriter } from '../../src/record/index.js';
import { concatBytes, isPromise } from '../../src/util/bytes.js';
import { ControlledAeadKey, IV, KEY, KEY2, protection, pureKey, readAll, tick } from './helpers.js';

/** Copies nonce, aad and input at call time (ControlledAeadKey does) and says so. */
class CopyingKey extends ControlledAeadKey {
  readonly copiesInput = true;
  readonly inputs: Uint8Array[] = [];
  override seal(nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Promise<Uint8Array> {
    this.inputs.push(pt);
    return super.seal(nonce, aad, pt);
  }
}

function copying(key = KEY): { prot: RecordProtection; ctl: CopyingKey } {
  const ctl = new CopyingKey(pureKey(key));
  return { prot: new RecordProtection(ctl, IV, 'AES-128-GCM'), ctl };
}

async function settleUntil(ctl: ControlledAeadKey, done: () => boolean, maxOps?: number): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    if (maxOps !== undefined) expect(ctl.ops.length).toBeLessThanOrEqual(maxOps);
    ctl.settleAllReversed();
    await tick();
  }
  expect(done()).toBe(true);
}

async function opened(out: Uint8Array[], key = KEY): Promise<{ type: number; data: Uint8Array }[]> {
  const r = new RecordReader();
  r.setProtection(protection(key));
  r.push(concatBytes(...out));
  return await readAll(r);
}

describe('RecordWriter with an async AEAD that copies its input', () => {
  it('reuses one input buffer and emits records in order when seals settle newest first', async () => {
    const { prot, ctl } = copying();
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(prot);
    const data = new Uint8Array(6 * 16384 + 5).map((_, i) => (i >> 14) + 1);
    const p = w.write(ContentType.application_data, data);
    expect(isPromise(p)).toBe(true);
    expect(ctl.ops.length).toBe(7);
    await settleUntil(ctl, () => out.length === 14);
    await p;
    expect(new Set(ctl.inputs.map((x) => x.buffer)).size).toBe(1);
    const got = await opened(out);
    expect(got.map((x) => x.data.length)).toEqual([16384, 16384, 16384, 16384, 16384, 16384, 5]);
    expect(concatBytes(...got.map((x) => x.data))).toEqual(data);
  });

  it('a failed seal mid-batch: records before it are emitted, nothing after, the writer stays failed', async () => {
    const { prot, ctl } = copying();
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(prot);
    // The first seal proves the key async and copying; the rest take the copying path.
    const first = w.write(ContentType.application_data, new Uint8Array([1]));
    ctl.settleAllReversed();
    await first;
    const p = w.write(ContentType.application_data, new Uint8Array(5 * 16384));
    const later = w.write(ContentType.application_data, new Uint8Array([2]));
    const ops = ctl.ops.splice(0);
    expect(ops.length).toBe(6);
    ops[5]!.settle();
    ops[4]!.settle();
    ops[2]!.fail(new Error('boom'));
    ops[3]!.settle();
    ops[1]!.settle();
    ops[0]!.settle();
    await expect(p).rejects.toBeInstanceOf(TlsError);
    await expect(later).rejects.toBeInstanceOf(TlsError);
    expect(out.length).toBe(6); // the first write's record, then records 0 and 1 of the second
    expect(() => w.write(ContentType.application_data, new Uint8Array([3]))).toThrow(TlsError);
  });

  it('keeps at most maxInFlight seals outstanding across queued writes, with padding and coalesced parts', async () => {
    const { prot, ctl } = copying();
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c), maxInFlight: 3, padding: (_t, n) => (n < 100 ? 7 : 0) });
    w.setProtection(prot);
    const a = new Uint8Array(4 * 16384 + 10).map((_, i) => i & 0xff);
    const parts = [new Uint8Array(20).fill(1), new Uint8Array(16384).fill(2), new Uint8Array(30).fill(3)];
    const p = w.write(ContentType.application_data, a);
    const q = w.write(ContentType.handshake, parts);
    const r = w.write(ContentType.application_data, new Uint8Array([9]));
    let done = false;
    void Promise.all([p, q, r]).then(() => (done = true));
    await settleUntil(ctl, () => done, 3);
    const got = await opened(out);
    expect(got.map((x) => x.type)).toEqual([23, 23, 23, 23, 23, 22, 22, 23]);
    expect(concatBytes(...got.slice(0, 5).map((x) => x.data))).toEqual(a);
    expect(concatBytes(...got.slice(5, 7).map((x) => x.data))).toEqual(concatBytes(...parts));
    expect(got[7]!.data).toEqual(new Uint8Array([9]));
    // Padding applied to the short records only: 10 + 1 + 7 bytes of inner plaintext + 16 of tag.
    const lengths: number[] = [];
    const wire = concatBytes(...out);
    for (let off = 0; off < wire.length; off += 5 + ((wire[off + 3]! << 8) | wire[off + 4]!)) lengths.push((wire[off + 3]! << 8) | wire[off + 4]!);
    expect(lengths[4]).toBe(10 + 1 + 7 + 16);
    expect(lengths[0]).toBe(16384 + 1 + 16);
  });

  it('a key change right after a write applies to the next write only', async () => {
    const a = copying(KEY);
    const b = copying(KEY2);
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(a.prot);
    const p = w.write(ContentType.application_data, new Uint8Array(3 * 16384).fill(4));
    w.setProtection(b.prot);
    const q = w.write(ContentType.application_data, new Uint8Array(2 * 16384).fill(5));
    let done = false;
    void Promise.all([p, q]).then(() => (done = true));
    for (let i = 0; i < 50 && !done; i++) {
      b.ctl.settleAllReversed();
      a.ctl.settleAllReversed();
      await tick();
    }
    expect(done).toBe(true);
    expect(a.ctl.inputs.length).toBe(3);
    expect(b.ctl.inputs.length).toBe(2);
    // First three records under KEY, the last two under KEY2 (each with its own sequence from 0).
    const wire = concatBytes(...out);
    let off = 0;
    const recs: Uint8Array[] = [];
    while (off < wire.length) {
      const len = (wire[off + 3]! << 8) | wire[off + 4]!;
      recs.push(wire.subarray(off, off + 5 + len));
      off += 5 + len;
    }
    expect(recs.length).toBe(5);
    const first = await opened(recs.slice(0, 3), KEY);
    const second = await opened(recs.slice(3), KEY2);
    expect(first.every((x) => x.data.length === 16384 && x.data.every((v) => v === 4))).toBe(true);
    expect(second.every((x) => x.data.length === 16384 && x.data.every((v) => v === 5))).toBe(true);
  });
});
