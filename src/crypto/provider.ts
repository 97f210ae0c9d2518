/**
 * The CryptoProvider interface: everything the TLS stack needs from
 * cryptography. Implementations: the pure provider (@noble/*, default,
 * everywhere), the WebCrypto provider (async, accelerated), and the
 * node:crypto provider (Node only, separate entry point).
 *
 * Conventions
 * - Hash/HMAC/HKDF are synchronous: they run over short inputs in the
 *   handshake, where an async hop costs more than it saves.
 * - AEAD, key exchange and signatures return `MaybePromise`: synchronous
 *   providers return values directly (no microtask per record), async ones
 *   return promises. Callers must handle both (see `isPromise`).
 * - Invalid peer input (a bad key share, a malformed public key) throws
 *   TlsError with the alert the RFC names (illegal_parameter for key shares,
 *   decrypt_error / bad_certificate for signatures as the caller decides).
 */
import type { MaybePromise } from '../util/bytes.js';

/** A source of random bytes (must be cryptographically secure outside tests). */
export type RandomSource = (n: number) => Uint8Array;

export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

export type AeadAlgorithm = 'AES-128-GCM' | 'AES-256-GCM' | 'CHACHA20-POLY1305';

/** TLS NamedGroup names (RFC 8446 §4.2.7, draft-ietf-tls-ecdhe-mlkem). */
export type NamedGroupName = 'x25519' | 'secp256r1' | 'secp384r1' | 'X25519MLKEM768' | 'SecP256r1MLKEM768' | 'SecP384r1MLKEM1024' | 'x448' | 'secp521r1' | 'ffdhe2048' | 'ffdhe3072' | 'ffdhe4096' | 'ffdhe6144' | 'ffdhe8192';

export interface HashFunction {
  readonly algorithm: HashAlgorithm;
  /** Output length in bytes (32, 48, 64). */
  readonly outputLength: number;
  /** Input block length in bytes (64 or 128). */
  readonly blockLength: number;
  digest(data: Uint8Array): Uint8Array;
  /** Incremental hashing; `clone()` lets a transcript fork its state cheaply. */
  create(): IncrementalHash;
}

export interface IncrementalHash {
  update(data: Uint8Array): this;
  /** Digest of everything so far, without ending the hash. */
  peek(): Uint8Array;
  clone(): IncrementalHash;
}

/** An AEAD algorithm (RFC 5116): 12-byte nonce, 16-byte tag for all three. */
export interface Aead {
  readonly algorithm: AeadAlgorithm;
  readonly keyLength: number;
  readonly nonceLength: 12;
  readonly tagLength: 16;
  /** Prepare a key once (WebCrypto importKey, key expansion) for many records. */
  importKey(key: Uint8Array): MaybePromise<AeadKey>;
}

export interface AeadKey {
  /** Returns ciphertext || tag (plaintext.length + 16 bytes), a fresh array. */
  seal(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): MaybePromise<Uint8Array>;
  /**
   * Optional fast path (record layer, synchronous providers): the bytes of
   * `seal(nonce, aad, plaintext)` as a list of chunks whose concatenation is
   * ciphertext || tag (e.g. `[ciphertext, tag]` as the platform returned
   * them), so that no allocation and copy joins them: the record layer hands
   * the chunks to the transport as they are (one writev). With `out`, the
   * chunks are appended to it (and it is returned): no array per record.
   */
  sealChunks?(nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out?: Uint8Array[]): Uint8Array[];
  /**
   * True when `seal` and `open` have taken their own copy of nonce, aad and
   * input by the time they return, even when they return a Promise
   * (WebCrypto copies every BufferSource before its method returns): the
   * caller may then reuse those buffers at once.
   */
  readonly copiesInput?: boolean;
  /** Returns the plaintext, or null when authentication fails. Never throws for a bad tag. */
  open(nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): MaybePromise<Uint8Array | null>;
  /** Forget key material where the platform allows. */
  destroy?(): void;
}

/**
 * A key-exchange group, generalised to cover ECDH and KEMs.
 * Client: `generate()` → send `publicKey`; on ServerHello, `share.complete(serverShare)`.
 * Server: `respond(clientShare)` → send `publicKey`, use `sharedSecret`.
 */
export interface KeyExchangeGroup {
  readonly name: NamedGroupName;
  /** TLS NamedGroup codepoint. */
  readonly codepoint: number;
  /**
   * `random`, when given, is the source of the private key material (tests inject
   * it so a handshake is reproducible); otherwise the provider's own RNG.
   */
  generate(random?: RandomSource): MaybePromise<ClientKeyShare>;
  /** Throws TlsError(illegal_parameter) for an invalid client share. */
  respond(clientShare: Uint8Array, random?: RandomSource): MaybePromise<{ publicKey: Uint8Array; sharedSecret: Uint8Array }>;
}

export interface ClientKeyShare {
  readonly publicKey: Uint8Array;
  /** Throws TlsError(illegal_parameter) for an invalid server share. */
  complete(serverShare: Uint8Array): MaybePromise<Uint8Array>;
}

/** Public keys as decoded from a SubjectPublicKeyInfo. */
export type PublicKey =
  | { readonly type: 'rsa'; readonly n: bigint; readonly e: bigint; /** id-RSASSA-PSS key: only PSS may be used */ readonly pssOnly?: boolean; readonly spki?: Uint8Array }
  | { readonly type: 'ec'; readonly curve: 'P-256' | 'P-384' | 'P-521'; /** uncompressed or compressed SEC1 point */ readonly point: Uint8Array; readonly spki?: Uint8Array }
  | { readonly type: 'ed25519'; readonly key: Uint8Array; readonly spki?: Uint8Array }
  | { readonly type: 'ed448'; /** 57 octets, RFC 8032 §5.2.5 */ readonly key: Uint8Array; readonly spki?: Uint8Array }
  | { readonly type: 'mldsa'; readonly level: MlDsaLevel; /** the raw FIPS 204 public key (RFC 9881 §4) */ readonly key: Uint8Array; readonly spki?: Uint8Array };

/** ML-DSA parameter sets (FIPS 204 Table 1): ML-DSA-44, ML-DSA-65, ML-DSA-87. */
export type MlDsaLevel = 44 | 65 | 87;

/** Private keys as decoded from PKCS#8 / SEC1 / PKCS#1. */
export type PrivateKey =
  | {
      readonly type: 'rsa';
      readonly n: bigint; readonly e: bigint; readonly d: bigint;
      readonly p: bigint; readonly q: bigint; readonly dp: bigint; readonly dq: bigint; readonly qi: bigint;
      readonly pssOnly?: boolean;
    }
  | { readonly type: 'ec'; readonly curve: 'P-256' | 'P-384' | 'P-521'; readonly d: Uint8Array; readonly point: Uint8Array }
  | { readonly type: 'ed25519'; readonly seed: Uint8Array; readonly key: Uint8Array }
  | { readonly type: 'ed448'; /** 57-octet private key (RFC 8032 §5.2.5) */ readonly seed: Uint8Array; readonly key: Uint8Array }
  | {
      readonly type: 'mldsa'; readonly level: MlDsaLevel;
      /** the 32-octet seed ξ when known (RFC 9881 §6: the recommended private key form) */ readonly seed?: Uint8Array;
      /** the expanded FIPS 204 secret key */ readonly secretKey: Uint8Array;
      readonly key: Uint8Array;
    };

/**
 * A signature algorithm, independent of TLS scheme naming so that X.509
 * (where the curve comes from the key, the hash from the algorithm) and TLS
 * (where a scheme fixes both) share one verifier. ECDSA signatures are DER
 * (Ecdsa-Sig-Value), as in both TLS 1.3 and X.509.
 */
export type SignatureAlgorithm =
  | { readonly kind: 'ecdsa'; readonly hash: HashAlgorithm }
  | { readonly kind: 'rsa-pss'; readonly hash: HashAlgorithm; readonly saltLength: number; readonly mgfHash?: HashAlgorithm }
  | { readonly kind: 'rsa-pkcs1'; readonly hash: HashAlgorithm }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ed448' }
  /** Pure ML-DSA (FIPS 204 Algorithm 2/3) with an empty context string. */
  | { readonly kind: 'mldsa'; readonly level: MlDsaLevel };

export interface CryptoProvider {
  readonly name: string;
  /**
   * True when this provider's AES-GCM is not constant time (software AES and
   * GHASH with table lookups), so ChaCha20-Poly1305 (add, rotate, xor only)
   * should be preferred, as BoringSSL does on CPUs without AES instructions:
   * unless the user lists `cipherSuites`, a client offers it first and a
   * server picks it whenever the client offers it. The pure provider sets
   * it; `{ ...pureProvider, preferChaCha20: false }` turns it off.
   */
  readonly preferChaCha20?: boolean;
  /** Cryptographically secure random bytes. Never falls back to Math.random. */
  randomBytes(n: number): Uint8Array;
  hash(algorithm: HashAlgorithm): HashFunction;
  hmac(algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  hkdfExtract(algorithm: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array): Uint8Array;
  hkdfExpand(algorithm: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  aead(algorithm: AeadAlgorithm): Aead;
  /** undefined when the group is not supported by this provider. */
  group(name: NamedGroupName): KeyExchangeGroup | undefined;
  /**
   * Optional: when `group(name)` is undefined because the group is left out
   * of this build (the pure provider in a `puretls/web` bundle without
   * `puretls/web/groups`), the sentence naming the import that adds it, for
   * the error message.
   */
  groupHint?(name: NamedGroupName): string | undefined;
  /** Verify; false for a wrong signature or a key/algorithm mismatch. Never throws for bad signatures. */
  verify(algorithm: SignatureAlgorithm, key: PublicKey, message: Uint8Array, signature: Uint8Array): MaybePromise<boolean>;
  /**
   * Sign with a private key. ECDSA output is DER (deterministic, RFC 6979, in
   * the pure provider). `random`, when given, supplies any randomness the
   * signature itself needs (the RSA-PSS salt) so tests are reproducible.
   */
  sign(algorithm: SignatureAlgorithm, key: PrivateKey, message: Uint8Array, random?: RandomSource): MaybePromise<Uint8Array>;
}
