import { describe, it, expect } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { toHex } from '../../src/util/bytes.js';
import { acceptAll, concatAll, makeClient, makeServer, pump, rfc8448ServerCert } from './helpers.js';

/** A deterministic "random" source: SHA-256(seed || counter) blocks. */
function seeded(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let off = 0; off < n; off += 32) {
      const block = sha256(new TextEncoder().encode(`${seed}/${counter++}`));
      out.set(block.subarray(0, Math.min(32, n - off)), off);
    }
    return out;
  };
}

async function run(): Promise<{ stream: string; exporter: string }> {
  const now = () => new Date('2022-05-06T09:00:00Z');
  const server = makeServer({ certificate: rfc8448ServerCert(), random: seeded('server'), now } as ServerConfig);
  const client = makeClient({ servername: 'server', verifyCertificate: acceptAll, random: seeded('client'), now } as ClientConfig);
  client.conn.start();
  await pump(client, server);
  expect(client.conn.state).toBe('connected');
  await client.conn.write(new TextEncoder().encode('reproducible'));
  await pump(client, server);
  const all = concatAll([...client.sent, ...server.sent]);
  // RFC 8446 §5.1: the initial ClientHello record carries legacy_record_version 0x0301.
  expect(toHex(all.subarray(0, 3))).toBe('160301');
  return {
    stream: toHex(sha256(all)),
    exporter: toHex(client.conn.exportKeyingMaterial(16, 'EXPERIMENTAL pin', new Uint8Array(0))),
  };
}

describe('reproducibility with injected random and now', () => {
  it('two runs produce the same bytes on the wire, byte for byte', async () => {
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    // Pinned (default groups, hybrids first in supported_groups: X25519MLKEM768 chosen, the client also sends an x25519 share; GREASE values drawn from `random`):
    // any change to what we send (order of extensions, key derivation from `random`,
    // RSA-PSS salt source, record framing) shows up here.
    expect(a.stream).toBe(PINNED_STREAM);
    expect(a.exporter).toBe(PINNED_EXPORTER);
  });
});

// The stream includes the server's two NewSessionTickets (ticket keys and age_add drawn from `random`)
// and its supported_groups in EncryptedExtensions (extensions in RFC 8448's order); the client's
// signature_algorithms include ed448 (default since issue 12).
const PINNED_STREAM = 'edd1f9a6d26dfc00d66046efa125dd34345503f2cb0fb7588fc52425fc849353';
const PINNED_EXPORTER = '46a5f886412064b40021fedad63f3378';
