/** Strict DER ↔ P1363 for ECDSA signatures, and the curve constants. */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { EC_CURVES, ecdsaDerToRaw, ecdsaRawToDer } from '../../src/crypto/ecdsa-der.js';
import { hex, toHex } from './helpers.js';

describe('ECDSA signature encodings', () => {
  it('curve orders match noble', () => {
    expect(EC_CURVES['P-256'].n).toBe(p256.Point.Fn.ORDER);
    expect(EC_CURVES['P-384'].n).toBe(p384.Point.Fn.ORDER);
    expect(EC_CURVES['P-521'].n).toBe(p521.Point.Fn.ORDER);
  });

  it('round trips raw → DER → raw for every curve (fast-check)', () => {
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const { byteLength, n } = EC_CURVES[curve];
      const scalar = fc.bigInt({ min: 1n, max: n - 1n }).map((x) => hex(x.toString(16).padStart(byteLength * 2, '0')));
      fc.assert(fc.property(scalar, scalar, (r, s) => {
        const raw = Uint8Array.from([...r, ...s]);
        const der = ecdsaRawToDer(raw);
        expect(toHex(ecdsaDerToRaw(der, curve)!)).toBe(toHex(raw));
        // No proper prefix and no extension of a valid encoding parses.
        expect(ecdsaDerToRaw(der.subarray(0, der.length - 1), curve)).toBeNull();
        expect(ecdsaDerToRaw(Uint8Array.from([...der, 0]), curve)).toBeNull();
      }), { numRuns: 200 });
    }
  });

  it('rejects non-DER and out-of-range values', () => {
    const n = EC_CURVES['P-256'].n;
    const nHex = n.toString(16);
    const bad = [
      '3006020100020101', // r = 0
      '3006020101020100', // s = 0
      '300602010102ff01', // bad inner length
      '30070201010202ff01', // negative s
      '3007020101020200 01'.replace(' ', ''), // non-minimal s (leading 00 before < 0x80)
      '308106020101020101', // long-form length for a short body
      '3080020101020101 0000'.replace(' ', ''), // indefinite length
      '3106020101020101', // SET, not SEQUENCE
      '3006030101020101', // BIT STRING, not INTEGER
      '30060201010201010000', // trailing bytes inside the outer length mismatch
      `3026022100${nHex}020101`, // r = n
    ];
    for (const b of bad) expect(ecdsaDerToRaw(hex(b), 'P-256'), b).toBeNull();
    expect(toHex(ecdsaDerToRaw(hex('3006020101020101'), 'P-256')!)).toBe('00'.repeat(31) + '01' + '00'.repeat(31) + '01');
    // An integer wider than the curve (a P-384 r on P-256).
    expect(ecdsaDerToRaw(hex('3036023100' + 'ff'.repeat(48) + '020101').subarray(0), 'P-256')).toBeNull();
  });
});
