/**
 * Resumption keeps the first handshake's authentication (RFC 8446 §2.2), so
 * a client must not resume a session that authentication does not cover:
 * §4.6.1 "Clients MUST only resume if the new SNI value is valid for the
 * server certificate presented in the original session" (a ticket from
 * server A must not authenticate name B), and a session whose chain was not
 * verified (first made with rejectUnauthorized: false) must not make a
 * verifying client report an authenticated peer. Both → full handshake.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';
import { makeClient, makeServer, pump, type Endpoint } from '../connection/helpers.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { parsePrivateKey } from '../../src/x509/keys.js';
import { leaf, root } from '../x509/helpers.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

async function run(c: ClientConfig, s: ServerConfig) {
  const sessions: Uint8Array[] = [];
  const server = makeServer(s);
  const client: Endpoint = makeClient({ ca: [P.caPem], ...c, onSession: (b) => sessions.push(b) });
  client.conn.start();
  for (let i = 0; i < 5; i++) await pump(client, server);
  return { client, server, sessions };
}

describe('a resumed session never authenticates more than the first handshake did', () => {
  it('a ticket for localhost offered for another name: not resumed, the new name is checked (bad_certificate)', async () => {
    const s: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys() };
    // No SNI sent (as for an IP host), so our server has no name to refuse the ticket by:
    // it accepts the PSK as an attacker's server that issued the ticket would.
    const first = await run({ servername: 'localhost', sendServerName: false }, s);
    expect(first.client.conn.state).toBe('connected');
    expect(first.sessions.length).toBeGreaterThan(0);
    const second = await run({ servername: 'bank.example', sendServerName: false, session: first.sessions[0], ticketStore: false }, s);
    expect(second.client.conn.state).not.toBe('connected');
    expect(second.client.errors[0]?.alert).toBe('bad_certificate');
  });

  it('the same name in another case or with a trailing dot still resumes', async () => {
    const s: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys() };
    const first = await run({ servername: 'localhost' }, s);
    const second = await run({ servername: 'LocalHost.', session: first.sessions[0], ticketStore: false }, s);
    expect(second.client.errors.map((e) => e.message)).toEqual([]);
    expect(second.client.info?.resumed).toBe(true);
  });

  it('an unverified session (rejectUnauthorized: false) is not resumed by a verifying client: unknown_ca', async () => {
    const other = await root();
    const rogue = await leaf(other, { san: ['localhost'] });
    const s: ServerConfig = { certificate: { chain: [rogue.der], key: parsePrivateKey(rogue.key.pkcs8) }, ticketKeys: new TicketKeys() };
    const first = await run({ servername: 'localhost', rejectUnauthorized: false }, s);
    expect(first.client.conn.state).toBe('connected');
    expect(first.client.info?.peerVerified).toBe(false);
    const second = await run({ servername: 'localhost', session: first.sessions[0], ticketStore: false }, s);
    expect(second.client.conn.state).not.toBe('connected');
    expect(second.client.errors[0]?.alert).toBe('unknown_ca');
  });

  it('a verified session resumes with peerVerified true', async () => {
    const s: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys() };
    const first = await run({ servername: 'localhost' }, s);
    const second = await run({ servername: 'localhost', session: first.sessions[0], ticketStore: false }, s);
    expect(second.client.info?.resumed).toBe(true);
    expect(second.client.info?.peerVerified).toBe(true);
  });
});

describe('checkServerIdentity runs on resumed connections too (as in Node)', () => {
  it('a session made without a pin does not skip the pin of a later connection: bad_certificate', async () => {
    const s: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys() };
    const first = await run({ servername: 'localhost' }, s);
    let calls = 0;
    const pin = () => { calls++; return new Error('pin mismatch'); };
    const second = await run({ servername: 'localhost', session: first.sessions[0], ticketStore: false, checkServerIdentity: pin }, s);
    expect(calls).toBe(1);
    expect(second.client.conn.state).not.toBe('connected');
    expect(second.client.errors[0]?.alert).toBe('bad_certificate');
    // With rejectUnauthorized: false the resumed peer is reported unverified.
    const first2 = await run({ servername: 'localhost' }, s);
    const third = await run({ servername: 'localhost', session: first2.sessions[0], ticketStore: false, checkServerIdentity: pin, rejectUnauthorized: false }, s);
    expect(third.client.info?.resumed).toBe(true);
    expect(third.client.info?.peerVerified).toBe(false);
    expect(third.client.info?.peerVerifyCode).toBeDefined();
  });
  it('a pin that accepts lets the session resume', async () => {
    const s: ServerConfig = { certificate: P.server['ecdsa-p256'], ticketKeys: new TicketKeys() };
    const first = await run({ servername: 'localhost' }, s);
    const second = await run({ servername: 'localhost', session: first.sessions[0], ticketStore: false, checkServerIdentity: () => undefined }, s);
    expect(second.client.info?.resumed).toBe(true);
    expect(second.client.info?.peerVerified).toBe(true);
  });
});
