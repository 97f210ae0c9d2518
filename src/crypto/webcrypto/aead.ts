/**
 * AEADs on WebCrypto. AES-GCM via subtle (key imported once per AeadKey);
 * ChaCha20-Poly1305 via subtle where the runtime has it, else the pure one.
 * Every call is independent, so callers can keep many records in flight; a
 * failed authentication resolves to null, never a rejected promise.
 */
import type { Aead, AeadAlgorithm, AeadKey } from '../provider.js';
import { pureAead } from '../pure/aead.js';
import { bs, getSubtle, supports } from './subtle.js';

const TAG_LENGTH = 16;

class SubtleAeadKey implements AeadKey {
  /** WebCrypto copies nonce, aad and data before encrypt()/decrypt() return (normalize an algorithm; "get a copy of the bytes held by data"). */
  readonly copiesInput = true;

  constructor(
    private readonly subtle: SubtleCrypto,
    private readonly name: 'AES-GCM' | 'ChaCha20-Poly1305',
    private readonly key: CryptoKey,
  ) {}

  /**
   * No tagLength: 128 bits is the default (WebCrypto AES-GCM "If the
   * tagLength member … is not present: let tagLength be 128"), and each
   * member given costs a dictionary conversion on the calling thread (Node:
   * about 1.5 µs of the 7–9 µs an encrypt() call takes there).
   */
  private params(nonce: Uint8Array, aad: Uint8Array): AesGcmParams {
    return { name: this.name, iv: bs(nonce), additionalData: bs(aad) };
  }

  async seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    if (nonce.length !== 12) throw new Error(`${this.name}: nonce must be 12 bytes`);
    return new Uint8Array(await this.subtle.encrypt(this.params(nonce, aad), this.key, bs(plaintext)));
  }

  async open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Promise<Uint8Array | null> {
    if (nonce.length !== 12 || ciphertextAndTag.length < TAG_LENGTH) return null;
    try {
      return new Uint8Array(await this.subtle.decrypt(this.params(nonce, aad), this.key, bs(ciphertextAndTag)));
    } catch {
      return null; // OperationError: authentication failed
    }
  }
}

export function webCryptoAead(alg: AeadAlgorithm): Aead {
  const fallback = pureAead(alg);
  const name = alg === 'CHACHA20-POLY1305' ? 'ChaCha20-Poly1305' : 'AES-GCM';
  return {
    algorithm: alg,
    keyLength: fallback.keyLength,
    nonceLength: 12,
    tagLength: 16,
    async importKey(key: Uint8Array): Promise<AeadKey> {
      if (key.length !== fallback.keyLength) throw new Error(`${alg}: key must be ${fallback.keyLength} bytes`);
      const subtle = getSubtle();
      if (!subtle || !(await supports(name))) return fallback.importKey(key);
      const ck = await subtle.importKey('raw', bs(key), { name }, false, ['encrypt', 'decrypt']);
      return new SubtleAeadKey(subtle, name, ck);
    },
  };
}
