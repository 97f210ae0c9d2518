/**
 * Post-handshake client authentication, RFC 8446 §4.6.2 (issue 12), both
 * roles over two in-memory Connections: the client offers post_handshake_auth
 * when it has a certificate (§4.2.6), the server asks with
 * requestClientCertificate(), and every malformed or unexpected answer ends
 * in the alert the handshake would send. Misbehaving peers are played with
 * the `__mutateHandshake` test hook (it rewrites a message after it entered
 * the sender's transcript).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { createCertificateAuthority, issueCertificate } from '../../src/cert/index.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { decodeHandshake, encodeHandshake } from '../../src/handshake/messages/index.js';
import { ExtensionType, HandshakeType } from '../../src/handshake/messages/types.js';
import { ServerPostHandshakeAuth } from '../../src/handshake/server/post-handshake-auth.js';
import { Transcript } from '../../src/handshake/transcript.js';
import { decodeCertificate } from '../../src/x509/certificate.js';
import { zlib } from '../../src/compression/index.js';
import { MAX_CERTIFICATE_REQUESTS } from '../../src/connection/flood-guard.js';
import { Connection } from '../../src/connection/connection.js';
import { concatAll, connectPair, makeClient, pump, type Endpoint } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => {
  P = await pki();
}, 60_000);

const text = (s: string) => new TextEncoder().encode(s);
const read = (ep: Endpoint) => new TextDecoder().decode(concatAll(ep.data));

function clientCfg(extra: Partial<ClientConfig> = {}): ClientConfig {
  return { servername: 'localhost', ca: [P.caPem], certificate: P.client, ...extra };
}
function serverCfg(extra: Partial<ServerConfig> = {}): ServerConfig {
  return { certificate: P.server['ecdsa-p256'], ca: [P.caPem], ...extra };
}

/** Ask, pump until both are quiet, and return the outcome. */
async function ask(client: Endpoint, server: Endpoint, opts = {}) {
  let result: unknown;
  let error: unknown;
  const p = server.conn.requestClientCertificate(opts).then((r) => { result = r; }, (e: unknown) => { error = e; });
  await pump(client, server);
  await p;
  return { result: result as Awaited<ReturnType<typeof server.conn.requestClientCertificate>> | undefined, error: error as { code?: string; alert?: string; message: string } | undefined };
}

/** Rewrite handshake messages of `type` sent after the handshake (the n-th and later, counting from 1). */
function afterHandshake(type: number, f: (raw: Uint8Array) => Uint8Array | Uint8Array[], from = 1) {
  let seen = 0;
  return (raw: Uint8Array) => {
    if (raw[0] !== type) return raw;
    seen++;
    return seen >= from ? f(raw) : raw;
  };
}

function traceOf(list: string[]) {
  return (direction: 'sent' | 'received', type: string) => list.push(`${direction} ${type}`);
}

describe('post-handshake client authentication (RFC 8446 §4.6.2)', () => {
  it('the client offers post_handshake_auth with a certificate, and not without one (§4.2.6)', async () => {
    const seen: boolean[] = [];
    const hook = (raw: Uint8Array) => {
      const m = decodeHandshake(raw);
      if (m.type === 'client_hello') seen.push(m.extensions.some((e) => e.type === ExtensionType.post_handshake_auth));
      return raw;
    };
    await connectPair(clientCfg({ __mutateHandshake: hook } as ClientConfig), serverCfg());
    await connectPair(clientCfg({ certificate: undefined, __mutateHandshake: hook } as ClientConfig), serverCfg());
    await connectPair(clientCfg({ postHandshakeAuth: false, __mutateHandshake: hook } as ClientConfig), serverCfg());
    await connectPair(clientCfg({ certificate: undefined, selectClientCertificate: () => undefined, __mutateHandshake: hook } as ClientConfig), serverCfg());
    expect(seen).toEqual([true, false, false, true]);
  });

  it('the server asks after the handshake; the client answers Certificate, CertificateVerify, Finished; info names the certificate; data flows on', async () => {
    const ct: string[] = [];
    const st: string[] = [];
    const { client, server } = await connectPair(clientCfg({ onHandshakeMessage: traceOf(ct) }), serverCfg({ onHandshakeMessage: traceOf(st) }));
    expect(server.conn.info!.peerCertificates).toEqual([]);
    ct.length = 0;
    st.length = 0;
    const { result, error } = await ask(client, server);
    expect(error).toBeUndefined();
    expect(result!.peerCertificates).toEqual(P.client.chain);
    expect(result!.peerVerified).toBe(true);
    expect(result!.signatureScheme).toBe('ecdsa_secp256r1_sha256');
    expect(server.conn.info!.peerCertificates).toEqual(P.client.chain);
    expect(server.conn.info!.peerVerified).toBe(true);
    expect(st).toEqual(['sent certificate_request', 'received certificate', 'received certificate_verify', 'received finished']);
    expect(ct).toEqual(['received certificate_request', 'sent certificate', 'sent certificate_verify', 'sent finished']);
    void client.conn.write(text('ping'));
    void server.conn.write(text('pong'));
    await pump(client, server);
    expect(read(server)).toBe('ping');
    expect(read(client)).toBe('pong');
    expect(client.errors).toEqual([]);
    expect(server.errors).toEqual([]);
  });

  it('several requests in turn, each with its own context, across KeyUpdates both ways (Finished keyed by client_application_traffic_secret_N)', async () => {
    const contexts: string[] = [];
    const { client, server } = await connectPair(clientCfg(), serverCfg({
      __mutateHandshake: (raw: Uint8Array) => {
        if (raw[0] === HandshakeType.certificate_request) contexts.push(Buffer.from(decodeHandshake(raw).type === 'certificate_request' ? (decodeHandshake(raw) as { context: Uint8Array }).context : []).toString('hex'));
        return raw;
      },
    } as ServerConfig));
    for (let i = 0; i < 3; i++) {
      const { result, error } = await ask(client, server);
      expect(error).toBeUndefined();
      expect(result!.peerVerified).toBe(true);
      client.conn.keyUpdate(true);
      await pump(client, server);
      server.conn.keyUpdate(i === 1);
      await pump(client, server);
      void client.conn.write(text(`${i}`));
      await pump(client, server);
    }
    expect(read(server)).toBe('012');
    expect(contexts).toHaveLength(3);
    expect(new Set(contexts).size).toBe(3);
    for (const c of contexts) expect(c.length).toBeGreaterThan(0);
  });

  it('two requests outstanding at once are answered in the order received, each echoing its own context (§4.6.2)', async () => {
    const answered: string[] = [];
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const { client, server } = await connectPair(
      clientCfg({
        __mutateHandshake: afterHandshake(HandshakeType.certificate, (raw) => {
          answered.push(hex((decodeHandshake(raw) as { context: Uint8Array }).context));
          return raw;
        }),
      } as ClientConfig),
      serverCfg({
        // A server that sends a second request (its context the first's with the last byte flipped) right behind the first.
        __mutateHandshake: afterHandshake(HandshakeType.certificate_request, (raw) => {
          const m = decodeHandshake(raw) as Extract<ReturnType<typeof decodeHandshake>, { type: 'certificate_request' }>;
          const second = m.context.slice();
          second[second.length - 1]! ^= 0xff;
          return [raw, encodeHandshake({ ...m, context: second })];
        }),
      } as ServerConfig),
    );
    const { result } = await ask(client, server);
    expect(answered).toHaveLength(2);
    expect(answered[0]!.slice(0, -2)).toBe(answered[1]!.slice(0, -2));
    expect(answered[0]).not.toBe(answered[1]);
    // Our server keeps one request outstanding: the first answer verifies, the second is unexpected.
    expect(result!.peerVerified).toBe(true);
    expect(server.errors[0]?.alert).toBe('unexpected_message');
    expect(client.errors[0]?.alert).toBe('unexpected_message');
  });

  it('selectClientCertificate is asked (postHandshake: true, the server\'s schemes and CAs) and its certificate is sent', async () => {
    const asked: unknown[] = [];
    const { client, server } = await connectPair(
      clientCfg({ certificate: undefined, selectClientCertificate: (r) => { asked.push(r); return P.client; } }),
      serverCfg({ clientCertificateAuthorities: [decodeCertificate(P.caDer).subject.raw] }),
    );
    const { result } = await ask(client, server);
    expect(result!.peerCertificates).toEqual(P.client.chain);
    expect(asked).toHaveLength(1);
    const r = asked[0] as { postHandshake: boolean; signatureSchemes: string[]; certificateAuthorities: Uint8Array[] };
    expect(r.postHandshake).toBe(true);
    expect(r.signatureSchemes).toContain('ecdsa_secp256r1_sha256');
    expect(r.certificateAuthorities).toHaveLength(1);
  });

  it('a client without a certificate that fits declines with an empty Certificate and Finished; info keeps what it had', async () => {
    const { client, server } = await connectPair(clientCfg({ certificate: undefined, postHandshakeAuth: true }), serverCfg());
    const { result, error } = await ask(client, server);
    expect(error).toBeUndefined();
    expect(result!.peerCertificates).toEqual([]);
    expect(result!.peerVerified).toBe(false);
    expect(server.conn.info!.peerCertificates).toEqual([]);
    expect(server.conn.state).toBe('connected');
    // A certificate whose key fits none of the server's schemes is not sent either (§4.4.2).
    const r2 = await connectPair(clientCfg(), serverCfg({ certificate: P.server.ed25519, signatureSchemes: ['ed25519'] }));
    expect((await ask(r2.client, r2.server)).result!.peerCertificates).toEqual([]);
  });

  it('require: an empty answer → certificate_required, the connection fails and the promise rejects', async () => {
    const { client, server } = await connectPair(clientCfg({ certificate: undefined, postHandshakeAuth: true }), serverCfg());
    const { error } = await ask(client, server, { require: true });
    expect(error?.alert).toBe('certificate_required');
    expect(server.conn.state).toBe('failed');
    expect(client.errors[0]?.alert).toBe('certificate_required');
  });

  it('a certificate from an unknown CA → unknown_ca; with rejectUnauthorized: false it is reported, not fatal', async () => {
    const ca = await createCertificateAuthority({ name: 'other CA', keyType: 'ecdsa-p256' });
    const c = await issueCertificate({ ca, names: ['stranger'], keyType: 'ecdsa-p256', client: true });
    const stranger = { chain: [c.certDer], key: c.key };
    let { client, server } = await connectPair(clientCfg({ certificate: stranger }), serverCfg());
    const failed = await ask(client, server);
    expect(failed.error?.alert).toBe('unknown_ca');
    expect(client.errors[0]?.alert).toBe('unknown_ca');
    ({ client, server } = await connectPair(clientCfg({ certificate: stranger }), serverCfg()));
    const ok = await ask(client, server, { rejectUnauthorized: false });
    expect(ok.result!.peerVerified).toBe(false);
    expect(ok.result!.peerVerifyCode).toBe('unknown-issuer');
    expect(server.conn.info!.peerVerified).toBe(false);
    expect(server.conn.info!.peerCertificates).toEqual([c.certDer]);
  });

  it('the server refuses to ask a client that did not send post_handshake_auth, and sends nothing (§4.6.2 MUST NOT)', async () => {
    const st: string[] = [];
    const { client, server } = await connectPair(clientCfg({ postHandshakeAuth: false }), serverCfg({ onHandshakeMessage: traceOf(st) }));
    const before = server.sent.length;
    const { error } = await ask(client, server);
    expect(error?.code).toBe('pha_not_offered');
    expect(error?.message).toMatch(/post_handshake_auth/);
    expect(server.sent.length).toBe(before);
    expect(st).not.toContain('sent certificate_request');
    expect(server.conn.state).toBe('connected');
    expect(client.conn.state).toBe('connected');
  });

  it('asked from onHandshakeDone, while the handshake\'s last message is still being processed: sent once it is', async () => {
    let asked: Promise<unknown> | undefined;
    const server = { sent: [], data: [], errors: [], info: undefined, peerClosed: false, delivered: 0 } as unknown as Endpoint;
    server.conn = Connection.server(serverCfg(), {
      onTransmit: (b) => server.sent.push(b.slice()),
      onError: (e) => server.errors.push(e),
      onHandshakeDone: () => { asked = server.conn.requestClientCertificate(); },
    });
    const client = makeClient(clientCfg());
    client.conn.start();
    await pump(client, server);
    expect(asked).toBeDefined();
    expect(await asked).toMatchObject({ peerVerified: true, peerCertificates: P.client.chain });
  });

  it('one outstanding request at a time; bad options, a client and an unfinished connection are refused', async () => {
    const { client, server } = await connectPair(clientCfg(), serverCfg());
    const first = server.conn.requestClientCertificate();
    await expect(server.conn.requestClientCertificate()).rejects.toMatchObject({ code: 'pha_in_progress' });
    await pump(client, server);
    expect((await first).peerVerified).toBe(true);
    await expect(server.conn.requestClientCertificate({ require: 1 as unknown as boolean })).rejects.toMatchObject({ code: 'bad_options' });
    await expect(client.conn.requestClientCertificate()).rejects.toMatchObject({ code: 'not_server' });
    const { makeServer } = await import('./helpers.js');
    await expect(makeServer(serverCfg()).conn.requestClientCertificate()).rejects.toMatchObject({ code: 'not_connected' });
  });

  it('the client closing its side before answering rejects the request (pha_unanswered); the connection stays usable', async () => {
    const { client, server } = await connectPair(clientCfg(), serverCfg());
    const p = server.conn.requestClientCertificate();
    client.conn.close();
    await pump(client, server);
    await expect(p).rejects.toMatchObject({ code: 'pha_unanswered' });
    expect(server.errors).toEqual([]);
  });
});

describe('post-handshake authentication with certificate compression (RFC 8879 §4)', () => {
  it('the request offers compress_certificate and the client answers with a CompressedCertificate the server reads', async () => {
    const ct: string[] = [];
    const { client, server } = await connectPair(
      clientCfg({ certificateCompression: [zlib], onHandshakeMessage: traceOf(ct) }),
      serverCfg({ certificateCompression: [zlib] }),
    );
    ct.length = 0;
    const { result, error } = await ask(client, server);
    expect(error).toBeUndefined();
    expect(ct).toEqual(['received certificate_request', 'sent compressed_certificate', 'sent certificate_verify', 'sent finished']);
    expect(result!.peerCertificates).toEqual(P.client.chain);
    expect(result!.peerVerified).toBe(true);
  });

  it('a CompressedCertificate when our request offered no compression → unexpected_message, as in the handshake', async () => {
    // The client compresses (it can) although the server's request did not offer it.
    const { client, server } = await connectPair(
      clientCfg({ certificateCompression: [zlib] }),
      serverCfg({
        __mutateHandshake: afterHandshake(HandshakeType.certificate_request, (raw) => {
          const m = decodeHandshake(raw) as Extract<ReturnType<typeof decodeHandshake>, { type: 'certificate_request' }>;
          // Offer zlib on the wire although this server cannot decompress.
          return encodeHandshake({ ...m, extensions: [...m.extensions, { type: ExtensionType.compress_certificate, data: new Uint8Array([2, 0, 1]) }] });
        }),
      } as ServerConfig),
    );
    const { error } = await ask(client, server);
    expect(error?.alert).toBe('unexpected_message');
    expect(server.errors[0]?.message).toMatch(/CompressedCertificate/);
  });
});

describe('post-handshake authentication: what the client refuses', () => {
  it('a CertificateRequest when we did not send post_handshake_auth → unexpected_message (§4.6.2)', async () => {
    const { client, server } = await connectPair(clientCfg({ postHandshakeAuth: false }), serverCfg());
    // Play a server that asks anyway: give its connection a request machine.
    const t = new Transcript(pureProvider);
    t.setHash('SHA-256');
    const internals = server.conn as unknown as { connected: { pha: unknown }; _info: object };
    internals.connected.pha = new ServerPostHandshakeAuth(t);
    internals._info = { ...internals._info, postHandshakeAuth: true };
    void server.conn.requestClientCertificate().catch(() => undefined);
    await pump(client, server);
    expect(client.errors[0]?.alert).toBe('unexpected_message');
    expect(client.errors[0]?.message).toMatch(/post_handshake_auth/);
  });

  it('an empty certificate_request_context after the handshake → illegal_parameter (§4.3.2)', async () => {
    const { client, server } = await connectPair(clientCfg(), serverCfg({
      __mutateHandshake: afterHandshake(HandshakeType.certificate_request, (raw) => {
        const m = decodeHandshake(raw);
        return encodeHandshake({ ...(m as Extract<typeof m, { type: 'certificate_request' }>), context: new Uint8Array(0) });
      }),
    } as ServerConfig));
    const { error } = await ask(client, server);
    expect(client.errors[0]?.alert).toBe('illegal_parameter');
    expect(error?.alert).toBe('illegal_parameter');
  });

  it('a CertificateRequest without signature_algorithms → missing_extension; with an extension not allowed there → illegal_parameter', async () => {
    for (const [exts, alert] of [
      [[{ type: ExtensionType.certificate_authorities, data: new Uint8Array([0, 3, 0, 1, 0x30]) }], 'missing_extension'],
      [[{ type: ExtensionType.signature_algorithms, data: new Uint8Array([0, 2, 4, 3]) }, { type: ExtensionType.key_share, data: new Uint8Array(0) }], 'illegal_parameter'],
    ] as const) {
      const { client, server } = await connectPair(clientCfg(), serverCfg({
        __mutateHandshake: afterHandshake(HandshakeType.certificate_request, (raw) => {
          const m = decodeHandshake(raw) as Extract<ReturnType<typeof decodeHandshake>, { type: 'certificate_request' }>;
          return encodeHandshake({ ...m, extensions: exts });
        }),
      } as ServerConfig));
      await ask(client, server);
      expect(client.errors[0]?.alert).toBe(alert);
    }
  });

  it(`more than ${MAX_CERTIFICATE_REQUESTS} CertificateRequests with no data in between → unexpected_message (each costs a signature)`, async () => {
    const { client, server } = await connectPair(clientCfg(), serverCfg());
    for (let i = 0; i < MAX_CERTIFICATE_REQUESTS; i++) expect((await ask(client, server)).error).toBeUndefined();
    await ask(client, server);
    expect(client.errors[0]?.alert).toBe('unexpected_message');
    expect(client.errors[0]?.code).toBe('too_many_certificate_requests');
    // Data from the server in between resets the count.
    const pair = await connectPair(clientCfg(), serverCfg());
    for (let i = 0; i < MAX_CERTIFICATE_REQUESTS + 2; i++) {
      expect((await ask(pair.client, pair.server)).error).toBeUndefined();
      void pair.server.conn.write(text('.'));
      await pump(pair.client, pair.server);
    }
    expect(pair.client.errors).toEqual([]);
  });

  it('a selectClientCertificate that throws ends the connection with internal_error', async () => {
    const { client, server } = await connectPair(clientCfg({ selectClientCertificate: () => { throw new Error('no smart card'); } }), serverCfg());
    const { error } = await ask(client, server);
    expect(client.errors[0]?.alert).toBe('internal_error');
    expect(client.errors[0]?.message).toMatch(/no smart card/);
    expect(error?.alert).toBe('internal_error');
  });
});

describe('post-handshake authentication: what the server refuses', () => {
  it('a Certificate whose context is not the request\'s → illegal_parameter', async () => {
    const { client, server } = await connectPair(clientCfg({
      __mutateHandshake: afterHandshake(HandshakeType.certificate, (raw) => {
        const m = decodeHandshake(raw) as Extract<ReturnType<typeof decodeHandshake>, { type: 'certificate' }>;
        return encodeHandshake({ ...m, context: m.context.map((b) => b ^ 1) });
      }), // the server did not ask in the handshake: the first Certificate the client sends is the answer
    } as ClientConfig), serverCfg());
    const { error } = await ask(client, server);
    expect(error?.alert).toBe('illegal_parameter');
    expect(client.errors[0]?.alert).toBe('illegal_parameter');
  });

  it('a CertificateVerify that does not verify → decrypt_error', async () => {
    const { client, server } = await connectPair(clientCfg({
      __mutateHandshake: afterHandshake(HandshakeType.certificate_verify, (raw) => {
        const out = raw.slice();
        out[out.length - 5]! ^= 0x40;
        return out;
      }),
    } as ClientConfig), serverCfg());
    const { error } = await ask(client, server);
    expect(error?.alert).toBe('decrypt_error');
  });

  it('a Finished that does not verify → decrypt_error; a short one → decode_error', async () => {
    for (const [f, alert] of [
      [(raw: Uint8Array) => { const o = raw.slice(); o[o.length - 1]! ^= 1; return o; }, 'decrypt_error'],
      [(raw: Uint8Array) => { const o = raw.slice(0, raw.length - 1); o[3] = o.length - 4; return o; }, 'decode_error'],
    ] as const) {
      const { client, server } = await connectPair(clientCfg({ __mutateHandshake: afterHandshake(HandshakeType.finished, f, 2) } as ClientConfig), serverCfg());
      const { error } = await ask(client, server);
      expect(error?.alert).toBe(alert);
      expect(server.conn.info!.peerCertificates).toEqual([]);
    }
  });

  it('a Certificate with no request outstanding → unexpected_message', async () => {
    const { client, server } = await connectPair(clientCfg({
      // After its answer's Finished the client "sends" another Certificate.
      __mutateHandshake: afterHandshake(HandshakeType.finished, (raw) => [raw, encodeHandshake({ type: 'certificate', context: new Uint8Array([1]), entries: [] })], 2),
    } as ClientConfig), serverCfg());
    const { result } = await ask(client, server);
    expect(result!.peerVerified).toBe(true);
    expect(server.errors[0]?.alert).toBe('unexpected_message');
  });

  it('application data inside the answer (between Certificate and Finished) → unexpected_message (§4.6.2: consecutive)', async () => {
    const held: Uint8Array[] = [];
    const { client, server } = await connectPair(clientCfg({
      __mutateHandshake: (raw: Uint8Array) => {
        if (raw[0] === HandshakeType.certificate_verify && held.length === 0) held.push(raw);
        else if (raw[0] === HandshakeType.finished && held.length === 1) held.push(raw);
        else return raw;
        return [];
      },
    } as ClientConfig), serverCfg());
    const p = server.conn.requestClientCertificate();
    void p.catch(() => undefined);
    await pump(client, server);
    expect(held).toHaveLength(2); // CertificateVerify and Finished held back; the Certificate went
    void client.conn.write(text('in between'));
    await pump(client, server);
    await expect(p).rejects.toMatchObject({ alert: 'unexpected_message' });
    expect(server.errors[0]?.message).toMatch(/consecutive/);
  });
});

