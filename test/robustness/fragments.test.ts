/**
 * A handshake message sent in tiny records (RFC 8446 §5.1 allows any
 * fragmentation): reassembly stays exact, and costs memory in proportion to
 * the bytes, not to the number of records — small continuation fragments are
 * copied into one growing buffer instead of being kept as one view each.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_HANDSHAKE_BODY_BY_TYPE } from '../../src/record/constants.js';
import { HandshakeReassembler } from '../../src/record/handshake-reassembler.js';

const chunksOf = (r: HandshakeReassembler): number => (r as unknown as { chunks: unknown[] }).chunks.length;

function message(type: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(4 + body.length);
  m.set([type, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
  m.set(body, 4);
  return m;
}

describe('handshake reassembly under tiny fragments', () => {
  it('a 128 KiB message in 1-byte records: a handful of buffers, not 131 000 views', () => {
    const r = new HandshakeReassembler(131_396);
    const body = new Uint8Array(131_000).map((_, i) => (i * 7) & 0xff);
    const msg = message(1, body);
    // Each byte a view into a (socket-sized) chunk, as the deframer would hand them over.
    const wire = msg.slice();
    let maxChunks = 0;
    for (let i = 0; i < wire.length; i++) {
      r.add(wire.subarray(i, i + 1));
      maxChunks = Math.max(maxChunks, chunksOf(r));
    }
    expect(maxChunks).toBeLessThanOrEqual(2);
    const out = r.next()!;
    expect(out.type).toBe(1);
    expect(Buffer.from(out.body).equals(Buffer.from(body))).toBe(true);
    expect(r.isEmpty).toBe(true);
  });

  it('any message sequence, any fragmentation: exact messages, and earlier messages stay intact', () => {
    // Well-formed lengths: Finished, KeyUpdate and EndOfEarlyData bodies within their grammar's bound (over it is decode_error, tested apart).
    const msgArb = fc.record({ type: fc.integer({ min: 0, max: 255 }), body: fc.uint8Array({ maxLength: 700 }) })
      .map(({ type, body }) => ({ type, body: body.subarray(0, MAX_HANDSHAKE_BODY_BY_TYPE.get(type) ?? body.length) }));
    fc.assert(
      fc.property(fc.array(msgArb, { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 40 }), (msgs, sizes) => {
        const wire = Uint8Array.from(msgs.flatMap((m) => [...message(m.type, m.body)]));
        const r = new HandshakeReassembler(1 << 16);
        const got: { type: number; body: Uint8Array; copy: number[] }[] = [];
        let off = 0;
        for (let i = 0; off < wire.length; i++) {
          const n = sizes[i % sizes.length]!;
          r.add(wire.subarray(off, off + n));
          off += n;
          for (let m = r.next(); m; m = r.next()) got.push({ type: m.type, body: m.body, copy: [...m.body] });
        }
        expect(got.map((g) => g.type)).toEqual(msgs.map((m) => m.type));
        got.forEach((g, i) => {
          expect(g.copy).toEqual([...msgs[i]!.body]);
          // The view returned earlier was not overwritten by later appends.
          expect([...g.body]).toEqual(g.copy);
        });
        expect(r.isEmpty).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
