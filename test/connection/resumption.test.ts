/**
 * Session resumption between two puretls endpoints (RFC 8446 §2.2, §4.2.11,
 * §4.6.1), over every crypto provider: tickets issued and stored, a resumed
 * handshake without certificates, with and without HelloRetryRequest, with
 * mutual TLS, psk_ke; and each ticket the server cannot use → full handshake,
 * each malformed offer → the RFC's alert.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { decodeHandshake, encodeHandshake, type ClientHello } from '../../src/handshake/messages/index.js';
import { ExtensionType } from '../../src/handshake/messages/types.js';
import { decodeClientSession, encodeClientSession } from '../../src/handshake/resumption/session.js';
import { TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';
import { InMemoryTicketStore } from '../../src/handshake/resumption/ticket-store.js';
import { availableProviders } from '../record/providers.js';
import { makeClient, makeServer, pump, type Endpoint, settle } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const providers = await availableProviders();


interface Run { client: Endpoint; server: Endpoint; sessions: Uint8Array[]; messages: string[] }

async function run(c: ClientConfig, s: ServerConfig): Promise<Run> {
  const sessions: Uint8Array[] = [];
  const messages: string[] = [];
  const server = makeServer(s);
  const client = makeClient({
    servername: 'localhost', ca: [P.caPem], ...c,
    onSession: (b) => { sessions.push(b); c.onSession?.(b); },
    onHandshakeMessage: (d, t) => messages.push(`${d} ${t}`),
  });
  client.conn.start();
  await settle(client, server);
  return { client, server, sessions, messages };
}

function ok(r: Run): void {
  expect(r.client.errors.map((e) => e.message)).toEqual([]);
  expect(r.server.errors.map((e) => e.message)).toEqual([]);
  expect(r.client.conn.state).toBe('connected');
  expect(r.server.conn.state).toBe('connected');
}

describe.each(providers.map((p) => [p.name, p] as const))('resumption over %s', (_n, provider) => {
  const server = (extra: Partial<ServerConfig> = {}): ServerConfig => ({ provider, certificate: P.server['ecdsa-p256'], ...extra });

  it('the default ticket store belongs to the config object: the same config resumes', async () => {
    const s = server();
    const c: ClientConfig = { provider, servername: 'localhost', ca: [P.caPem] };
    const resumed: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const srv = makeServer(s);
      const cl = makeClient(c);
      cl.conn.start();
      await settle(cl, srv);
      expect(cl.errors).toEqual([]);
      resumed.push(cl.info!.resumed);
    }
    expect(resumed).toEqual([false, true, true]);
  });

  it('a full handshake yields 2 tickets; the next connection resumes without certificates', async () => {
    const s = server();
    const c: ClientConfig = { provider, ticketStore: new InMemoryTicketStore() };
    const first = await run(c, s);
    ok(first);
    expect(first.client.info!.resumed).toBe(false);
    expect(first.sessions).toHaveLength(2);
    const second = await run(c, s);
    ok(second);
    expect(second.client.info!.resumed).toBe(true);
    expect(second.server.info!.resumed).toBe(true);
    expect(second.messages).not.toContain('received certificate');
    expect(second.messages).not.toContain('received certificate_verify');
    // The first handshake's authentication is kept.
    expect(second.client.info!.peerCertificates).toEqual(first.client.info!.peerCertificates);
    expect(second.client.info!.peerVerified).toBe(true);
    // Data flows.
    const p = second.client.conn.write(new TextEncoder().encode('hi'));
    await settle(second.client, second.server);
    await p;
    expect(new TextDecoder().decode(second.server.data[0])).toBe('hi');
  });

  it('resumes with a session passed as bytes, once by default (Appendix C.4)', async () => {
    const s = server({ sessionTickets: 1 });
    const first = await run({ provider, ticketStore: false }, s);
    ok(first);
    expect(first.sessions).toHaveLength(1);
    const store = new InMemoryTicketStore();
    const second = await run({ provider, session: first.sessions[0], ticketStore: store }, s);
    ok(second);
    expect(second.client.info!.resumed).toBe(true);
    // A ticket store without tickets: full handshake.
    const third = await run({ provider, ticketStore: new InMemoryTicketStore() }, s);
    ok(third);
    expect(third.client.info!.resumed).toBe(false);
  });

  it('after a HelloRetryRequest: binder over message_hash + HRR, resumed', async () => {
    const s = server({ groups: ['secp256r1'] });
    const c: ClientConfig = { provider, keyShareGroups: ['x25519'] };
    const first = await run(c, s);
    ok(first);
    const second = await run({ ...c, session: first.sessions[0], ticketStore: false }, s);
    ok(second);
    expect(second.client.info!.helloRetry).toBe(true);
    expect(second.client.info!.resumed).toBe(true);
  });

  it('PSK dropped after an HRR choosing a suite of another hash: full handshake', async () => {
    const s = server({ groups: ['secp256r1'], cipherSuites: ['TLS_AES_256_GCM_SHA384'] });
    const first = await run({ provider, ticketStore: false }, server({ cipherSuites: ['TLS_AES_128_GCM_SHA256'] }));
    ok(first);
    expect(first.client.info!.cipherSuite).toBe('TLS_AES_128_GCM_SHA256');
    const second = await run({ provider, keyShareGroups: ['x25519'], session: first.sessions[0], ticketStore: false }, { ...s, ticketKeys: undefined });
    ok(second);
    expect(second.client.info!.helloRetry).toBe(true);
    expect(second.client.info!.resumed).toBe(false);
  });

  it('mutual TLS: the resumed session carries the client chain', async () => {
    const s = server({ clientAuth: 'require', ca: [P.caPem] });
    const c: ClientConfig = { provider, certificate: P.client };
    const first = await run(c, s);
    ok(first);
    expect(first.server.info!.peerCertificates).toHaveLength(1);
    const second = await run({ ...c, session: first.sessions[0], ticketStore: false }, s);
    ok(second);
    expect(second.server.info!.resumed).toBe(true);
    expect(second.server.info!.peerCertificates).toEqual(first.server.info!.peerCertificates);
    expect(second.server.info!.peerVerified).toBe(true);
    expect(second.messages).not.toContain('sent certificate');
  });

  it('psk_ke when both sides allow it: no key exchange group', async () => {
    const s = server({ pskKeyExchangeModes: ['psk_ke'] });
    const c: ClientConfig = { provider, pskKeyExchangeModes: ['psk_ke'] };
    const first = await run(c, s);
    ok(first);
    const second = await run({ ...c, session: first.sessions[0], ticketStore: false }, s);
    ok(second);
    expect(second.client.info!.resumed).toBe(true);
    expect(second.client.info!.group).toBeUndefined();
  });
});

describe('tickets the server cannot use → full handshake', () => {
  async function firstSession(s: ServerConfig, c: ClientConfig = {}): Promise<Uint8Array> {
    const r = await run({ ticketStore: false, ...c }, s);
    ok(r);
    return r.sessions[0]!;
  }
  const base = (): ServerConfig => ({ certificate: P.server['ecdsa-p256'] });

  it('tampered ticket', async () => {
    const s = base();
    const sess = decodeClientSession(await firstSession(s));
    const t = sess.ticket.slice();
    t[t.length - 5]! ^= 1;
    const r = await run({ session: encodeClientSession({ ...sess, ticket: t }), ticketStore: false }, s);
    ok(r);
    expect(r.server.info!.resumed).toBe(false);
  });

  it('ticket under a key the server no longer has', async () => {
    const s = base();
    const sess = await firstSession(s);
    const r = await run({ session: sess, ticketStore: false }, { ...base() });
    ok(r);
    expect(r.server.info!.resumed).toBe(false);
  });

  it('expired ticket (the server checks its own lifetime)', async () => {
    let now = Date.now();
    const keys = new TicketKeys();
    const s: ServerConfig = { ...base(), ticketKeys: keys, ticketLifetime: 60, now: () => new Date(now) };
    const sess = decodeClientSession(await firstSession(s));
    now += 61_000;
    // The client would drop it itself: make it believe the ticket is fresh.
    const r = await run({ session: encodeClientSession({ ...sess, time: now, lifetime: 3600 }), ticketStore: false }, s);
    ok(r);
    expect(r.server.info!.resumed).toBe(false);
  });

  it('ticket for another suite hash', async () => {
    const keys = new TicketKeys();
    const sess = await firstSession({ ...base(), ticketKeys: keys, cipherSuites: ['TLS_AES_256_GCM_SHA384'] });
    // Client offers the SHA-384 ticket, server now only has SHA-256 suites.
    const r = await run({ session: sess, ticketStore: false }, { ...base(), ticketKeys: keys, cipherSuites: ['TLS_AES_128_GCM_SHA256'] });
    ok(r);
    expect(r.server.info!.resumed).toBe(false);
  });

  it('ticket for another server name', async () => {
    const keys = new TicketKeys();
    const s: ServerConfig = { ...base(), ticketKeys: keys };
    const sess = await firstSession(s);
    const r = await run({ session: sess, ticketStore: false, servername: 'other.localhost', rejectUnauthorized: false }, s);
    ok(r);
    expect(r.server.info!.resumed).toBe(false);
  });

  it('ticket for another ALPN protocol', async () => {
    const keys = new TicketKeys();
    const s: ServerConfig = { ...base(), ticketKeys: keys, ALPNProtocols: ['h2', 'http/1.1'] };
    const sess = await firstSession(s, { ALPNProtocols: ['h2'] });
    const r = await run({ session: sess, ticketStore: false, ALPNProtocols: ['http/1.1'] }, s);
    ok(r);
    expect(r.server.info!.alpnProtocol).toBe('http/1.1');
    expect(r.server.info!.resumed).toBe(false);
  });

  it('sessionTickets: 0 → no tickets; a client without psk_key_exchange_modes gets none (§4.2.9)', async () => {
    const r = await run({ ticketStore: false }, { ...base(), sessionTickets: 0 });
    ok(r);
    expect(r.sessions).toHaveLength(0);
    const noModes = (raw: Uint8Array): Uint8Array => {
      const m = decodeHandshake(raw);
      if (m.type !== 'client_hello') return raw;
      return encodeHandshake({ ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.psk_key_exchange_modes) });
    };
    const server = makeServer({ ...base(), sessionTickets: 3 });
    const sessions: Uint8Array[] = [];
    const client = makeClient({ servername: 'localhost', ca: [P.caPem], ticketStore: false, onSession: (b) => sessions.push(b), __mutateHandshake: noModes } as ClientConfig);
    client.conn.start();
    await settle(client, server);
    // The server saw a ClientHello our transcript does not match: the handshake fails at Finished; no ticket either way.
    expect(sessions).toHaveLength(0);
  });

  it('sessionTickets: N is exact', async () => {
    const r = await run({ ticketStore: false }, { ...base(), sessionTickets: 5 });
    ok(r);
    expect(r.sessions).toHaveLength(5);
  });

  it('sessionTicketsOnResumption: the exact count after a resumed handshake (default: sessionTickets); 0 still resumes', async () => {
    for (const [onResumption, want] of [[undefined, 3], [1, 1], [0, 0]] as const) {
      const s: ServerConfig = { ...base(), sessionTickets: 3, ...(onResumption === undefined ? {} : { sessionTicketsOnResumption: onResumption }) };
      const first = await run({ ticketStore: false }, s);
      ok(first);
      expect(first.sessions).toHaveLength(3);
      const second = await run({ ticketStore: false, session: first.sessions[0] }, s);
      ok(second);
      expect(second.server.info!.resumed).toBe(true);
      expect(second.sessions, `sessionTicketsOnResumption ${onResumption}`).toHaveLength(want);
    }
    expect(() => makeServer({ ...base(), sessionTicketsOnResumption: 17 })).toThrow(/sessionTicketsOnResumption must be an integer 0\.\.16/);
  });

  it('EncryptedExtensions carries our supported_groups, in our order (§4.2.7)', async () => {
    let ee: Uint8Array | undefined;
    const srv = makeServer({ ...base(), groups: ['secp256r1', 'x25519', 'ffdhe2048'] });
    const cl = makeClient({
      servername: 'localhost', ca: [P.caPem], ticketStore: false, groups: ['x25519', 'secp256r1'],
      onHandshakeMessage: (d, t, _s, m) => { if (d === 'received' && t === 'encrypted_extensions') ee = m.slice(); },
    });
    cl.conn.start();
    await settle(cl, srv);
    expect(cl.errors).toEqual([]);
    const m = decodeHandshake(ee!);
    if (m.type !== 'encrypted_extensions') throw new Error('not EncryptedExtensions');
    const groups = m.extensions.find((e) => e.type === ExtensionType.supported_groups);
    expect(groups && Array.from(groups.data)).toEqual([0, 6, 0x00, 0x17, 0x00, 0x1d, 0x01, 0x00]);
  });
});

describe('malformed PSK offers → the RFC alert', () => {
  const base = (): ServerConfig => ({ certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys() });

  async function withMutation(s: ServerConfig, sess: Uint8Array, f: (m: ClientHello) => ClientHello): Promise<Run> {
    const mut = (raw: Uint8Array): Uint8Array => {
      const m = decodeHandshake(raw);
      return m.type === 'client_hello' ? encodeHandshake(f(m)) : raw;
    };
    return await run({ session: sess, ticketStore: false, __mutateHandshake: mut } as ClientConfig, s);
  }

  it('wrong binder → decrypt_error', async () => {
    const s = base();
    const first = await run({ ticketStore: false }, s);
    const sess = decodeClientSession(first.sessions[0]!);
    const bad = sess.psk.slice();
    bad[0]! ^= 1;
    const r = await run({ session: encodeClientSession({ ...sess, psk: bad }), ticketStore: false }, s);
    expect(r.server.errors[0]?.alert).toBe('decrypt_error');
    expect(r.client.errors[0]?.message).toMatch(/decrypt_error/);
  });

  it('pre_shared_key not last → illegal_parameter', async () => {
    const s = base();
    const first = await run({ ticketStore: false }, s);
    const r = await withMutation(s, first.sessions[0]!, (m) => {
      const psk = m.extensions.find((e) => e.type === ExtensionType.pre_shared_key)!;
      const rest = m.extensions.filter((e) => e !== psk);
      return { ...m, extensions: [...rest.slice(0, -1), psk, rest[rest.length - 1]!] };
    });
    expect(r.server.errors[0]?.alert).toBe('illegal_parameter');
  });

  it('binder count differs from identity count → illegal_parameter', async () => {
    const s = base();
    const first = await run({ ticketStore: false }, s);
    const r = await withMutation(s, first.sessions[0]!, (m) => {
      const exts = m.extensions.map((e) => {
        if (e.type !== ExtensionType.pre_shared_key) return e;
        // Append a second binder of 32 bytes to the binders list.
        const d = e.data;
        const idLen = (d[0]! << 8) | d[1]!;
        const bAt = 2 + idLen;
        const bLen = (d[bAt]! << 8) | d[bAt + 1]!;
        const extra = new Uint8Array(33);
        extra[0] = 32;
        const out = new Uint8Array(d.length + 33);
        out.set(d.subarray(0, bAt));
        out[bAt] = (bLen + 33) >> 8;
        out[bAt + 1] = (bLen + 33) & 0xff;
        out.set(d.subarray(bAt + 2), bAt + 2);
        out.set(extra, d.length);
        return { type: e.type, data: out };
      });
      return { ...m, extensions: exts };
    });
    expect(r.server.errors[0]?.alert).toBe('illegal_parameter');
  });
});

describe('ticket lifetime across ticket-key rotations (RFC 8446 §4.6.1)', () => {
  const HOUR = 3600_000;
  /** Issue a ticket at 0, let other clients make the server seal tickets every 13 h (each past a 12 h rotation), then offer the first ticket at `offerAt`. */
  async function offerAfterRotations(ticketLifetime: number, offerAt: number): Promise<boolean> {
    let now = Date.now();
    const start = now;
    const clock = () => new Date(now);
    const s: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys(), ticketLifetime, now: clock };
    const first = await run({ ticketStore: false, now: clock }, s);
    ok(first);
    const session = first.sessions[0]!;
    while (now + 13 * HOUR < start + offerAt) {
      now += 13 * HOUR;
      ok(await run({ ticketStore: false, now: clock }, s)); // seals tickets: rotates the key when 12 h passed
    }
    now = start + offerAt;
    const r = await run({ session, ticketStore: false, now: clock }, s);
    ok(r);
    expect(r.client.info!.resumed).toBe(r.server.info!.resumed);
    return r.server.info!.resumed;
  }

  it('a 7-day lifetime resumes after 3 days, the key it was sealed under replaced 5 times since', async () => {
    expect(await offerAfterRotations(604800, 72 * HOUR)).toBe(true);
  });

  it('a 7-day lifetime ends after 7 days; the default 2-hour lifetime after 2 hours', async () => {
    expect(await offerAfterRotations(604800, 7 * 24 * HOUR + 60_000)).toBe(false);
    expect(await offerAfterRotations(7200, HOUR)).toBe(true);
    expect(await offerAfterRotations(7200, 2 * HOUR + 60_000)).toBe(false);
  });
});
