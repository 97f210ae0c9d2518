/**
 * Pipelining with an asynchronous AEAD whose operations complete in an
 * order the test chooses (ControlledAeadKey): delivery stays in order, a
 * failure in the middle of a batch releases nothing after it, and a key
 * change discards speculative work.
 */
import { describe, it, expect } from 'vitest';
import { TlsError } from '../../src/errors.js';
import { ContentType, RecordProtection, RecordReader, RecordWriter, MessageReader } from '../../src/record/index.js';
import { concatBytes, isPromise } from '../../src/util/bytes.js';
import { ControlledAeadKey, expectAlert, IV, KEY, KEY2, protection, pureKey, readAll, sealAll, tick } from './helpers.js';

function controlled(key = KEY): { prot: RecordProtection; ctl: ControlledAeadKey } {
  const ctl = new ControlledAeadKey(pureKey(key));
  return { prot: new RecordProtection(ctl, IV, 'AES-128-GCM'), ctl };
}

const records = (n: number, key = KEY): Uint8Array =>
  sealAll(Array.from({ length: n }, (_, i) => [23, new Uint8Array(100).fill(i)] as [number, Uint8Array]), protection(key));

describe('RecordReader with an async AEAD', () => {
  it('opens queued records concurrently and delivers them in order', async () => {
    const { prot, ctl } = controlled();
    const r = new RecordReader();
    r.setProtection(prot);
    r.push(records(6));
    const first = r.read();
    expect(isPromise(first)).toBe(true);
    expect(ctl.ops.length).toBe(6); // all in flight at once
    ctl.settleAllReversed();
    const got = [await first, ...(await readAll(r))];
    expect(got.map((x) => x!.data[0])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('respects maxInFlight', async () => {
    const { prot, ctl } = controlled();
    const r = new RecordReader({ maxInFlight: 2 });
    r.setProtection(prot);
    r.push(records(5));
    const p = r.read();
    expect(ctl.ops.length).toBe(2);
    ctl.settleAllReversed();
    await p;
    const rest = readAll(r);
    for (let i = 0; i < 10 && ctl.ops.length + 1; i++) {
      ctl.settleAllReversed();
      await tick();
    }
    expect((await rest).length).toBe(4);
  });

  it('an AEAD failure in the middle of a batch: earlier records out, nothing after, bad_record_mac', async () => {
    const { prot, ctl } = controlled();
    const r = new RecordReader();
    r.setProtection(prot);
    r.push(records(6));
    const first = r.read();
    const ops = ctl.ops.splice(0);
    for (let i = ops.length - 1; i >= 0; i--) (i === 3 ? ops[i]!.forceNull : ops[i]!.settle)();
    const got: number[] = [(await first)!.data[0]!];
    let err: unknown;
    try {
      for (;;) {
        const x = await r.read();
        if (!x) break;
        got.push(x.data[0]!);
      }
    } catch (e) {
      err = e;
    }
    expect(got).toEqual([0, 1, 2]);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).alert).toBe('bad_record_mac');
    await expectAlert(() => r.read(), 'bad_record_mac');
  });

  it('a rejected AEAD promise fails the reader in order', async () => {
    const { prot, ctl } = controlled();
    const r = new RecordReader();
    r.setProtection(prot);
    r.push(records(3));
    const first = r.read();
    const ops = ctl.ops.splice(0);
    ops[1]!.fail(new Error('device lost'));
    ops[0]!.settle();
    ops[2]!.settle();
    expect((await first)!.data[0]).toBe(0);
    await expectAlert(() => r.read(), 'internal_error');
  });

  it('a key change discards speculative results and reopens later records with the new key', async () => {
    const a = controlled(KEY);
    const b = controlled(KEY2);
    const wire = concatBytes(
      sealAll([[22, new Uint8Array([24, 0, 0, 1, 0])]], protection(KEY)), // KeyUpdate under A
      sealAll([[23, new Uint8Array([5])], [23, new Uint8Array([6])]], protection(KEY2)), // then B, seq 0, 1
    );
    const m = new MessageReader();
    m.setProtection(a.prot);
    m.push(wire);
    const p = m.next();
    expect(a.ctl.ops.length).toBe(3); // speculated all three under A
    a.ctl.settleAllReversed(); // records 2 and 3 fail under A: must not matter
    expect(await p).toMatchObject({ kind: 'handshake', type: 24 });
    m.setProtection(b.prot);
    const q = m.next();
    expect(b.ctl.ops.length).toBe(2);
    b.ctl.settleAllReversed();
    expect(await q).toMatchObject({ kind: 'application_data' });
    expect((await m.next()) as unknown).toMatchObject({ kind: 'application_data' });
  });

  it('refuses a second read() while one is pending', async () => {
    const { prot, ctl } = controlled();
    const r = new RecordReader();
    r.setProtection(prot);
    r.push(records(2));
    const p = r.read();
    await expectAlert(() => r.read(), 'internal_error');
    ctl.settleAllReversed();
    await p;
  });
});

describe('RecordWriter with an async AEAD', () => {
  it('seals many records concurrently and emits them in order', async () => {
    const { prot, ctl } = controlled();
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(prot);
    const data = new Uint8Array(5 * 16384).map((_, i) => i >> 14);
    const p = w.write(ContentType.application_data, data);
    expect(isPromise(p)).toBe(true);
    expect(ctl.ops.length).toBe(5);
    const second = w.write(ContentType.application_data, new Uint8Array([9]));
    expect(ctl.ops.length).toBe(6);
    ctl.settleAllReversed();
    await p;
    await second;
    const r = new RecordReader();
    r.setProtection(protection());
    r.push(concatBytes(...out));
    expect((await readAll(r)).map((x) => x.data[0])).toEqual([0, 1, 2, 3, 4, 9]);
  });

  it('reuses input buffers only after their seal completed (provider reading its input late)', async () => {
    const ctl = new ControlledAeadKey(pureKey(), true);
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(new RecordProtection(ctl, IV, 'AES-128-GCM'));
    const expected: number[] = [];
    for (let round = 0; round < 3; round++) {
      const p = w.write(ContentType.application_data, new Uint8Array(4 * 16384).map((_, i) => round * 10 + (i >> 14)));
      // a second write queued while the first is in flight must not reuse its buffers
      const q = w.write(ContentType.application_data, new Uint8Array(16384).fill(round * 10 + 9));
      expected.push(round * 10, round * 10 + 1, round * 10 + 2, round * 10 + 3, round * 10 + 9);
      ctl.settleAllReversed();
      await p;
      await q;
    }
    const r = new RecordReader();
    r.setProtection(protection());
    r.push(concatBytes(...out));
    const got = await readAll(r);
    expect(got.map((x) => x.data[0])).toEqual(expected);
    expect(got.every((x) => x.data.every((b) => b === x.data[0]))).toBe(true);
  });

  it('with maxInFlight 2 still seals everything in order', async () => {
    const { prot, ctl } = controlled();
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c), maxInFlight: 2 });
    w.setProtection(prot);
    const p = w.write(ContentType.application_data, new Uint8Array(6 * 16384).map((_, i) => i >> 14));
    const q = w.write(ContentType.application_data, new Uint8Array([7]));
    let done = false;
    void Promise.all([p, q]).then(() => (done = true));
    for (let i = 0; i < 50 && !done; i++) {
      expect(ctl.ops.length).toBeLessThanOrEqual(2);
      ctl.settleAllReversed();
      await tick();
    }
    expect(done).toBe(true);
    const r = new RecordReader();
    r.setProtection(protection());
    r.push(concatBytes(...out));
    expect((await readAll(r)).map((x) => x.data[0])).toEqual([0, 1, 2, 3, 4, 5, 7]);
  });

  it('a failed seal mid-batch: records before it are emitted, nothing after, and the writer stays failed', async () => {
    const { prot, ctl } = controlled();
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(prot);
    const p = w.write(ContentType.application_data, new Uint8Array(5 * 16384));
    const ops = ctl.ops.splice(0);
    ops[4]!.settle();
    ops[2]!.fail(new Error('boom'));
    ops[3]!.settle();
    ops[1]!.settle();
    ops[0]!.settle();
    await expect(p).rejects.toBeInstanceOf(TlsError);
    expect(out.length).toBe(4); // records 0 and 1 (header + body each)
    await expectAlert(() => w.write(ContentType.application_data, new Uint8Array([1])), 'internal_error');
  });
});

describe('skipping rejected 0-RTT data (RFC 8446 §4.2.10)', () => {
  it('drops records that fail under the handshake key, without consuming its sequence numbers', async () => {
    const r = new RecordReader();
    r.setProtection(protection(KEY2));
    r.skipEarlyData(1000);
    r.push(concatBytes(records(2, KEY), sealAll([[22, new Uint8Array([20, 0, 0, 0])], [22, new Uint8Array([20, 0, 0, 0])]], protection(KEY2))));
    const got = await readAll(r);
    expect(got.map((x) => x.type)).toEqual([22, 22]);
  });

  it('with no key (after HelloRetryRequest) skips application_data records, then reads the second ClientHello', async () => {
    const r = new RecordReader();
    r.skipEarlyData(1000);
    r.push(concatBytes(records(3, KEY), new Uint8Array([22, 3, 3, 0, 4, 1, 0, 0, 0])));
    expect((await readAll(r)).map((x) => x.type)).toEqual([22]);
  });

  it('over the budget under the handshake key → bad_record_mac (the record is no longer discarded)', async () => {
    const r = new RecordReader();
    r.setProtection(protection(KEY2));
    r.skipEarlyData(150);
    r.push(records(2, KEY));
    await expectAlert(() => readAll(r), 'bad_record_mac', 'too_much_early_data');
  });

  it('over the budget with no key (after HelloRetryRequest) → unexpected_message', async () => {
    const r = new RecordReader();
    r.skipEarlyData(150);
    r.push(records(2, KEY));
    await expectAlert(() => readAll(r), 'unexpected_message', 'too_much_early_data');
  });
});
