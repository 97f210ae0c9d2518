/**
 * Server side of post-handshake authentication, RFC 8446 §4.6.2: on request
 * (Connection.requestClientCertificate) we send a CertificateRequest with a
 * fresh certificate_request_context, then read the client's answer:
 *   Certificate → [CertificateVerify] → Finished
 * with the same checks and alerts as in the handshake (§4.4.2–§4.4.4), over
 * the transcript ClientHello..client Finished + CertificateRequest + … (§4.4)
 * and a Finished keyed by client_application_traffic_secret_N. The answer's
 * messages "MUST appear consecutively on the wire" (§4.6.2): once its
 * Certificate arrived, anything but the next message is unexpected_message.
 * One request is outstanding at a time; the client may delay its answer
 * with any other traffic in between.
 */
import type { SignatureSchemeName } from '../../crypto/schemes.js';
import { TlsError } from '../../errors.js';
import { concatBytes } from '../../util/bytes.js';
import { receiveCertificate } from '../common/certificate.js';
import { verifyCertificateVerify } from '../common/certificate-verify.js';
import { checkFinished } from '../common/finished.js';
import type { Connected, PostHandshakeAuth } from '../common/connected.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { checkPeerChain, type PeerCertificateResult } from '../common/peer-certificate.js';
import type { ResolvedServer } from '../config.js';
import type { HandshakeMessage } from '../messages/index.js';
import type { Transcript } from '../transcript.js';
import type { ClientCertificateRequestOptions, ClientCertificateResult } from '../types.js';
import { certificateRequestExtensions } from './certificate-request.js';

interface Request {
  readonly context: Uint8Array;
  readonly transcript: Transcript;
  /** Extension types of our CertificateRequest (Certificate entries may only answer these, §4.4.2). */
  readonly extensions: ReadonlySet<number>;
  readonly require: boolean;
  readonly rejectUnauthorized: boolean;
}

export class ServerPostHandshakeAuth implements PostHandshakeAuth {
  private request: Request | undefined;
  private sent = 0;

  /** @param base the transcript through the client's Finished (forked per request). */
  constructor(private readonly base: Transcript) {}

  /** A request is waiting for the client's answer. */
  get outstanding(): boolean {
    return this.request !== undefined;
  }

  /** Send a CertificateRequest (§4.6.2). The connection checks that none is outstanding. */
  send(connected: Connected, opts: ClientCertificateRequestOptions): void {
    if (this.request) throw new TlsError('internal_error', 'a post-handshake certificate request is already outstanding', { code: 'pha_in_progress' });
    const c = connected.ctx.config as ResolvedServer;
    // §4.3.2: "The certificate_request_context MUST be unique within the scope of this
    // connection": a counter makes it so, random bytes make it unpredictable.
    const n = ++this.sent;
    const context = concatBytes(new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]), c.random(12));
    const extensions = certificateRequestExtensions(c);
    const transcript = this.base.fork();
    connected.send({ type: 'certificate_request', context, extensions }, transcript);
    this.request = {
      context,
      transcript,
      extensions: new Set(extensions.map((e) => e.type)),
      require: opts.require ?? c.clientAuth === 'require',
      rejectUnauthorized: opts.rejectUnauthorized ?? c.rejectUnauthorized,
    };
  }

  accepts(m: HandshakeMessage): boolean {
    // Without an outstanding request a Certificate is unexpected_message (Connected).
    return (m.type === 'certificate' || m.type === 'compressed_certificate') && this.request !== undefined;
  }

  async handle(received: HandshakeMessage, raw: Uint8Array, connected: Connected): Promise<HandshakeState> {
    const req = this.request!;
    if (received.type !== 'certificate' && received.type !== 'compressed_certificate') throw unexpected('Connected', received);
    const ctx = connected.ctx;
    const c = ctx.config as ResolvedServer;
    ctx.trace('received', received);
    // §4.4.2: the context echoes the outstanding CertificateRequest's.
    const chain = receiveCertificate(received, {
      peer: 'client', context: req.context, solicited: req.extensions, compression: c.certificateCompression, maxMessageSize: c.maxHandshakeMessageSize,
    });
    req.transcript.add(raw);
    if (chain.length === 0) {
      // §4.4.2.4: no certificate; the server "MAY ... abort the handshake with a certificate_required alert".
      if (req.require) throw new TlsError('certificate_required', 'client declined the post-handshake certificate request');
      return new PhaExpectFinished(this, connected, undefined);
    }
    const config = req.rejectUnauthorized === c.rejectUnauthorized ? c : { ...c, rejectUnauthorized: req.rejectUnauthorized };
    const r = await checkPeerChain(config, chain, undefined, 'client');
    return new PhaExpectCertificateVerify(this, connected, { chain, r });
  }

  /** The answer verified (or failed): the request is over. */
  finish(): Request {
    const req = this.request!;
    this.request = undefined;
    return req;
  }

  get current(): Request {
    return this.request!;
  }
}

interface Answer {
  chain: readonly Uint8Array[];
  r: PeerCertificateResult;
  scheme?: SignatureSchemeName;
}

class PhaExpectCertificateVerify implements HandshakeState {
  readonly name = 'PostHandshakeExpectCertificateVerify';
  readonly consecutive = true;

  constructor(private readonly pha: ServerPostHandshakeAuth, private readonly connected: Connected, private readonly answer: Answer) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'certificate_verify') throw unexpected(this.name, m);
    const ctx = this.connected.ctx;
    const req = this.pha.current;
    ctx.trace('received', m);
    const scheme = await verifyCertificateVerify(
      ctx.config.provider, 'client', m.scheme, ctx.config.schemes, this.answer.r.publicKey, req.transcript.hash(), m.signature,
    );
    req.transcript.add(raw);
    return new PhaExpectFinished(this.pha, this.connected, { ...this.answer, scheme: scheme.name });
  }
}

class PhaExpectFinished implements HandshakeState {
  readonly name = 'PostHandshakeExpectFinished';
  readonly consecutive = true;

  constructor(private readonly pha: ServerPostHandshakeAuth, private readonly connected: Connected, private readonly answer: Answer | undefined) {}

  async handle(m: HandshakeMessage): Promise<HandshakeState> {
    if (m.type !== 'finished') throw unexpected(this.name, m);
    const connected = this.connected;
    const ctx = connected.ctx;
    const suite = connected.suite;
    ctx.trace('received', m);
    const req = this.pha.finish();
    // §4.4: the base key after the handshake is client_application_traffic_secret_N (the current one).
    checkFinished(ctx.config.provider, suite, connected.trafficSecret('read'), req.transcript.hash(), m.verifyData, 'client post-handshake');
    const a = this.answer;
    const result: ClientCertificateResult = a
      ? {
          peerCertificates: a.chain,
          peerVerified: a.r.verified,
          peerVerifyError: a.r.verifyError,
          peerVerifyCode: a.r.verifyCode,
          signatureScheme: a.scheme,
        }
      : { peerCertificates: [], peerVerified: false, peerVerifyError: undefined, peerVerifyCode: undefined, signatureScheme: undefined };
    ctx.io.clientAuthenticated(result);
    return connected;
  }
}
