/**
 * RFC 5280 §4.1.2.5: validity dates through 2049 as UTCTime, from 2050 as
 * GeneralizedTime YYYYMMDDHHMMSSZ with no fractional seconds
 * (§4.1.2.5.2). Regression: issuing with notAfter ≥ 2050 and a clock with
 * milliseconds wrote "…000000.123Z", which our own parser (rightly) refuses,
 * so createCertificateAuthority/issueCertificate threw.
 */
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from '../../src/x509/issue.js';
import { decodeCertificate } from '../../src/x509/certificate.js';
import { decodeTime, DerError } from '../../src/x509/der.js';
import { pemDecode } from '../../src/x509/pem.js';

const der = (pem: string) => pemDecode(pem, 'CERTIFICATE')[0]!;
/** The validity time strings as written (tag 0x17 UTCTime, 0x18 GeneralizedTime). */
function validityStrings(d: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i + 2 < d.length; i++) {
    const tag = d[i]!, len = d[i + 1]!;
    if ((tag !== 0x17 || len !== 13) && (tag !== 0x18 || len < 15 || len > 25)) continue;
    const v = Buffer.from(d.subarray(i + 2, i + 2 + len)).toString('latin1');
    if (/^[0-9][0-9.,+Z-]+$/.test(v)) out.push(`${tag === 0x17 ? 'UTC' : 'GEN'} ${v}`);
  }
  return out;
}

describe('issued validity times (RFC 5280 §4.1.2.5)', () => {
  const now = new Date(Date.UTC(2026, 11, 5, 10, 30, 15, 123)); // milliseconds on purpose

  it('notAfter in 2050 or later: GeneralizedTime without fractional seconds, and our parser reads it', async () => {
    const ca = await createCertificateAuthority({ now, days: 365 * 40 });
    const leaf = await issueCertificate({ ca, names: ['localhost'], now, days: 365 * 30 });
    for (const d of [der(ca.certPem), der(leaf.certPem)]) {
      const c = decodeCertificate(d);
      expect(new Date(c.notAfter).getUTCFullYear()).toBeGreaterThanOrEqual(2050);
      expect(c.notAfter % 1000).toBe(0);
      const times = validityStrings(d);
      expect(times[0]).toMatch(/^UTC \d{12}Z$/);
      expect(times[1]).toMatch(/^GEN 20[5-9]\d{11}Z$/);
    }
    // The leaf's notAfter is its 30 years from `now`, rounded down to the second.
    expect(decodeCertificate(der(leaf.certPem)).notAfter).toBe(Math.floor((now.getTime() + 365 * 30 * 86_400_000) / 1000) * 1000);
  });

  it('dates through 2049 stay UTCTime', async () => {
    const ca = await createCertificateAuthority({ now, days: 365 });
    const times = validityStrings(der(ca.certPem));
    expect(times).toHaveLength(2);
    for (const t of times) expect(t).toMatch(/^UTC \d{12}Z$/);
  });
});

describe('GeneralizedTime parsing (RFC 5280 §4.1.2.5.2)', () => {
  const gen = (s: string) => decodeTime({ tag: 0x18, raw: new Uint8Array(), value: new TextEncoder().encode(s) });
  it('accepts YYYYMMDDHHMMSSZ, including leap days and 9999', () => {
    expect(gen('20500101000000Z')).toBe(Date.UTC(2050, 0, 1));
    expect(gen('20520229235959Z')).toBe(Date.UTC(2052, 1, 29, 23, 59, 59));
    expect(gen('99991231235959Z')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
  });
  it('refuses fractional seconds, a missing Z, offsets, missing seconds and impossible dates', () => {
    for (const s of ['20500101000000.123Z', '20500101000000,5Z', '20500101000000', '20500101000000+0100', '205001010000Z', '20510229000000Z', '20501301000000Z', '20500101240000Z', '2050010100000aZ', ' 20500101000000Z']) {
      expect(() => gen(s), s).toThrow(DerError);
    }
  });
});
