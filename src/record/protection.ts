/**
 * Record protection state for one direction and one traffic key,
 * RFC 8446 §5.2–5.5: the AEAD key, the static IV, the 64-bit sequence
 * number and the per-record nonce.
 */
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';
import { TlsError } from '../errors.js';
import type { CipherSuite } from '../crypto/cipher-suites.js';
import { hkdfExpandLabel } from '../crypto/hkdf-label.js';
import { isPromise, wipe, type MaybePromise } from '../util/bytes.js';
import {
  ContentType,
  contentTypeName,
  LEGACY_RECORD_VERSION,
  MAX_INNER_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  type ContentTypeValue,
} from './constants.js';

const TWO_32 = 0x1_0000_0000;

/**
 * RFC 8446 §5.5: AES-GCM keys may protect at most 2^24.5 full-size records;
 * ChaCha20-Poly1305's limit is beyond the 2^64 sequence space.
 */
export function aeadRecordLimit(algorithm: string): number {
  return algorithm === 'CHACHA20-POLY1305' ? Number.MAX_SAFE_INTEGER : Math.floor(2 ** 24.5);
}

export class RecordProtection {
  private readonly iv: Uint8Array;
  /** Next sequence number as two uint32 halves (exact over the full 64 bits). */
  private seqHi: number;
  private seqLo: number;
  private exhausted = false;

  /**
   * @param key  the imported AEAD key (`Aead.importKey`)
   * @param iv   the 12-byte write IV (RFC 8446 §7.3); copied
   * @param options.initialSequence  start elsewhere than 0 (tests of exhaustion only)
   */
  constructor(
    readonly key: AeadKey,
    iv: Uint8Array,
    readonly algorithm: string = 'AEAD',
    options?: { initialSequence?: bigint },
  ) {
    if (iv.length !== 12) throw new TlsError('internal_error', `record: IV must be 12 bytes, got ${iv.length}`);
    this.iv = iv.slice();
    const s = options?.initialSequence ?? 0n;
    if (s < 0n || s > 0xffff_ffff_ffff_ffffn) throw new RangeError('sequence number out of range');
    this.seqHi = Number(s >> 32n);
    this.seqLo = Number(s & 0xffff_ffffn);
  }

  /** The sequence number the next record will use. */
  get sequenceNumber(): bigint {
    return this.exhausted ? 1n << 64n : (BigInt(this.seqHi) << 32n) | BigInt(this.seqLo);
  }

  /** Records protected (sealed or opened) with this key so far (exact below 2^53). */
  get recordCount(): number {
    return this.exhausted ? 2 ** 64 : this.seqHi * TWO_32 + this.seqLo;
  }

  /** RFC 8446 §5.5 limit for this key's AEAD (see `aeadRecordLimit`). */
  get recordLimit(): number {
    return aeadRecordLimit(this.algorithm);
  }

  /**
   * Consume the next sequence number and return the per-record nonce:
   * the IV XORed with the sequence number left-padded to 12 bytes
   * (RFC 8446 §5.3). "Sequence numbers MUST NOT wrap": after 2^64-1 this
   * fails closed (the connection must have rekeyed long before).
   */
  nextNonce(out?: Uint8Array): Uint8Array {
    const n = this.currentNonce(out);
    this.advance();
    return n;
  }

  /**
   * The nonce for the current sequence number, without consuming it (trial
   * decryption). Written into `out` (12 bytes) when given: a synchronous
   * AEAD is done with its nonce when it returns, so callers may reuse one.
   */
  currentNonce(out?: Uint8Array): Uint8Array {
    if (this.exhausted) {
      throw new TlsError('internal_error', 'record: sequence number exhausted; rekey required (RFC 8446 §5.3)', {
        code: 'sequence_exhausted',
      });
    }
    const hi = this.seqHi, lo = this.seqLo;
    const iv = this.iv;
    const n = out ?? new Uint8Array(12);
    n[0] = iv[0]!; n[1] = iv[1]!; n[2] = iv[2]!; n[3] = iv[3]!;
    n[4] = iv[4]! ^ (hi >>> 24); n[5] = iv[5]! ^ ((hi >>> 16) & 0xff);
    n[6] = iv[6]! ^ ((hi >>> 8) & 0xff); n[7] = iv[7]! ^ (hi & 0xff);
    n[8] = iv[8]! ^ (lo >>> 24); n[9] = iv[9]! ^ ((lo >>> 16) & 0xff);
    n[10] = iv[10]! ^ ((lo >>> 8) & 0xff); n[11] = iv[11]! ^ (lo & 0xff);
    return n;
  }

  /** Consume the current sequence number. */
  advance(): void {
    if (this.exhausted) {
      throw new TlsError('internal_error', 'record: sequence number exhausted; rekey required (RFC 8446 §5.3)', {
        code: 'sequence_exhausted',
      });
    }
    if (this.seqLo === 0xffff_ffff) {
      if (this.seqHi === 0xffff_ffff) this.exhausted = true;
      else this.seqHi++;
      this.seqLo = 0;
    } else {
      this.seqLo++;
    }
  }

  /** Forget the key material. */
  destroy(): void {
    wipe(this.iv);
    this.key.destroy?.();
  }
}

/** Traffic key and IV for a traffic secret, RFC 8446 §7.3. */
export interface TrafficKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

/** [sender]_write_key and [sender]_write_iv from a traffic secret. */
export function trafficKeys(provider: CryptoProvider, suite: CipherSuite, secret: Uint8Array): TrafficKeys {
  return {
    key: hkdfExpandLabel(provider, suite.hash, secret, 'key', new Uint8Array(0), suite.keyLength),
    iv: hkdfExpandLabel(provider, suite.hash, secret, 'iv', new Uint8Array(0), 12),
  };
}

/**
 * Build the protection for a traffic secret: key and IV per RFC 8446 §7.3,
 * the key imported once into the provider's AEAD (may be async: WebCrypto).
 */
export function createRecordProtection(
  provider: CryptoProvider,
  suite: CipherSuite,
  trafficSecret: Uint8Array,
  options?: { initialSequence?: bigint },
): MaybePromise<RecordProtection> {
  const { key, iv } = trafficKeys(provider, suite, trafficSecret);
  const k = provider.aead(suite.aead).importKey(key);
  const make = (ak: AeadKey): RecordProtection => {
    wipe(key);
    const p = new RecordProtection(ak, iv, suite.aead, options);
    wipe(iv);
    return p;
  };
  return isPromise(k) ? k.then(make) : make(k);
}

/** The 5-byte record header. Protected records: opaque_type 23, version 0x0303 (RFC 8446 §5.2). */
export function recordHeader(type: number, length: number, version = LEGACY_RECORD_VERSION): Uint8Array {
  const h = new Uint8Array(RECORD_HEADER_LENGTH);
  h[0] = type;
  h[1] = version >>> 8;
  h[2] = version & 0xff;
  h[3] = length >>> 8;
  h[4] = length & 0xff;
  return h;
}

/** Content of a decrypted record: a view into the AEAD output. */
export interface InnerPlaintext {
  readonly type: ContentTypeValue;
  readonly content: Uint8Array;
}

/**
 * Decode TLSInnerPlaintext (RFC 8446 §5.2, §5.4): content || type || zeros.
 * The type is the last non-zero byte; all zeros → unexpected_message; longer
 * than 2^14 + 1 → record_overflow; an inner type other than handshake,
 * alert or application_data → unexpected_message (a protected
 * change_cipher_spec is never allowed, §5).
 */
export function parseInnerPlaintext(inner: Uint8Array): InnerPlaintext {
  if (inner.length > MAX_INNER_PLAINTEXT_LENGTH) {
    throw new TlsError('record_overflow', `record: inner plaintext of ${inner.length} bytes exceeds 2^14 + 1 (RFC 8446 §5.4)`);
  }
  let i = inner.length - 1;
  while (i >= 0 && inner[i] === 0) i--;
  if (i < 0) {
    throw new TlsError('unexpected_message', 'record: protected record with no non-zero content type (RFC 8446 §5.4)', {
      code: 'missing_inner_content_type',
    });
  }
  const t = inner[i]!;
  if (t !== ContentType.handshake && t !== ContentType.application_data && t !== ContentType.alert) {
    throw new TlsError('unexpected_message', `record: protected record of inner type ${contentTypeName(t)} (RFC 8446 §5)`, {
      code: 'bad_inner_content_type',
    });
  }
  return { type: t, content: inner.subarray(0, i) };
}
