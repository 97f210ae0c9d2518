/**
 * After the handshake, RFC 8446 §4.6: the only handshake messages allowed
 * are NewSessionTicket (server → client, §4.6.1: kept for resumption, see
 * resumption/client-tickets.ts), KeyUpdate (both ways, §4.6.3) and, when
 * the client sent post_handshake_auth (§4.2.6), the post-handshake client
 * authentication of §4.6.2 (client/post-handshake-auth.ts answers a
 * CertificateRequest; server/post-handshake-auth.ts sends one and reads the
 * answer). Anything else is unexpected_message.
 */
import { TlsError } from '../../errors.js';
import { wipe } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import { nextTrafficSecret } from '../key-schedule.js';
import { encodeHandshake, type HandshakeMessage } from '../messages/index.js';
import { KeyUpdateRequest } from '../messages/types.js';
import type { ClientTickets } from '../resumption/client-tickets.js';
import type { Transcript } from '../transcript.js';
import type { HandshakeState } from './context.js';
import { HandshakeContext, unexpected } from './context.js';

/** One role's post-handshake authentication (RFC 8446 §4.6.2), plugged into Connected. */
export interface PostHandshakeAuth {
  /** Whether this message starts (client: CertificateRequest) or answers (server: Certificate) a request. */
  accepts(m: HandshakeMessage): boolean;
  handle(m: HandshakeMessage, raw: Uint8Array, connected: Connected): Promise<HandshakeState>;
}

export class Connected implements HandshakeState {
  readonly name = 'Connected';
  readonly ctx: HandshakeContext;
  /**
   * RFC 8446 §4.6.3: the peer asked for an update we have not answered yet.
   * The RFC's one requirement is an update_not_requested KeyUpdate "prior to
   * sending its next Application Data record"; it allows a peer silent
   * through several requests to answer them with one. The connection answers
   * each request as soon as it is processed, before reading the next message
   * (and, if still owed, before a KeyUpdate of our own that requests one: the
   * answer must be update_not_requested, and GnuTLS refuses an
   * update_requested in its place), as OpenSSL and Go do and as tlsfuzzer's
   * test-tls13-keyupdate ("multiple KeyUpdate messages": 32 requests, 32
   * answers expected) checks. Answering per batch (BoringSSL, rustls) would
   * make the count depend on how TCP happened to segment the peer's records.
   * The work a peer can cause is bounded by the flood guard: at most
   * MAX_KEY_UPDATES KeyUpdates without application data in between.
   */
  keyUpdateOwed = false;
  private readonly tickets: ClientTickets | undefined;
  /** Set when post_handshake_auth was sent (client) or received (server). */
  readonly pha: PostHandshakeAuth | undefined;

  constructor(
    handshakeCtx: HandshakeContext,
    private readonly role: 'client' | 'server',
    readonly suite: CipherSuite,
    private readSecret: Uint8Array,
    private writeSecret: Uint8Array,
    opts: { tickets?: ClientTickets; pha?: PostHandshakeAuth } = {},
  ) {
    // Keep only config and I/O: the handshake's state (transcript, peer
    // messages, key shares) is dropped, so an idle connection holds little
    // (post-handshake authentication keeps a copy of the transcript hash).
    this.ctx = new HandshakeContext(handshakeCtx.config, handshakeCtx.io);
    this.tickets = opts.tickets;
    this.pha = opts.pha;
  }

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (this.pha?.accepts(m)) return this.pha.handle(m, raw, this);
    this.ctx.trace('received', m);
    if (m.type === 'new_session_ticket' && this.role === 'client') {
      if (this.tickets) this.tickets.receive(this.suite, m);
      return this;
    }
    if (m.type === 'key_update') {
      // §4.6.3: "If an implementation receives any other value [than 0 or 1], it MUST terminate the connection with an illegal_parameter alert."
      if (m.requestUpdate !== KeyUpdateRequest.update_not_requested && m.requestUpdate !== KeyUpdateRequest.update_requested) {
        throw new TlsError('illegal_parameter', `KeyUpdate: request_update ${m.requestUpdate} is neither 0 nor 1`);
      }
      const next = nextTrafficSecret(this.ctx.config.provider, this.suite, this.readSecret);
      wipe(this.readSecret);
      this.readSecret = next;
      await this.ctx.io.setReadKey(this.suite, next);
      if (m.requestUpdate === KeyUpdateRequest.update_requested) this.keyUpdateOwed = true;
      return this;
    }
    if (m.type === 'certificate_request' && this.role === 'client') {
      // §4.6.2: "A client that receives a CertificateRequest message without having
      // sent the "post_handshake_auth" extension MUST send an "unexpected_message" fatal alert."
      throw new TlsError('unexpected_message', 'CertificateRequest after the handshake, but we did not send post_handshake_auth (RFC 8446 §4.6.2)', { code: 'unsolicited_certificate_request' });
    }
    throw unexpected(this.name, m);
  }

  /**
   * The current application traffic secret of one direction (the base key of
   * a post-handshake Finished, §4.4: client_application_traffic_secret_N).
   */
  trafficSecret(direction: 'read' | 'write'): Uint8Array {
    return direction === 'read' ? this.readSecret : this.writeSecret;
  }

  /** Send a post-handshake message (traced), adding it to `transcript` when it belongs to one. */
  send(m: HandshakeMessage, transcript?: Transcript): void {
    const raw = encodeHandshake(m);
    transcript?.add(raw);
    this.ctx.trace('sent', m, raw);
    this.ctx.io.sendHandshake(raw);
  }

  /** The connection is over: wipe the traffic secrets kept for KeyUpdate (RFC 8446 §7.2). */
  destroy(): void {
    wipe(this.readSecret, this.writeSecret);
  }

  /** Send KeyUpdate under the current key, then switch our write key (§4.6.3). */
  async sendKeyUpdate(requestPeer: boolean): Promise<void> {
    if (requestPeer && this.keyUpdateOwed) await this.sendKeyUpdate(false);
    if (!requestPeer) this.keyUpdateOwed = false;
    this.send({ type: 'key_update', requestUpdate: requestPeer ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested });
    const next = nextTrafficSecret(this.ctx.config.provider, this.suite, this.writeSecret);
    wipe(this.writeSecret);
    this.writeSecret = next;
    await this.ctx.io.setWriteKey(this.suite, next);
  }
}
