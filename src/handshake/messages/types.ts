/** Codepoints for TLS 1.3 handshake messages and extensions, RFC 8446 §4 and §B.3. */

/** HandshakeType, RFC 8446 §4. */
export const HandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
  compressed_certificate: 25, // RFC 8879 §4
  message_hash: 254,
} as const;

export type HandshakeTypeName = keyof typeof HandshakeType;

const handshakeNames = new Map<number, HandshakeTypeName>(
  Object.entries(HandshakeType).map(([k, v]) => [v, k as HandshakeTypeName]),
);

export function handshakeTypeName(code: number): string {
  return handshakeNames.get(code) ?? `unknown_handshake(${code})`;
}

/** ExtensionType, RFC 8446 §4.2 plus the TLS 1.2-era ones we tolerate. */
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27, // RFC 8879 §3
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;

export type ExtensionTypeName = keyof typeof ExtensionType;

const extensionNames = new Map<number, ExtensionTypeName>(
  Object.entries(ExtensionType).map(([k, v]) => [v, k as ExtensionTypeName]),
);

export function extensionTypeName(code: number): string {
  return extensionNames.get(code) ?? `unknown_extension(${code})`;
}

/** ProtocolVersion values. */
export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

/** NamedGroup codepoints, RFC 8446 §4.2.7 (one table, kept with the group rules in crypto). */
export { GROUP_CODEPOINTS as NamedGroupCode } from '../../crypto/group-rules.js';

/** PskKeyExchangeMode, RFC 8446 §4.2.9. */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

/** KeyUpdateRequest, RFC 8446 §4.6.3. */
export const KeyUpdateRequest = { update_not_requested: 0, update_requested: 1 } as const;

/**
 * ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest"),
 * RFC 8446 §4.1.3.
 */
export const HELLO_RETRY_REQUEST_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** Downgrade sentinels in the last 8 bytes of ServerHello.random, RFC 8446 §4.1.3. */
export const DOWNGRADE_TLS12 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11 = new Uint8Array([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);
