/** The RFC 7919 primes in src/crypto/ffdhe.ts equal OpenSSL's named ffdhe groups (RFC 7919 Appendix A). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FFDHE_PRIMES } from '../../src/crypto/ffdhe.js';

function opensslPrime(bits: number): string {
  const pem = execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:ffdhe${bits}`], { encoding: 'utf8' });
  const asn1 = execFileSync('openssl', ['asn1parse'], { input: pem, encoding: 'utf8' });
  return /INTEGER\s*:([0-9A-F]+)/.exec(asn1)![1]!.replace(/^00/, '');
}

describe('ffdhe primes (RFC 7919 Appendix A)', () => {
  for (const bits of [2048, 3072, 4096, 6144, 8192] as const) {
    it(`ffdhe${bits}: ${bits}-bit safe-prime form, as OpenSSL has it`, () => {
      const hex = FFDHE_PRIMES[`ffdhe${bits}`];
      expect(hex.length * 4).toBe(bits);
      // RFC 7919: the top and bottom 64 bits are all ones; the next bits start with e (0xADF85458A2BB4A9A...).
      expect(hex.slice(0, 16)).toBe('FFFFFFFFFFFFFFFF');
      expect(hex.slice(-16)).toBe('FFFFFFFFFFFFFFFF');
      expect(hex.slice(16, 32)).toBe('ADF85458A2BB4A9A');
      expect(hex).toBe(opensslPrime(bits));
    });
  }
});
