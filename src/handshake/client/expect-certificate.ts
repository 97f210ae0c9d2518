/** Client states ExpectCertificate (RFC 8446 §4.4.2) and ExpectCertificateVerify (§4.4.3). */
import { TlsError } from '../../errors.js';
import { HANDSHAKE_CONTEXT, receiveCertificate } from '../common/certificate.js';
import { verifyCertificateVerify } from '../common/certificate-verify.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { checkPeerChain } from '../common/peer-certificate.js';
import type { HandshakeMessage } from '../messages/index.js';
import type { ClientContext } from './context.js';
import { ExpectFinished } from './expect-finished.js';

export class ExpectCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';

  constructor(private readonly ctx: ClientContext) {}

  async handle(received: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (received.type !== 'certificate' && received.type !== 'compressed_certificate') throw unexpected(this.name, received);
    const ctx = this.ctx;
    ctx.trace('received', received);
    const chain = receiveCertificate(received, {
      peer: 'server', context: HANDSHAKE_CONTEXT, solicited: ctx.offered,
      compression: ctx.config.certificateCompression, maxMessageSize: ctx.config.maxHandshakeMessageSize,
    });
    // §4.4.2.4: an empty server Certificate → decode_error.
    if (chain.length === 0) throw new TlsError('decode_error', 'server sent an empty Certificate');
    const r = await checkPeerChain(ctx.config, chain, ctx.config.servername, 'server');
    ctx.acceptPeerChain(chain, r);
    ctx.transcript.add(raw);
    return new ExpectCertificateVerify(ctx);
  }
}

export class ExpectCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';

  constructor(private readonly ctx: ClientContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'certificate_verify') throw unexpected(this.name, m);
    const ctx = this.ctx;
    ctx.trace('received', m);
    ctx.peerScheme = await verifyCertificateVerify(
      ctx.config.provider, 'server', m.scheme, ctx.config.schemes, ctx.peerKey!, ctx.transcript.hash(), m.signature,
    );
    ctx.transcript.add(raw);
    return new ExpectFinished(ctx);
  }
}
