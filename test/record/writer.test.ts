import { describe, it, expect } from 'vitest';
import { ContentType, RecordReader, RecordWriter } from '../../src/record/index.js';
import { concatBytes, toHex } from '../../src/util/bytes.js';
import { expectAlert, protection, readAll } from './helpers.js';

function collect(): { w: RecordWriter; out: Uint8Array[]; batches: number } {
  const s = { out: [] as Uint8Array[], batches: 0, w: undefined as unknown as RecordWriter };
  s.w = new RecordWriter({
    emit: (c) => {
      s.batches++;
      s.out.push(...c);
    },
  });
  return s;
}

describe('RecordWriter', () => {
  it('fragments into records of at most 2^14 bytes, in one emit for a sync AEAD', async () => {
    const s = collect();
    s.w.setProtection(protection());
    const data = new Uint8Array(40000).map((_, i) => i);
    expect(s.w.write(ContentType.application_data, data)).toBeUndefined();
    expect(s.batches).toBe(1);
    const r = new RecordReader();
    r.setProtection(protection());
    r.push(concatBytes(...s.out));
    const got = await readAll(r);
    expect(got.map((x) => x.data.length)).toEqual([16384, 16384, 7232]);
    expect(toHex(concatBytes(...got.map((x) => x.data)))).toBe(toHex(data));
  });

  it('honours a smaller maxFragmentLength and padding never beyond 2^14+1', async () => {
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (c) => out.push(...c), maxFragmentLength: 1000, padding: () => 100000 });
    w.setProtection(protection());
    w.write(ContentType.application_data, new Uint8Array(2500));
    const r = new RecordReader();
    r.setProtection(protection());
    r.push(concatBytes(...out));
    const got = await readAll(r);
    expect(got.map((x) => x.data.length)).toEqual([1000, 1000, 500]);
    expect(got.every((x) => x.wireLength === 16384 + 1 + 16)).toBe(true);
  });

  it('coalesces several handshake messages and fragments across them', async () => {
    const s = collect();
    const a = new Uint8Array(10000).fill(1), b = new Uint8Array(10000).fill(2), c = new Uint8Array(5).fill(3);
    s.w.write(ContentType.handshake, [a, b, c]);
    const r = new RecordReader();
    r.push(concatBytes(...s.out));
    const got = await readAll(r);
    expect(got.map((x) => x.data.length)).toEqual([16384, 3621]);
    expect(toHex(concatBytes(...got.map((x) => x.data)))).toBe(toHex(concatBytes(a, b, c)));
  });

  it('unprotected records: 0x0301 only when asked (initial ClientHello), a view of the data when possible', () => {
    const s = collect();
    const ch = new Uint8Array([1, 0, 0, 1, 9]);
    s.w.recordVersion = 0x0301;
    s.w.write(ContentType.handshake, ch);
    s.w.write(ContentType.alert, new Uint8Array([2, 10]));
    expect(toHex(s.out[0]!)).toBe('1603010005');
    expect(s.out[1]!.buffer).toBe(ch.buffer);
    expect(toHex(s.out[2]!)).toBe('1503030002');
  });

  it('refuses zero-length handshake/alert and application data without keys', async () => {
    const s = collect();
    await expectAlert(() => s.w.write(ContentType.handshake, new Uint8Array(0)), 'internal_error');
    await expectAlert(() => s.w.write(ContentType.application_data, new Uint8Array([1])), 'internal_error');
    s.w.setProtection(protection());
    s.w.write(ContentType.application_data, new Uint8Array(0)); // one empty record is allowed
    expect(s.out.length).toBe(2);
  });

  it('binds the key at write time: setProtection right after a write applies to the next one only', async () => {
    const s = collect();
    const p1 = protection();
    s.w.setProtection(p1);
    s.w.write(ContentType.handshake, new Uint8Array([24, 0, 0, 1, 0])); // KeyUpdate
    s.w.setProtection(protection(new Uint8Array(16).fill(9)));
    s.w.write(ContentType.application_data, new Uint8Array([7]));
    const r = new RecordReader();
    r.setProtection(protection());
    r.push(concatBytes(...s.out));
    expect(r.read()).toMatchObject({ type: 22 });
    r.setProtection(protection(new Uint8Array(16).fill(9)));
    expect(r.read()).toMatchObject({ type: 23 });
  });
});
