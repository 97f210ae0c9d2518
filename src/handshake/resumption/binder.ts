/**
 * PSK binders, RFC 8446 §4.2.11.2: binder = HMAC(finished_key(binder_key),
 * Transcript-Hash(Truncate(ClientHello))), where the truncated ClientHello
 * ends just before the binders list (pre_shared_key is the last extension,
 * so the binders list ends the message) and, after a HelloRetryRequest, the
 * transcript starts with message_hash(ClientHello1) and the HRR (§4.4.1).
 */
import type { CryptoProvider } from '../../crypto/provider.js';
import { wipe } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import { finishedVerifyData, type EarlySecret } from '../key-schedule.js';

/** Bytes of the binders list on the wire, its 2-byte length included. */
export function bindersListLength(binders: readonly Uint8Array[]): number {
  let n = 2;
  for (const b of binders) n += 1 + b.length;
  return n;
}

/** The ClientHello message (header included) truncated before its binders list. */
export function truncateClientHello(raw: Uint8Array, binders: readonly Uint8Array[]): Uint8Array {
  return raw.subarray(0, raw.length - bindersListLength(binders));
}

/** The binder value for a PSK whose Early Secret is `early`, over `truncatedHash`. */
export function computeBinder(
  provider: CryptoProvider, suite: CipherSuite, early: EarlySecret, resumption: boolean, truncatedHash: Uint8Array,
): Uint8Array {
  const bk = early.binderKey(resumption);
  const v = finishedVerifyData(provider, suite, bk, truncatedHash);
  wipe(bk);
  return v;
}
