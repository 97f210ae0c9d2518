/**
 * Record-layer constants, RFC 8446 §5.1 and §B.1.
 */

/** ContentType, RFC 8446 §5.1 / §B.1. */
export const ContentType = {
  invalid: 0,
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;

export type ContentTypeName = Exclude<keyof typeof ContentType, 'invalid'>;
export type ContentTypeValue = (typeof ContentType)[ContentTypeName];

export function isKnownContentType(t: number): t is ContentTypeValue {
  return t === 20 || t === 21 || t === 22 || t === 23;
}

export function contentTypeName(t: number): string {
  switch (t) {
    case 20: return 'change_cipher_spec';
    case 21: return 'alert';
    case 22: return 'handshake';
    case 23: return 'application_data';
    default: return `unknown(${t})`;
  }
}

/** TLSPlaintext header: type(1) legacy_record_version(2) length(2). */
export const RECORD_HEADER_LENGTH = 5;

/** RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14 bytes. */
export const MAX_PLAINTEXT_LENGTH = 1 << 14;

/** RFC 8446 §5.4: the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets. */
export const MAX_INNER_PLAINTEXT_LENGTH = (1 << 14) + 1;

/** RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256 bytes. */
export const MAX_CIPHERTEXT_LENGTH = (1 << 14) + 256;

/** legacy_record_version for every record we send, RFC 8446 §5.1. */
export const LEGACY_RECORD_VERSION = 0x0303;

/** legacy_record_version a client MAY use for its initial ClientHello, RFC 8446 §5.1. */
export const LEGACY_RECORD_VERSION_INITIAL = 0x0301;

/** AEAD tag length of every TLS 1.3 AEAD (RFC 5116 algorithms used by §B.4). */
export const AEAD_TAG_LENGTH = 16;

/** Handshake message header: msg_type(1) length(3), RFC 8446 §4. */
export const HANDSHAKE_HEADER_LENGTH = 4;

/** Default cap on a single handshake message (certificate chains): 64 KiB. */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE_SIZE = 64 * 1024;

/**
 * Handshake messages whose body has a fixed or small bound by RFC 8446's
 * grammar, checked as soon as their header is read so that a peer cannot
 * make us buffer a 16 MB "Finished": Finished is verify_data[Hash.length]
 * (§4.4.4; 64 covers every hash a TLS 1.3 suite could use), KeyUpdate is one
 * byte (§4.6.3), EndOfEarlyData is empty (§4.5). A longer declared length is
 * decode_error, as the full message would get from its decoder.
 */
export const MAX_HANDSHAKE_BODY_BY_TYPE: ReadonlyMap<number, number> = new Map([
  [5, 0], // end_of_early_data
  [20, 64], // finished
  [24, 1], // key_update
]);
