/**
 * Client state ExpectFinished (RFC 8446 §4.4.4), then the client's second
 * flight: [Certificate CertificateVerify] Finished (§4.4); the CCS of §D.4
 * went out right after ServerHello.
 */
import { certificateMessage } from '../compression.js';
import { wipe } from '../../util/bytes.js';
import { signCertificateVerify } from '../common/certificate-verify.js';
import { checkFinished } from '../common/finished.js';
import { chooseClientCertificate } from './client-certificate.js';
import { ClientPostHandshakeAuth } from './post-handshake-auth.js';
import { Connected } from '../common/connected.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { finishedVerifyData } from '../key-schedule.js';
import type { HandshakeMessage } from '../messages/index.js';
import { ClientTickets } from '../resumption/client-tickets.js';
import type { ClientContext } from './context.js';

export class ExpectFinished implements HandshakeState {
  readonly name = 'ExpectFinished';

  constructor(private readonly ctx: ClientContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'finished') throw unexpected(this.name, m);
    const ctx = this.ctx;
    const c = ctx.config;
    const suite = ctx.requireSuite();
    ctx.trace('received', m);
    checkFinished(c.provider, suite, ctx.serverHandshakeSecret!, ctx.transcript.hash(), m.verifyData, 'server');
    ctx.transcript.add(raw);

    const ms = ctx.handshakeSecret!.intoMasterSecret();
    const h = ctx.transcript.hash();
    const cap = ms.clientApplicationTrafficSecret0(h);
    const sap = ms.serverApplicationTrafficSecret0(h);
    const exp = ms.exporterMasterSecret(h);
    ctx.keyLog(sap);
    ctx.keyLog(cap);
    ctx.keyLog(exp);
    await ctx.io.setReadKey(suite, sap.secret);

    // §4.5: after accepted 0-RTT data, EndOfEarlyData under the early key, then the handshake key.
    if (ctx.earlyData === 'accepted') {
      ctx.io.endEarlyData(true);
      ctx.send({ type: 'end_of_early_data' });
      await ctx.io.setWriteKey(suite, ctx.clientHandshakeSecret!);
    }
    // Second flight (under the client handshake key).
    const cr = ctx.certificateRequest;
    if (cr) {
      const chosen = await chooseClientCertificate(c, cr.view, false);
      if (chosen) {
        const { certificate: cert, scheme } = chosen;
        // RFC 8879 §4: compressed when the server offered an algorithm we can compress with.
        ctx.send(await certificateMessage(c.certificateCompression, cr.view.compressCertificate, cert, cr.context));
        const sig = await signCertificateVerify(c.provider, 'client', scheme, cert.key, ctx.transcript.hash(), c.random);
        ctx.send({ type: 'certificate_verify', scheme: scheme.code, signature: sig });
      } else {
        // §4.4.2: no suitable certificate → an empty Certificate.
        ctx.send({ type: 'certificate', context: cr.context, entries: [] });
      }
    }
    const fin = finishedVerifyData(c.provider, suite, ctx.clientHandshakeSecret!, ctx.transcript.hash());
    ctx.send({ type: 'finished', verifyData: fin });
    // §4.6.1 / §7.1: resumption_master_secret over ClientHello..client Finished.
    const rms = ms.resumptionMasterSecret(ctx.transcript.hash());
    await ctx.io.setWriteKey(suite, cap.secret);
    wipe(ctx.clientHandshakeSecret, ctx.serverHandshakeSecret);
    ctx.handshakeSecret!.wipe();
    ms.wipe();
    // A resumed session keeps the first handshake's authentication (§2.2).
    const first = ctx.resumed ? ctx.psk!.session : undefined;
    const peerCertificates = first ? first.peerCertificates : ctx.peerChain;
    const peerVerified = first ? first.peerVerified && ctx.peerVerifyCode === undefined : ctx.peerVerified;

    ctx.io.handshakeComplete({
      suite,
      exporterSecret: exp.secret,
      info: {
        protocol: 'TLSv1.3',
        cipherSuite: suite.name,
        group: ctx.group,
        signatureScheme: ctx.peerScheme?.name,
        alpnProtocol: ctx.alpnProtocol,
        servername: ctx.sniSent,
        peerCertificates,
        peerVerified,
        peerVerifyError: ctx.peerVerifyError,
        peerVerifyCode: ctx.peerVerifyCode,
        helloRetry: ctx.hrr !== undefined,
        postHandshakeAuth: c.postHandshakeAuth,
        resumed: ctx.resumed && !ctx.psk!.external,
        ...(ctx.resumed ? { psk: ctx.psk!.external ? ('external' as const) : ('resumption' as const) } : {}),
        ...(ctx.earlyData ? { earlyData: ctx.earlyData } : {}),
      },
    });
    const tickets = new ClientTickets(c, rms, {
      suite: suite.code, alpn: ctx.alpnProtocol, servername: c.servername, peerCertificates, peerVerified,
    });
    // §4.6.2: with post_handshake_auth offered, later requests hash from this transcript on.
    const pha = c.postHandshakeAuth ? new ClientPostHandshakeAuth(ctx.transcript.fork()) : undefined;
    return new Connected(ctx, 'client', suite, sap.secret.slice(), cap.secret.slice(), { tickets, pha });
  }
}
