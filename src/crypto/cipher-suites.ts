/** TLS 1.3 cipher suites, RFC 8446 §B.4. */
import type { AeadAlgorithm, HashAlgorithm } from './provider.js';

export interface CipherSuite {
  readonly code: number;
  /** IANA name, e.g. TLS_AES_128_GCM_SHA256. */
  readonly name: string;
  /** Short name used in CLI options and benchmarks, e.g. aes128gcm. */
  readonly shortName: 'aes128gcm' | 'aes256gcm' | 'chacha20poly1305';
  readonly hash: HashAlgorithm;
  readonly hashLength: number;
  readonly aead: AeadAlgorithm;
  readonly keyLength: number;
}

export const TLS_AES_128_GCM_SHA256: CipherSuite = Object.freeze({
  code: 0x1301, name: 'TLS_AES_128_GCM_SHA256', shortName: 'aes128gcm',
  hash: 'SHA-256', hashLength: 32, aead: 'AES-128-GCM', keyLength: 16,
});
export const TLS_AES_256_GCM_SHA384: CipherSuite = Object.freeze({
  code: 0x1302, name: 'TLS_AES_256_GCM_SHA384', shortName: 'aes256gcm',
  hash: 'SHA-384', hashLength: 48, aead: 'AES-256-GCM', keyLength: 32,
});
export const TLS_CHACHA20_POLY1305_SHA256: CipherSuite = Object.freeze({
  code: 0x1303, name: 'TLS_CHACHA20_POLY1305_SHA256', shortName: 'chacha20poly1305',
  hash: 'SHA-256', hashLength: 32, aead: 'CHACHA20-POLY1305', keyLength: 32,
});

export const ALL_CIPHER_SUITES: readonly CipherSuite[] = Object.freeze([
  TLS_AES_128_GCM_SHA256,
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256,
]);

export function cipherSuiteByCode(code: number): CipherSuite | undefined {
  return ALL_CIPHER_SUITES.find((s) => s.code === code);
}

/** Accepts IANA names, short names (aes128gcm) and OpenSSL-ish spellings. */
export function cipherSuiteByName(name: string): CipherSuite | undefined {
  const n = name.trim().toLowerCase().replace(/[-_]/g, '');
  return ALL_CIPHER_SUITES.find(
    (s) => s.name.toLowerCase().replace(/_/g, '') === n || s.shortName === n || s.name.toLowerCase().replace(/^tls_/, '').replace(/_/g, '') === n,
  );
}
