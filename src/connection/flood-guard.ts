/**
 * Limits on peer input that makes no progress. RFC 8446 allows each of these
 * once (zero-length application data as traffic-analysis padding, §5.4;
 * KeyUpdate, §4.6.3; NewSessionTicket, §4.6.1; post-handshake CertificateRequest,
 * §4.6.2; user_canceled, §6.1) and sets
 * no bound on how many may follow each other; an endless run of them would
 * keep us decrypting, rekeying or answering forever while the application
 * sees nothing. Like BoringSSL (kMaxEmptyRecords, kMaxKeyUpdates,
 * kMaxWarningAlerts) the counts are *consecutive*: application data with
 * content resets them, so a long-lived connection is judged only on runs.
 * Past a limit the connection fails with unexpected_message, as BoringSSL
 * and OpenSSL (MAX_EMPTY_RECORDS) do.
 *
 * The record layer bounds consecutive ChangeCipherSpec records on its own.
 */
import { TlsError } from '../errors.js';

/** Zero-length application_data records in a row (BoringSSL, OpenSSL: 32). */
export const MAX_EMPTY_RECORDS = 32;
/**
 * KeyUpdate messages in a row (BoringSSL kMaxKeyUpdates and rustls
 * allowed_key_update_requests: 32; tlsfuzzer test-tls13-keyupdate sends 32
 * and expects each answered). Each costs two key derivations, and one
 * answer when it requests an update; past the limit → unexpected_message.
 */
export const MAX_KEY_UPDATES = 32;
/** NewSessionTicket messages in a row (we ignore them; servers send one or two). */
export const MAX_SESSION_TICKETS = 32;
/**
 * Post-handshake CertificateRequests in a row (RFC 8446 §4.6.2): each makes
 * us sign a CertificateVerify, so a server asking again and again with no
 * data in between would spend our CPU; servers ask once per resource.
 */
export const MAX_CERTIFICATE_REQUESTS = 8;
/** user_canceled alerts in a row, the one non-closure alert that is not fatal (BoringSSL: 4 warning alerts). */
export const MAX_WARNING_ALERTS = 4;

export class FloodGuard {
  private emptyRecords = 0;
  private keyUpdates = 0;
  private tickets = 0;
  private warningAlerts = 0;
  private certificateRequests = 0;

  /** Application data with content: the peer made progress. */
  progress(): void {
    this.emptyRecords = 0;
    this.keyUpdates = 0;
    this.tickets = 0;
    this.warningAlerts = 0;
    this.certificateRequests = 0;
  }

  emptyRecord(): void {
    if (++this.emptyRecords > MAX_EMPTY_RECORDS) throw flood(`more than ${MAX_EMPTY_RECORDS} empty application_data records in a row`, 'too_many_empty_records');
  }

  keyUpdate(): void {
    if (++this.keyUpdates > MAX_KEY_UPDATES) throw flood(`more than ${MAX_KEY_UPDATES} KeyUpdate messages in a row`, 'too_many_key_updates');
  }

  sessionTicket(): void {
    if (++this.tickets > MAX_SESSION_TICKETS) throw flood(`more than ${MAX_SESSION_TICKETS} NewSessionTicket messages in a row`, 'too_many_session_tickets');
  }

  certificateRequest(): void {
    if (++this.certificateRequests > MAX_CERTIFICATE_REQUESTS) throw flood(`more than ${MAX_CERTIFICATE_REQUESTS} post-handshake CertificateRequests in a row`, 'too_many_certificate_requests');
  }

  warningAlert(): void {
    if (++this.warningAlerts > MAX_WARNING_ALERTS) throw flood(`more than ${MAX_WARNING_ALERTS} user_canceled alerts in a row`, 'too_many_warning_alerts');
  }
}

function flood(message: string, code: string): TlsError {
  return new TlsError('unexpected_message', `peer flood: ${message}`, { code });
}
