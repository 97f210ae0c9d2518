/** Per-handshake state of the server, shared by its states. */
import type { NamedGroupName } from '../../crypto/provider.js';
import type { CertifiedKey } from '../types.js';
import type { ResolvedServer } from '../config.js';
import { HandshakeContext } from '../common/context.js';
import type { SchemeInfo } from '../common/schemes.js';
import type { MasterSecret } from '../key-schedule.js';
import type { ClientHello } from '../messages/index.js';
import type { AcceptedPsk } from './psk.js';

export class ServerContext extends HandshakeContext<ResolvedServer> {
  /** The first ClientHello (to check the second one against after an HRR). */
  firstHello: ClientHello | undefined;
  /** Set once we sent a HelloRetryRequest. */
  hrr: { suite: number; group: number } | undefined;
  ccsSent = false;
  group: NamedGroupName | undefined;
  servername: string | undefined;
  alpnProtocol: string | undefined;
  certificate: CertifiedKey | undefined;
  ourScheme: SchemeInfo | undefined;
  clientHandshakeSecret: Uint8Array | undefined;
  clientApplicationSecret: Uint8Array | undefined;
  serverApplicationSecret: Uint8Array | undefined;
  exporterSecret: Uint8Array | undefined;
  /** Extension types we sent in CertificateRequest (client Certificate entries may only answer these). */
  certificateRequestExtensions = new Set<number>();
  peerScheme: SchemeInfo | undefined;
  /** psk_key_exchange_modes of the ClientHello (RFC 8446 §4.2.9: none → no tickets). */
  clientPskModes: readonly number[] | undefined;
  /** The PSK this handshake resumes with (§2.2), if any. */
  psk: AcceptedPsk | undefined;
  /** Kept until the client's Finished for resumption_master_secret (§7.1). */
  masterSecret: MasterSecret | undefined;
  /** The ClientHello carried post_handshake_auth (RFC 8446 §4.2.6). */
  clientOfferedPostHandshakeAuth = false;
  /** 0-RTT outcome when the client offered early data. */
  earlyData: 'accepted' | 'rejected' | undefined;
}
