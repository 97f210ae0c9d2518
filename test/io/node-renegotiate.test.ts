/**
 * The Node adapter's renegotiate() mapped onto post-handshake client
 * authentication (RFC 8446 §4.6.2), puretls client ↔ puretls server over
 * loopback: the callback, getPeerCertificate(), authorized and
 * authorizationError after the answer, and every case it refuses (returns
 * false and calls back with an error on the next tick, sending nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type TlsSocket } from '../../src/io/node.js';
import { closeServer, listen } from '../interop/helpers/net.js';
import { makeTestPki, type TestPki } from '../interop/helpers/pki.js';

let pki: TestPki;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(() => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

/** A server that hands each established socket to the test. */
async function server(extra: Record<string, unknown> = {}): Promise<{ port: number; next: () => Promise<TlsSocket> }> {
  const waiting: ((s: TlsSocket) => void)[] = [];
  const ready: TlsSocket[] = [];
  const all: TlsSocket[] = [];
  const srv = createServer({ cert: pki.server['ecdsa-p256'].cert, key: pki.server['ecdsa-p256'].key, ca: pki.ca.cert, ...extra }, (s) => {
    all.push(s);
    s.on('error', () => undefined);
    const w = waiting.shift();
    if (w) w(s);
    else ready.push(s);
  });
  const port = await listen(srv);
  cleanups.push(() => {
    for (const s of all) s.destroy();
    return closeServer(srv);
  });
  return { port, next: () => new Promise((r) => { const s = ready.shift(); if (s) r(s); else waiting.push(r); }) };
}

function client(port: number, extra: Record<string, unknown> = {}): Promise<TlsSocket> {
  return new Promise((resolve, reject) => {
    const c = connect({ host: 'localhost', port, ca: pki.ca.cert, ...extra });
    c.once('secureConnect', () => resolve(c));
    c.once('error', reject);
  });
}

function renegotiate(s: TlsSocket, options: Record<string, unknown>): Promise<{ started: boolean; err: (Error & { code?: string; alert?: string }) | null }> {
  return new Promise((resolve) => {
    let started = false;
    started = s.renegotiate(options, (err) => resolve({ started, err: err as (Error & { code?: string; alert?: string }) | null }));
  });
}

const cn = (s: TlsSocket): string | undefined => (s.getPeerCertificate() as { subject?: { CN?: string } }).subject?.CN;

describe('TLSSocket.renegotiate → post-handshake authentication', () => {
  it('{ requestCert: true }: the client (cert/key given) answers; the callback sees getPeerCertificate() and authorized', async () => {
    const { port, next } = await server();
    const c = await client(port, { cert: pki.client.cert, key: pki.client.key });
    const s = await next();
    expect(s.authorized).toBe(false);
    expect(cn(s)).toBeUndefined();
    const r = await renegotiate(s, { requestCert: true });
    expect(r.err).toBeNull();
    expect(r.started).toBe(true);
    expect(s.authorized).toBe(true);
    expect(s.authorizationError).toBeUndefined();
    expect(cn(s)).toBe('client');
    s.write('after');
    const got = await new Promise<string>((res) => c.once('data', (d: Buffer) => res(d.toString())));
    expect(got).toBe('after');
    c.destroy();
  });

  it('rejectUnauthorized: false accepts an untrusted certificate and says why; true refuses it with the alert', async () => {
    const { port, next } = await server();
    const c = await client(port, { cert: pki.strangerClient.cert, key: pki.strangerClient.key });
    const s = await next();
    const r = await renegotiate(s, { requestCert: true, rejectUnauthorized: false });
    expect(r.err).toBeNull();
    expect(s.authorized).toBe(false);
    expect(s.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE'); // Node's word for an unknown issuer of a lone leaf
    expect(cn(s)).toBe('stranger-client');
    c.destroy();
    const c2 = await client(port, { cert: pki.strangerClient.cert, key: pki.strangerClient.key });
    const s2 = await next();
    const clientError = new Promise<Error & { alert?: string }>((res) => c2.once('error', res));
    const r2 = await renegotiate(s2, { requestCert: true, rejectUnauthorized: true });
    expect(r2.err?.message).toMatch(/unknown-issuer/);
    expect((await clientError).alert).toBe('unknown_ca');
  });

  it('a client without a certificate does not offer it: refused, nothing sent, the connection goes on', async () => {
    const { port, next } = await server();
    const c = await client(port);
    const s = await next();
    const r = await renegotiate(s, { requestCert: true });
    expect(r.started).toBe(false);
    expect(r.err?.code).toBe('ERR_TLS_RENEGOTIATE');
    expect(r.err?.message).toMatch(/post_handshake_auth/);
    c.write('still here');
    expect(await new Promise<string>((res) => s.once('data', (d: Buffer) => res(d.toString())))).toBe('still here');
    c.destroy();
  });

  it('postHandshakeAuth: true without a certificate: an empty answer, refused with certificate_required when rejectUnauthorized', async () => {
    const { port, next } = await server();
    const c = await client(port, { postHandshakeAuth: true });
    const s = await next();
    const clientError = new Promise<Error & { alert?: string }>((res) => c.once('error', res));
    const r = await renegotiate(s, { requestCert: true, rejectUnauthorized: true });
    expect(r.err).toMatchObject({ alert: 'certificate_required' });
    expect((await clientError).alert).toBe('certificate_required');
  });

  it('refused: on a client, without requestCert (no renegotiation in TLS 1.3), with non-boolean options', async () => {
    const { port, next } = await server();
    const c = await client(port, { cert: pki.client.cert, key: pki.client.key });
    const s = await next();
    const onClient = await renegotiate(c, { requestCert: true });
    expect(onClient.started).toBe(false);
    expect(onClient.err?.message).toMatch(/only a server/);
    const plain = await renegotiate(s, {});
    expect(plain.started).toBe(false);
    expect(plain.err?.message).toMatch(/no renegotiation/);
    expect(() => s.renegotiate({ requestCert: 1 as unknown as boolean }, () => undefined)).toThrow(/requestCert must be true or false/);
    // One at a time.
    const first = renegotiate(s, { requestCert: true });
    const second = await renegotiate(s, { requestCert: true });
    expect(second.err?.message).toMatch(/already outstanding/);
    expect((await first).err).toBeNull();
    c.destroy();
  });
});
