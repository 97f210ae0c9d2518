/**
 * The client's PSK offer (RFC 8446 §4.2.11): which session to offer, the
 * pre_shared_key extension with its obfuscated ticket age, and the binder
 * over the truncated ClientHello (§4.2.11.2), also in the second
 * ClientHello after a HelloRetryRequest (transcript of §4.4.1).
 */
import { encodeHandshake, type ClientHello } from '../messages/index.js';
import { cipherSuiteByCode, type CipherSuite } from '../../crypto/cipher-suites.js';
import type { Extension } from '../extensions/list.js';
import { encodeOfferedPsks } from '../extensions/psk.js';
import { EarlySecret } from '../key-schedule.js';
import { ExtensionType } from '../messages/types.js';
import { computeBinder, truncateClientHello } from '../resumption/binder.js';
import { sessionAlive, type ClientSession } from '../resumption/session.js';
import type { ClientContext } from './context.js';

/** The PSK the client offers in this handshake. */
export interface PskOffer {
  readonly session: ClientSession;
  readonly suite: CipherSuite;
  readonly early: EarlySecret;
  /** An external PSK (RFC 8446 §2.2): "ext binder", obfuscated_ticket_age 0. */
  readonly external?: boolean;
}

/** The config's external PSK as an offer: with the first of our suites of its hash. */
function externalOffer(ctx: ClientContext): PskOffer | undefined {
  const c = ctx.config;
  const p = c.externalPsk;
  if (!p) return undefined;
  const suite = c.suites.find((s) => s.hash === p.hash);
  if (!suite) return undefined;
  const session: ClientSession = {
    ticket: p.identity, psk: p.key, suite: suite.code, time: 0, lifetime: 0, ageAdd: 0, maxEarlyData: 0,
    alpn: undefined, servername: c.servername, peerCertificates: [], peerVerified: false,
  };
  return { session, suite, early: new EarlySecret(c.provider, suite, p.key), external: true };
}

/** The session to offer: the config's `session` if usable, else one taken from the store. */
export function chooseSession(ctx: ClientContext): PskOffer | undefined {
  const c = ctx.config;
  if (c.externalPsk) return externalOffer(ctx);
  const now = c.now().getTime();
  const usable = (s: ClientSession): CipherSuite | undefined => {
    const suite = cipherSuiteByCode(s.suite);
    // Only a suite we would negotiate, within the ticket's lifetime (§4.6.1).
    if (!suite || !c.suites.some((x) => x.code === s.suite) || !sessionAlive(s, now)) return undefined;
    if (s.psk.length !== suite.hashLength) return undefined;
    // A resumed handshake keeps the first one's authentication (§2.2), so offer
    // only a session that authentication covers: §4.6.1 "Clients MUST only
    // resume if the new SNI value is valid for the server certificate presented
    // in the original session" (we require the same name, the SHOULD), and a
    // verifying client never resumes a session whose chain was not verified.
    if (!sameName(s.servername)) return undefined;
    if (c.rejectUnauthorized && !s.peerVerified) return undefined;
    return suite;
  };
  const sameName = (n: string | undefined): boolean => referenceKey(n) === referenceKey(c.servername);
  let session = c.session;
  let suite = session && usable(session);
  if (!suite && c.ticketStore) {
    for (let i = 0; i < 8 && !suite; i++) {
      session = c.ticketStore.take(c.ticketStoreKey, now);
      if (!session) break;
      suite = usable(session);
    }
    // Appendix C.4: a ticket is used once, unless the user wants reuse.
    if (suite && session && c.reuseTickets) c.ticketStore.put(c.ticketStoreKey, session);
  }
  if (!suite || !session) return undefined;
  return { session, suite, early: new EarlySecret(c.provider, suite, session.psk) };
}

/** A reference name compared as DNS names are: case-insensitive, one trailing dot ignored. */
function referenceKey(n: string | undefined): string {
  return (n ?? '').toLowerCase().replace(/\.$/, '');
}

/** §4.2.11.1: obfuscated_ticket_age = (age in ms + ticket_age_add) mod 2^32. */
export function obfuscatedAge(session: ClientSession, nowMs: number): number {
  return (Math.max(0, Math.floor(nowMs - session.time)) + session.ageAdd) >>> 0;
}

function pskExtension(offer: PskOffer, age: number, binder: Uint8Array): Extension {
  return encodeOfferedPsks({ identities: [{ identity: offer.session.ticket, obfuscatedTicketAge: age }], binders: [binder] });
}

/**
 * Append pre_shared_key (last, §4.2.11) to `hello` with a correct binder.
 * `prefixHash` hashes the transcript before this ClientHello: undefined for
 * ClientHello1, the transcript after HelloRetryRequest for ClientHello2.
 */
export function withPsk(ctx: ClientContext, hello: ClientHello, offer: PskOffer, afterRetry: boolean): ClientHello {
  const c = ctx.config;
  // §4.2.11: "For identities established externally, an obfuscated_ticket_age of 0 SHOULD be used".
  const age = offer.external ? 0 : obfuscatedAge(offer.session, c.now().getTime());
  const placeholder = new Uint8Array(offer.suite.hashLength);
  const exts = hello.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key);
  const draft: ClientHello = { ...hello, extensions: [...exts, pskExtension(offer, age, placeholder)] };
  const truncated = truncateClientHello(encodeHandshake(draft), [placeholder]);
  const h = afterRetry ? ctx.transcript.hashWith(truncated) : c.provider.hash(offer.suite.hash).digest(truncated);
  const binder = computeBinder(c.provider, offer.suite, offer.early, !offer.external, h);
  return { ...hello, extensions: [...exts, pskExtension(offer, age, binder)] };
}
