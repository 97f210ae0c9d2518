/**
 * A scripted TLS 1.3 peer for conformance tests, in the manner of tlsfuzzer
 * and TLS-Attacker: it builds every message with our codec, lets a test
 * bend any field, record boundary, padding or key, and reads back what the
 * endpoint under test put on the wire (decrypting it with the keys it
 * derived itself).
 *
 * `ServerProbe` plays the client against a puretls server Connection;
 * `ClientProbe` plays the server against a puretls client Connection.
 */
import { pureProvider } from '../../src/crypto/pure/index.js';
import type { ClientKeyShare, CryptoProvider } from '../../src/crypto/provider.js';
import { alertName } from '../../src/errors.js';
import { TLS_AES_128_GCM_SHA256, cipherSuiteByCode, type CipherSuite } from '../../src/crypto/cipher-suites.js';
import { signCertificateVerify } from '../../src/handshake/common/certificate-verify.js';
import { schemeByName } from '../../src/handshake/common/schemes.js';
import { encodeKeyShareClient, encodeKeyShareServer, decodeKeyShareServer } from '../../src/handshake/extensions/key-share.js';
import { encodeOfferedPsks } from '../../src/handshake/extensions/psk.js';
import { computeBinder, truncateClientHello } from '../../src/handshake/resumption/binder.js';
import type { Extension } from '../../src/handshake/extensions/list.js';
import {
  encodeSignatureAlgorithms, encodeSupportedGroups, encodeSupportedVersionsClient, encodeSupportedVersionsServer,
} from '../../src/handshake/extensions/lists.js';
import { EarlySecret, finishedVerifyData, nextTrafficSecret, type HandshakeSecret } from '../../src/handshake/key-schedule.js';
import {
  decodeHandshake, encodeHandshake, type ClientHello, type HandshakeMessage, type ServerHello,
} from '../../src/handshake/messages/index.js';
import { ExtensionType as E, HELLO_RETRY_REQUEST_RANDOM } from '../../src/handshake/messages/types.js';
import { Transcript } from '../../src/handshake/transcript.js';
import { createRecordProtection, type RecordProtection } from '../../src/record/protection.js';
import type { CertifiedKey, ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { makeClient, makeServer, type Endpoint } from '../connection/helpers.js';

export const CT = { ccs: 20, alert: 21, handshake: 22, application_data: 23 } as const;

/** One plaintext record: header + body, with any version and length. */
export function record(type: number, body: Uint8Array, version = 0x0303): Uint8Array {
  const r = new Uint8Array(5 + body.length);
  r.set([type, version >> 8, version & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
  r.set(body, 5);
  return r;
}

export const ccsRecord = (): Uint8Array => record(CT.ccs, new Uint8Array([1]));

/** Split a byte string into records of at most `size` bytes of `type`. */
export function fragment(type: number, body: Uint8Array, size: number, version = 0x0303): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < body.length; i += size) out.push(record(type, body.subarray(i, i + size), version));
  return out;
}

export const u8 = (...xs: number[]): Uint8Array => new Uint8Array(xs);
export const ext = (type: number, data: Uint8Array | number[] = []): Extension => ({ type, data: data instanceof Uint8Array ? data : new Uint8Array(data) });

function sync<T>(v: T | Promise<T>): T {
  if (v instanceof Promise) throw new Error('probe: the pure provider is synchronous');
  return v;
}

/** Seal `content || type || zeros(pad)` as one TLSCiphertext (RFC 8446 §5.2). */
export function seal(p: RecordProtection, type: number, content: Uint8Array, pad = 0, outerType = 23): Uint8Array {
  const inner = new Uint8Array(content.length + 1 + pad);
  inner.set(content);
  inner[content.length] = type;
  return sealInner(p, inner, outerType);
}

/** Seal an arbitrary TLSInnerPlaintext (for records with no content type, e.g. all zeros). */
export function sealInner(p: RecordProtection, inner: Uint8Array, outerType = 23): Uint8Array {
  const len = inner.length + 16;
  const header = u8(outerType, 3, 3, len >> 8, len & 0xff);
  const ct = sync(p.key.seal(p.nextNonce(), header, inner));
  const out = new Uint8Array(5 + ct.length);
  out.set(header);
  out.set(ct, 5);
  return out;
}

export interface WireRecord {
  type: number;
  /** Decrypted content (inner type in `type`), or the plaintext fragment. */
  content: Uint8Array;
  encrypted: boolean;
}

/**
 * Reads what an endpoint sent, decrypting with keys the probe installs.
 * `onHandshake` sees every complete handshake message (to switch keys).
 */
class WireReader {
  private buf = new Uint8Array(0);
  private hs = new Uint8Array(0);
  prot: RecordProtection | undefined;
  readonly records: WireRecord[] = [];
  /** Messages decoded so far. */
  readonly messages: { msg: HandshakeMessage; raw: Uint8Array }[] = [];

  constructor(private readonly onHandshake: (m: HandshakeMessage, raw: Uint8Array) => void) {}

  push(bytes: Uint8Array): void {
    const b = new Uint8Array(this.buf.length + bytes.length);
    b.set(this.buf);
    b.set(bytes, this.buf.length);
    this.buf = b;
    for (;;) {
      if (this.buf.length < 5) return;
      const len = (this.buf[3]! << 8) | this.buf[4]!;
      if (this.buf.length < 5 + len) return;
      const header = this.buf.slice(0, 5);
      const body = this.buf.slice(5, 5 + len);
      this.buf = this.buf.slice(5 + len);
      let type = header[0]!;
      let content = body;
      let encrypted = false;
      if (type === 23 && this.prot) {
        const pt = sync(this.prot.key.open(this.prot.nextNonce(), header, body));
        if (!pt) throw new Error('probe: cannot decrypt a record from the endpoint');
        let i = pt.length - 1;
        while (i >= 0 && pt[i] === 0) i--;
        type = pt[i]!;
        content = pt.slice(0, i);
        encrypted = true;
      }
      this.records.push({ type, content, encrypted });
      if (type === 22) {
        const h = new Uint8Array(this.hs.length + content.length);
        h.set(this.hs);
        h.set(content, this.hs.length);
        this.hs = h;
        while (this.hs.length >= 4) {
          const l = (this.hs[1]! << 16) | (this.hs[2]! << 8) | this.hs[3]!;
          if (this.hs.length < 4 + l) break;
          const raw = this.hs.slice(0, 4 + l);
          this.hs = this.hs.slice(4 + l);
          const msg = decodeHandshake(raw);
          this.messages.push({ msg, raw });
          this.onHandshake(msg, raw);
        }
      }
    }
  }
}

/** Alerts an endpoint sent, as names. */
export function alertsOf(records: readonly WireRecord[]): string[] {
  return records.filter((r) => r.type === 21).map((r) => alertName(r.content[1]!));
}

abstract class Probe {
  readonly provider: CryptoProvider = pureProvider;
  readonly transcript = new Transcript(pureProvider);
  suite: CipherSuite = TLS_AES_128_GCM_SHA256;
  protected hs: HandshakeSecret | undefined;
  clientHsSecret: Uint8Array | undefined;
  serverHsSecret: Uint8Array | undefined;
  clientAppSecret: Uint8Array | undefined;
  serverAppSecret: Uint8Array | undefined;
  /** Our write protection (undefined: plaintext). */
  out: RecordProtection | undefined;
  protected reader: WireReader;
  private consumed = 0;

  constructor(readonly ep: Endpoint) {
    this.reader = new WireReader((m, raw) => this.onPeerMessage(m, raw));
  }

  protected abstract onPeerMessage(m: HandshakeMessage, raw: Uint8Array): void;

  /** Every record the endpoint sent so far (decrypted where we have keys). */
  get records(): WireRecord[] {
    this.pull();
    return this.reader.records;
  }

  get messages(): { msg: HandshakeMessage; raw: Uint8Array }[] {
    this.pull();
    return this.reader.messages;
  }

  get alerts(): string[] {
    return alertsOf(this.records);
  }

  protected pull(): void {
    while (this.consumed < this.ep.sent.length) this.reader.push(this.ep.sent[this.consumed++]!);
  }

  /** Hand raw bytes to the endpoint and let it process them. */
  async send(...chunks: Uint8Array[]): Promise<void> {
    for (const c of chunks) this.ep.conn.receive(c);
    await this.ep.conn.drained();
    this.pull();
  }

  /** Bytes of one handshake message record under the current write state. */
  hsRecord(m: HandshakeMessage | Uint8Array, opts: { pad?: number; addToTranscript?: boolean } = {}): Uint8Array {
    const raw = m instanceof Uint8Array ? m : encodeHandshake(m);
    if (opts.addToTranscript !== false) this.transcript.add(raw);
    return this.out ? seal(this.out, CT.handshake, raw, opts.pad ?? 0) : record(CT.handshake, raw);
  }

  /** One protected record of `type` with `content` (and padding) under the current write key. */
  protectedRecord(type: number, content: Uint8Array, pad = 0): Uint8Array {
    if (!this.out) throw new Error('probe: no write key');
    return seal(this.out, type, content, pad);
  }

  alertRecord(level: number, description: number): Uint8Array {
    const body = u8(level, description);
    return this.out ? seal(this.out, CT.alert, body) : record(CT.alert, body);
  }

  protected prot(secret: Uint8Array): RecordProtection {
    return sync(createRecordProtection(this.provider, this.suite, secret));
  }

  /** The PSK of a PSK handshake (external or resumption), else undefined. */
  psk: Uint8Array | undefined;

  protected deriveHandshake(shared: Uint8Array | undefined): void {
    this.hs = new EarlySecret(this.provider, this.suite, this.psk).intoHandshakeSecret(shared);
    const h = this.transcript.hash();
    this.clientHsSecret = this.hs.clientHandshakeTrafficSecret(h).secret;
    this.serverHsSecret = this.hs.serverHandshakeTrafficSecret(h).secret;
  }

  deriveApplication(): void {
    const ms = this.hs!.intoMasterSecret();
    const h = this.transcript.hash();
    this.clientAppSecret = ms.clientApplicationTrafficSecret0(h).secret;
    this.serverAppSecret = ms.serverApplicationTrafficSecret0(h).secret;
  }
}

export interface HelloOptions {
  legacyVersion?: number;
  random?: Uint8Array;
  sessionId?: Uint8Array;
  suites?: number[];
  compression?: Uint8Array;
  /** Replace the default extension list. */
  extensions?: Extension[];
  /** Edit the default extension list. */
  editExtensions?: (exts: Extension[]) => Extension[];
  /** Group of our key share (default x25519); null: send an empty client_shares list. */
  shareGroup?: 'x25519' | 'secp256r1' | null;
}

const GROUP_CODE = { x25519: 0x001d, secp256r1: 0x0017 } as const;

/** Plays a TLS 1.3 client against a puretls server. */
export class ServerProbe extends Probe {
  share: ClientKeyShare | undefined;
  shareCode = 0x001d;
  hello: ClientHello | undefined;
  serverHello: ServerHello | undefined;
  gotServerFinished = false;
  helloRetry: ServerHello | undefined;

  static create(config: ServerConfig): ServerProbe {
    return new ServerProbe(makeServer(config));
  }

  /** A ClientHello like tlsfuzzer's default (session id, x25519 share, the mandatory extensions). */
  makeHello(o: HelloOptions = {}): ClientHello {
    const shareGroup = o.shareGroup === undefined ? 'x25519' : o.shareGroup;
    const shares = [];
    if (shareGroup) {
      this.share = sync(this.provider.group(shareGroup)!.generate());
      this.shareCode = GROUP_CODE[shareGroup];
      shares.push({ group: this.shareCode, keyExchange: this.share.publicKey });
    }
    let exts: Extension[] = o.extensions ?? [
      encodeSupportedVersionsClient([0x0304, 0x0303]),
      encodeSupportedGroups([0x001d, 0x0017, 0x0018]),
      encodeSignatureAlgorithms([0x0403, 0x0804, 0x0807, 0x0503, 0x0805]),
      encodeKeyShareClient(shares),
    ];
    if (o.editExtensions) exts = o.editExtensions(exts);
    const hello: ClientHello = {
      type: 'client_hello',
      legacyVersion: o.legacyVersion ?? 0x0303,
      random: o.random ?? new Uint8Array(32).fill(0x11),
      legacySessionId: o.sessionId ?? new Uint8Array(32).fill(0x22),
      cipherSuites: o.suites ?? [0x1301, 0x00ff],
      legacyCompressionMethods: o.compression ?? u8(0),
      extensions: exts,
    };
    this.hello = hello;
    return hello;
  }

  /** Encoded ClientHello (header included); it enters our transcript. */
  helloBytes(o: HelloOptions = {}): Uint8Array {
    const raw = encodeHandshake(this.makeHello(o));
    this.transcript.add(raw);
    return raw;
  }

  /**
   * A ClientHello offering one external PSK (RFC 8446 §4.2.11) as its last
   * extension, with a correct binder (§4.2.11.2); it enters our transcript
   * and `psk` is kept for the key schedule.
   */
  pskHelloBytes(identity: Uint8Array, key: Uint8Array, o: HelloOptions = {}): Uint8Array {
    this.psk = key;
    const binderLen = this.suite.hashLength;
    const placeholder = encodeOfferedPsks({ identities: [{ identity, obfuscatedTicketAge: 0 }], binders: [new Uint8Array(binderLen)] });
    const hello = this.makeHello(o);
    const withPsk = (e: Extension): ClientHello => ({ ...hello, extensions: [...hello.extensions, e] });
    const raw = encodeHandshake(withPsk(placeholder));
    const truncated = truncateClientHello(raw, [new Uint8Array(binderLen)]);
    const th = new Transcript(this.provider);
    th.setHash(this.suite.hash);
    th.add(truncated);
    const binder = computeBinder(this.provider, this.suite, new EarlySecret(this.provider, this.suite, key), false, th.hash());
    raw.set(binder, raw.length - binderLen);
    this.hello = withPsk(encodeOfferedPsks({ identities: [{ identity, obfuscatedTicketAge: 0 }], binders: [binder] }));
    this.transcript.add(raw);
    return raw;
  }

  /** A second ClientHello answering the HelloRetryRequest (same as the first, new key share). */
  retryHelloBytes(edit?: (exts: Extension[]) => Extension[]): Uint8Array {
    const first = this.hello!;
    const sel = this.helloRetry!.extensions.find((e) => e.type === E.key_share)!;
    const group = (sel.data[0]! << 8) | sel.data[1]!;
    const name = group === 0x001d ? 'x25519' : 'secp256r1';
    this.share = sync(this.provider.group(name)!.generate());
    this.shareCode = group;
    let exts = first.extensions.map((e) =>
      e.type === E.key_share ? encodeKeyShareClient([{ group, keyExchange: this.share!.publicKey }]) : e,
    ).filter((e) => e.type !== E.early_data);
    if (edit) exts = edit(exts);
    const hello: ClientHello = { ...first, extensions: exts };
    this.hello = hello;
    const raw = encodeHandshake(hello);
    this.transcript.add(raw);
    return raw;
  }

  protected onPeerMessage(m: HandshakeMessage, raw: Uint8Array): void {
    if (m.type === 'server_hello') {
      const suite = cipherSuiteByCode(m.cipherSuite)!;
      this.suite = suite;
      if (!this.transcript.hashAlgorithm) this.transcript.setHash(suite.hash);
      if (m.random.every((b, i) => b === HELLO_RETRY_REQUEST_RANDOM[i])) {
        this.helloRetry = m;
        this.transcript.replaceWithMessageHash();
        this.transcript.add(raw);
        return;
      }
      this.serverHello = m;
      this.transcript.add(raw);
      // psk_ke (RFC 8446 §4.2.9): no key_share, the (EC)DHE input is zeros.
      const ksExt = m.extensions.find((e) => e.type === E.key_share);
      const shared = ksExt ? sync(this.share!.complete(decodeKeyShareServer(ksExt.data).keyExchange)) : undefined;
      this.deriveHandshake(shared);
      this.reader.prot = this.prot(this.serverHsSecret!);
      return;
    }
    if (m.type === 'key_update') {
      this.serverAppSecret = nextTrafficSecret(this.provider, this.suite, this.serverAppSecret!);
      this.reader.prot = this.prot(this.serverAppSecret);
      return;
    }
    if (m.type === 'new_session_ticket') return;
    this.transcript.add(raw);
    if (m.type === 'finished') {
      this.gotServerFinished = true;
      this.deriveApplication();
      this.reader.prot = this.prot(this.serverAppSecret!);
    }
  }

  /** Start writing under the client handshake traffic key. */
  useHandshakeKey(): void {
    this.out = this.prot(this.clientHsSecret!);
  }

  /** Start writing under the client application traffic key. */
  useApplicationKey(): void {
    this.out = this.prot(this.clientAppSecret!);
  }

  /** The client Finished message (computed on the transcript so far). */
  finished(): HandshakeMessage {
    return { type: 'finished', verifyData: finishedVerifyData(this.provider, this.suite, this.clientHsSecret!, this.transcript.hash()) };
  }

  /** A complete, correct handshake (CH in one record); leaves `out` on the application key. */
  async handshake(o: HelloOptions = {}): Promise<void> {
    await this.send(record(CT.handshake, this.helloBytes(o), 0x0301));
    if (!this.gotServerFinished) throw new Error(`probe: no server flight (alerts: ${this.alerts.join(',')})`);
    this.useHandshakeKey();
    await this.send(this.hsRecord(this.finished()));
    this.useApplicationKey();
  }
}

export interface FlightOptions {
  /** Edit the ServerHello. */
  serverHello?: (sh: ServerHello) => ServerHello;
  /** Messages of the encrypted flight, in order; built by default. */
  flight?: (p: ClientProbe) => (HandshakeMessage | Uint8Array)[];
  /** Send the compatibility CCS after ServerHello (default true). */
  ccs?: boolean;
}

/** Plays a TLS 1.3 server against a puretls client. */
export class ClientProbe extends Probe {
  hello: ClientHello | undefined;
  gotClientFinished = false;

  constructor(ep: Endpoint, readonly cert: CertifiedKey) {
    super(ep);
  }

  static async create(config: ClientConfig, cert: CertifiedKey): Promise<ClientProbe> {
    const ep = makeClient(config);
    const p = new ClientProbe(ep, cert);
    ep.conn.start();
    await ep.conn.drained();
    p.pull();
    return p;
  }

  protected onPeerMessage(m: HandshakeMessage, raw: Uint8Array): void {
    if (m.type === 'client_hello') {
      this.hello = m;
      this.transcript.add(raw);
      return;
    }
    if (m.type === 'key_update') {
      this.clientAppSecret = nextTrafficSecret(this.provider, this.suite, this.clientAppSecret!);
      this.reader.prot = this.prot(this.clientAppSecret);
      return;
    }
    this.transcript.add(raw);
    if (m.type === 'finished') {
      this.gotClientFinished = true;
      this.reader.prot = this.prot(this.clientAppSecret!);
    }
  }

  /** A correct ServerHello for the client's x25519 share (else its secp256r1 share). */
  makeServerHello(edit?: (sh: ServerHello) => ServerHello): { sh: ServerHello; shared: Uint8Array } {
    const ch = this.hello!;
    const ks = ch.extensions.find((e) => e.type === E.key_share)!;
    // u16 list length, then entries: u16 group, u16 len, key
    const entries: { group: number; key: Uint8Array }[] = [];
    for (let off = 2; off + 4 <= ks.data.length;) {
      const g = (ks.data[off]! << 8) | ks.data[off + 1]!;
      const n = (ks.data[off + 2]! << 8) | ks.data[off + 3]!;
      entries.push({ group: g, key: ks.data.subarray(off + 4, off + 4 + n) });
      off += 4 + n;
    }
    const chosen = entries.find((e) => e.group === 0x001d) ?? entries.find((e) => e.group === 0x0017)!;
    const group = chosen.group;
    const clientShare = chosen.key;
    const name = group === 0x001d ? 'x25519' : 'secp256r1';
    const kx = sync(this.provider.group(name)!.respond(clientShare));
    let sh: ServerHello = {
      type: 'server_hello',
      legacyVersion: 0x0303,
      random: new Uint8Array(32).fill(0x33),
      legacySessionIdEcho: ch.legacySessionId,
      cipherSuite: 0x1301,
      legacyCompressionMethod: 0,
      extensions: [encodeKeyShareServer({ group, keyExchange: kx.publicKey }), encodeSupportedVersionsServer(0x0304)],
    };
    if (edit) sh = edit(sh);
    return { sh, shared: kx.sharedSecret };
  }

  /** Default encrypted flight: EE, Certificate, CertificateVerify, Finished. */
  async defaultFlight(): Promise<HandshakeMessage[]> {
    const msgs: HandshakeMessage[] = [];
    const t = this.transcript;
    const add = (m: HandshakeMessage): void => { msgs.push(m); t.add(encodeHandshake(m)); };
    add({ type: 'encrypted_extensions', extensions: [] });
    add({ type: 'certificate', context: new Uint8Array(0), entries: this.cert.chain.map((d) => ({ data: d, extensions: [] })) });
    const scheme = schemeByName('ecdsa_secp256r1_sha256')!;
    const sig = await signCertificateVerify(this.provider, 'server', scheme, this.cert.key, t.hash(), (n) => this.provider.randomBytes(n));
    add({ type: 'certificate_verify', scheme: scheme.code, signature: sig });
    add({ type: 'finished', verifyData: finishedVerifyData(this.provider, this.suite, this.serverHsSecret!, t.hash()) });
    this.deriveApplication();
    return msgs;
  }

  /**
   * Answer the ClientHello with ServerHello (plaintext), CCS and the
   * encrypted flight in one record each; returns the bytes without sending
   * (the transcript is updated as if sent).
   */
  serverHelloBytes(edit?: (sh: ServerHello) => ServerHello): Uint8Array {
    const { sh, shared } = this.makeServerHello(edit);
    const suite = cipherSuiteByCode(sh.cipherSuite) ?? TLS_AES_128_GCM_SHA256;
    this.suite = suite;
    this.transcript.setHash(suite.hash);
    const raw = encodeHandshake(sh);
    this.transcript.add(raw);
    this.deriveHandshake(shared);
    this.out = this.prot(this.serverHsSecret!);
    this.reader.prot = this.prot(this.clientHsSecret!);
    return record(CT.handshake, raw);
  }

  /** Switch our writing to the server application key (after our Finished). */
  useApplicationKey(): void {
    this.out = this.prot(this.serverAppSecret!);
  }
}
