/**
 * Checking the peer's Finished, RFC 8446 §4.4.4, in either role and after
 * the handshake (§4.6.2): verify_data is HMAC(finished_key, transcript hash)
 * (key-schedule.ts), the base key being the peer's handshake traffic secret,
 * or its current application traffic secret after the handshake (§4.4).
 */
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import type { CryptoProvider } from '../../crypto/provider.js';
import { TlsError } from '../../errors.js';
import { constantTimeEqual } from '../../util/bytes.js';
import { finishedVerifyData } from '../key-schedule.js';

/** @param what names the Finished in the error ('server', 'client', 'client post-handshake'). */
export function checkFinished(
  provider: CryptoProvider,
  suite: CipherSuite,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
  verifyData: Uint8Array,
  what: string,
): void {
  // §4.4.4: verify_data is Hash.length bytes; any other length cannot be one → decode_error.
  if (verifyData.length !== suite.hashLength) throw new TlsError('decode_error', 'Finished: wrong verify_data length');
  const expected = finishedVerifyData(provider, suite, baseKey, transcriptHash);
  // §4.4.4: "Recipients of Finished messages MUST verify that the contents are correct and if
  // incorrect MUST terminate the connection with a "decrypt_error" alert." Compared in constant time.
  if (!constantTimeEqual(expected, verifyData)) throw new TlsError('decrypt_error', `${what} Finished does not verify`);
}
