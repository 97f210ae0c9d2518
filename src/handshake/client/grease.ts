/**
 * GREASE, RFC 8701: a client sends reserved values in every extensible list
 * of its ClientHello so that servers which choke on unknown values are found
 * (and fixed) instead of ossifying the protocol. Placement follows Chrome
 * (BoringSSL): a GREASE cipher suite, group (with a 1-byte key share),
 * version and signature scheme first in their lists, a GREASE PSK mode
 * first, an empty GREASE extension first and one holding a single zero byte
 * last (before pre_shared_key). ALPN is not GREASEd (Chrome does not either:
 * servers without ALPN support answer an unknown-only list with
 * no_application_protocol).
 *
 * The values are drawn once per connection from the config's `random` and
 * reused in the second ClientHello (§4.1.2: it must repeat the first).
 */
import type { RandomSource } from '../../crypto/provider.js';

/** RFC 8701 §2: 0x0A0A, 0x1A1A, …, 0xFAFA (cipher suites, groups, extensions, versions, signature schemes). */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** RFC 8701 §2: PskKeyExchangeMode 0x0B, 0x2A, 0x49, …, 0xE4 (0x0B + 0x1F * n). */
export function isGreasePskMode(v: number): boolean {
  return v % 0x1f === 0x0b;
}

export interface GreaseValues {
  readonly suite: number;
  readonly group: number;
  readonly version: number;
  readonly scheme: number;
  /** The empty extension placed first. */
  readonly firstExtension: number;
  /** The one-byte extension placed last; differs from `firstExtension` (extension types must be unique, §4.2). */
  readonly lastExtension: number;
  readonly pskMode: number;
}

const value16 = (b: number): number => (((b & 0xf0) | 0x0a) << 8) | ((b & 0xf0) | 0x0a);

export function drawGrease(random: RandomSource): GreaseValues {
  const r = random(7);
  const firstExtension = value16(r[4]!);
  let lastExtension = value16(r[5]!);
  if (lastExtension === firstExtension) lastExtension ^= 0x1010;
  return {
    suite: value16(r[0]!),
    group: value16(r[1]!),
    version: value16(r[2]!),
    scheme: value16(r[3]!),
    firstExtension,
    lastExtension,
    pskMode: 0x0b + 0x1f * (r[6]! & 0x07),
  };
}
