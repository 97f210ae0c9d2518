/**
 * Server state ExpectClientHello (RFC 8446 §4.1.2), also after a
 * HelloRetryRequest (§4.1.4), then the server's flight:
 * ServerHello [CCS] {EncryptedExtensions} {CertificateRequest} {Certificate}
 * {CertificateVerify} {Finished}.
 */
import { TlsError } from '../../errors.js';
import { bytesEqual, wipe } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import { signCertificateVerify } from '../common/certificate-verify.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { groupCode, groupName, requireGroup } from '../common/groups.js';
import { alpnBytes, encodeAlpn } from '../extensions/alpn.js';
import { encodeKeyShareHrr, encodeKeyShareServer, type KeyShareEntry } from '../extensions/key-share.js';
import { encodeEarlyDataEmpty, encodeSelectedIdentity } from '../extensions/psk.js';
import { acceptEarlyData, ExpectEndOfEarlyData } from './early-data.js';
import type { Extension } from '../extensions/list.js';
import { encodeSupportedGroups, encodeSupportedVersionsServer } from '../extensions/lists.js';
import { certificateMessage } from '../compression.js';
import { parseClientHelloExtensions, type ClientHelloExtensions } from '../extensions/parse.js';
import { encodeRecordSizeLimit, TLS13_RECORD_SIZE_LIMIT } from '../extensions/record-size-limit.js';
import { encodeServerNameAck } from '../extensions/server-name.js';
import { EarlySecret, finishedVerifyData } from '../key-schedule.js';
import type { ClientHello, HandshakeMessage } from '../messages/index.js';
import { ExtensionType, HELLO_RETRY_REQUEST_RANDOM, TLS12, TLS13 } from '../messages/types.js';
import { certificateRequestExtensions } from './certificate-request.js';
import type { ServerContext } from './context.js';
import { ExpectClientCertificate, ExpectClientFinished } from './expect-client-flight.js';
import { chooseAlpn, chooseCertificate, chooseGroup, chooseSuite } from './negotiate.js';
import { choosePsk, externalPskHash, pskMode } from './psk.js';

/** Early data we are prepared to skip when rejecting 0-RTT (RFC 8446 §4.2.10). */
const MAX_SKIPPED_EARLY_DATA = 64 * 1024;

/** ProtocolVersion of SSL 3.0: a legacy_version at or below it is refused (§D.5). */
const SSL3 = 0x0300;

/**
 * RFC 8446 §9.2 (and §4.2.9): what a TLS 1.3 ClientHello must carry.
 * "If not containing a pre_shared_key extension, it MUST contain both a
 * signature_algorithms extension and a supported_groups extension. If
 * containing a supported_groups extension, it MUST also contain a key_share
 * extension, and vice versa." A pre_shared_key needs psk_key_exchange_modes.
 * Violations → missing_extension. A conforming PSK-only ClientHello (no
 * groups, no signature_algorithms) is served only with one of its PSKs
 * (psk_ke); see handle().
 */
function checkMandatoryExtensions(ext: ClientHelloExtensions): void {
  if (ext.preSharedKey && !ext.pskModes) throw new TlsError('missing_extension', 'ClientHello: pre_shared_key without psk_key_exchange_modes');
  if ((ext.supportedGroups === undefined) !== (ext.keyShares === undefined)) {
    throw new TlsError('missing_extension', 'ClientHello: supported_groups and key_share must come together');
  }
  if (!ext.preSharedKey) {
    if (!ext.signatureAlgorithms) throw new TlsError('missing_extension', 'ClientHello: no signature_algorithms');
    if (!ext.supportedGroups) throw new TlsError('missing_extension', 'ClientHello: no supported_groups');
  }
}

/** Extensions that may differ between ClientHello1 and ClientHello2 (§4.1.2). */
const MAY_CHANGE = new Set<number>([ExtensionType.key_share, ExtensionType.cookie, ExtensionType.early_data, ExtensionType.pre_shared_key, ExtensionType.padding]);

export class ExpectClientHello implements HandshakeState {
  readonly name = 'ExpectClientHello';

  constructor(private readonly ctx: ServerContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'client_hello') throw unexpected(this.name, m);
    const ctx = this.ctx;
    ctx.trace('received', m);
    // §D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
    // ... set to 0x0300 MUST abort the handshake with a protocol_version alert"
    // (SSL 3.0 and below: tlsfuzzer test-tls13-legacy-version sends 0x0300..0x0001).
    if (m.legacyVersion <= SSL3) throw new TlsError('protocol_version', `ClientHello: legacy_version 0x${m.legacyVersion.toString(16).padStart(4, '0')} is SSL 3.0 or older`);
    const ext = parseClientHelloExtensions(m.extensions);
    // §4.2.1: without supported_versions (or without 0x0304 in it) the client
    // wants TLS 1.2 or older, which we do not implement → protocol_version.
    if (!ext.supportedVersions || !ext.supportedVersions.includes(TLS13)) {
      throw new TlsError('protocol_version', 'client does not offer TLS 1.3');
    }
    // §4.2.1: "If this extension is present in the ClientHello, servers MUST NOT
    // use the ClientHello.legacy_version value for version negotiation".
    // A client that breaks §4.1.2's "MUST be set to 0x0303" (0x0301, 0x0302,
    // 0x0304, ...) but offers TLS 1.3 in supported_versions is served: the
    // version is decided by supported_versions alone.
    // §4.1.2: exactly one compression method, null; anything else → illegal_parameter.
    if (m.legacyCompressionMethods.length !== 1 || m.legacyCompressionMethods[0] !== 0) {
      throw new TlsError('illegal_parameter', 'ClientHello: legacy_compression_methods must be exactly [0]');
    }
    if (ctx.hrr) this.checkSecondHello(m, ext);

    checkMandatoryExtensions(ext);

    const suite = ctx.hrr ? ctx.config.suites.find((s) => s.code === ctx.hrr!.suite)! : chooseSuite(ctx.config, m.cipherSuites, externalPskHash(ctx, ext));
    ctx.clientPskModes = ext.pskModes;
    ctx.servername = ext.serverName;
    // ClientHello2 repeats ClientHello1's ALPN (checkSecondHello): keep the first choice.
    const alpn = ctx.hrr ? ctx.alpnProtocol : chooseAlpn(ctx.config, ext.alpn, ext.serverName);
    ctx.alpnProtocol = alpn;

    // A PSK-only ClientHello (§9.2: no supported_groups, no signature_algorithms)
    // can only be served with one of its PSKs, in psk_ke mode.
    const certificateCapable = ext.signatureAlgorithms !== undefined && ext.supportedGroups !== undefined;
    let groupChoice: { group: number; share: KeyShareEntry | undefined } | undefined;
    if (ext.supportedGroups) {
      try {
        groupChoice = chooseGroup(ctx.config, ext);
      } catch (e) {
        // No group in common: only psk_ke could still serve this client.
        if (pskMode(ctx, ext, false) !== 'ke') throw e;
      }
    }
    // §4.1.4: no usable key share → HelloRetryRequest (a PSK is judged in ClientHello2).
    if (groupChoice && !groupChoice.share && pskMode(ctx, ext, false) !== 'ke') return this.retry(m, raw, ext, suite, groupChoice.group);
    const mode = ext.preSharedKey ? pskMode(ctx, ext, groupChoice?.share !== undefined) : undefined;
    const psk = mode ? await choosePsk(ctx, raw, ext, suite, mode, alpn) : undefined;
    if (!psk) {
      if (!certificateCapable) throw new TlsError('handshake_failure', 'ClientHello: PSK-only handshake, and none of its PSKs is usable');
      if (!groupChoice!.share) return this.retry(m, raw, ext, suite, groupChoice!.group);
      const { certificate, scheme } = await chooseCertificate(ctx.config, ext.serverName, ext.signatureAlgorithms!);
      ctx.certificate = certificate;
      ctx.ourScheme = scheme;
    }
    ctx.psk = psk;
    ctx.clientRandom = m.random;
    const share = psk && !psk.dhe ? undefined : groupChoice!.share!;
    return await this.sendServerFlight(m, raw, ext, suite, share);
  }

  /** §4.1.2: the second ClientHello must equal the first except for the listed changes; its key_share is one share, for our group. */
  private checkSecondHello(m: ClientHello, ext: ClientHelloExtensions): void {
    const first = this.ctx.firstHello!;
    const same =
      m.legacyVersion === first.legacyVersion &&
      bytesEqual(m.random, first.random) &&
      bytesEqual(m.legacySessionId, first.legacySessionId) &&
      m.cipherSuites.length === first.cipherSuites.length &&
      m.cipherSuites.every((s, i) => s === first.cipherSuites[i]) &&
      bytesEqual(m.legacyCompressionMethods, first.legacyCompressionMethods);
    const a = first.extensions.filter((e) => !MAY_CHANGE.has(e.type));
    const b = m.extensions.filter((e) => !MAY_CHANGE.has(e.type));
    const sameExts = a.length === b.length && a.every((e, i) => e.type === b[i]!.type && bytesEqual(e.data, b[i]!.data));
    if (!same || !sameExts) throw new TlsError('illegal_parameter', 'second ClientHello differs from the first');
    if (ext.cookie) throw new TlsError('illegal_parameter', 'second ClientHello carries a cookie we did not send');
    // §4.1.2: the client removes early_data: "Early data is not permitted after a HelloRetryRequest."
    if (ext.earlyData) throw new TlsError('illegal_parameter', 'second ClientHello carries early_data, which is not permitted after a HelloRetryRequest (RFC 8446 §4.1.2)');
    const shares = ext.keyShares ?? [];
    if (shares.length !== 1 || shares[0]!.group !== this.ctx.hrr!.group) {
      throw new TlsError('illegal_parameter', 'second ClientHello must carry exactly one key share, for the selected group');
    }
  }

  private retry(m: ClientHello, raw: Uint8Array, ext: ClientHelloExtensions, suite: CipherSuite, group: number): HandshakeState {
    if (this.ctx.hrr) throw new TlsError('illegal_parameter', 'second ClientHello has no key share for the selected group');
    const next = this.sendHelloRetryRequest(m, raw, suite, group);
    // §4.2.10: early data sent with ClientHello1 is skipped after a HelloRetryRequest.
    if (ext.earlyData) this.ctx.io.skipEarlyData(Math.max(this.ctx.config.maxEarlyData, MAX_SKIPPED_EARLY_DATA));
    return next;
  }

  private sendHelloRetryRequest(m: ClientHello, raw: Uint8Array, suite: CipherSuite, group: number): HandshakeState {
    const ctx = this.ctx;
    // §5.1: the ClientHello ends the client's flight; the second one must start a new record.
    ctx.io.requireRecordBoundary('ClientHello');
    ctx.firstHello = m;
    ctx.hrr = { suite: suite.code, group };
    ctx.suite = suite;
    ctx.transcript.add(raw);
    ctx.transcript.setHash(suite.hash);
    ctx.transcript.replaceWithMessageHash();
    ctx.send({
      type: 'server_hello',
      legacyVersion: TLS12,
      random: HELLO_RETRY_REQUEST_RANDOM,
      legacySessionIdEcho: m.legacySessionId,
      cipherSuite: suite.code,
      legacyCompressionMethod: 0,
      extensions: [encodeSupportedVersionsServer(TLS13), encodeKeyShareHrr(group)],
    });
    // §D.4: the CCS follows our first handshake message when the client sent a session id.
    if (m.legacySessionId.length > 0) {
      ctx.io.sendChangeCipherSpec();
      ctx.ccsSent = true;
    }
    return this;
  }

  private async sendServerFlight(
    m: ClientHello, raw: Uint8Array, ext: ClientHelloExtensions, suite: CipherSuite, share: KeyShareEntry | undefined,
  ): Promise<HandshakeState> {
    const ctx = this.ctx;
    const c = ctx.config;
    const psk = ctx.psk;
    let kx: { publicKey: Uint8Array; sharedSecret: Uint8Array } | undefined;
    if (share) {
      const name = groupName(share.group)!;
      ctx.group = name;
      kx = await requireGroup(c.provider, name).respond(share.keyExchange, c.random);
    }
    ctx.suite = suite;
    ctx.transcript.add(raw);
    ctx.transcript.setHash(suite.hash);
    const accept0Rtt = acceptEarlyData(ctx, ext, suite);
    const helloHash = accept0Rtt ? ctx.transcript.hash() : undefined;
    ctx.earlyData = ext.earlyData ? (accept0Rtt ? 'accepted' : 'rejected') : undefined;
    // §4.6.2: only a client that sent post_handshake_auth may be asked for a certificate later.
    ctx.clientOfferedPostHandshakeAuth = ext.postHandshakeAuth;
    const random = c.random(32);
    // Extension order as in RFC 8448's traces (any order is valid, §4.2).
    const shExts: Extension[] = [];
    if (psk) shExts.push(encodeSelectedIdentity(psk.index));
    if (share && kx) shExts.push(encodeKeyShareServer({ group: share.group, keyExchange: kx.publicKey }));
    shExts.push(encodeSupportedVersionsServer(TLS13));
    ctx.send({
      type: 'server_hello',
      legacyVersion: TLS12,
      random,
      legacySessionIdEcho: m.legacySessionId,
      cipherSuite: suite.code,
      legacyCompressionMethod: 0,
      extensions: shExts,
    });
    if (m.legacySessionId.length > 0 && !ctx.ccsSent) {
      ctx.io.sendChangeCipherSpec();
      ctx.ccsSent = true;
    }
    const early = psk ? psk.early : new EarlySecret(c.provider, suite);
    let earlyTraffic: Uint8Array | undefined;
    if (accept0Rtt) {
      // §7.1: client_early_traffic_secret over ClientHello.
      const cets = early.clientEarlyTrafficSecret(helloHash!);
      ctx.keyLog(cets);
      earlyTraffic = cets.secret;
    }
    const hs = early.intoHandshakeSecret(kx?.sharedSecret);
    early.wipe();
    if (kx) wipe(kx.sharedSecret);
    const h = ctx.transcript.hash();
    const cs = hs.clientHandshakeTrafficSecret(h);
    const ss = hs.serverHandshakeTrafficSecret(h);
    ctx.keyLog(cs);
    ctx.keyLog(ss);
    ctx.clientHandshakeSecret = cs.secret;
    await ctx.io.setWriteKey(suite, ss.secret);
    if (earlyTraffic) {
      await ctx.io.setReadKey(suite, earlyTraffic);
      wipe(earlyTraffic);
      // §4.2.10: max_early_data_size is what the ticket told the client ("when using this
      // ticket"); a server now allowing more (shared ticket keys, setSecureContext) still
      // holds the client to it, and one allowing less to its own limit.
      ctx.io.beginEarlyData(Math.min(c.maxEarlyData, psk!.state.maxEarlyData));
    } else {
      await ctx.io.setReadKey(suite, cs.secret);
      // §4.2.10: rejected 0-RTT data is skipped (trial decryption under the handshake key).
      if (ext.earlyData) ctx.io.skipEarlyData(Math.max(c.maxEarlyData, MAX_SKIPPED_EARLY_DATA));
    }

    // Extension order as in RFC 8448's traces (any order is valid, §4.2).
    const ee: Extension[] = [];
    // §4.2.7: servers may send supported_groups, with "all groups the server
    // supports", so that the client can prefer ours next time (as NSS does; a
    // client that sent no supported_groups gets no response to it, §4.2).
    if (ext.supportedGroups !== undefined) ee.push(encodeSupportedGroups(c.groups.map(groupCode)));
    if (ext.recordSizeLimit !== undefined) {
      // RFC 8449 §4: answered with ours; from our first protected record on we
      // size records to the client's limit (capped at TLS 1.3's 2^14 + 1: a
      // server "MUST NOT enforce" that cap on the client's value), and hold the
      // client's protected records to ours.
      ee.push(encodeRecordSizeLimit(c.recordSizeLimit));
      ctx.io.setRecordSizeLimits(Math.min(ext.recordSizeLimit, TLS13_RECORD_SIZE_LIMIT), c.recordSizeLimit);
    }
    if (ext.serverName !== undefined) ee.push(encodeServerNameAck());
    if (accept0Rtt) ee.push(encodeEarlyDataEmpty());
    if (ctx.alpnProtocol !== undefined) ee.push(encodeAlpn([alpnBytes(ctx.alpnProtocol)]));
    ctx.send({ type: 'encrypted_extensions', extensions: ee });

    if (psk) {
      // §2.2: a resumed session keeps the first handshake's client authentication;
      // §4.3.2: no CertificateRequest (nor Certificate) when authenticating with a PSK.
      ctx.peerChain = psk.state.peerCertificates;
      ctx.peerVerified = psk.state.peerVerified;
    } else {
      if (c.clientAuth !== 'none') {
        const cr = certificateRequestExtensions(c);
        for (const e of cr) ctx.certificateRequestExtensions.add(e.type);
        ctx.send({ type: 'certificate_request', context: new Uint8Array(0), extensions: cr });
      }
      const cert = ctx.certificate!;
      // RFC 8879 §4: compressed when the client offered an algorithm we can compress with (each chain compressed once, then cached).
      ctx.send(await certificateMessage(c.certificateCompression, ext.compressCertificate, cert, new Uint8Array(0)));
      const sig = await signCertificateVerify(c.provider, 'server', ctx.ourScheme!, cert.key, ctx.transcript.hash(), c.random);
      ctx.send({ type: 'certificate_verify', scheme: ctx.ourScheme!.code, signature: sig });
    }
    ctx.send({ type: 'finished', verifyData: finishedVerifyData(c.provider, suite, ss.secret, ctx.transcript.hash()) });

    const ms = hs.intoMasterSecret();
    hs.wipe();
    const h2 = ctx.transcript.hash();
    const cap = ms.clientApplicationTrafficSecret0(h2);
    const sap = ms.serverApplicationTrafficSecret0(h2);
    const exp = ms.exporterMasterSecret(h2);
    ctx.masterSecret = ms;
    ctx.keyLog(cap);
    ctx.keyLog(sap);
    ctx.keyLog(exp);
    ctx.clientApplicationSecret = cap.secret;
    ctx.serverApplicationSecret = sap.secret;
    ctx.exporterSecret = exp.secret;
    await ctx.io.setWriteKey(suite, sap.secret);
    wipe(ss.secret);
    if (accept0Rtt) return new ExpectEndOfEarlyData(ctx);
    return psk || c.clientAuth === 'none' ? new ExpectClientFinished(ctx) : new ExpectClientCertificate(ctx);
  }
}
