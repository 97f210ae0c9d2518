/**
 * Typed views of the extension blocks of each message. Each parser first
 * applies the RFC 8446 §4.2 table (`checkAllowed`), then decodes the bodies
 * it understands; unknown extensions are ignored here (the client applies
 * `checkSolicited` to server messages itself).
 */
import { isObsoleteGroup } from '../../crypto/group-rules.js';
import { TlsError } from '../../errors.js';
import { ExtensionType as E } from '../messages/types.js';
import { decodeAlpn, decodeAlpnSelected } from './alpn.js';
import { checkAllowed } from './allowed.js';
import { decodeKeyShareClient, decodeKeyShareHrr, decodeKeyShareServer, type KeyShareEntry } from './key-share.js';
import type { Extension } from './list.js';
import {
  decodePskKeyExchangeModes, decodeSignatureAlgorithms, decodeSupportedGroups, decodeSupportedVersionsClient,
  decodeSupportedVersionsServer,
} from './lists.js';
import { decodeCertificateAuthorities, decodeCookie, expectEmpty } from './misc.js';
import { decodeEarlyDataEmpty, decodeOfferedPsks, decodeSelectedIdentity, type OfferedPsks } from './psk.js';
import { decodeCompressCertificate } from './compress-certificate.js';
import { decodeRecordSizeLimit } from './record-size-limit.js';
import { decodeServerName } from './server-name.js';

export interface ClientHelloExtensions {
  /** Present (possibly with no host_name) when the extension was sent. */
  serverName?: string | undefined;
  hasServerName: boolean;
  supportedGroups?: number[];
  signatureAlgorithms?: number[];
  signatureAlgorithmsCert?: number[];
  keyShares?: KeyShareEntry[];
  supportedVersions?: number[];
  cookie?: Uint8Array;
  alpn?: Uint8Array[];
  pskModes?: number[];
  preSharedKey?: OfferedPsks;
  earlyData: boolean;
  certificateAuthorities?: Uint8Array[];
  postHandshakeAuth: boolean;
  /** RFC 8449: the largest TLSInnerPlaintext the client accepts. */
  recordSizeLimit?: number;
  /** RFC 8879: the algorithms the client can decompress. */
  compressCertificate?: number[];
}

/** A client's supported_groups: obsolete codepoints are refused (§4.2.7); GREASE and unknown ones are kept (and never chosen). */
function decodeOfferedGroups(d: Uint8Array): number[] {
  const groups = decodeSupportedGroups(d);
  const bad = groups.find(isObsoleteGroup);
  if (bad !== undefined) {
    throw new TlsError('illegal_parameter', `supported_groups offers obsolete group 0x${bad.toString(16).padStart(4, '0')} (RFC 8446 §4.2.7: MUST NOT be offered)`);
  }
  return groups;
}

export function parseClientHelloExtensions(exts: readonly Extension[]): ClientHelloExtensions {
  checkAllowed(exts, 'CH');
  const out: ClientHelloExtensions = { hasServerName: false, earlyData: false, postHandshakeAuth: false };
  for (const e of exts) {
    switch (e.type) {
      case E.server_name: out.hasServerName = true; out.serverName = decodeServerName(e.data); break;
      case E.supported_groups: out.supportedGroups = decodeOfferedGroups(e.data); break;
      case E.signature_algorithms: out.signatureAlgorithms = decodeSignatureAlgorithms(e.data); break;
      case E.signature_algorithms_cert: out.signatureAlgorithmsCert = decodeSignatureAlgorithms(e.data, 'signature_algorithms_cert'); break;
      case E.key_share: out.keyShares = decodeKeyShareClient(e.data); break;
      case E.supported_versions: out.supportedVersions = decodeSupportedVersionsClient(e.data); break;
      case E.cookie: out.cookie = decodeCookie(e.data); break;
      case E.application_layer_protocol_negotiation: out.alpn = decodeAlpn(e.data); break;
      case E.psk_key_exchange_modes: out.pskModes = decodePskKeyExchangeModes(e.data); break;
      case E.pre_shared_key: out.preSharedKey = decodeOfferedPsks(e.data); break;
      case E.early_data: decodeEarlyDataEmpty(e.data); out.earlyData = true; break;
      case E.certificate_authorities: out.certificateAuthorities = decodeCertificateAuthorities(e.data); break;
      case E.post_handshake_auth: expectEmpty(e.data, 'post_handshake_auth'); out.postHandshakeAuth = true; break;
      case E.record_size_limit: out.recordSizeLimit = decodeRecordSizeLimit(e.data); break;
      case E.compress_certificate: out.compressCertificate = decodeCompressCertificate(e.data); break;
      default: break; // status_request, SCT, padding, TLS 1.2 extensions, unknown: ignored (§4.2)
    }
  }
  // RFC 8446 §4.2.8: "each KeyShareEntry value MUST correspond to a group offered
  // in the supported_groups extension" (and in the same order; we check membership).
  if (out.keyShares && out.supportedGroups) {
    const offered = new Set(out.supportedGroups); // both lists are peer-sized
    for (const s of out.keyShares) {
      if (!offered.has(s.group)) throw new TlsError('illegal_parameter', 'key_share for a group not in supported_groups');
    }
  }
  return out;
}

export interface ServerHelloExtensions {
  selectedVersion?: number;
  keyShare?: KeyShareEntry;
  selectedIdentity?: number;
}

export function parseServerHelloExtensions(exts: readonly Extension[]): ServerHelloExtensions {
  checkAllowed(exts, 'SH');
  const out: ServerHelloExtensions = {};
  for (const e of exts) {
    if (e.type === E.supported_versions) out.selectedVersion = decodeSupportedVersionsServer(e.data);
    else if (e.type === E.key_share) out.keyShare = decodeKeyShareServer(e.data);
    else if (e.type === E.pre_shared_key) out.selectedIdentity = decodeSelectedIdentity(e.data);
  }
  return out;
}

export interface HelloRetryRequestExtensions {
  selectedVersion?: number;
  selectedGroup?: number;
  cookie?: Uint8Array;
}

export function parseHelloRetryRequestExtensions(exts: readonly Extension[]): HelloRetryRequestExtensions {
  checkAllowed(exts, 'HRR');
  const out: HelloRetryRequestExtensions = {};
  for (const e of exts) {
    if (e.type === E.supported_versions) out.selectedVersion = decodeSupportedVersionsServer(e.data);
    else if (e.type === E.key_share) out.selectedGroup = decodeKeyShareHrr(e.data);
    else if (e.type === E.cookie) out.cookie = decodeCookie(e.data);
  }
  return out;
}

export interface EncryptedExtensionsView {
  serverNameAck: boolean;
  alpn?: Uint8Array;
  earlyData: boolean;
  supportedGroups?: number[];
  recordSizeLimit?: number;
}

export function parseEncryptedExtensions(exts: readonly Extension[]): EncryptedExtensionsView {
  checkAllowed(exts, 'EE');
  const out: EncryptedExtensionsView = { serverNameAck: false, earlyData: false };
  for (const e of exts) {
    switch (e.type) {
      case E.server_name: expectEmpty(e.data, 'server_name'); out.serverNameAck = true; break;
      case E.application_layer_protocol_negotiation: out.alpn = decodeAlpnSelected(e.data); break;
      case E.early_data: decodeEarlyDataEmpty(e.data); out.earlyData = true; break;
      case E.supported_groups: out.supportedGroups = decodeSupportedGroups(e.data); break;
      case E.record_size_limit: out.recordSizeLimit = decodeRecordSizeLimit(e.data); break;
      default: break;
    }
  }
  return out;
}

export interface CertificateRequestView {
  signatureAlgorithms: number[];
  signatureAlgorithmsCert?: number[];
  certificateAuthorities?: Uint8Array[];
  /** RFC 8879: the algorithms the server can decompress. */
  compressCertificate?: number[];
}

export function parseCertificateRequestExtensions(exts: readonly Extension[]): CertificateRequestView {
  checkAllowed(exts, 'CR');
  let sig: number[] | undefined;
  const out: Partial<CertificateRequestView> = {};
  for (const e of exts) {
    if (e.type === E.signature_algorithms) sig = decodeSignatureAlgorithms(e.data);
    else if (e.type === E.signature_algorithms_cert) out.signatureAlgorithmsCert = decodeSignatureAlgorithms(e.data, 'signature_algorithms_cert');
    else if (e.type === E.certificate_authorities) out.certificateAuthorities = decodeCertificateAuthorities(e.data);
    else if (e.type === E.compress_certificate) out.compressCertificate = decodeCompressCertificate(e.data);
    // others (oid_filters, status_request, SCT, unknown): ignored, §4.3.2
  }
  // RFC 8446 §4.3.2: "The signature_algorithms extension MUST be specified".
  if (!sig) throw new TlsError('missing_extension', 'CertificateRequest without signature_algorithms');
  return { ...out, signatureAlgorithms: sig };
}
