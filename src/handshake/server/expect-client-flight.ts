/**
 * Server states for the client's second flight (RFC 8446 §4.4):
 * ExpectCertificate → ExpectCertificateVerify → ExpectFinished.
 */
import { TlsError } from '../../errors.js';
import { wipe } from '../../util/bytes.js';
import { HANDSHAKE_CONTEXT, receiveCertificate } from '../common/certificate.js';
import { verifyCertificateVerify } from '../common/certificate-verify.js';
import { checkFinished } from '../common/finished.js';
import { Connected } from '../common/connected.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { checkPeerChain } from '../common/peer-certificate.js';
import type { HandshakeMessage } from '../messages/index.js';
import type { ServerContext } from './context.js';
import { ServerPostHandshakeAuth } from './post-handshake-auth.js';
import { sendSessionTickets } from './tickets.js';

export class ExpectClientCertificate implements HandshakeState {
  readonly name = 'ExpectCertificate';

  constructor(private readonly ctx: ServerContext) {}

  async handle(received: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (received.type !== 'certificate' && received.type !== 'compressed_certificate') throw unexpected(this.name, received);
    const ctx = this.ctx;
    ctx.trace('received', received);
    // §4.4.2: the context echoes the CertificateRequest's (empty in the handshake, §4.3.2).
    const chain = receiveCertificate(received, {
      peer: 'client', context: HANDSHAKE_CONTEXT, solicited: ctx.certificateRequestExtensions,
      compression: ctx.config.certificateCompression, maxMessageSize: ctx.config.maxHandshakeMessageSize,
    });
    if (chain.length === 0) {
      // §4.4.2.4: no certificate; the server "MAY abort the handshake with a certificate_required alert".
      if (ctx.config.clientAuth === 'require') throw new TlsError('certificate_required', 'client sent no certificate');
      ctx.transcript.add(raw);
      return new ExpectClientFinished(ctx);
    }
    const r = await checkPeerChain(ctx.config, chain, undefined, 'client');
    ctx.acceptPeerChain(chain, r);
    ctx.transcript.add(raw);
    return new ExpectClientCertificateVerify(ctx);
  }
}

export class ExpectClientCertificateVerify implements HandshakeState {
  readonly name = 'ExpectCertificateVerify';

  constructor(private readonly ctx: ServerContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'certificate_verify') throw unexpected(this.name, m);
    const ctx = this.ctx;
    ctx.trace('received', m);
    ctx.peerScheme = await verifyCertificateVerify(
      ctx.config.provider, 'client', m.scheme, ctx.config.schemes, ctx.peerKey!, ctx.transcript.hash(), m.signature,
    );
    ctx.transcript.add(raw);
    return new ExpectClientFinished(ctx);
  }
}

export class ExpectClientFinished implements HandshakeState {
  readonly name = 'ExpectFinished';

  constructor(private readonly ctx: ServerContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'finished') throw unexpected(this.name, m);
    const ctx = this.ctx;
    const suite = ctx.requireSuite();
    ctx.trace('received', m);
    checkFinished(ctx.config.provider, suite, ctx.clientHandshakeSecret!, ctx.transcript.hash(), m.verifyData, 'client');
    ctx.transcript.add(raw);
    wipe(ctx.clientHandshakeSecret);
    // §7.1: resumption_master_secret over ClientHello..client Finished.
    const rms = ctx.masterSecret!.resumptionMasterSecret(ctx.transcript.hash());
    ctx.masterSecret!.wipe();
    const cap = ctx.clientApplicationSecret!;
    const sap = ctx.serverApplicationSecret!;
    await ctx.io.setReadKey(suite, cap);
    ctx.io.handshakeComplete({
      suite,
      exporterSecret: ctx.exporterSecret!,
      info: {
        protocol: 'TLSv1.3',
        cipherSuite: suite.name,
        group: ctx.group,
        signatureScheme: ctx.ourScheme?.name,
        alpnProtocol: ctx.alpnProtocol,
        servername: ctx.servername,
        peerCertificates: ctx.peerChain,
        peerVerified: ctx.peerVerified,
        peerVerifyError: ctx.peerVerifyError,
        peerVerifyCode: ctx.peerVerifyCode,
        helloRetry: ctx.hrr !== undefined,
        postHandshakeAuth: ctx.clientOfferedPostHandshakeAuth,
        resumed: ctx.psk !== undefined && !ctx.psk.external,
        ...(ctx.psk ? { psk: ctx.psk.external ? ('external' as const) : ('resumption' as const) } : {}),
        ...(ctx.earlyData ? { earlyData: ctx.earlyData } : {}),
      },
    });
    // §4.6.2: a client that sent post_handshake_auth may be asked for a certificate later,
    // each request hashing from this transcript (ClientHello..client Finished) on.
    const pha = ctx.clientOfferedPostHandshakeAuth ? new ServerPostHandshakeAuth(ctx.transcript.fork()) : undefined;
    await sendSessionTickets(ctx, suite, rms);
    wipe(rms);
    return new Connected(ctx, 'server', suite, cap.slice(), sap.slice(), { pha });
  }
}
