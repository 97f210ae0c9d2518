/**
 * assertKeyMatchesCertificate: a private key is accepted with its own
 * certificate and refused ("key values mismatch", as Node says) with any
 * other, for every key type; the adapters refuse a mismatched pair when the
 * configuration is made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertKeyMatchesCertificate, KeyMismatchError, parsePrivateKey, pemDecode } from '../../src/x509/index.js';
import { makeTestPki, type KeyType, type TestPki } from '../interop/helpers/pki.js';
import { clientConfig, serverConfig } from '../../src/io/options.js';
import { createServer, secureStream } from '../../src/io/node.js';
import { secureWebStream } from '../../src/io/web.js';

const TYPES: KeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa2048', 'rsa-pss', 'ed25519'];
let pki: TestPki;
let other: TestPki;
beforeAll(() => {
  pki = makeTestPki({ keyTypes: TYPES });
  other = makeTestPki({ keyTypes: TYPES });
});
afterAll(() => {
  pki?.cleanup();
  other?.cleanup();
});

const der = (pem: string) => pemDecode(pem, 'CERTIFICATE')[0]!;

describe('assertKeyMatchesCertificate', () => {
  for (const t of TYPES) {
    it(`${t}: its own key matches`, () => {
      expect(() => assertKeyMatchesCertificate(der(pki.server[t].cert), parsePrivateKey(pki.server[t].key))).not.toThrow();
    });
    it(`${t}: another key of the same type is refused`, () => {
      const f = () => assertKeyMatchesCertificate(der(pki.server[t].cert), parsePrivateKey(other.server[t].key));
      expect(f).toThrow(KeyMismatchError);
      expect(f).toThrow(/key values mismatch/);
    });
  }
  it('a key of another type is refused', () => {
    for (const a of TYPES) {
      for (const b of TYPES) {
        if (a === b || (a.startsWith('rsa') && b.startsWith('rsa'))) continue;
        expect(() => assertKeyMatchesCertificate(der(pki.server[a].cert), parsePrivateKey(pki.server[b].key)), `${a} cert, ${b} key`)
          .toThrow(/key values mismatch/);
      }
    }
  });
  it('an EC key whose stored public point was tampered with is judged by its scalar', () => {
    const key = parsePrivateKey(other.server['ecdsa-p256'].key);
    const own = parsePrivateKey(pki.server['ecdsa-p256'].key);
    // Claims the certificate's public point but holds another scalar.
    const forged = { ...key, point: own.type === 'ec' ? own.point : new Uint8Array(0) };
    expect(() => assertKeyMatchesCertificate(der(pki.server['ecdsa-p256'].cert), forged)).toThrow(/key values mismatch/);
  });
  it('the error carries a stable code and names the option', () => {
    try {
      assertKeyMatchesCertificate(der(pki.server['ecdsa-p256'].cert), parsePrivateKey(pki.server.ed25519.key), 'sni["a"]');
      expect.unreachable();
    } catch (e) {
      expect((e as KeyMismatchError).code).toBe('ERR_PURETLS_KEY_MISMATCH');
      expect((e as Error).message).toMatch(/^sni\["a"\]: key values mismatch.*Ed25519.*EC P-256/);
    }
  });
});

describe('configurations refuse a mismatched pair when they are made', () => {
  it('server cert/key, SNI entries and client certificates', () => {
    const cert = pki.server['ecdsa-p256'].cert;
    const wrong = other.server['ecdsa-p256'].key;
    expect(() => serverConfig({ cert, key: wrong })).toThrow(/cert\/key: key values mismatch/);
    expect(() => serverConfig({ cert, key: pki.server['ecdsa-p256'].key, sni: { 'a.example': { cert, key: wrong } } }))
      .toThrow(/sni\["a.example"\]: key values mismatch/);
    expect(() => clientConfig({ servername: 'localhost', cert: pki.client.cert, key: wrong })).toThrow(/key values mismatch/);
    expect(() => serverConfig({ cert, key: pki.server['ecdsa-p256'].key })).not.toThrow();
    expect(() => createServer({ cert, key: wrong })).toThrow(/key values mismatch/);
    const pair = () => ({ readable: new ReadableStream<Uint8Array>(), writable: new WritableStream<Uint8Array>() });
    expect(() => secureStream(pair(), { isServer: true, cert, key: wrong })).toThrow(/key values mismatch/);
    expect(() => secureWebStream(pair(), { isServer: true, cert, key: wrong })).toThrow(/key values mismatch/);
  });
});
