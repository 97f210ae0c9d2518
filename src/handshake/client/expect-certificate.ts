/** Client states ExpectCertificate (RFC 8446 §4.4.2) and ExpectCertificateVerify (§4.4.3). */
import { decompressCertificate } from '../compression.js';
import { TlsError } from '../../errors.js';
import { verifyCertificateVerify } from '../common/certificate-verify.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { checkPeerChain } from '../common/peer-certificate.js';
import { checkAllowed, checkSolicited } from '../extensions/allowed.js';
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
    // RFC 8879 §4: a CompressedCertificate stands for the Certificate; the transcript keeps it as sent.
    const m = received.type === 'certificate' ? received : decompressCertificate(received, ctx.config.certificateCompression, ctx.config.maxHandshakeMessageSize);
    // §4.4.2: "In the case of server authentication, this field SHALL be zero length."
    if (m.context.length !== 0) throw new TlsError('illegal_parameter', 'server Certificate: non-empty certificate_request_context');
    // §4.4.2.4: an empty server Certificate → decode_error.
    if (m.entries.length === 0) throw new TlsError('decode_error', 'server sent an empty Certificate');
    for (const e of m.entries) {
      checkAllowed(e.extensions, 'CT');
      checkSolicited(e.extensions, ctx.offered, 'CT');
    }
    const chain = m.entries.map((e) => e.data);
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
