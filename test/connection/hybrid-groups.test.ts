/**
 * SecP256r1MLKEM768 and SecP384r1MLKEM1024 (draft-ietf-tls-ecdhe-mlkem) in
 * full handshakes, puretls ↔ puretls over every provider pairing (pure,
 * WebCrypto, node:crypto: no local peer has these groups, OpenSSL 3.0, GnuTLS
 * 3.7 and Go 1.19 predate them), HelloRetryRequest to each, the default
 * supported_groups, and a malformed share → illegal_parameter.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CryptoProvider, NamedGroupName } from '../../src/crypto/provider.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { webCryptoProvider } from '../../src/crypto/webcrypto/index.js';
import { nodeProvider } from '../../src/crypto/node-provider.js';
import { decodeHandshake } from '../../src/handshake/messages/index.js';
import { connectPair, concatAll, pump, type Endpoint } from './helpers.js';
import { pki, type Pki } from './fixtures.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const PROVIDERS: [string, CryptoProvider][] = [['pure', pureProvider], ['webcrypto', webCryptoProvider], ['node', nodeProvider]];
const HYBRIDS = ['SecP256r1MLKEM768', 'SecP384r1MLKEM1024'] as const;

function connect(c: ClientConfig, s: ServerConfig): Promise<{ client: Endpoint; server: Endpoint }> {
  return connectPair({ servername: 'localhost', ca: [P.caPem], ...c }, { certificate: P.server['ecdsa-p256'], ...s });
}

function expectOk(client: Endpoint, server: Endpoint): void {
  expect(client.errors.map((e) => e.message)).toEqual([]);
  expect(server.errors.map((e) => e.message)).toEqual([]);
  expect(client.conn.state).toBe('connected');
  expect(server.conn.state).toBe('connected');
}

async function roundTrip(client: Endpoint, server: Endpoint): Promise<void> {
  const p = client.conn.write(new TextEncoder().encode('ping'));
  await pump(client, server);
  await p;
  expect(new TextDecoder().decode(concatAll(server.data))).toBe('ping');
}

/** The first ClientHello's extension `type`, from the client's first record. */
function clientHelloExtension(client: Endpoint, type: number): Uint8Array {
  const rec = client.sent[0]!;
  const ch = decodeHandshake(rec.subarray(5, 5 + ((rec[3]! << 8) | rec[4]!)));
  if (ch.type !== 'client_hello') throw new Error('not a ClientHello');
  return ch.extensions.find((e) => e.type === type)!.data;
}

describe.each(HYBRIDS)('%s handshakes', (group) => {
  for (const [cn, cp] of PROVIDERS) {
    for (const [sn, sp] of PROVIDERS) {
      it(`client ${cn} → server ${sn}`, async () => {
        const { client, server } = await connect({ provider: cp, groups: [group] }, { provider: sp, groups: [group] });
        expectOk(client, server);
        expect(client.info!.group).toBe(group);
        expect(server.info!.group).toBe(group);
        expect(client.info!.helloRetry).toBe(false);
        await roundTrip(client, server);
      });
    }
  }

  it('HelloRetryRequest to it: the client offered only an x25519 share', async () => {
    const { client, server } = await connect(
      { groups: ['x25519', group], keyShareGroups: ['x25519'] },
      { groups: [group] },
    );
    expectOk(client, server);
    expect(client.info!.helloRetry).toBe(true);
    expect(client.info!.group).toBe(group);
    expect(server.info!.group).toBe(group);
    await roundTrip(client, server);
  });

  it('HelloRetryRequest away from it: a server without the hybrid asks for secp256r1', async () => {
    const { client, server } = await connect(
      { groups: [group, 'secp256r1'], keyShareGroups: [group] },
      { groups: ['secp256r1'] },
    );
    expectOk(client, server);
    expect(client.info!.helloRetry).toBe(true);
    expect(client.info!.group).toBe('secp256r1');
  });

  it('a default server accepts it when it is the only share the client sends', async () => {
    const { client, server } = await connect({ groups: [group, 'x25519'], keyShareGroups: [group] }, {});
    expectOk(client, server);
    expect(client.info!.group).toBe(group);
    expect(client.info!.helloRetry).toBe(false);
  });

  it('an invalid EC point in the client share → illegal_parameter from the server', async () => {
    const { client, server } = await connect(
      {
        groups: [group],
        // Test hook (config.ts mutateHandshake): flip the last byte of the EC point,
        // which comes first in the share (ECDHE first), right after the 0x04 form byte and X.
        __mutateHandshake: (raw: Uint8Array) => {
          if (raw[0] !== 1) return raw;
          const copy = raw.slice();
          const code = group === 'SecP256r1MLKEM768' ? [0x11, 0xeb] : [0x11, 0xed];
          const ecLen = group === 'SecP256r1MLKEM768' ? 65 : 97;
          for (let i = 0; i + 4 < copy.length; i++) {
            if (copy[i] === code[0] && copy[i + 1] === code[1] && copy[i + 4] === 0x04) {
              copy[i + 4 + ecLen - 1]! ^= 1;
              return copy;
            }
          }
          throw new Error('key share not found');
        },
      } as ClientConfig,
      { groups: [group] },
    );
    expect(server.errors[0]?.alert).toBe('illegal_parameter');
    expect(server.errors[0]?.message).toMatch(new RegExp(`${group} key share|secp\\d+r1 key share`));
    expect(client.errors[0]?.alert).toBe('illegal_parameter');
  });
});

describe('default groups and the hybrids', () => {
  it('a default client lists both in supported_groups (Go 1.26 order) but sends no share for them', async () => {
    const { client, server } = await connect({}, {});
    expectOk(client, server);
    const sg = clientHelloExtension(client, 10);
    const listed: number[] = [];
    for (let i = 2; i < sg.length; i += 2) listed.push((sg[i]! << 8) | sg[i + 1]!);
    const known = listed.filter((g) => [0x11ec, 0x11eb, 0x11ed, 0x1d, 0x17, 0x18].includes(g));
    expect(known).toEqual([0x11ec, 0x11eb, 0x11ed, 0x1d, 0x17, 0x18]);
    expect(client.info!.group).toBe('X25519MLKEM768' satisfies NamedGroupName);
    // Key shares: X25519MLKEM768 (1216) and x25519 (32) only, whatever GREASE adds.
    const ks = clientHelloExtension(client, 51);
    const shares: number[] = [];
    for (let off = 2; off < ks.length;) {
      shares.push((ks[off]! << 8) | ks[off + 1]!);
      off += 4 + ((ks[off + 2]! << 8) | ks[off + 3]!);
    }
    expect(shares.filter((g) => g === 0x11eb || g === 0x11ed)).toEqual([]);
  });
});

describe('names', () => {
  it('the Node-style option names (groups / ecdhCurve) take OpenSSL\'s spelling in any case', async () => {
    const { parseGroup } = await import('../../src/io/options.js');
    expect(parseGroup('SecP256r1MLKEM768')).toBe('SecP256r1MLKEM768');
    expect(parseGroup('secp384r1mlkem1024')).toBe('SecP384r1MLKEM1024');
    expect(() => parseGroup('SecP521r1MLKEM1024')).toThrow(/unknown group/);
  });
});
