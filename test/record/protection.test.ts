import { describe, it, expect } from 'vitest';
import {
  ContentType,
  MessageReader,
  RecordReader,
  RecordWriter,
  recordHeader,
  type RecordProtection,
} from '../../src/record/index.js';
import { concatBytes, toHex } from '../../src/util/bytes.js';
import { expectAlert, IV, KEY2, protection, readAll, sealAll } from './helpers.js';

/** A protected record with an arbitrary TLSInnerPlaintext. */
function craft(prot: RecordProtection, inner: Uint8Array): Uint8Array {
  const header = recordHeader(23, inner.length + 16);
  return concatBytes(header, prot.key.seal(prot.nextNonce(), header, inner) as Uint8Array);
}

function reader(): RecordReader {
  const r = new RecordReader();
  r.setProtection(protection());
  return r;
}

describe('record protection (RFC 8446 §5.2–5.4)', () => {
  it('round-trips every content type with padding; the padding is stripped', async () => {
    const wire = sealAll(
      [
        [22, new Uint8Array([20, 0, 0, 1, 9])],
        [23, new Uint8Array([1, 2, 3])],
        [21, new Uint8Array([1, 0])],
      ],
      protection(),
      () => 7,
    );
    const r = reader();
    r.push(wire);
    const got = await readAll(r);
    expect(got.map((x) => [x.type, toHex(x.data), x.protected, x.wireLength])).toEqual([
      [22, '1400000109', true, 5 + 1 + 7 + 16],
      [23, '010203', true, 3 + 1 + 7 + 16],
      [21, '0100', true, 2 + 1 + 7 + 16],
    ]);
    // outer header: opaque_type application_data, legacy version 0x0303
    expect(toHex(wire.subarray(0, 3))).toBe('170303');
  });

  it('a wrong key, a flipped bit, a changed header → bad_record_mac', async () => {
    const wire = sealAll([[23, new Uint8Array(100)]], protection());
    const r1 = new RecordReader();
    r1.setProtection(protection(KEY2));
    r1.push(wire);
    await expectAlert(() => r1.read(), 'bad_record_mac');
    for (const pos of [2, 5, 50, wire.length - 1]) {
      const bad = wire.slice();
      bad[pos]! ^= 0x80;
      const r = reader();
      r.push(bad);
      await expectAlert(() => r.read(), 'bad_record_mac');
    }
    const tooShort = concatBytes(recordHeader(23, 15), new Uint8Array(15));
    const r = reader();
    r.push(tooShort);
    await expectAlert(() => r.read(), 'bad_record_mac');
  });

  it('an AEAD failure stops the reader: nothing after it is released', async () => {
    const p = protection();
    const good = sealAll([[23, new Uint8Array([1])], [23, new Uint8Array([2])], [23, new Uint8Array([3])]], p);
    const bad = good.slice();
    bad[5 + 18 + 5 + 3]! ^= 1; // inside the second record's ciphertext
    const r = reader();
    r.push(bad);
    expect((r.read() as { data: Uint8Array }).data[0]).toBe(1);
    await expectAlert(() => r.read(), 'bad_record_mac');
    await expectAlert(() => r.read(), 'bad_record_mac');
  });

  it('all-zero inner plaintext (no content type) → unexpected_message', async () => {
    const p = protection();
    const r = reader();
    r.push(craft(p, new Uint8Array(10)));
    await expectAlert(() => r.read(), 'unexpected_message', 'missing_inner_content_type');
  });

  it('inner plaintext over 2^14 + 1 → record_overflow; exactly 2^14 + 1 is fine', async () => {
    const p = protection();
    const okInner = new Uint8Array(16385).fill(1);
    okInner[16384] = 23;
    const r = reader();
    r.push(craft(p, okInner));
    expect((await readAll(r))[0]!.data.length).toBe(16384);
    // 2^14 + 2 bytes (content 2^14 + type + 1 zero of padding): still ≤ 2^14+256 on the wire
    const p2 = protection();
    const big = new Uint8Array(16386).fill(1);
    big[16384] = 23;
    big[16385] = 0;
    const r2 = reader();
    r2.push(craft(p2, big));
    await expectAlert(() => r2.read(), 'record_overflow');
  });

  it('protected change_cipher_spec or unknown inner type → unexpected_message', async () => {
    for (const t of [20, 24, 99]) {
      const p = protection();
      const r = reader();
      r.push(craft(p, new Uint8Array([1, t])));
      await expectAlert(() => r.read(), 'unexpected_message', 'bad_inner_content_type');
    }
  });

  it('zero-length protected handshake/alert → unexpected_message; zero-length application_data is allowed', async () => {
    for (const t of [21, 22]) {
      const p = protection();
      const r = reader();
      r.push(craft(p, new Uint8Array([t, 0, 0])));
      await expectAlert(() => r.read(), 'unexpected_message', 'empty_record');
    }
    const r = reader();
    r.push(sealAll([[23, new Uint8Array(0)]], protection()));
    const got = await readAll(r);
    expect(got.length).toBe(1);
    expect(got[0]!.data.length).toBe(0);
  });

  it('an unprotected handshake record once keys are on → unexpected_message', async () => {
    const r = reader();
    r.push(new Uint8Array([22, 3, 3, 0, 2, 1, 0]));
    await expectAlert(() => r.read(), 'unexpected_message');
  });

  it('an unprotected alert is read as such until the first record decrypts, then → unexpected_message', async () => {
    const r = reader();
    const p = protection();
    r.push(new Uint8Array([21, 3, 3, 0, 2, 2, 42]));
    const got = await readAll(r);
    expect(got.map((x) => [x.type, toHex(x.data), x.protected])).toEqual([[21, '022a', false]]);
    const r2 = reader();
    r2.push(sealAll([[23, new Uint8Array([1])]], p));
    r2.push(new Uint8Array([21, 3, 3, 0, 2, 2, 42]));
    expect((await r2.read())!.protected).toBe(true);
    await expectAlert(() => r2.read(), 'unexpected_message');
  });
});

describe('sequence numbers and nonces (RFC 8446 §5.3)', () => {
  it('nonce = iv XOR left-padded 64-bit sequence number', () => {
    const p = protection(undefined, { initialSequence: 0x0102030405060708n });
    const n = p.nextNonce();
    const expected = IV.slice();
    const seq = [1, 2, 3, 4, 5, 6, 7, 8];
    for (let i = 0; i < 8; i++) expected[4 + i]! ^= seq[i]!;
    expect(toHex(n)).toBe(toHex(expected));
    expect(p.sequenceNumber).toBe(0x0102030405060709n);
    const q = protection();
    expect(toHex(q.nextNonce())).toBe(toHex(IV));
    expect(q.recordCount).toBe(1);
  });

  it('carries across the 32-bit boundary', () => {
    const p = protection(undefined, { initialSequence: 0xffff_ffffn });
    p.nextNonce();
    expect(p.sequenceNumber).toBe(0x1_0000_0000n);
    expect(p.recordCount).toBe(2 ** 32);
    const n = p.nextNonce();
    expect(n[7]).toBe(IV[7]! ^ 1);
    expect(n[11]).toBe(IV[11]);
  });

  it('never wraps: the record with sequence 2^64-1 is the last, then sealing fails closed', async () => {
    const p = protection(undefined, { initialSequence: 0xffff_ffff_ffff_fffen });
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(p);
    w.write(ContentType.application_data, new Uint8Array([1]));
    w.write(ContentType.application_data, new Uint8Array([2]));
    expect(out.length).toBe(4);
    await expectAlert(() => w.write(ContentType.application_data, new Uint8Array([3])), 'internal_error', 'sequence_exhausted');
    expect(out.length).toBe(4);
    // the reader likewise
    const r = new RecordReader();
    r.setProtection(protection(undefined, { initialSequence: 0xffff_ffff_ffff_fffen }));
    r.push(concatBytes(...out));
    expect(await readAll(r)).toHaveLength(2);
    r.push(concatBytes(...out).subarray(0, 23));
    await expectAlert(() => r.read(), 'internal_error', 'sequence_exhausted');
  });

  it('counts sealed records for the KeyUpdate decision (RFC 8446 §5.5)', () => {
    const w = new RecordWriter({ emit: () => undefined });
    const p = protection();
    w.setProtection(p);
    w.write(ContentType.application_data, new Uint8Array(40000));
    expect(w.recordsSealed).toBe(3);
    expect(p.recordLimit).toBe(Math.floor(2 ** 24.5));
  });
});

describe('change_cipher_spec (RFC 8446 §5, §D.4)', () => {
  const CCS = new Uint8Array([20, 3, 3, 0, 1, 1]);

  it('dropped inside the window, also when keys are already on', async () => {
    let seen = 0;
    const r = new RecordReader({ onChangeCipherSpec: () => seen++ });
    r.allowChangeCipherSpec = true;
    r.push(concatBytes(CCS, new Uint8Array([22, 3, 3, 0, 1, 5])));
    expect((await readAll(r)).map((x) => x.type)).toEqual([22]);
    const r2 = reader();
    r2.allowChangeCipherSpec = true;
    r2.push(concatBytes(CCS, sealAll([[22, new Uint8Array([1, 2])]], protection())));
    expect((await readAll(r2)).map((x) => x.type)).toEqual([22]);
    expect(seen).toBe(1);
  });

  it('outside the window → unexpected_message', async () => {
    const r = new RecordReader();
    r.push(CCS);
    await expectAlert(() => r.read(), 'unexpected_message', 'unexpected_change_cipher_spec');
  });

  it('any body other than the single byte 0x01 → unexpected_message', async () => {
    for (const body of [[2], [1, 1], [0]]) {
      const r = new RecordReader();
      r.allowChangeCipherSpec = true;
      r.push(new Uint8Array([20, 3, 3, 0, body.length, ...body]));
      await expectAlert(() => r.read(), 'unexpected_message', 'bad_change_cipher_spec');
    }
    const r = new RecordReader();
    r.allowChangeCipherSpec = true;
    r.push(new Uint8Array([20, 3, 3, 0, 0]));
    await expectAlert(() => r.read(), 'unexpected_message');
  });

  it('an endless run of CCS records is refused', async () => {
    const r = new RecordReader();
    r.allowChangeCipherSpec = true;
    r.push(concatBytes(...Array.from({ length: 17 }, () => CCS)));
    await expectAlert(() => r.read(), 'unexpected_message', 'too_many_ccs');
  });

  it('the writer sends it unprotected even with a write key', () => {
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c) });
    w.setProtection(protection());
    w.writeChangeCipherSpec();
    expect(toHex(concatBytes(...out))).toBe('140303000101');
  });

  it('a CCS dropped between fragments of a handshake message is invisible ("simply drop it without further processing")', async () => {
    const m = new MessageReader();
    m.allowChangeCipherSpec = true;
    m.push(concatBytes(new Uint8Array([22, 3, 3, 0, 2, 1, 0]), CCS, new Uint8Array([22, 3, 3, 0, 2, 0, 0])));
    // the CCS is dropped by the record layer; the message still completes
    expect(m.next()).toMatchObject({ kind: 'handshake', type: 1 });
  });
});
