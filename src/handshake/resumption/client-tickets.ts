/**
 * The client's side of NewSessionTicket (RFC 8446 §4.6.1): each ticket
 * becomes a ClientSession (PSK = HKDF-Expand-Label(resumption_master_secret,
 * "resumption", ticket_nonce, Hash.length)) that goes to the ticket store
 * and to `onSession`. At most MAX_TICKETS_PER_CONNECTION are kept from one
 * connection; later ones are dropped (a server may send any number).
 */
import { TlsError } from '../../errors.js';
import { wipe } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import type { ResolvedClient } from '../config.js';
import { checkAllowed } from '../extensions/allowed.js';
import { findExtension } from '../extensions/list.js';
import { decodeMaxEarlyDataSize } from '../extensions/psk.js';
import { resumptionPsk } from '../key-schedule.js';
import type { NewSessionTicket } from '../messages/index.js';
import { ExtensionType } from '../messages/types.js';
import { encodeClientSession, MAX_TICKET_LIFETIME, type ClientSession, type SessionBase } from './session.js';

export const MAX_TICKETS_PER_CONNECTION = 8;

type Learned = Pick<SessionBase, 'suite' | 'alpn' | 'servername' | 'peerCertificates' | 'peerVerified'>;

export class ClientTickets {
  private received = 0;

  constructor(
    private readonly config: ResolvedClient,
    private rms: Uint8Array,
    private readonly learned: Learned,
  ) {}

  /** Handle one NewSessionTicket received after the handshake. */
  receive(suite: CipherSuite, m: NewSessionTicket): void {
    // §4.6.1: extensions are checked against the §4.2 table and the known ones decoded
    // (early_data: uint32 max_early_data_size, §4.2.10); unknown ones (GREASE) ignored.
    checkAllowed(m.extensions, 'NST');
    const ed = findExtension(m.extensions, ExtensionType.early_data);
    const maxEarlyData = ed ? decodeMaxEarlyDataSize(ed) : 0;
    // §4.6.1: a lifetime of zero means "discard immediately"; nobody keeps one longer than 7 days.
    if (m.lifetime === 0) return;
    const c = this.config;
    if (!c.ticketStore && !c.onSession) return;
    if (++this.received > MAX_TICKETS_PER_CONNECTION) return;
    if (this.rms.length === 0) throw new TlsError('internal_error', 'NewSessionTicket after the resumption secret was wiped');
    const session: ClientSession = {
      ...this.learned,
      ticket: m.ticket.slice(),
      psk: resumptionPsk(c.provider, suite, this.rms, m.nonce),
      time: c.now().getTime(),
      lifetime: Math.min(m.lifetime, MAX_TICKET_LIFETIME),
      ageAdd: m.ageAdd,
      maxEarlyData,
    };
    c.ticketStore?.put(c.ticketStoreKey, session);
    c.onSession?.(encodeClientSession(session));
  }

  /** Forget the resumption secret. */
  wipe(): void {
    wipe(this.rms);
    this.rms = new Uint8Array(0);
  }
}
