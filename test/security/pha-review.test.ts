/**
 * Post-handshake client authentication (RFC 8446 §4.6.2) read as a hostile
 * peer would, beyond test/connection/post-handshake-auth.test.ts:
 * - the transcript each answer signs is exactly §4.4's "ClientHello ...
 *   client Finished + CertificateRequest" plus the answer so far, checked
 *   independently (node:crypto verifies the client's second CertificateVerify
 *   over a hash we compute from the captured wire messages): it does not
 *   include the session tickets or an earlier request's exchange;
 * - a non-empty Certificate followed by Finished without CertificateVerify,
 *   and a KeyUpdate between the answer's messages, → unexpected_message
 *   (§4.6.2: "consecutively"; §4.4.2.4 proof of possession), and the
 *   server's info keeps the handshake's authentication.
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { encodeHandshake } from '../../src/handshake/messages/index.js';
import { HandshakeType } from '../../src/handshake/messages/types.js';
import { connectPair, pump, type Endpoint } from '../connection/helpers.js';
import { pki, type Pki } from '../connection/fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); }, 60_000);

const clientCfg = (extra: object = {}): ClientConfig => ({ servername: 'localhost', ca: [P.caPem], certificate: P.client, ...extra } as ClientConfig);
const serverCfg = (extra: object = {}): ServerConfig => ({ certificate: P.server['ecdsa-p256'], ca: [P.caPem], ...extra } as ServerConfig);

async function ask(client: Endpoint, server: Endpoint) {
  const p = server.conn.requestClientCertificate().then((r) => ({ r, e: undefined }), (e: { alert?: string }) => ({ r: undefined, e }));
  await pump(client, server);
  return p;
}

describe('post-handshake auth: the transcript each answer signs (§4.4.1)', () => {
  it('request 2 is signed over ClientHello..client Finished + CertificateRequest 2 + Certificate 2 only', async () => {
    const wire: { from: 'c' | 's'; raw: Uint8Array }[] = [];
    const tap = (from: 'c' | 's') => (raw: Uint8Array) => { wire.push({ from, raw: raw.slice() }); return raw; };
    const { client, server } = await connectPair(
      clientCfg({ __mutateHandshake: tap('c'), ciphers: 'TLS_AES_128_GCM_SHA256' }),
      serverCfg({ __mutateHandshake: tap('s') }),
    );
    expect(server.conn.state).toBe('connected');
    expect((await ask(client, server)).r?.peerVerified).toBe(true);
    expect((await ask(client, server)).r?.peerVerified).toBe(true);
    const type = (i: number) => wire[i]!.raw[0];
    // The handshake: through the client's Finished (its first Finished).
    const clientFinished = wire.findIndex((w) => w.from === 'c' && w.raw[0] === HandshakeType.finished);
    const base = wire.slice(0, clientFinished + 1).filter((w) => w.raw[0] !== HandshakeType.new_session_ticket);
    expect(base.map((w) => w.raw[0])).toEqual([
      HandshakeType.client_hello, HandshakeType.server_hello, HandshakeType.encrypted_extensions,
      HandshakeType.certificate, HandshakeType.certificate_verify, HandshakeType.finished, HandshakeType.finished,
    ]);
    const requests = wire.map((w, i) => i).filter((i) => type(i) === HandshakeType.certificate_request);
    expect(requests).toHaveLength(2);
    const after = (i: number, t: number, from: 'c' | 's') => wire.findIndex((w, j) => j > i && w.from === from && w.raw[0] === t);
    const cert2 = after(requests[1]!, HandshakeType.certificate, 'c');
    const cv2 = after(requests[1]!, HandshakeType.certificate_verify, 'c');
    const h = createHash('sha256');
    for (const w of base) h.update(w.raw);
    h.update(wire[requests[1]!]!.raw);
    h.update(wire[cert2]!.raw);
    const transcriptHash = h.digest();
    // §4.4.3: 64 spaces, the context string, a zero byte, the transcript hash.
    const content = Buffer.concat([Buffer.alloc(64, 0x20), Buffer.from('TLS 1.3, client CertificateVerify'), Buffer.from([0]), transcriptHash]);
    const cv = wire[cv2]!.raw;
    expect((cv[4]! << 8) | cv[5]!).toBe(0x0403); // ecdsa_secp256r1_sha256
    const signature = cv.subarray(8, 8 + ((cv[6]! << 8) | cv[7]!));
    const key = new X509Certificate(P.client.chain[0]!).publicKey;
    expect(verify('sha256', content, key, signature)).toBe(true);
  });
});

describe('post-handshake auth: answers the server refuses', () => {
  it('a non-empty Certificate then Finished without CertificateVerify → unexpected_message; info unchanged', async () => {
    const { client, server } = await connectPair(clientCfg({
      __mutateHandshake: (raw: Uint8Array) => (raw[0] === HandshakeType.certificate_verify ? [] : raw),
    }), serverCfg());
    const { e } = await ask(client, server);
    expect(e?.alert).toBe('unexpected_message');
    expect(server.conn.state).toBe('failed');
    expect(server.conn.info!.peerCertificates).toEqual([]);
  });

  it('a KeyUpdate between Certificate and CertificateVerify → unexpected_message', async () => {
    let seen = false;
    const { client, server } = await connectPair(clientCfg({
      __mutateHandshake: (raw: Uint8Array) => {
        if (raw[0] !== HandshakeType.certificate || seen) return raw;
        seen = true;
        return [raw, encodeHandshake({ type: 'key_update', requestUpdate: 0 })];
      },
    }), serverCfg());
    const { e } = await ask(client, server);
    expect(e?.alert).toBe('unexpected_message');
    expect(server.conn.info!.peerCertificates).toEqual([]);
  });
});
