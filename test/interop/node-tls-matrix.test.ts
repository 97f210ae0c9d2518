/**
 * puretls ↔ Node's tls, both roles: every cipher suite × every group this
 * Node supports × server keys ECDSA P-256, ECDSA P-384, RSA-2048 (RSA-PSS
 * signatures), Ed25519. Each connection exchanges data both ways.
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type Server, type TlsSocket } from '../../src/io/node.js';
import { GROUPS, NODE_GROUP, SUITES } from './helpers/groups.js';
import { closeServer, collect, listen } from './helpers/net.js';
import { makeTestPki, type KeyType, type TestPki } from './helpers/pki.js';

const KEYS: KeyType[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa2048', 'ed25519'];
const EXPECTED_SCHEME: Record<string, RegExp> = {
  'ecdsa-p256': /^ecdsa_secp256r1_sha256$/,
  'ecdsa-p384': /^ecdsa_secp384r1_sha384$/,
  rsa2048: /^rsa_pss_rsae_sha(256|384|512)$/,
  ed25519: /^ed25519$/,
};

let pki: TestPki;
const nodeServers = new Map<KeyType, { server: tls.Server; port: number }>();
const pureServers = new Map<KeyType, { server: Server; port: number }>();
const pureServerSeen: { cipher: string; group: string | undefined }[] = [];

beforeAll(async () => {
  pki = makeTestPki({ keyTypes: KEYS });
  for (const k of KEYS) {
    const ns = tls.createServer({
      cert: pki.server[k].cert, key: pki.server[k].key, minVersion: 'TLSv1.3',
      ecdhCurve: GROUPS.map((g) => NODE_GROUP[g]).join(':'),
    }, (s) => s.pipe(s));
    nodeServers.set(k, { server: ns, port: await listen(ns) });
    const ps = createServer({ cert: pki.server[k].cert, key: pki.server[k].key, groups: [...GROUPS] }, (s) => {
      pureServerSeen.push({ cipher: s.info!.cipherSuite, group: s.info!.group });
      s.pipe(s);
    });
    pureServers.set(k, { server: ps, port: await listen(ps) });
  }
});

afterAll(async () => {
  for (const { server } of nodeServers.values()) await closeServer(server);
  for (const { server } of pureServers.values()) await closeServer(server);
  pki?.cleanup();
});

/** Send a message, read the echo to the end. */
async function echo(sock: TlsSocket | tls.TLSSocket, msg: string): Promise<string> {
  const got = collect(sock);
  sock.end(msg);
  return (await got).toString();
}

describe('puretls client → Node tls server', () => {
  for (const key of KEYS) for (const suite of SUITES) for (const group of GROUPS) {
    it(`${key} ${suite} ${group}`, async () => {
      const sock = connect({
        host: '127.0.0.1', port: nodeServers.get(key)!.port, servername: 'localhost', ca: pki.ca.cert,
        cipherSuites: [suite], groups: [group],
      });
      await new Promise<void>((res, rej) => { sock.once('secureConnect', res); sock.once('error', rej); });
      expect(sock.getProtocol()).toBe('TLSv1.3');
      expect(sock.getCipher()!.standardName).toBe(suite);
      expect(sock.group).toBe(group);
      expect(sock.signatureScheme).toMatch(EXPECTED_SCHEME[key]!);
      expect(sock.authorized).toBe(true);
      const msg = `hello ${key} ${suite} ${group}`;
      expect(await echo(sock, msg)).toBe(msg);
    });
  }
});

describe('Node tls client → puretls server', () => {
  for (const key of KEYS) for (const suite of SUITES) for (const group of GROUPS) {
    it(`${key} ${suite} ${group}`, async () => {
      const before = pureServerSeen.length;
      const sock = tls.connect({
        host: '127.0.0.1', port: pureServers.get(key)!.port, servername: 'localhost', ca: pki.ca.cert,
        minVersion: 'TLSv1.3', ciphers: suite, ecdhCurve: NODE_GROUP[group]!,
      });
      await new Promise<void>((res, rej) => { sock.once('secureConnect', res); sock.once('error', rej); });
      expect(sock.authorized).toBe(true);
      expect(sock.getProtocol()).toBe('TLSv1.3');
      expect(sock.getCipher().standardName).toBe(suite);
      expect((sock.getEphemeralKeyInfo() as { name?: string }).name).toBe(NODE_GROUP[group] === 'prime256v1' ? 'prime256v1' : NODE_GROUP[group]);
      const msg = `hello ${key} ${suite} ${group}`;
      expect(await echo(sock, msg)).toBe(msg);
      expect(pureServerSeen[before]).toEqual({ cipher: suite, group });
    });
  }
});
