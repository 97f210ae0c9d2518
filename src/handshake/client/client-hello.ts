/**
 * Building the client's ClientHello, RFC 8446 §4.1.2, and the second
 * ClientHello after a HelloRetryRequest (§4.1.4: the same message with the
 * key_share replaced and the cookie added).
 */
import { TlsError } from '../../errors.js';
import { alpnBytes, alpnName } from '../extensions/alpn.js';
import { encodeEarlyDataEmpty } from '../extensions/psk.js';
import { encodeAlpn } from '../extensions/alpn.js';
import { encodeKeyShareClient, type KeyShareEntry } from '../extensions/key-share.js';
import type { Extension } from '../extensions/list.js';
import {
  encodePskKeyExchangeModes, encodeSignatureAlgorithms, encodeSupportedGroups, encodeSupportedVersionsClient,
} from '../extensions/lists.js';
import { emptyExtension, encodeCookie } from '../extensions/misc.js';
import { encodeCompressCertificate } from '../extensions/compress-certificate.js';
import { encodeRecordSizeLimit } from '../extensions/record-size-limit.js';
import { encodeServerName, isIpLiteral } from '../extensions/server-name.js';
import { ExtensionType, TLS12, TLS13 } from '../messages/types.js';
import type { ClientHello } from '../messages/index.js';
import { groupCode, requireGroup } from '../common/groups.js';
import { CERTIFICATE_ONLY_SCHEMES, schemeByName } from '../common/schemes.js';
import type { ClientContext } from './context.js';
import { drawGrease, isGrease } from './grease.js';
import { chooseSession, withPsk } from './psk-offer.js';

async function makeShares(ctx: ClientContext, groups: readonly number[]): Promise<KeyShareEntry[]> {
  const out: KeyShareEntry[] = [];
  for (const code of groups) {
    const name = ctx.config.groups.find((g) => groupCode(g) === code);
    if (!name) throw new TlsError('internal_error', `no group for codepoint ${code}`);
    const share = await requireGroup(ctx.config.provider, name).generate(ctx.config.random);
    ctx.shares.set(code, share);
    out.push({ group: code, keyExchange: share.publicKey });
  }
  return out;
}

/** The first ClientHello. */
export async function buildClientHello(ctx: ClientContext): Promise<ClientHello> {
  const c = ctx.config;
  const random = c.random(32);
  if (random.length !== 32) throw new TlsError('internal_error', 'random source returned the wrong length');
  ctx.clientRandom = random;
  // §D.4: in middlebox compatibility mode the client sends a fresh 32-byte session id.
  const sessionId = c.middleboxCompat ? c.random(32) : new Uint8Array(0);
  const g = c.grease ? drawGrease(c.random) : undefined;
  const exts: Extension[] = [];
  if (g) exts.push({ type: g.firstExtension, data: new Uint8Array(0) });
  const name = c.servername;
  // RFC 6066 §3: SNI carries host names only, never IP literals.
  if (name !== undefined && c.sendServerName && !isIpLiteral(name)) {
    const host = name.endsWith('.') ? name.slice(0, -1) : name;
    exts.push(encodeServerName(host));
    ctx.sniSent = host;
  }
  const withGrease = (v: number | undefined, list: readonly number[]): number[] => (v === undefined ? [...list] : [v, ...list]);
  exts.push(encodeSupportedVersionsClient(withGrease(g?.version, [TLS13])));
  exts.push(encodeSupportedGroups(withGrease(g?.group, c.groups.map(groupCode))));
  // Schemes for CertificateVerify, plus rsa_pkcs1 for certificate signatures (§4.2.3).
  const sigs = [...c.schemes.map((s) => s.code), ...CERTIFICATE_ONLY_SCHEMES.map((n) => schemeByName(n)!.code)];
  exts.push(encodeSignatureAlgorithms(withGrease(g?.scheme, sigs)));
  if (c.alpn.length > 0) exts.push(encodeAlpn(c.alpn));
  // RFC 8449 §4: "Clients SHOULD advertise the record_size_limit extension, even if they have no need to limit the size of records".
  exts.push(encodeRecordSizeLimit(c.recordSizeLimit));
  // RFC 8879 §3: the algorithms we can decompress the server's certificate with.
  if (c.certificateCompression.length > 0) exts.push(encodeCompressCertificate(c.certificateCompression.map((k) => k.algorithm)));
  // §4.2.6: the server may ask for a certificate after the handshake.
  if (c.postHandshakeAuth) exts.push(emptyExtension(ExtensionType.post_handshake_auth));
  // §4.2.9: psk_key_exchange_modes lets the server send tickets (and is needed with a PSK).
  exts.push(encodePskKeyExchangeModes(withGrease(g?.pskMode, c.pskModes)));
  const shares = await makeShares(ctx, c.keyShareGroups.map(groupCode));
  // RFC 8701 §3.1: a GREASE key share holds (at least) one byte; Chrome sends a single zero.
  exts.push(encodeKeyShareClient(g ? [{ group: g.group, keyExchange: new Uint8Array(1) }, ...shares] : shares));
  if (g) exts.push({ type: g.lastExtension, data: new Uint8Array(1) });
  const offer = chooseSession(ctx);
  ctx.psk = offer;
  if (offer) ctx.offered.add(ExtensionType.pre_shared_key);
  // §4.2.10: early data only with a ticket that allows it, and with its ALPN protocol on offer.
  const s = offer?.session;
  if (s && c.earlyData && s.maxEarlyData > 0 && (s.alpn === undefined || c.alpn.some((p) => alpnName(p) === s.alpn))) {
    exts.push(encodeEarlyDataEmpty());
    ctx.earlyOffered = true;
  }
  // A server must never echo a GREASE value (RFC 8701 §3.1): they are not "offered".
  for (const e of exts) if (!isGrease(e.type)) ctx.offered.add(e.type);
  const hello: ClientHello = {
    type: 'client_hello',
    legacyVersion: TLS12,
    random,
    legacySessionId: sessionId,
    cipherSuites: withGrease(g?.suite, c.suites.map((s) => s.code)),
    legacyCompressionMethods: new Uint8Array([0]),
    extensions: exts,
  };
  return offer ? withPsk(ctx, hello, offer, false) : hello;
}

/** The second ClientHello (§4.1.2): key_share replaced when a group was selected, cookie echoed. */
export async function buildRetryHello(ctx: ClientContext, selectedGroup: number | undefined, cookie: Uint8Array | undefined): Promise<ClientHello> {
  const first = ctx.hello;
  const exts: Extension[] = [];
  for (const e of first.extensions) {
    if (e.type === ExtensionType.key_share && selectedGroup !== undefined) {
      ctx.shares.clear();
      exts.push(encodeKeyShareClient(await makeShares(ctx, [selectedGroup])));
    } else if (e.type !== ExtensionType.early_data && e.type !== ExtensionType.cookie && e.type !== ExtensionType.pre_shared_key) {
      exts.push(e);
    }
  }
  if (cookie) exts.push(encodeCookie(cookie));
  for (const e of exts) if (!isGrease(e.type)) ctx.offered.add(e.type);
  const second: ClientHello = { ...first, extensions: exts };
  // §4.1.4: a PSK whose hash is not the HRR suite's is dropped; the others get a
  // binder over the new transcript (message_hash, HelloRetryRequest, §4.4.1).
  const offer = ctx.psk;
  if (offer && offer.suite.hash !== ctx.requireSuite().hash) {
    offer.early.wipe();
    ctx.psk = undefined;
  }
  return ctx.psk ? withPsk(ctx, second, ctx.psk, true) : second;
}

export { alpnBytes };
