import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Reader } from '../../src/codec/reader.js';
import { Writer } from '../../src/codec/writer.js';
import { TlsError } from '../../src/errors.js';

/** A small structure exercising every codec primitive. */
interface Sample {
  a: number; b: number; c: number; d: number;
  v8: Uint8Array; v16: Uint8Array; list: number[];
}

function encode(s: Sample): Uint8Array {
  const w = new Writer(4);
  w.u8(s.a).u16(s.b).u24(s.c).u32(s.d).vec8(s.v8, 1).vec16(s.v16);
  w.block(2, (w) => { for (const x of s.list) w.u16(x); }, 2);
  return w.finish();
}

function decode(buf: Uint8Array): Sample {
  const r = new Reader(buf);
  const s: Sample = {
    a: r.u8(), b: r.u16(), c: r.u24(), d: r.u32(),
    v8: r.vec8(1, 255, 'v8'), v16: r.vec16(0, 65535, 'v16'),
    list: r.u16List(2, 2, 65534, 'list'),
  };
  r.expectEnd();
  return s;
}

const sampleArb = fc.record({
  a: fc.integer({ min: 0, max: 0xff }),
  b: fc.integer({ min: 0, max: 0xffff }),
  c: fc.integer({ min: 0, max: 0xffffff }),
  d: fc.integer({ min: 0, max: 0xffffffff }),
  v8: fc.uint8Array({ minLength: 1, maxLength: 255 }),
  v16: fc.uint8Array({ maxLength: 600 }),
  list: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 40 }),
});

describe('codec', () => {
  it('round-trips every primitive', () => {
    fc.assert(fc.property(sampleArb, (s) => {
      expect(decode(encode(s))).toEqual(s);
    }));
  });

  it('no proper prefix of a valid encoding decodes (decode_error)', () => {
    fc.assert(fc.property(sampleArb, fc.nat(), (s, k) => {
      const enc = encode(s);
      const cut = k % enc.length;
      try {
        decode(enc.subarray(0, cut));
        return false;
      } catch (e) {
        return e instanceof TlsError && e.alert === 'decode_error';
      }
    }));
  });

  it('rejects trailing bytes and out-of-bounds vector lengths', () => {
    const s: Sample = { a: 1, b: 2, c: 3, d: 4, v8: new Uint8Array([9]), v16: new Uint8Array(0), list: [7] };
    const enc = encode(s);
    const extra = new Uint8Array(enc.length + 1);
    extra.set(enc);
    expect(() => decode(extra)).toThrow(/trailing/);
    const r = new Reader(new Uint8Array([0]));
    expect(() => r.vec8(1, 255, 'x')).toThrow(TlsError);
    const r2 = new Reader(new Uint8Array([0, 3, 1, 2, 3]));
    expect(() => r2.u16List(2, 2, 254, 'odd')).toThrow(/odd length/);
  });

  it('reads views without copying', () => {
    const buf = new Uint8Array([2, 0xaa, 0xbb]);
    const v = new Reader(buf).vec8();
    expect(v.buffer).toBe(buf.buffer);
    expect(v.byteOffset).toBe(1);
  });

  it('writer checks its own block bounds', () => {
    expect(() => new Writer().vec8(new Uint8Array(0), 1)).toThrow(TlsError);
    const w = new Writer(1);
    w.vec24(new Uint8Array(70000));
    expect(w.length).toBe(70003);
    expect(new Reader(w.view()).vec24().length).toBe(70000);
  });
});
