import { describe, it, expect } from 'vitest';
import { HandshakeReassembler, MessageReader, type InboundMessage } from '../../src/record/index.js';
import { concatBytes, isPromise, toHex } from '../../src/util/bytes.js';
import { expectAlert, KEY2, protection, sealAll } from './helpers.js';

function hsMsg(type: number, len: number, fill = 0xaa): Uint8Array {
  const m = new Uint8Array(4 + len).fill(fill);
  m[0] = type;
  m[1] = len >>> 16;
  m[2] = (len >>> 8) & 0xff;
  m[3] = len & 0xff;
  return m;
}

function plainRecord(type: number, body: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([type, 3, 3, body.length >> 8, body.length & 0xff]), body);
}

async function drain(m: MessageReader): Promise<InboundMessage[]> {
  const out: InboundMessage[] = [];
  for (;;) {
    let x = m.next();
    if (isPromise(x)) x = await x;
    if (!x) return out;
    out.push(x);
  }
}

describe('handshake reassembly (RFC 8446 §5.1)', () => {
  it('joins a message fragmented across records, even 1-byte records', async () => {
    const msg = hsMsg(11, 40000);
    for (const size of [1, 7, 16384]) {
      const m = new MessageReader();
      const recs: Uint8Array[] = [];
      for (let i = 0; i < msg.length; i += size) recs.push(plainRecord(22, msg.subarray(i, i + size)));
      m.push(concatBytes(...recs));
      const got = await drain(m);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ kind: 'handshake', type: 11 });
      expect(toHex((got[0] as { raw: Uint8Array }).raw)).toBe(toHex(msg));
    }
  });

  it('splits several messages coalesced in one record (as views)', async () => {
    const rec = plainRecord(22, concatBytes(hsMsg(8, 3), hsMsg(11, 0), hsMsg(15, 5), hsMsg(20, 32)));
    const m = new MessageReader();
    m.push(rec);
    const got = await drain(m);
    expect(got.map((x) => (x.kind === 'handshake' ? [x.type, x.body.length] : x.kind))).toEqual([
      [8, 3],
      [11, 0],
      [15, 5],
      [20, 32],
    ]);
    expect((got[0] as { raw: Uint8Array }).raw.buffer).toBe(rec.buffer);
  });

  it('rejects a message declared larger than the limit as soon as its header arrives (decode_error)', async () => {
    const r = new HandshakeReassembler(1000);
    await expectAlert(() => r.add(new Uint8Array([11, 0, 3, 0xe9])), 'decode_error', 'handshake_message_too_large');
    const r2 = new HandshakeReassembler(1000);
    r2.add(new Uint8Array([11, 0, 3]));
    await expectAlert(() => r2.add(new Uint8Array([0xe9])), 'decode_error');
    const m = new MessageReader(); // default 64 KiB
    m.push(plainRecord(22, new Uint8Array([11, 0x01, 0x00, 0x01])));
    await expectAlert(() => m.next(), 'decode_error');
    const ok = new HandshakeReassembler(1000);
    ok.add(hsMsg(11, 1000));
    expect(ok.next()!.body.length).toBe(1000);
  });

  it('Finished, KeyUpdate and EndOfEarlyData longer than their grammar allows → decode_error at the header, under any size limit (tlsfuzzer test-tls13-finished "padding ... pad_right 131072")', async () => {
    for (const [type, bound] of [[20, 64], [24, 1], [5, 0]] as const) {
      const r = new HandshakeReassembler(1 << 20);
      await expectAlert(() => r.add(new Uint8Array([type, 0, 0, bound + 1])), 'decode_error', 'handshake_message_length');
      const r2 = new HandshakeReassembler(1 << 20);
      await expectAlert(() => r2.add(new Uint8Array([type, 0x02, 0x00, 0x20])), 'decode_error', 'handshake_message_length');
      const ok = new HandshakeReassembler(1 << 20);
      ok.add(hsMsg(type, bound));
      expect(ok.next()!.body.length).toBe(bound);
    }
  });

  it('a key change with a partial message buffered → unexpected_message', async () => {
    const m = new MessageReader();
    m.push(plainRecord(22, hsMsg(2, 10).subarray(0, 8)));
    expect(m.next()).toBeUndefined();
    await expectAlert(() => m.setProtection(protection()), 'unexpected_message', 'handshake_spans_key_change');
  });

  it('a key change when the record holds more after the triggering message → unexpected_message', async () => {
    const m = new MessageReader();
    m.push(plainRecord(22, concatBytes(hsMsg(2, 10), hsMsg(8, 2))));
    expect(m.next()).toMatchObject({ type: 2 });
    await expectAlert(() => m.setProtection(protection()), 'unexpected_message');
  });

  it('a key change at a record boundary is fine', async () => {
    const p = protection();
    const m = new MessageReader();
    m.push(concatBytes(plainRecord(22, hsMsg(2, 10)), sealAll([[22, hsMsg(8, 2)]], p)));
    expect(m.next()).toMatchObject({ type: 2, protected: false });
    m.setProtection(protection());
    expect(m.next()).toMatchObject({ type: 8, protected: true });
  });

  it('an alert or application data inside a fragmented message → unexpected_message', async () => {
    const half = hsMsg(11, 10);
    const m = new MessageReader();
    m.push(concatBytes(plainRecord(22, half.subarray(0, 5)), plainRecord(21, new Uint8Array([2, 40]))));
    await expectAlert(() => m.next(), 'unexpected_message', 'interleaved_handshake');
    const p = protection();
    const m2 = new MessageReader();
    m2.setProtection(protection());
    m2.push(sealAll([[22, half.subarray(0, 5)], [23, new Uint8Array([1])]], p));
    await expectAlert(() => m2.next(), 'unexpected_message', 'interleaved_handshake');
  });

  it('alerts: exactly 2 bytes per record, else decode_error', async () => {
    const m = new MessageReader();
    m.push(plainRecord(21, new Uint8Array([2, 40])));
    expect(m.next()).toEqual({ kind: 'alert', level: 2, description: 40, protected: false });
    for (const body of [[2], [2, 40, 1, 0]]) {
      const m2 = new MessageReader();
      m2.push(plainRecord(21, new Uint8Array(body)));
      await expectAlert(() => m2.next(), 'decode_error');
    }
  });

  it('decryption under the wrong key after a key change → bad_record_mac', async () => {
    const m = new MessageReader();
    m.setProtection(protection(KEY2));
    m.push(sealAll([[22, hsMsg(8, 2)]], protection()));
    await expectAlert(() => m.next(), 'bad_record_mac');
  });
});
