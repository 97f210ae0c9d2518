import { describe, it, expect } from 'vitest';
import { RecordDeframer, RecordReader, type RawRecord } from '../../src/record/index.js';
import { concatBytes, utf8 } from '../../src/util/bytes.js';
import { expectAlert, readAll } from './helpers.js';

function rec(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  return concatBytes(new Uint8Array([type, version >> 8, version & 0xff, body.length >> 8, body.length & 0xff]), body);
}

describe('RecordDeframer (RFC 8446 §5.1)', () => {
  it('frames records split at every byte boundary and coalesced', () => {
    const wire = concatBytes(rec(22, new Uint8Array([1, 2, 3])), rec(21, new Uint8Array([1, 0])), rec(22, new Uint8Array(300).fill(7)));
    for (let split = 1; split < wire.length; split++) {
      const d = new RecordDeframer();
      const got: RawRecord[] = [];
      d.push(wire.subarray(0, split), (r) => got.push(r));
      d.push(wire.subarray(split), (r) => got.push(r));
      expect(got.map((r) => [r.type, r.fragment.length])).toEqual([[22, 3], [21, 2], [22, 300]]);
      expect(d.bufferedBytes).toBe(0);
    }
    const d = new RecordDeframer();
    const got: RawRecord[] = [];
    for (const b of wire) d.push(new Uint8Array([b]), (r) => got.push(r));
    expect(got.length).toBe(3);
  });

  it('returns views of the pushed chunk when a record lies inside it (no copy)', () => {
    const wire = rec(22, new Uint8Array([9, 9, 9]));
    const d = new RecordDeframer();
    let r: RawRecord | undefined;
    d.push(wire, (x) => (r = x));
    expect(r!.fragment.buffer).toBe(wire.buffer);
    expect(r!.header).toEqual(wire.subarray(0, 5));
  });

  it('rejects an HTTP request on its first byte (unexpected_message)', async () => {
    const d = new RecordDeframer();
    await expectAlert(() => d.push(utf8('G'), () => undefined), 'unexpected_message', 'unknown_content_type');
    // and stays failed
    await expectAlert(() => d.push(rec(22, new Uint8Array([1])), () => undefined), 'unexpected_message');
  });

  it('rejects unknown content types 0, 19, 24, 255', async () => {
    for (const t of [0, 19, 24, 255]) {
      await expectAlert(() => new RecordDeframer().push(rec(t, new Uint8Array([1])), () => undefined), 'unexpected_message');
    }
  });

  it('rejects a record version whose major byte is not 3 on its second byte', async () => {
    await expectAlert(() => new RecordDeframer().push(new Uint8Array([22, 2]), () => undefined), 'decode_error', 'bad_record_version');
    // 0x0301 (initial ClientHello) and other 3.x minors are accepted (the field is ignored, §5.1)
    for (const v of [0x0300, 0x0301, 0x0303, 0x0304]) {
      const got: RawRecord[] = [];
      new RecordDeframer().push(rec(22, new Uint8Array([1]), v), (r) => got.push(r));
      expect(got[0]!.version).toBe(v);
    }
  });

  it('rejects a length over 2^14 + 256 from the header alone (record_overflow)', async () => {
    const h = new Uint8Array([23, 3, 3, (16384 + 257) >> 8, (16384 + 257) & 0xff]);
    await expectAlert(() => new RecordDeframer().push(h, () => undefined), 'record_overflow');
    const ok = new Uint8Array([23, 3, 3, (16384 + 256) >> 8, (16384 + 256) & 0xff]);
    new RecordDeframer().push(ok, () => undefined); // waits for the body
  });

  it('delivers the records before a framing error, then the error, in order', async () => {
    const r = new RecordReader();
    r.push(concatBytes(rec(22, new Uint8Array([1, 0, 0, 0])), utf8('GET / HTTP/1.1\r\n')));
    const first = r.read();
    expect(first).toMatchObject({ type: 22 });
    await expectAlert(() => r.read(), 'unexpected_message');
    await expectAlert(() => r.read(), 'unexpected_message');
    await expectAlert(() => r.push(new Uint8Array([22])), 'unexpected_message');
  });
});

describe('RecordReader, unprotected records', () => {
  it('rejects plaintext over 2^14 (record_overflow) but accepts exactly 2^14', async () => {
    const r = new RecordReader();
    r.push(rec(22, new Uint8Array(16384).fill(1)));
    expect((await readAll(r))[0]!.data.length).toBe(16384);
    const r2 = new RecordReader();
    r2.push(rec(22, new Uint8Array(16385).fill(1)));
    await expectAlert(() => r2.read(), 'record_overflow');
  });

  it('rejects zero-length handshake and alert records (unexpected_message)', async () => {
    for (const t of [21, 22]) {
      const r = new RecordReader();
      r.push(rec(t, new Uint8Array(0)));
      await expectAlert(() => r.read(), 'unexpected_message', 'empty_record');
    }
  });

  it('rejects application_data before keys (unexpected_message)', async () => {
    const r = new RecordReader();
    r.push(rec(23, new Uint8Array([1, 2])));
    await expectAlert(() => r.read(), 'unexpected_message');
  });
});
