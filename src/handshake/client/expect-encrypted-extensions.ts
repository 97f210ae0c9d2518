/** Client states ExpectEncryptedExtensions (RFC 8446 §4.3.1) and ExpectCertificateOrCertificateRequest (§4.3.2). */
import { TlsError } from '../../errors.js';
import { bytesEqual } from '../../util/bytes.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { alpnName } from '../extensions/alpn.js';
import { TLS13_RECORD_SIZE_LIMIT } from '../extensions/record-size-limit.js';
import { checkAllowed, checkSolicited } from '../extensions/allowed.js';
import { parseCertificateRequestExtensions, parseEncryptedExtensions } from '../extensions/parse.js';
import type { HandshakeMessage } from '../messages/index.js';
import type { ClientContext } from './context.js';
import { ExpectCertificate } from './expect-certificate.js';
import { ExpectFinished } from './expect-finished.js';
import { checkServerIdentity } from '../server-identity.js';

export class ExpectEncryptedExtensions implements HandshakeState {
  readonly name = 'ExpectEncryptedExtensions';

  constructor(private readonly ctx: ClientContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'encrypted_extensions') throw unexpected(this.name, m);
    const ctx = this.ctx;
    ctx.trace('received', m);
    // §4.2: the table (illegal_parameter) and "not requested" (unsupported_extension)
    // are decided before any body is decoded: an unrequested ALPN with a list
    // of names is unsupported_extension, not decode_error.
    checkAllowed(m.extensions, 'EE');
    checkSolicited(m.extensions, ctx.offered, 'EE');
    const ee = parseEncryptedExtensions(m.extensions);
    if (ee.alpn) {
      // The server must pick one of the protocols we offered (RFC 7301 §3.2).
      const chosen = ee.alpn;
      if (!ctx.config.alpn.some((p) => bytesEqual(p, chosen))) {
        throw new TlsError('illegal_parameter', 'EncryptedExtensions: ALPN protocol was not offered');
      }
      ctx.alpnProtocol = alpnName(chosen);
    }
    // §4.2.10: early_data in EncryptedExtensions only answers early_data in this ClientHello.
    if (ee.earlyData && !(ctx.earlyOffered && ctx.resumed)) {
      throw new TlsError('unsupported_extension', 'EncryptedExtensions: early_data, but this ClientHello offered no early data');
    }
    if (ctx.earlyOffered && ctx.resumed && ctx.earlyData === undefined) {
      ctx.earlyData = ee.earlyData ? 'accepted' : 'rejected';
      if (!ee.earlyData) {
        ctx.io.endEarlyData(false);
        await ctx.io.setWriteKey(ctx.requireSuite(), ctx.clientHandshakeSecret!);
      }
    }
    if (ee.recordSizeLimit !== undefined) {
      // RFC 8449 §4: "A client MAY abort the handshake with an illegal_parameter alert
      // if the record_size_limit extension includes a value greater than the maximum
      // record size permitted by the negotiated protocol version" (2^14 + 1).
      if (ee.recordSizeLimit > TLS13_RECORD_SIZE_LIMIT) {
        throw new TlsError('illegal_parameter', `EncryptedExtensions: record_size_limit ${ee.recordSizeLimit} exceeds TLS 1.3's ${TLS13_RECORD_SIZE_LIMIT}`);
      }
      // Negotiated: our protected records fit the server's limit, and the server's later records ours.
      ctx.io.setRecordSizeLimits(ee.recordSizeLimit, ctx.config.recordSizeLimit);
    }
    ctx.transcript.add(raw);
    // §2.2: a PSK handshake has no Certificate, CertificateVerify or CertificateRequest
    // (§4.3.2: "Servers which are authenticating with a PSK MUST NOT send the CertificateRequest").
    if (ctx.resumed) {
      await recheckIdentity(ctx);
      return new ExpectFinished(ctx);
    }
    return new ExpectCertificateOrCertificateRequest(ctx);
  }
}

export class ExpectCertificateOrCertificateRequest implements HandshakeState {
  readonly name = 'ExpectCertificateOrCertificateRequest';

  constructor(private readonly ctx: ClientContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    const ctx = this.ctx;
    if (m.type === 'certificate' || m.type === 'compressed_certificate') return await new ExpectCertificate(ctx).handle(m, raw);
    if (m.type !== 'certificate_request') throw unexpected(this.name, m);
    ctx.trace('received', m);
    // §4.3.2: in the main handshake the context "SHALL be zero length".
    if (m.context.length !== 0) throw new TlsError('illegal_parameter', 'CertificateRequest: non-empty context in the handshake');
    const view = parseCertificateRequestExtensions(m.extensions);
    ctx.certificateRequest = { context: m.context, view };
    ctx.transcript.add(raw);
    return new ExpectCertificate(ctx);
  }
}

/**
 * A resumed session keeps the first handshake's chain (§2.2), but the
 * caller's checkServerIdentity (certificate pinning) runs on every
 * connection, resumed or not, as in Node: a session made under another
 * policy (a shared ticket store) must not skip it. Its rejection →
 * bad_certificate, or, with rejectUnauthorized: false, an unverified peer.
 */
async function recheckIdentity(ctx: ClientContext): Promise<void> {
  const c = ctx.config;
  const session = ctx.psk?.session;
  if (!c.checkServerIdentity || !session || ctx.psk!.external || session.peerCertificates.length === 0) return;
  const id = await checkServerIdentity(session.peerCertificates, c.servername, { check: c.checkServerIdentity, checkServerName: false });
  if (!id) return;
  if (c.rejectUnauthorized) {
    throw new TlsError('bad_certificate', `peer certificate rejected (${id.code}): ${id.message}`, { code: 'certificate_identity', ...(id.error ? { cause: id.error } : {}) });
  }
  ctx.peerVerifyError = `${id.code}: ${id.message}`;
  ctx.peerVerifyCode = id.code;
}
