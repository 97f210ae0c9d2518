/**
 * `--trace` output (issue 10): each message named once with its size, then
 * suites, groups, signature schemes and extensions by name. Inputs: the
 * ClientHello and ServerHello of RFC 8448 §3 (test/vectors/rfc8448/transcripts.vec,
 * from Botan's RFC 8448 test data).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { traceLines } from '../../src/cli/trace.js';
import { fromHex } from '../../src/util/bytes.js';

const vec = readFileSync(fileURLToPath(new URL('../vectors/rfc8448/transcripts.vec', import.meta.url)), 'utf8');
/** The first value of `key` in the [Simple_1RTT_Handshake] section. */
function field(key: string): Uint8Array {
  const section = vec.slice(vec.indexOf('[Simple_1RTT_Handshake]'));
  const m = new RegExp(`^${key} = ([0-9a-f]+)`, 'm').exec(section);
  if (!m) throw new Error(`no ${key}`);
  return fromHex(m[1]!);
}

describe('--trace lines (RFC 8448 §3 messages)', () => {
  it('ClientHello: name once, size, suites, groups, key shares, schemes, versions, extensions by name', () => {
    const ch = field('Record_ClientHello_1').subarray(5); // without the record header
    const lines = traceLines('sent', ch);
    expect(lines[0]).toBe(`>> ClientHello, ${ch.length} bytes`);
    expect(ch.length).toBe(196);
    const body = lines.slice(1).map((l) => l.trim());
    expect(body).toContain('cipher_suites: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256, TLS_AES_256_GCM_SHA384');
    expect(body).toContain('server_name: server');
    expect(body).toContain('supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192');
    expect(body).toContain('key_share: x25519 (32 bytes)');
    expect(body).toContain('supported_versions: TLS 1.3');
    expect(body).toContain('psk_key_exchange_modes: psk_dhe_ke');
    expect(body.find((l) => l.startsWith('signature_algorithms: '))).toMatch(/^signature_algorithms: ecdsa_secp256r1_sha256, ecdsa_secp384r1_sha384, ecdsa_secp521r1_sha512, 0x0203, rsa_pss_rsae_sha256/);
    expect(lines.join('\n').match(/ClientHello/g)).toHaveLength(1);
  });

  it('ServerHello: suite and the chosen key share', () => {
    const sh = field('Message_ServerHello');
    expect(traceLines('received', sh)).toEqual([
      '<< ServerHello, 90 bytes',
      '     cipher_suite: TLS_AES_128_GCM_SHA256',
      '     key_share: x25519 (32 bytes)',
      '     supported_versions: TLS 1.3',
    ]);
  });

  it('an undecodable message is reported with its size, not thrown', () => {
    expect(traceLines('received', new Uint8Array([1, 0, 0, 2, 3, 3]))).toEqual([expect.stringMatching(/^<< handshake message, 6 bytes \(undecodable: /)]);
  });
});
