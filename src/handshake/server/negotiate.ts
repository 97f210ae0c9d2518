/**
 * The server's choices from a ClientHello (RFC 8446 §4.1.1): cipher suite,
 * key-exchange group (and whether a HelloRetryRequest is needed), certificate
 * and signature scheme, ALPN protocol. Server preference order throughout.
 */
import type { CertifiedKey } from '../types.js';
import { TlsError } from '../../errors.js';
import { bytesEqual } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import type { ResolvedServer } from '../config.js';
import { chooseSigningScheme } from '../common/certificate-verify.js';
import { groupCode } from '../common/groups.js';
import type { SchemeInfo } from '../common/schemes.js';
import { alpnName } from '../extensions/alpn.js';
import type { KeyShareEntry } from '../extensions/key-share.js';
import type { ClientHelloExtensions } from '../extensions/parse.js';

/**
 * Our most preferred suite the client offered; with `pskHash` (the client
 * offered one of our external PSKs) our most preferred one with that hash
 * when there is one (§4.2.11: the PSK's hash must be the suite's).
 */
export function chooseSuite(config: ResolvedServer, offered: readonly number[], pskHash?: string): CipherSuite {
  const s = (pskHash !== undefined ? config.suites.find((s) => s.hash === pskHash && offered.includes(s.code)) : undefined)
    ?? config.suites.find((s) => offered.includes(s.code));
  if (!s) throw new TlsError('handshake_failure', 'no cipher suite in common');
  return s;
}

/** Our most preferred group the client sent a share for; else our most preferred group it supports (→ HRR). */
export function chooseGroup(config: ResolvedServer, ext: ClientHelloExtensions): { group: number; share: KeyShareEntry | undefined } {
  const supported = ext.supportedGroups ?? [];
  const shares = ext.keyShares ?? [];
  for (const g of config.groups) {
    const share = shares.find((s) => s.group === groupCode(g));
    if (share && supported.includes(share.group)) return { group: share.group, share };
  }
  for (const g of config.groups) {
    if (supported.includes(groupCode(g))) return { group: groupCode(g), share: undefined };
  }
  throw new TlsError('handshake_failure', 'no key exchange group in common');
}

/**
 * The certificate for this connection: selectCertificate (possibly async:
 * Node's SNICallback) first, then the default one. A selector that fails
 * ends the handshake with its TlsError's alert, or internal_error.
 */
export async function chooseCertificate(
  config: ResolvedServer,
  servername: string | undefined,
  clientSchemes: readonly number[],
): Promise<{ certificate: CertifiedKey; scheme: SchemeInfo }> {
  let selected: CertifiedKey | undefined;
  if (config.selectCertificate) {
    try {
      selected = await config.selectCertificate(servername);
    } catch (e) {
      if (e instanceof TlsError) throw e;
      throw new TlsError('internal_error', `certificate selection for ${servername ?? 'a client without SNI'} failed: ${e instanceof Error ? e.message : String(e)}`, { code: 'certificate_selection', cause: e });
    }
  }
  const certificate = selected ?? config.certificate;
  if (!certificate || certificate.chain.length === 0) {
    // RFC 6066 §3: a server that does not recognise the name the client sent
    // SHOULD abort with unrecognized_name; without SNI there is nothing to
    // recognise, and no certificate means no handshake → handshake_failure.
    if (servername !== undefined) throw new TlsError('unrecognized_name', `no certificate for ${servername}`, { code: 'no_certificate' });
    throw new TlsError('handshake_failure', 'no certificate for a client that sent no server_name', { code: 'no_certificate' });
  }
  const scheme = chooseSigningScheme(certificate.key, clientSchemes, config.schemes);
  if (!scheme) throw new TlsError('handshake_failure', 'no signature scheme in common with the client for our key');
  return { certificate, scheme };
}

/**
 * RFC 7301 §3.2: our first protocol the client also offered, or the one the
 * application's selectAlpnProtocol picks; none → no_application_protocol.
 */
export function chooseAlpn(config: ResolvedServer, offered: readonly Uint8Array[] | undefined, servername: string | undefined): string | undefined {
  if (!offered) return undefined;
  if (config.selectAlpnProtocol) return selectByApplication(config.selectAlpnProtocol, offered, servername);
  if (config.alpn.length === 0) return undefined;
  const p = config.alpn.find((ours) => offered.some((o) => bytesEqual(o, ours)));
  if (!p) throw new TlsError('no_application_protocol', 'no ALPN protocol in common');
  return alpnName(p);
}

function selectByApplication(select: NonNullable<ResolvedServer['selectAlpnProtocol']>, offered: readonly Uint8Array[], servername: string | undefined): string {
  const protocols = offered.map(alpnName);
  let chosen: string | undefined;
  try {
    chosen = select({ servername, protocols });
  } catch (e) {
    if (e instanceof TlsError) throw e;
    throw new TlsError('internal_error', `selectAlpnProtocol threw: ${e instanceof Error ? e.message : String(e)}`, { code: 'alpn_selection', cause: e });
  }
  // §3.2: with no protocol the server supports → no_application_protocol.
  if (chosen === undefined) throw new TlsError('no_application_protocol', `selectAlpnProtocol chose none of ${protocols.join(', ')}`);
  // The server must select one of the client's protocols (§3.1).
  if (typeof chosen !== 'string' || !protocols.includes(chosen)) {
    throw new TlsError('internal_error', `selectAlpnProtocol returned ${JSON.stringify(chosen)}, which the client did not offer`, { code: 'alpn_selection' });
  }
  return chosen;
}
