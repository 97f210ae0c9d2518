/**
 * Attacker's review of certificate verification in the core config: options
 * given with the wrong type must never switch a check off (a `0` is falsy),
 * and a custom verifier's malformed answer must fail closed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { parsePrivateKey } from '../../src/x509/keys.js';
import { leaf, root, type Made } from '../x509/helpers.js';
import { connectPair } from '../connection/helpers.js';

let ca: Made;
let other: Made;
let good: CertifiedKey;
let wrongName: CertifiedKey;
let foreign: CertifiedKey;
const certified = (m: Made, ...chain: Made[]): CertifiedKey => ({ chain: [m.der, ...chain.map((c) => c.der)], key: parsePrivateKey(m.key.pkcs8) });
beforeAll(async () => {
  ca = await root();
  other = await root();
  good = certified(await leaf(ca, { san: ['example.com'] }));
  wrongName = certified(await leaf(ca, { san: ['attacker.example'] }));
  foreign = certified(await leaf(other, { san: ['example.com'] }));
});

async function attempt(c: Partial<ClientConfig> & Record<string, unknown>, s: CertifiedKey, server: Partial<ServerConfig> = {}) {
  try {
    const { client } = await connectPair({ servername: 'example.com', ca: [ca.der], ...c } as ClientConfig, { certificate: s, ...server } as ServerConfig);
    return { state: client.conn.state, error: client.errors[0], info: client.info };
  } catch (e) {
    return { state: 'refused', error: e as Error & { alert?: string; code?: string }, info: undefined };
  }
}

describe('non-boolean switches never disable a check', () => {
  for (const v of [0, '', 'false', null, NaN, 'no']) {
    it(`rejectUnauthorized: ${JSON.stringify(v)} → refused (untrusted chain never accepted)`, async () => {
      const r = await attempt({ rejectUnauthorized: v as never }, foreign);
      expect(r.state).not.toBe('connected');
    });
    it(`checkServerName: ${JSON.stringify(v)} → refused (wrong name never accepted)`, async () => {
      const r = await attempt({ checkServerName: v as never }, wrongName);
      expect(r.state).not.toBe('connected');
    });
  }
  it('the real booleans still work', async () => {
    expect((await attempt({ rejectUnauthorized: false }, foreign)).info?.peerVerified).toBe(false);
    expect((await attempt({ checkServerName: false }, wrongName)).state).toBe('connected');
    expect((await attempt({ checkServerName: false }, foreign)).state).not.toBe('connected');
    expect((await attempt({}, good)).state).toBe('connected');
  });
});

describe('ca', () => {
  it('ca: [] trusts nothing', async () => {
    expect((await attempt({ ca: [] }, good)).error?.alert).toBe('unknown_ca');
  });
  it('a non-CA leaf in ca is not an anchor for what it "signs"', async () => {
    // The leaf example.com certificate as the only root: the attacker's cert issued by ca is still unknown.
    expect((await attempt({ ca: [good.chain[0]!] }, wrongName)).state).not.toBe('connected');
  });
});

describe('a custom verifyCertificate answering malformed fails closed with bad_certificate', () => {
  for (const [label, answer] of [
    ['true', true], ['1', 1], ['"ok"', 'ok'], ['undefined', undefined], ['null', null], ['{}', {}],
    ['{ ok: "yes" }', { ok: 'yes' }], ['{ ok: 1 }', { ok: 1 }], ['{ ok: "false" }', { ok: 'false' }],
  ] as const) {
    it(`returns ${label}`, async () => {
      const r = await attempt({ verifyCertificate: (() => answer) as never }, good);
      expect(r.state).not.toBe('connected');
      expect(r.error?.alert).toBe('bad_certificate');
    });
  }
  it('{ ok: true } is accepted', async () => {
    expect((await attempt({ verifyCertificate: () => ({ ok: true }) }, good)).state).toBe('connected');
  });
});

describe('server: client certificate policy', () => {
  it("a misspelt clientAuth ('required') is refused, not read as 'request'", async () => {
    const r = await attempt({}, good, { clientAuth: 'required' as never });
    expect(r.state).toBe('refused');
    expect(r.error?.message).toMatch(/clientAuth/);
  });
  it('server rejectUnauthorized: 0 is refused, not read as false', async () => {
    const r = await attempt({}, good, { clientAuth: 'require', rejectUnauthorized: 0 as never, ca: [ca.der] });
    expect(r.state).toBe('refused');
    expect(r.error?.message).toMatch(/rejectUnauthorized/);
  });
});

describe('refusals name the option', () => {
  it('rejectUnauthorized: 0', async () => {
    const r = await attempt({ rejectUnauthorized: 0 as never }, good);
    expect(r.state).toBe('refused');
    expect(r.error?.message).toMatch(/rejectUnauthorized must be true or false/);
  });
});
