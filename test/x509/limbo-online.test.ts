/**
 * x509-limbo `online::*` / `webpki::online::*`: real Web PKI chains saved by
 * limbo (limbo/_assets/online/*.limbo.json), validated with both providers at
 * the time limbo recorded. They must pass: this is the real-world
 * compatibility check for the stricter CA/B Forum rules.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { verifyCertificateChain } from '../../src/x509/verify.js';
import { nodeVerifyProvider } from './helpers.js';

interface OnlineCase {
  id: string;
  validation_time: string;
  expected_peer_name: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
}

const dir = join(import.meta.dirname, 'fixtures');
const cases = readdirSync(dir)
  .filter((f) => f.startsWith('limbo-online-'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as OnlineCase);

describe('limbo online chains', () => {
  it('fixtures are present', () => expect(cases.length).toBeGreaterThanOrEqual(2));
  for (const c of cases) {
    for (const [pname, provider] of [['node', nodeVerifyProvider], ['pure', undefined]] as const) {
      it(`${c.id} (${pname} provider)`, async () => {
        const base = { leaf: c.peer_certificate, intermediates: c.untrusted_intermediates, roots: c.trusted_certs, now: new Date(c.validation_time), usage: 'server' as const, ...(provider ? { provider } : {}) };
        const r = await verifyCertificateChain({ ...base, name: c.expected_peer_name });
        expect(r.ok ? 'ok' : `${r.code}: ${r.message}`).toBe('ok');
        if (r.ok) expect(r.chain.length).toBe(2 + c.untrusted_intermediates.length);
        // The same chain for another name, or a year after the leaf expired, fails.
        const wrong = await verifyCertificateChain({ ...base, name: 'not-' + c.expected_peer_name });
        expect(wrong.ok ? 'ok' : wrong.code).toBe('name-mismatch');
        const late = await verifyCertificateChain({ ...base, name: c.expected_peer_name, now: new Date(new Date(c.validation_time).getTime() + 400 * 86_400_000) });
        expect(late.ok ? 'ok' : late.code).toBe('expired');
      }, 60_000);
    }
  }
});
