/** Per-handshake state of the client, shared by its states. */
import type { ClientKeyShare, NamedGroupName } from '../../crypto/provider.js';
import type { ResolvedClient } from '../config.js';
import { HandshakeContext } from '../common/context.js';
import type { CertificateRequestView } from '../extensions/parse.js';
import type { HandshakeSecret } from '../key-schedule.js';
import type { ClientHello } from '../messages/index.js';
import type { SchemeInfo } from '../common/schemes.js';
import type { PskOffer } from './psk-offer.js';

export class ClientContext extends HandshakeContext<ResolvedClient> {
  /** The ClientHello most recently sent. */
  hello!: ClientHello;
  /** Extension types offered in ClientHello (RFC 8446 §4.2: responses must match). */
  offered = new Set<number>();
  /** Our key shares by NamedGroup codepoint. */
  shares = new Map<number, ClientKeyShare>();
  /** SNI name sent (undefined for IP literals or no servername). */
  sniSent: string | undefined;
  /** Set after a HelloRetryRequest. */
  hrr: { suite: number; selectedGroup: number | undefined } | undefined;
  ccsSent = false;
  group: NamedGroupName | undefined;
  handshakeSecret: HandshakeSecret | undefined;
  clientHandshakeSecret: Uint8Array | undefined;
  serverHandshakeSecret: Uint8Array | undefined;
  alpnProtocol: string | undefined;
  certificateRequest: { context: Uint8Array; view: CertificateRequestView } | undefined;
  peerScheme: SchemeInfo | undefined;
  /** The PSK offered in the ClientHello most recently sent (RFC 8446 §4.2.11). */
  psk: PskOffer | undefined;
  /** The server accepted our PSK: no certificates in this handshake (§2.2). */
  resumed = false;
  /** early_data was offered in the ClientHello most recently sent (RFC 8446 §4.2.10). */
  earlyOffered = false;
  /** 0-RTT outcome, once known. */
  earlyData: 'accepted' | 'rejected' | undefined;
}
