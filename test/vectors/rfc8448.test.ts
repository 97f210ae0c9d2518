/**
 * RFC 8448 traces, byte for byte: key schedule, transcript (with the HRR
 * message_hash rule), PSK binder and 0-RTT early secrets, Finished
 * verify_data, and every protected record decrypted and re-encrypted
 * through src/record — over every crypto provider present.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import type { CryptoProvider } from '../../src/crypto/provider.js';
import { Reader } from '../../src/codec/reader.js';
import { cipherSuiteByCode, type CipherSuite } from '../../src/crypto/cipher-suites.js';
import {
  EarlySecret,
  finishedKey,
  finishedVerifyData,
  resumptionPsk,
  type HandshakeSecret,
  type MasterSecret,
} from '../../src/handshake/key-schedule.js';
import { Transcript } from '../../src/handshake/transcript.js';
import {
  ContentType,
  createRecordProtection,
  HandshakeReassembler,
  RecordReader,
  RecordWriter,
  trafficKeys,
  type HandshakeMessage,
} from '../../src/record/index.js';
import { bytesEqual, concatBytes, fromHex, isPromise, toHex, utf8 } from '../../src/util/bytes.js';
import { availableProviders } from '../record/providers.js';
import type { ClientContext } from '../../src/handshake/client/context.js';
import { withPsk } from '../../src/handshake/client/psk-offer.js';
import { parseClientHelloExtensions } from '../../src/handshake/extensions/parse.js';
import { decodeOfferedPsks } from '../../src/handshake/extensions/psk.js';
import { decodeHandshake, encodeHandshake, type ClientHello, type NewSessionTicket } from '../../src/handshake/messages/index.js';
import { ExtensionType } from '../../src/handshake/messages/types.js';
import { encodeTicketState, type ClientSession } from '../../src/handshake/resumption/session.js';
import type { ServerContext } from '../../src/handshake/server/context.js';
import { choosePsk } from '../../src/handshake/server/psk.js';
import { TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';
import { Connection } from '../../src/connection/connection.js';
import type { ServerConfig, SessionInfo } from '../../src/connection/types.js';
import { rfc8448ServerCert } from '../connection/helpers.js';

const dir = fileURLToPath(new URL('./rfc8448/', import.meta.url));

type Section = Map<string, string>;
function parseVec(text: string): Map<string, Section> {
  const out = new Map<string, Section>();
  let cur: Section | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^\[(.+)\]$/.exec(line);
    if (m) {
      cur = new Map();
      out.set(m[1]!, cur);
      continue;
    }
    const eq = line.indexOf(' = ');
    if (eq > 0 && cur) cur.set(line.slice(0, eq).trim(), line.slice(eq + 3).replace(/\s+/g, ''));
  }
  return out;
}

const traces = parseVec(readFileSync(`${dir}transcripts.vec`, 'utf8'));
const rfcSecrets = parseVec(readFileSync(`${dir}secrets.vec`, 'utf8'));

const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';

interface Hello {
  random: Uint8Array;
  cipherSuite?: number;
  /** extension type → [data, offset of data within the message body] */
  extensions: Map<number, { data: Uint8Array; offset: number }>;
}

function parseHello(body: Uint8Array, client: boolean): Hello {
  const r = new Reader(body);
  r.u16();
  const random = r.bytes(32);
  r.vec8();
  let cipherSuite: number | undefined;
  if (client) {
    r.vec16();
    r.vec8();
  } else {
    cipherSuite = r.u16();
    r.u8();
  }
  const extensions = new Map<number, { data: Uint8Array; offset: number }>();
  r.block(2, 0, 0xffff, 'extensions', (er) => {
    while (er.remaining > 0) {
      const t = er.u16();
      const len = er.u16();
      const offset = er.offset;
      extensions.set(t, { data: er.bytes(len), offset });
    }
  });
  r.expectEnd();
  return { random, cipherSuite, extensions };
}

/** One direction of the connection: reader (the peer's view) plus a twin writer re-sealing what was read. */
class Direction {
  readonly reader: RecordReader;
  readonly reassembler = new HandshakeReassembler();
  readonly twin: RecordWriter;
  out: Uint8Array[] = [];
  nextPad = 0;
  keyLabel = 'none';

  constructor(readonly name: 'c2s' | 's2c', private readonly provider: CryptoProvider) {
    this.reader = new RecordReader({ onChangeCipherSpec: () => void this.twin.writeChangeCipherSpec() });
    this.reader.allowChangeCipherSpec = true;
    this.twin = new RecordWriter({ emit: (c) => this.out.push(...c), padding: () => this.nextPad });
  }

  async setKey(suite: CipherSuite, secret: Uint8Array, label: string): Promise<void> {
    // RFC 8446 §5.1: no handshake message may span a key change.
    expect(this.reassembler.isEmpty, `${this.name}: data buffered at key change to ${label}`).toBe(true);
    const a = createRecordProtection(this.provider, suite, secret);
    const b = createRecordProtection(this.provider, suite, secret);
    this.reader.setProtection(isPromise(a) ? await a : a);
    this.twin.setProtection(isPromise(b) ? await b : b);
    this.keyLabel = label;
  }
}

interface TraceResult {
  resumptionMasterSecret: Uint8Array;
  ticketNonce: Uint8Array | undefined;
  recordsChecked: number;
  messages: Map<string, Uint8Array>;
}

function privateKeyFor(pool: Uint8Array, publicKeyIn: Uint8Array, group: number): Uint8Array {
  for (let off = 0; off + 32 <= pool.length; off += 32) {
    const priv = pool.subarray(off, off + 32);
    let pub: Uint8Array;
    try {
      pub = group === 0x001d ? x25519.getPublicKey(priv) : p256.getPublicKey(priv, false);
    } catch {
      continue;
    }
    if (indexOf(publicKeyIn, pub) >= 0) return priv;
  }
  throw new Error('no private key in the RNG pool matches');
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function ecdh(group: number, priv: Uint8Array, pub: Uint8Array): Uint8Array {
  if (group === 0x001d) return x25519.getSharedSecret(priv, pub);
  if (group === 0x0017) return p256.getSharedSecret(priv, pub).subarray(1); // x coordinate, RFC 8446 §7.4.2
  throw new Error(`group ${group} not in RFC 8448`);
}

function signedContent(context: string, hash: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array(64).fill(0x20), utf8(context), new Uint8Array([0]), hash);
}

async function runTrace(
  provider: CryptoProvider,
  sectionName: string,
  psk?: { secret: Uint8Array; resumption: boolean },
): Promise<TraceResult> {
  const sec = traces.get(sectionName)!;
  const want = rfcSecrets.get(sectionName);
  const v = (k: string): Uint8Array => fromHex(sec.get(k)!);
  const checkSecret = (name: string, got: Uint8Array): void => {
    const w = want?.get(name);
    if (w !== undefined) expect(toHex(got), name).toBe(w);
  };

  const transcript = new Transcript(provider);
  const c2s = new Direction('c2s', provider);
  const s2c = new Direction('s2c', provider);
  let suite: CipherSuite | undefined;
  let lastClientHello: Uint8Array | undefined;
  let early: EarlySecret | undefined;
  let earlyDataOffered = false;
  let hs: HandshakeSecret | undefined;
  let ms: MasterSecret | undefined;
  let cHs: Uint8Array | undefined, sHs: Uint8Array | undefined;
  let resumptionMasterSecret: Uint8Array | undefined;
  let ticketNonce: Uint8Array | undefined;
  let recordsChecked = 0;
  const messages = new Map<string, Uint8Array>();
  const appData: Record<'c2s' | 's2c', Uint8Array[]> = { c2s: [], s2c: [] };
  const alerts: Record<'c2s' | 's2c', Uint8Array[]> = { c2s: [], s2c: [] };

  async function onMessage(d: Direction, m: HandshakeMessage): Promise<void> {
    switch (m.type) {
      case 1: {
        // ClientHello
        const ch = parseHello(m.body, true);
        lastClientHello = m.raw;
        const pskExt = ch.extensions.get(0x0029);
        if (pskExt && psk) {
          suite = cipherSuiteByCode(0x1301)!; // the PSK's hash: SHA-256 in RFC 8448
          if (!transcript.hashAlgorithm) transcript.setHash(suite.hash);
          early = new EarlySecret(provider, suite, psk.secret);
          // RFC 8446 §4.2.11.2: binder over the ClientHello truncated before the binders list.
          const pr = new Reader(pskExt.data);
          const identitiesLen = pr.u16();
          pr.bytes(identitiesLen);
          const bindersAt = 4 + pskExt.offset + 2 + identitiesLen;
          const binders = pr.vec16();
          pr.expectEnd();
          const truncated = m.raw.subarray(0, bindersAt);
          const binderKey = early.binderKey(psk.resumption);
          checkSecret('BinderKey', binderKey);
          const binder = provider.hmac(suite.hash, finishedKey(provider, suite, binderKey), transcript.hashWith(truncated));
          expect(toHex(binders), 'PSK binder').toBe(toHex(concatBytes(new Uint8Array([binder.length]), binder)));
        }
        transcript.add(m.raw);
        earlyDataOffered = ch.extensions.has(0x002a);
        if (earlyDataOffered) {
          expect(early).toBeDefined();
          const h = transcript.hash();
          checkSecret('ClientHelloHash', h);
          const cets = early!.clientEarlyTrafficSecret(h);
          expect(cets.label).toBe('CLIENT_EARLY_TRAFFIC_SECRET');
          checkSecret('ClientEarlyTrafficSecret', cets.secret);
          const k = trafficKeys(provider, suite!, cets.secret);
          checkSecret('ClientEarlyKey', k.key);
          checkSecret('ClientEarlyIV', k.iv);
          await c2s.setKey(suite!, cets.secret, 'early');
        }
        return;
      }
      case 2: {
        const sh = parseHello(m.body, false);
        suite = cipherSuiteByCode(sh.cipherSuite!)!;
        expect(suite).toBeDefined();
        if (!transcript.hashAlgorithm) transcript.setHash(suite.hash);
        if (toHex(sh.random) === HRR_RANDOM) {
          // RFC 8446 §4.4.1: ClientHello1 is replaced by message_hash.
          transcript.replaceWithMessageHash();
          transcript.add(m.raw);
          messages.set('HelloRetryRequest', m.raw);
          return;
        }
        transcript.add(m.raw);
        messages.set('ServerHello', m.raw);
        const ks = sh.extensions.get(0x0033)!;
        const kr = new Reader(ks.data);
        const group = kr.u16();
        const serverShare = kr.vec16(1);
        kr.expectEnd();
        const clientPriv = privateKeyFor(v('Client_RNG_Pool'), lastClientHello!, group);
        const serverPriv = privateKeyFor(v('Server_RNG_Pool'), m.raw, group);
        const clientPub = group === 0x001d ? x25519.getPublicKey(clientPriv) : p256.getPublicKey(clientPriv, false);
        const shared = ecdh(group, clientPriv, serverShare);
        expect(toHex(ecdh(group, serverPriv, clientPub)), 'both sides agree').toBe(toHex(shared));
        checkSecret('SharedSecret', shared);
        if (!sh.extensions.has(0x0029)) early = new EarlySecret(provider, suite);
        checkSecret('EarlySecret', (early as unknown as { secret: Uint8Array }).secret);
        hs = early!.intoHandshakeSecret(shared);
        checkSecret('HandshakeSecret', (hs as unknown as { secret: Uint8Array }).secret);
        const helloHash = transcript.hash();
        checkSecret('HelloHash', helloHash);
        const c = hs.clientHandshakeTrafficSecret(helloHash);
        const s = hs.serverHandshakeTrafficSecret(helloHash);
        expect([c.label, s.label]).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET']);
        cHs = c.secret;
        sHs = s.secret;
        checkSecret('ClientHandshakeTrafficSecret', cHs);
        checkSecret('ServerHandshakeTrafficSecret', sHs);
        const ck = trafficKeys(provider, suite, cHs), sk = trafficKeys(provider, suite, sHs);
        checkSecret('ClientHandshakeKey', ck.key);
        checkSecret('ClientHandshakeIV', ck.iv);
        checkSecret('ServerHandshakeKey', sk.key);
        checkSecret('ServerHandshakeIV', sk.iv);
        checkSecret('ClientFinishedKey', finishedKey(provider, suite, cHs));
        checkSecret('ServerFinishedKey', finishedKey(provider, suite, sHs));
        await s2c.setKey(suite, sHs, 'server handshake');
        if (!earlyDataOffered) await c2s.setKey(suite, cHs, 'client handshake');
        return;
      }
      case 5: // EndOfEarlyData: the client switches to its handshake key (RFC 8446 §4.5)
        expect(d.name).toBe('c2s');
        transcript.add(m.raw);
        messages.set('EndOfEarlyData', m.raw);
        await c2s.setKey(suite!, cHs!, 'client handshake');
        return;
      case 4: {
        // NewSessionTicket (post-handshake, not in the transcript)
        const r = new Reader(m.body);
        r.u32();
        r.u32();
        ticketNonce = r.vec8().slice();
        messages.set('NewSessionTicket', m.raw);
        return;
      }
      case 15: {
        // CertificateVerify: check the signed content (RFC 8446 §4.4.3)
        const who = d.name === 's2c' ? 'Server' : 'Client';
        const content = signedContent(`TLS 1.3, ${who.toLowerCase()} CertificateVerify`, transcript.hash());
        const toSign = sec.get(`${who}_MessageToSign`);
        if (toSign) expect(toHex(content), `${who}_MessageToSign`).toBe(toSign.toLowerCase());
        const sig = sec.get(`${who}_MessageSignature`);
        if (sig) expect(toHex(m.raw)).toContain(sig.toLowerCase());
        transcript.add(m.raw);
        messages.set(`${who}_CertificateVerify`, m.raw);
        return;
      }
      case 20: {
        if (d.name === 's2c') {
          const expected = finishedVerifyData(provider, suite!, sHs!, transcript.hash());
          expect(toHex(m.body), 'server Finished verify_data').toBe(toHex(expected));
          checkSecret('ServerFinishedVerifyData', m.body);
          transcript.add(m.raw);
          messages.set('Server_Finished', m.raw);
          ms = hs!.intoMasterSecret();
          checkSecret('MasterSecret', (ms as unknown as { secret: Uint8Array }).secret);
          const h = transcript.hash();
          checkSecret('ServerFinishedHash', h);
          const cAp = ms.clientApplicationTrafficSecret0(h);
          const sAp = ms.serverApplicationTrafficSecret0(h);
          checkSecret('ClientApplicationTrafficSecret0', cAp.secret);
          checkSecret('ServerApplicationTrafficSecret0', sAp.secret);
          const ck = trafficKeys(provider, suite!, cAp.secret), sk = trafficKeys(provider, suite!, sAp.secret);
          checkSecret('ClientApplicationKey', ck.key);
          checkSecret('ClientApplicationIV', ck.iv);
          checkSecret('ServerApplicationKey', sk.key);
          checkSecret('ServerApplicationIV', sk.iv);
          await s2c.setKey(suite!, sAp.secret, 'server application');
          (c2s as unknown as { pendingApp: Uint8Array }).pendingApp = cAp.secret;
        } else {
          const expected = finishedVerifyData(provider, suite!, cHs!, transcript.hash());
          expect(toHex(m.body), 'client Finished verify_data').toBe(toHex(expected));
          checkSecret('ClientFinishedVerifyData', m.body);
          transcript.add(m.raw);
          messages.set('Client_Finished', m.raw);
          const h = transcript.hash();
          checkSecret('ClientFinishedHash', h);
          resumptionMasterSecret = ms!.resumptionMasterSecret(h);
          checkSecret('ResumptionMasterSecret', resumptionMasterSecret);
          await c2s.setKey(suite!, (c2s as unknown as { pendingApp: Uint8Array }).pendingApp, 'client application');
        }
        return;
      }
      default: {
        // EncryptedExtensions (8), Certificate (11), CertificateRequest (13)
        expect([8, 11, 13]).toContain(m.type);
        const names: Record<number, string> = { 8: 'EncryptedExtensions', 11: 'Certificate', 13: 'CertificateRequest' };
        messages.set(`${d.name === 's2c' ? 'Server' : 'Client'}_${names[m.type]}`, m.raw);
        transcript.add(m.raw);
      }
    }
  }

  async function feed(d: Direction, key: string, bytes: Uint8Array): Promise<void> {
    d.out = [];
    d.reader.push(bytes);
    for (;;) {
      let r = d.reader.read();
      if (isPromise(r)) r = await r;
      if (!r) break;
      recordsChecked++;
      // Re-encrypt the same content with the same padding through the twin writer.
      d.nextPad = r.protected ? r.wireLength - 16 - 1 - r.data.length : 0;
      if (!r.protected) d.twin.recordVersion = r.version;
      const w = d.twin.write(r.type, r.data);
      if (isPromise(w)) await w;
      if (r.type === ContentType.handshake) {
        d.reassembler.add(r.data.slice());
        for (let m = d.reassembler.next(); m; m = d.reassembler.next()) await onMessage(d, m);
      } else if (r.type === ContentType.application_data) {
        appData[d.name].push(r.data.slice());
      } else if (r.type === ContentType.alert) {
        alerts[d.name].push(r.data.slice());
      }
    }
    expect(d.reader.pendingRecords + d.reader.bufferedBytes, `${key}: leftover bytes`).toBe(0);
    const f = d.twin.flush();
    if (isPromise(f)) await f;
    expect(toHex(concatBytes(...d.out)), `${key}: re-encrypted records`).toBe(toHex(bytes));
  }

  for (const [key, value] of sec) {
    if (!key.startsWith('Record_')) continue;
    const toServer = key.startsWith('Record_Client') || key === 'Record_ClientFinished';
    await feed(toServer ? c2s : s2c, key, fromHex(value));
  }

  // Plaintexts against the Message_* values and application data.
  const msgKeys: Record<string, string> = {
    Message_ServerHello: 'ServerHello',
    Message_EncryptedExtensions: 'Server_EncryptedExtensions',
    Message_CertificateRequest: 'Server_CertificateRequest',
    Message_Server_Certificate: 'Server_Certificate',
    Message_Server_CertificateVerify: 'Server_CertificateVerify',
    Message_Server_Finished: 'Server_Finished',
  };
  for (const [vecKey, name] of Object.entries(msgKeys)) {
    const w = sec.get(vecKey);
    if (w === undefined) continue;
    expect(messages.get(name), `${vecKey} decrypted`).toBeDefined();
    expect(toHex(messages.get(name)!), vecKey).toBe(w.toLowerCase());
  }
  const clientData = [sec.get('Client_EarlyAppData'), sec.get('Client_AppData')].filter((x) => x !== undefined);
  expect(appData.c2s.map(toHex)).toEqual(clientData.map((x) => x!.toLowerCase()));
  const serverData = [sec.get('Server_AppData')].filter((x) => x !== undefined);
  expect(appData.s2c.map(toHex)).toEqual(serverData.map((x) => x!.toLowerCase()));
  // close_notify (warning, 0) in both directions when the trace has it.
  if (sec.has('Record_Client_CloseNotify')) expect(alerts.c2s.map(toHex)).toEqual(['0100']);
  if (sec.has('Record_Server_CloseNotify')) expect(alerts.s2c.map(toHex)).toEqual(['0100']);
  expect(messages.has('Client_Finished')).toBe(true);

  return { resumptionMasterSecret: resumptionMasterSecret!, ticketNonce, recordsChecked, messages };
}

const providers = await availableProviders();

describe.each(providers.map((p) => [p.name, p] as const))('RFC 8448 over the %s provider', (_name, provider) => {
  it('§3 simple 1-RTT handshake: secrets, Finished, every record decrypted and re-encrypted', async () => {
    const r = await runTrace(provider, 'Simple_1RTT_Handshake');
    expect(r.recordsChecked).toBe(9);
    expect(r.ticketNonce && toHex(r.ticketNonce)).toBe('0000');
  });

  it('§4 resumed 0-RTT handshake: PSK from §3 ticket, binder, early data, EndOfEarlyData', async () => {
    const first = await runTrace(provider, 'Simple_1RTT_Handshake');
    const suite = cipherSuiteByCode(0x1301)!;
    const psk = resumptionPsk(provider, suite, first.resumptionMasterSecret, first.ticketNonce!);
    expect(toHex(psk)).toBe(rfcSecrets.get('Resumed_0RTT_Handshake')!.get('PSK'));
    const r = await runTrace(provider, 'Resumed_0RTT_Handshake', { secret: psk, resumption: true });
    expect(r.messages.has('EndOfEarlyData')).toBe(true);
  });

  it('§5 HelloRetryRequest (P-256 after HRR, message_hash transcript)', async () => {
    const r = await runTrace(provider, 'HelloRetryRequest_Handshake');
    expect(r.messages.has('HelloRetryRequest')).toBe(true);
  });

  it('§6 client authentication', async () => {
    const r = await runTrace(provider, 'Client_Authentication_Handshake');
    expect(r.messages.has('Server_CertificateRequest')).toBe(true);
    expect(r.messages.has('Client_Certificate')).toBe(true);
    expect(r.messages.has('Client_CertificateVerify')).toBe(true);
  });

  it('§7 middlebox compatibility mode (change_cipher_spec dropped and re-sent)', async () => {
    const r = await runTrace(provider, 'Middlebox_Compatibility_Mode');
    expect(r.recordsChecked).toBeGreaterThan(0);
  });

  it('bonus: Botan external PSK with ephemeral key', async () => {
    const sec = traces.get('Externally_Provided_PSK_with_Ephemeral_Key')!;
    await runTrace(provider, 'Externally_Provided_PSK_with_Ephemeral_Key', {
      secret: fromHex(sec.get('PskSecret')!),
      resumption: false,
    });
  });

  it('bonus: Botan raw public key with client authentication', async () => {
    await runTrace(provider, 'RawPublicKey_With_Client_Authentication');
  });

  it('a flipped bit in any protected record fails with bad_record_mac', async () => {
    const sec = traces.get('Simple_1RTT_Handshake')!;
    const rec = fromHex(sec.get('Record_ClientFinished')!);
    const secret = fromHex(rfcSecrets.get('Simple_1RTT_Handshake')!.get('ClientHandshakeTrafficSecret')!);
    const suite = cipherSuiteByCode(0x1301)!;
    for (const pos of [5, 20, rec.length - 1]) {
      const bad = rec.slice();
      bad[pos]! ^= 1;
      const reader = new RecordReader();
      const p = createRecordProtection(provider, suite, secret);
      reader.setProtection(isPromise(p) ? await p : p);
      reader.push(bad);
      await expect(Promise.resolve().then(() => reader.read())).rejects.toMatchObject({ alert: 'bad_record_mac' });
    }
    // and the untouched record still opens
    const reader = new RecordReader();
    const p = createRecordProtection(provider, suite, secret);
    reader.setProtection(isPromise(p) ? await p : p);
    reader.push(rec);
    const got = await reader.read();
    expect(bytesEqual(got!.data.subarray(4), fromHex(rfcSecrets.get('Simple_1RTT_Handshake')!.get('ClientFinishedVerifyData')!))).toBe(true);
  });
});

/**
 * RFC 8448 §4 through the production resumption code: our client's PSK
 * offer (obfuscated age, binder over the truncated ClientHello) rebuilds the
 * §4 ClientHello byte for byte from the §3 ticket, and our server's PSK
 * selection verifies that ClientHello's binder (and refuses it with one bit
 * flipped: decrypt_error).
 */
describe.each(providers.map((p) => [p.name, p] as const))('RFC 8448 §4 via the resumption code over the %s provider', (_name, provider) => {
  async function ticketFromSection3(): Promise<{ nst: NewSessionTicket; psk: Uint8Array }> {
    const first = await runTrace(provider, 'Simple_1RTT_Handshake');
    const nst = decodeHandshake(first.messages.get('NewSessionTicket')!);
    if (nst.type !== 'new_session_ticket') throw new Error('not a NewSessionTicket');
    const suite = cipherSuiteByCode(0x1301)!;
    return { nst, psk: resumptionPsk(provider, suite, first.resumptionMasterSecret, nst.nonce) };
  }
  const sec = traces.get('Resumed_0RTT_Handshake')!;
  const hello = fromHex(sec.get('Record_ClientHello_1')!).subarray(5);
  const now = Number(sec.get('CurrentTimestamp')!);

  it('the client rebuilds the §4 ClientHello (ticket, obfuscated_ticket_age, binder) byte for byte', async () => {
    const { nst, psk } = await ticketFromSection3();
    expect(toHex(nst.ticket)).toBe(sec.get('SessionTicket')!.toLowerCase());
    const m = decodeHandshake(hello) as ClientHello;
    const offered = decodeOfferedPsks(m.extensions[m.extensions.length - 1]!.data);
    const age = (offered.identities[0]!.obfuscatedTicketAge - nst.ageAdd) >>> 0; // the client's ticket age in ms
    const suite = cipherSuiteByCode(0x1301)!;
    const session: ClientSession = {
      ticket: nst.ticket, psk, suite: 0x1301, time: now - age, lifetime: nst.lifetime, ageAdd: nst.ageAdd, maxEarlyData: 0,
      alpn: undefined, servername: 'server', peerCertificates: [], peerVerified: true,
    };
    const ctx = { config: { provider, now: () => new Date(now) }, transcript: new Transcript(provider) } as unknown as ClientContext;
    const stripped: ClientHello = { ...m, extensions: m.extensions.filter((e) => e.type !== ExtensionType.pre_shared_key) };
    const rebuilt = withPsk(ctx, stripped, { session, suite, early: new EarlySecret(provider, suite, psk) }, false);
    expect(toHex(encodeHandshake(rebuilt))).toBe(toHex(hello));
  });

  it('the server verifies the §4 binder; one flipped bit → decrypt_error', async () => {
    const { nst, psk } = await ticketFromSection3();
    const suite = cipherSuiteByCode(0x1301)!;
    const state = encodeTicketState({
      suite: 0x1301, psk, time: now - 1000, lifetime: nst.lifetime, ageAdd: nst.ageAdd, maxEarlyData: 0,
      alpn: undefined, servername: 'server', peerCertificates: [], peerVerified: false,
    });
    // The RFC's ticket is opaque to us: a ticket "key" that knows just this one.
    const ticketKeys = { open: async (_p: unknown, _n: number, t: Uint8Array) => (bytesEqual(t, nst.ticket) ? state : undefined) };
    const serverCtx = (): ServerContext => ({
      config: { provider, now: () => new Date(now), sessionTickets: 2, ticketKeys, suites: [suite], clientAuth: 'none', externalPsks: [] },
      hrr: undefined, servername: 'server', transcript: new Transcript(provider),
    }) as unknown as ServerContext;
    const m = decodeHandshake(hello) as ClientHello;
    const ext = parseClientHelloExtensions(m.extensions);
    const accepted = await choosePsk(serverCtx(), hello, ext, suite, 'dhe', undefined);
    expect(accepted?.index).toBe(0);
    expect(toHex(accepted!.state.psk)).toBe(rfcSecrets.get('Resumed_0RTT_Handshake')!.get('PSK'));

    const bad = hello.slice();
    bad[bad.length - 1]! ^= 1; // last byte of the binder
    const badExt = parseClientHelloExtensions((decodeHandshake(bad) as ClientHello).extensions);
    await expect(choosePsk(serverCtx(), bad, badExt, suite, 'dhe', undefined)).rejects.toMatchObject({ alert: 'decrypt_error' });
  });

  /**
   * The server side of §4: the RFC's ClientHello and 0-RTT record go to our
   * server, configured with the §3 ticket (its content is opaque to us: a
   * TicketKeys that opens just that ticket into the §3 PSK), the RFC's
   * server randomness (Server_RNG_Pool: ServerHello.random, then the x25519
   * private key) and clock, and NSS's settings in the trace: AES-128-GCM
   * first, the nine groups its supported_groups lists, 0-RTT on, no tickets
   * after a resumed handshake. Every byte our server sends must be the
   * RFC's: ServerHello, the encrypted EncryptedExtensions + Finished record,
   * the application data record and close_notify; and it must take the
   * RFC's early data, EndOfEarlyData, Finished and application data.
   */
  it('our server answers the §4 ClientHello and 0-RTT data with the RFC\'s records, byte for byte', async () => {
    const { nst, psk } = await ticketFromSection3();
    const m = decodeHandshake(hello) as ClientHello;
    const offered = decodeOfferedPsks(m.extensions[m.extensions.length - 1]!.data);
    const clientAge = (offered.identities[0]!.obfuscatedTicketAge - nst.ageAdd) >>> 0;
    const state = encodeTicketState({
      suite: 0x1301, psk, time: now - clientAge, lifetime: nst.lifetime, ageAdd: nst.ageAdd, maxEarlyData: 1024,
      alpn: undefined, servername: 'server', peerCertificates: [], peerVerified: false,
    });
    class RfcTicket extends TicketKeys {
      override async open(_p: CryptoProvider, _now: number, t: Uint8Array): Promise<Uint8Array | undefined> {
        return bytesEqual(t, nst.ticket) ? state.slice() : undefined;
      }
    }
    const pool = fromHex(sec.get('Server_RNG_Pool')!);
    // Our server draws its key share's private key first, then ServerHello.random.
    const draws = [pool.subarray(32, 64), pool.subarray(0, 32)];
    const random = (n: number): Uint8Array => {
      const next = draws.shift();
      if (!next || next.length !== n) throw new Error(`unexpected random draw of ${n} bytes`);
      return next.slice();
    };
    const keyLog: string[] = [];
    const config: ServerConfig = {
      provider, certificate: rfc8448ServerCert(), random, now: () => new Date(now),
      cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384'],
      groups: ['x25519', 'secp256r1', 'secp384r1', 'secp521r1', 'ffdhe2048', 'ffdhe3072', 'ffdhe4096', 'ffdhe6144', 'ffdhe8192'],
      ticketKeys: new RfcTicket(), sessionTicketsOnResumption: 0,
      maxEarlyData: 1024, acceptEarlyData: () => true,
      keyLog: (line) => keyLog.push(line),
    };
    const sent: Uint8Array[] = [];
    const early: Uint8Array[] = [];
    const data: Uint8Array[] = [];
    let info: SessionInfo | undefined;
    let peerClosed = false;
    const errors: unknown[] = [];
    const server = Connection.server(config, {
      onTransmit: (b) => sent.push(b.slice()),
      onEarlyData: (d) => early.push(d.slice()),
      onData: (d) => data.push(d.slice()),
      onHandshakeDone: (i) => { info = i; },
      onPeerClose: () => { peerClosed = true; },
      onError: (e) => errors.push(e),
    });
    const feed = async (key: string): Promise<void> => {
      server.receive(fromHex(sec.get(key)!));
      await server.drained();
      expect(errors, `after ${key}`).toEqual([]);
    };
    const output = (): string => toHex(concatBytes(...sent.splice(0)));

    await feed('Record_ClientHello_1');
    expect(output(), 'ServerHello and {EncryptedExtensions, Finished}').toBe(
      (sec.get('Record_ServerHello')! + sec.get('Record_ServerHandshakeMessages')!).toLowerCase());
    // The 0-RTT secret the server derived from the §3 PSK (RFC 8448 §4 "c e traffic").
    const secrets = rfcSecrets.get('Resumed_0RTT_Handshake')!;
    const clientRandom = toHex(m.random);
    expect(keyLog).toContain(`CLIENT_EARLY_TRAFFIC_SECRET ${clientRandom} ${secrets.get('ClientEarlyTrafficSecret')}`);

    await feed('Record_Client_EarlyAppData');
    expect(early.map(toHex), 'the accepted early data').toEqual([sec.get('Client_EarlyAppData')!.toLowerCase()]);

    await feed('Record_ClientFinished'); // EndOfEarlyData, then Finished
    expect(info, 'handshake done').toBeDefined();
    expect(info!.resumed).toBe(true);
    expect(info!.earlyData).toBe('accepted');
    expect(output(), 'no NewSessionTicket after this resumed handshake (as in the trace)').toBe('');

    await feed('Record_Client_AppData');
    expect(data.map(toHex)).toEqual([sec.get('Client_AppData')!.toLowerCase()]);
    await server.write(fromHex(sec.get('Server_AppData')!));
    await server.drained();
    expect(output(), 'the server\'s application data record').toBe(sec.get('Record_Server_AppData')!.toLowerCase());

    await feed('Record_Client_CloseNotify');
    expect(peerClosed).toBe(true);
    server.close();
    await server.drained();
    expect(output(), 'the server\'s close_notify').toBe(sec.get('Record_Server_CloseNotify')!.toLowerCase());
  });
});
