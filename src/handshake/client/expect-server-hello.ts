/**
 * Client state ExpectServerHello, RFC 8446 §4.1.3–4.1.4: a ServerHello or
 * (once) a HelloRetryRequest.
 */
import { TlsError } from '../../errors.js';
import { bytesEqual } from '../../util/bytes.js';
import { cipherSuiteByCode, type CipherSuite } from '../../crypto/cipher-suites.js';
import { unexpected, type HandshakeState } from '../common/context.js';
import { groupName } from '../common/groups.js';
import { checkAllowed, checkSolicited } from '../extensions/allowed.js';
import { parseHelloRetryRequestExtensions, parseServerHelloExtensions } from '../extensions/parse.js';
import { decodeKeyShareClient } from '../extensions/key-share.js';
import { findExtension } from '../extensions/list.js';
import { decodeSupportedGroups } from '../extensions/lists.js';
import { EarlySecret } from '../key-schedule.js';
import { isHelloRetryRequest, type HandshakeMessage, type ServerHello } from '../messages/index.js';
import { DOWNGRADE_TLS11, DOWNGRADE_TLS12, ExtensionType, PskKeyExchangeMode, TLS12, TLS13 } from '../messages/types.js';
import { buildRetryHello } from './client-hello.js';
import type { ClientContext } from './context.js';
import { ExpectEncryptedExtensions } from './expect-encrypted-extensions.js';

export class ExpectServerHello implements HandshakeState {
  readonly name = 'ExpectServerHello';

  constructor(private readonly ctx: ClientContext) {}

  async handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState> {
    if (m.type !== 'server_hello') throw unexpected(this.name, m);
    this.ctx.trace('received', m);
    // §4.1.4: "If a client receives a second HelloRetryRequest in the same connection
    // ..., it MUST abort the handshake with an unexpected_message alert" (before any
    // other check of its content, such as its cipher suite).
    if (isHelloRetryRequest(m) && this.ctx.hrr) throw new TlsError('unexpected_message', 'second HelloRetryRequest');
    const suite = this.checkCommon(m);
    if (isHelloRetryRequest(m)) return await this.onHelloRetryRequest(m, raw, suite);
    return await this.onServerHello(m, raw, suite);
  }

  /** Checks shared by ServerHello and HelloRetryRequest (§4.1.3, §4.1.4 first paragraph). */
  private checkCommon(m: ServerHello): CipherSuite {
    const ctx = this.ctx;
    const hrr = isHelloRetryRequest(m);
    const svRaw = findExtension(m.extensions, ExtensionType.supported_versions);
    if (svRaw === undefined) {
      // A TLS 1.2-or-older ServerHello. §4.1.3: check the downgrade sentinel first.
      const tail = m.random.subarray(24);
      if (bytesEqual(tail, DOWNGRADE_TLS12) || bytesEqual(tail, DOWNGRADE_TLS11)) {
        throw new TlsError('illegal_parameter', 'ServerHello: downgrade sentinel present (RFC 8446 §4.1.3)', { code: 'downgrade_detected' });
      }
      throw new TlsError('protocol_version', `server chose a version below TLS 1.3 (legacy_version 0x${m.legacyVersion.toString(16)})`);
    }
    // §4.2: table and solicitation checks before decoding any extension body.
    checkAllowed(m.extensions, hrr ? 'HRR' : 'SH');
    checkSolicited(m.extensions, ctx.offered, hrr ? 'HRR' : 'SH');
    const ext = hrr ? parseHelloRetryRequestExtensions(m.extensions) : parseServerHelloExtensions(m.extensions);
    // §4.2.1: a selected_version we did not offer → illegal_parameter.
    if (ext.selectedVersion !== TLS13) {
      throw new TlsError('illegal_parameter', `ServerHello: selected_version 0x${ext.selectedVersion?.toString(16)} was not offered`);
    }
    if (m.legacyVersion !== TLS12) throw new TlsError('illegal_parameter', `ServerHello: legacy_version must be 0x0303`);
    // §4.1.3: legacy_session_id_echo must equal what we sent.
    if (!bytesEqual(m.legacySessionIdEcho, ctx.hello.legacySessionId)) {
      throw new TlsError('illegal_parameter', 'ServerHello: legacy_session_id_echo does not match');
    }
    if (m.legacyCompressionMethod !== 0) throw new TlsError('illegal_parameter', 'ServerHello: legacy_compression_method is not 0');
    // §4.1.3: a cipher suite we did not offer → illegal_parameter.
    const suite = ctx.config.suites.find((s) => s.code === m.cipherSuite);
    if (!suite || !cipherSuiteByCode(m.cipherSuite)) {
      throw new TlsError('illegal_parameter', `ServerHello: cipher suite 0x${m.cipherSuite.toString(16)} was not offered`);
    }
    // §4.1.4: the ServerHello after an HRR must keep the HRR's cipher suite.
    if (ctx.hrr && ctx.hrr.suite !== m.cipherSuite) {
      throw new TlsError('illegal_parameter', 'ServerHello: cipher suite differs from the HelloRetryRequest');
    }
    return suite;
  }

  private async onHelloRetryRequest(m: ServerHello, raw: Uint8Array, suite: CipherSuite): Promise<HandshakeState> {
    const ctx = this.ctx;
    // §4.1.4: a second HelloRetryRequest → unexpected_message.
    if (ctx.hrr) throw new TlsError('unexpected_message', 'second HelloRetryRequest');
    // §5.1: the HelloRetryRequest ends the server's flight and must end its record.
    ctx.io.requireRecordBoundary('HelloRetryRequest');
    const ext = parseHelloRetryRequestExtensions(m.extensions);
    const first = ctx.hello;
    if (ext.selectedGroup !== undefined) {
      // §4.2.8: the group must have been in supported_groups and not already have had a share.
      const offeredGroups = decodeSupportedGroups(findExtension(first.extensions, ExtensionType.supported_groups)!);
      const sharedGroups = decodeKeyShareClient(findExtension(first.extensions, ExtensionType.key_share)!).map((s) => s.group);
      if (!offeredGroups.includes(ext.selectedGroup) || groupName(ext.selectedGroup) === undefined) {
        throw new TlsError('illegal_parameter', 'HelloRetryRequest: selected_group was not offered');
      }
      if (sharedGroups.includes(ext.selectedGroup)) {
        throw new TlsError('illegal_parameter', 'HelloRetryRequest: selected_group already had a key share');
      }
    }
    // §4.1.4: an HRR that would not change the ClientHello → illegal_parameter.
    if (ext.selectedGroup === undefined && ext.cookie === undefined) {
      throw new TlsError('illegal_parameter', 'HelloRetryRequest would not change the ClientHello');
    }
    ctx.hrr = { suite: m.cipherSuite, selectedGroup: ext.selectedGroup };
    // §4.2.10: after a HelloRetryRequest early data is rejected; ClientHello2 goes in the clear.
    if (ctx.earlyOffered) {
      ctx.io.endEarlyData(false, true);
      ctx.earlyOffered = false;
      ctx.earlyData = 'rejected';
    }
    ctx.suite = suite;
    // §4.4.1: ClientHello1 is replaced by message_hash in the transcript.
    ctx.transcript.setHash(suite.hash);
    ctx.transcript.replaceWithMessageHash();
    ctx.transcript.add(raw);
    const second = await buildRetryHello(ctx, ext.selectedGroup, ext.cookie);
    // §D.4: the compatibility CCS goes before the second flight — here, before ClientHello2.
    if (ctx.config.middleboxCompat && !ctx.ccsSent) {
      ctx.io.sendChangeCipherSpec();
      ctx.ccsSent = true;
    }
    ctx.hello = second;
    ctx.send(second);
    return this;
  }

  private async onServerHello(m: ServerHello, raw: Uint8Array, suite: CipherSuite): Promise<HandshakeState> {
    const ctx = this.ctx;
    const ext = parseServerHelloExtensions(m.extensions);
    const early = this.acceptPsk(ext.selectedIdentity, suite, ext.keyShare !== undefined);
    let shared: Uint8Array | undefined;
    if (ext.keyShare) {
      const share = ctx.shares.get(ext.keyShare.group);
      // §4.2.8: the server's share must be in a group we sent a share for.
      if (!share) throw new TlsError('illegal_parameter', 'ServerHello: key_share group was not offered');
      ctx.group = groupName(ext.keyShare.group);
      shared = await share.complete(ext.keyShare.keyExchange);
    }
    ctx.suite = suite;
    ctx.transcript.setHash(suite.hash);
    ctx.transcript.add(raw);
    ctx.shares.clear();
    const hs = early.intoHandshakeSecret(shared);
    early.wipe();
    shared?.fill(0);
    const h = ctx.transcript.hash();
    const c = hs.clientHandshakeTrafficSecret(h);
    const s = hs.serverHandshakeTrafficSecret(h);
    ctx.keyLog(c);
    ctx.keyLog(s);
    ctx.handshakeSecret = hs;
    ctx.clientHandshakeSecret = c.secret;
    ctx.serverHandshakeSecret = s.secret;
    await ctx.io.setReadKey(suite, s.secret);
    // §D.4: the compatibility CCS precedes our encrypted flight. We switch our
    // write key now (as Go does) so that any alert we send from here on is
    // protected with the handshake key the server expects.
    if (ctx.config.middleboxCompat && !ctx.ccsSent) {
      ctx.io.sendChangeCipherSpec();
      ctx.ccsSent = true;
    }
    // With 0-RTT offered and our PSK accepted, EncryptedExtensions says whether the
    // early data was accepted; until then we stay on the early key (§4.2.10).
    if (ctx.earlyOffered && !ctx.resumed) {
      ctx.io.endEarlyData(false);
      ctx.earlyData = 'rejected';
    }
    if (!(ctx.earlyOffered && ctx.resumed)) await ctx.io.setWriteKey(suite, c.secret);
    return new ExpectEncryptedExtensions(ctx);
  }

  /**
   * RFC 8446 §4.2.11: with pre_shared_key the server accepted our PSK. The
   * client "MUST verify that the server's selected_identity is within the
   * range supplied by the client, that the server selected a cipher suite
   * indicating a Hash associated with the PSK, and that a server
   * key_share extension is present if required by the ClientHello
   * psk_key_exchange_modes extension" (illegal_parameter / missing_extension).
   * Without it, (EC)DHE with certificates: key_share is required.
   */
  private acceptPsk(selected: number | undefined, suite: CipherSuite, hasKeyShare: boolean): EarlySecret {
    const ctx = this.ctx;
    const offer = ctx.psk;
    if (selected === undefined) {
      offer?.early.wipe();
      ctx.psk = undefined;
      if (!hasKeyShare) throw new TlsError('missing_extension', 'ServerHello: no key_share');
      return new EarlySecret(ctx.config.provider, suite);
    }
    if (!offer) throw new TlsError('illegal_parameter', 'ServerHello: pre_shared_key selected, but this ClientHello offered no PSK');
    if (selected !== 0) throw new TlsError('illegal_parameter', `ServerHello: selected_identity ${selected} is out of range (1 PSK offered)`);
    if (offer.suite.hash !== suite.hash) throw new TlsError('illegal_parameter', 'ServerHello: cipher suite hash differs from the PSK\'s');
    if (!hasKeyShare && !ctx.config.pskModes.includes(PskKeyExchangeMode.psk_ke)) {
      throw new TlsError('missing_extension', 'ServerHello: psk_ke was not offered, but there is no key_share');
    }
    ctx.resumed = true;
    return offer.early;
  }
}
