/**
 * After the handshake, RFC 8446 §4.6: the only handshake messages allowed
 * are NewSessionTicket (server → client, §4.6.1: kept for resumption, see
 * resumption/client-tickets.ts) and KeyUpdate (both ways, §4.6.3). We never offer
 * post_handshake_auth, so a CertificateRequest is unexpected_message, as is
 * anything else.
 */
import { TlsError } from '../../errors.js';
import { wipe } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import { nextTrafficSecret } from '../key-schedule.js';
import type { HandshakeMessage } from '../messages/index.js';
import { KeyUpdateRequest } from '../messages/types.js';
import type { ClientTickets } from '../resumption/client-tickets.js';
import type { HandshakeState } from './context.js';
import { HandshakeContext, unexpected } from './context.js';

export class Connected implements HandshakeState {
  readonly name = 'Connected';
  private readonly ctx: HandshakeContext;
  /**
   * RFC 8446 §4.6.3: the peer asked for an update we have not answered yet.
   * "This mechanism ... causes an implementation which receives multiple
   * KeyUpdates while it is silent to respond with a single update": the
   * connection answers once when it has processed the input at hand (or
   * before its next application data, or before a KeyUpdate of our own that
   * requests one: the answer must be update_not_requested, and GnuTLS refuses
   * an update_requested in its place). BoringSSL coalesces the same way;
   * OpenSSL and Go answer each request.
   */
  keyUpdateOwed = false;

  constructor(
    handshakeCtx: HandshakeContext,
    private readonly role: 'client' | 'server',
    private readonly suite: CipherSuite,
    private readSecret: Uint8Array,
    private writeSecret: Uint8Array,
    private readonly tickets?: ClientTickets,
  ) {
    // Keep only config and I/O: the handshake's state (transcript, peer
    // messages, key shares) is dropped, so an idle connection holds little.
    this.ctx = new HandshakeContext(handshakeCtx.config, handshakeCtx.io);
  }

  async handle(m: HandshakeMessage): Promise<HandshakeState> {
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
    throw unexpected(this.name, m);
  }

  /** The connection is over: wipe the traffic secrets kept for KeyUpdate (RFC 8446 §7.2). */
  destroy(): void {
    wipe(this.readSecret, this.writeSecret);
  }

  /** Send KeyUpdate under the current key, then switch our write key (§4.6.3). */
  async sendKeyUpdate(requestPeer: boolean): Promise<void> {
    if (requestPeer && this.keyUpdateOwed) await this.sendKeyUpdate(false);
    if (!requestPeer) this.keyUpdateOwed = false;
    this.ctx.send({ type: 'key_update', requestUpdate: requestPeer ? KeyUpdateRequest.update_requested : KeyUpdateRequest.update_not_requested });
    const next = nextTrafficSecret(this.ctx.config.provider, this.suite, this.writeSecret);
    wipe(this.writeSecret);
    this.writeSecret = next;
    await this.ctx.io.setWriteKey(this.suite, next);
  }
}
