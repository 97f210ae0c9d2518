/**
 * Client side of post-handshake authentication, RFC 8446 §4.6.2. We sent
 * post_handshake_auth (§4.2.6), so the server may send a CertificateRequest
 * at any time; each is answered at once, in the order received, with
 *   Certificate, CertificateVerify, Finished   (a certificate that fits; a
 *                                              CompressedCertificate when the
 *                                              request offers it, RFC 8879 §4), or
 *   Certificate (empty), Finished              (none: declining, §4.6.2),
 * consecutively, under the current application traffic key. The transcript
 * is the handshake's (ClientHello..client Finished) plus this request's
 * messages only (§4.4: "Post-Handshake: ClientHello ... client Finished +
 * CertificateRequest"); the Finished key comes from
 * client_application_traffic_secret_N (§4.4).
 */
import { TlsError } from '../../errors.js';
import { signCertificateVerify } from '../common/certificate-verify.js';
import { certificateMessage } from '../compression.js';
import type { Connected, PostHandshakeAuth } from '../common/connected.js';
import type { HandshakeState } from '../common/context.js';
import type { ResolvedClient } from '../config.js';
import { parseCertificateRequestExtensions } from '../extensions/parse.js';
import { finishedVerifyData } from '../key-schedule.js';
import type { HandshakeMessage } from '../messages/index.js';
import type { Transcript } from '../transcript.js';
import { chooseClientCertificate } from './client-certificate.js';

export class ClientPostHandshakeAuth implements PostHandshakeAuth {
  /** @param base the transcript through our Finished (forked per request). */
  constructor(private readonly base: Transcript) {}

  accepts(m: HandshakeMessage): boolean {
    return m.type === 'certificate_request';
  }

  async handle(m: HandshakeMessage, raw: Uint8Array, connected: Connected): Promise<HandshakeState> {
    if (m.type !== 'certificate_request') throw new TlsError('internal_error', 'post-handshake auth: not a CertificateRequest');
    const ctx = connected.ctx;
    const c = ctx.config as ResolvedClient;
    ctx.trace('received', m);
    // §4.3.2: the context "SHALL be zero length unless used for the post-handshake
    // authentication exchanges"; after the handshake it identifies the request, and the
    // one empty context a connection may have belongs to the handshake's request.
    if (m.context.length === 0) throw new TlsError('illegal_parameter', 'post-handshake CertificateRequest with an empty certificate_request_context (RFC 8446 §4.3.2)');
    // §4.3.2: signature_algorithms must be present (missing_extension), §4.2 table (illegal_parameter).
    const view = parseCertificateRequestExtensions(m.extensions);
    const transcript = this.base.fork();
    transcript.add(raw);
    const chosen = await chooseClientCertificate(c, view, true);
    if (chosen) {
      const { certificate, scheme } = chosen;
      // RFC 8879 §4: compressed when the request offered an algorithm we can compress with.
      connected.send(await certificateMessage(c.certificateCompression, view.compressCertificate, certificate, m.context), transcript);
      const signature = await signCertificateVerify(c.provider, 'client', scheme, certificate.key, transcript.hash(), c.random);
      connected.send({ type: 'certificate_verify', scheme: scheme.code, signature }, transcript);
    } else {
      // §4.6.2: "If it declines, it MUST send a Certificate message containing no certificates followed by Finished."
      connected.send({ type: 'certificate', context: m.context, entries: [] }, transcript);
    }
    const verifyData = finishedVerifyData(c.provider, connected.suite, connected.trafficSecret('write'), transcript.hash());
    connected.send({ type: 'finished', verifyData }, transcript);
    return connected;
  }
}
