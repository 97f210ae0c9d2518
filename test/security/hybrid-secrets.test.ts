/**
 * The hybrid ECDHE-MLKEM groups (draft-ietf-tls-ecdhe-mlkem, src/crypto/hybrid.ts)
 * leave no copy of secret material behind: the ML-KEM key-generation seed
 * (FIPS 203 §3.3: it determines the decapsulation key), the encapsulation
 * message m (FIPS 203 §6.2: it determines the shared secret) and the two
 * component secrets once they are joined (the caller wipes the joined one).
 * Each buffer is observed through an injected random source or classical group.
 */
import { describe, expect, it } from 'vitest';
import { hybridGroup } from '../../src/crypto/hybrid.js';
import { ecGroup } from '../../src/crypto/pure/groups.js';
import type { KeyExchangeGroup } from '../../src/crypto/provider.js';
import { p256 } from '@noble/curves/nist.js';
import { secureRandomBytes } from '../../src/crypto/random.js';
import { outcome } from '../crypto/helpers.js';

const zero = (b: Uint8Array) => b.every((x) => x === 0);

/** A random source that remembers every buffer it handed out. */
function recordingRandom() {
  const handed: Uint8Array[] = [];
  const random = (n: number) => {
    const b = secureRandomBytes(n);
    handed.push(b);
    return b;
  };
  return { random, handed };
}

/** secp256r1 whose shared secrets (client and server side) are remembered. */
function recordingP256() {
  const inner = ecGroup('secp256r1', p256);
  const secrets: Uint8Array[] = [];
  const g: KeyExchangeGroup = {
    name: inner.name,
    codepoint: inner.codepoint,
    generate: (random) => {
      const s = inner.generate(random) as Awaited<ReturnType<KeyExchangeGroup['generate']>>;
      return {
        publicKey: s.publicKey,
        complete: (peer) => {
          const x = s.complete(peer) as Uint8Array;
          secrets.push(x);
          return x;
        },
      };
    },
    respond: (share, random) => {
      const r = inner.respond(share, random) as { publicKey: Uint8Array; sharedSecret: Uint8Array };
      secrets.push(r.sharedSecret);
      return r;
    },
  };
  return { g, secrets };
}

describe('SecP256r1MLKEM768 wipes its intermediate secrets', () => {
  it('client: the 64-byte ML-KEM seed after generate(), the ECDH secret after complete()', async () => {
    const { g: classical, secrets } = recordingP256();
    const group = hybridGroup('SecP256r1MLKEM768', classical);
    const { random, handed } = recordingRandom();
    const share = await group.generate(random);
    const seed = handed.find((b) => b.length === 64)!;
    expect(seed).toBeDefined();
    expect(zero(seed), 'ML-KEM seed d||z wiped').toBe(true);
    const server = await hybridGroup('SecP256r1MLKEM768', ecGroup('secp256r1', p256)).respond(share.publicKey);
    const joined = await share.complete(server.publicKey);
    expect(joined).toEqual(server.sharedSecret);
    expect(zero(joined)).toBe(false);
    expect(secrets).toHaveLength(1);
    expect(zero(secrets[0]!), 'ECDH part wiped once joined').toBe(true);
  });

  it('server: the 32-byte encapsulation message m and the ECDH secret after respond()', async () => {
    const client = await hybridGroup('SecP256r1MLKEM768', ecGroup('secp256r1', p256)).generate();
    const { g: classical, secrets } = recordingP256();
    const { random, handed } = recordingRandom();
    const r = await hybridGroup('SecP256r1MLKEM768', classical).respond(client.publicKey, random);
    const m = handed.find((b) => b.length === 32)!;
    expect(m).toBeDefined();
    expect(zero(m), 'ML-KEM message m wiped').toBe(true);
    expect(secrets).toHaveLength(1);
    expect(zero(secrets[0]!), 'ECDH part wiped once joined').toBe(true);
    expect(await client.complete(r.publicKey)).toEqual(r.sharedSecret);
  });

  it('server: an invalid EC point still ends in illegal_parameter (and m is wiped)', async () => {
    const client = await hybridGroup('SecP256r1MLKEM768', ecGroup('secp256r1', p256)).generate();
    const bad = client.publicKey.slice();
    bad[1]! ^= 1; // x no longer on the curve with this y
    const { random, handed } = recordingRandom();
    const o = await outcome(async () => hybridGroup('SecP256r1MLKEM768', ecGroup('secp256r1', p256)).respond(bad, random));
    expect(o.ok ? 'accepted' : o.alert).toBe('illegal_parameter');
    // The first 32 bytes drawn are m (ML-KEM first, then the classical key: hybrid.ts).
    expect(handed[0]).toHaveLength(32);
    expect(zero(handed[0]!), 'ML-KEM message m wiped').toBe(true);
  });
});
