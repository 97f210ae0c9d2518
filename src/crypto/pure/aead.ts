/**
 * AES-GCM and ChaCha20-Poly1305 on @noble/ciphers (synchronous). AES-GCM
 * keeps its expanded key and GHASH table per key (gcm.ts); ChaCha20-Poly1305
 * has no per-key setup worth keeping.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { Aead, AeadAlgorithm, AeadKey } from '../provider.js';
import { AesGcmKey } from './gcm.js';

const KEY_LENGTH: Record<AeadAlgorithm, number> = {
  'AES-128-GCM': 16,
  'AES-256-GCM': 32,
  'CHACHA20-POLY1305': 32,
};

function checkKey(alg: AeadAlgorithm, key: Uint8Array): void {
  if (key.length !== KEY_LENGTH[alg]) throw new Error(`${alg}: key must be ${KEY_LENGTH[alg]} bytes`);
}

class ChaChaKey implements AeadKey {
  private readonly key: Uint8Array;
  constructor(key: Uint8Array) {
    this.key = key.slice();
  }
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return chacha20poly1305(this.key, nonce, aad).encrypt(plaintext);
  }
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Uint8Array | null {
    if (ciphertextAndTag.length < 16) return null;
    try {
      return chacha20poly1305(this.key, nonce, aad).decrypt(ciphertextAndTag);
    } catch {
      return null;
    }
  }
  destroy(): void {
    this.key.fill(0);
  }
}

export function pureAead(alg: AeadAlgorithm): Aead {
  return {
    algorithm: alg,
    keyLength: KEY_LENGTH[alg],
    nonceLength: 12,
    tagLength: 16,
    importKey(key: Uint8Array): AeadKey {
      checkKey(alg, key);
      return alg === 'CHACHA20-POLY1305' ? new ChaChaKey(key) : new AesGcmKey(key);
    },
  };
}
