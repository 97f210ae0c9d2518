/**
 * The TLS 1.3 key schedule, RFC 8446 §7.1, typed by stage:
 *
 *   EarlySecret ──derive──▶ HandshakeSecret ──derive──▶ MasterSecret
 *
 * Each stage only offers the secrets the RFC derives from it, so a secret
 * cannot be used at the wrong stage. `hkdfExpandLabel` (RFC 8446 §7.1) lives
 * below the record layer, in src/crypto/hkdf-label.ts, because the record
 * layer derives its traffic keys with it (§7.3, src/record/protection.ts).
 * Every traffic secret carries its NSS key-log label.
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import type { CipherSuite } from '../crypto/cipher-suites.js';
import { hkdfExpandLabel } from '../crypto/hkdf-label.js';
import { wipe } from '../util/bytes.js';

/** NSS key-log labels (SSLKEYLOGFILE format). */
export type KeyLogLabel =
  | 'CLIENT_EARLY_TRAFFIC_SECRET'
  | 'EARLY_EXPORTER_SECRET'
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'EXPORTER_SECRET';

/** A secret together with its key-log label. */
export interface LabeledSecret {
  readonly label: KeyLogLabel;
  readonly secret: Uint8Array;
}

/** Derive-Secret(Secret, Label, Messages) with the transcript hash already computed. */
export function deriveSecret(
  provider: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, hash, secret, label, transcriptHash, transcriptHash.length);
}

/** finished_key, RFC 8446 §4.4.4. */
export function finishedKey(provider: CryptoProvider, suite: CipherSuite, baseKey: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, suite.hash, baseKey, 'finished', new Uint8Array(0), suite.hashLength);
}

/** verify_data = HMAC(finished_key, Transcript-Hash(...)), RFC 8446 §4.4.4. */
export function finishedVerifyData(
  provider: CryptoProvider,
  suite: CipherSuite,
  baseKey: Uint8Array,
  transcriptHash: Uint8Array,
): Uint8Array {
  const fk = finishedKey(provider, suite, baseKey);
  const v = provider.hmac(suite.hash, fk, transcriptHash);
  wipe(fk);
  return v;
}

/** application_traffic_secret_N+1, RFC 8446 §7.2. */
export function nextTrafficSecret(provider: CryptoProvider, suite: CipherSuite, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, suite.hash, secret, 'traffic upd', new Uint8Array(0), suite.hashLength);
}

/** The PSK for a ticket, RFC 8446 §4.6.1. */
export function resumptionPsk(
  provider: CryptoProvider,
  suite: CipherSuite,
  resumptionMasterSecret: Uint8Array,
  ticketNonce: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(provider, suite.hash, resumptionMasterSecret, 'resumption', ticketNonce, suite.hashLength);
}

/** TLS-Exporter, RFC 8446 §7.5. */
export function exportKeyingMaterial(
  provider: CryptoProvider,
  suite: CipherSuite,
  exporterSecret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const h = provider.hash(suite.hash);
  const derived = deriveSecret(provider, suite.hash, exporterSecret, label, h.digest(new Uint8Array(0)));
  const out = hkdfExpandLabel(provider, suite.hash, derived, 'exporter', h.digest(context), length);
  wipe(derived);
  return out;
}

/**
 * Values fixed by the provider and hash alone, computed once: Hash("") and,
 * without a PSK, the Early Secret HKDF-Extract(0, 0) and its
 * Derive-Secret(., "derived", "") (RFC 8446 §7.1). Handed out as copies
 * where the caller wipes them.
 */
interface FixedValues {
  readonly emptyHash: Uint8Array;
  noPskEarly?: Uint8Array;
  noPskDerived?: Uint8Array;
}
const fixedValues = new WeakMap<CryptoProvider, Map<HashAlgorithm, FixedValues>>();

function fixedFor(provider: CryptoProvider, hash: HashAlgorithm): FixedValues {
  let m = fixedValues.get(provider);
  if (!m) {
    m = new Map();
    fixedValues.set(provider, m);
  }
  let f = m.get(hash);
  if (!f) {
    f = { emptyHash: provider.hash(hash).digest(new Uint8Array(0)) };
    m.set(hash, f);
  }
  return f;
}

abstract class Stage {
  constructor(
    protected readonly provider: CryptoProvider,
    readonly suite: CipherSuite,
    protected readonly secret: Uint8Array,
  ) {}

  protected derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.provider, this.suite.hash, this.secret, label, transcriptHash);
  }

  /** Hash(""): shared, never to be modified. */
  protected emptyHash(): Uint8Array {
    return fixedFor(this.provider, this.suite.hash).emptyHash;
  }

  /** Derive-Secret(., "derived", "") feeding the next Extract. */
  protected derivedForNext(): Uint8Array {
    return this.derive('derived', this.emptyHash());
  }

  /** Overwrite this stage's secret. */
  wipe(): void {
    wipe(this.secret);
  }
}

/** Early Secret = HKDF-Extract(0, PSK or 0). RFC 8446 §7.1. */
export class EarlySecret extends Stage {
  private readonly noPsk: boolean;

  constructor(provider: CryptoProvider, suite: CipherSuite, psk?: Uint8Array) {
    super(provider, suite, psk ? EarlySecret.extract(provider, suite, psk) : EarlySecret.noPskSecret(provider, suite));
    this.noPsk = !psk;
  }

  private static extract(provider: CryptoProvider, suite: CipherSuite, psk: Uint8Array): Uint8Array {
    return provider.hkdfExtract(suite.hash, new Uint8Array(suite.hashLength), psk);
  }

  /** HKDF-Extract(0, 0): the same for every connection without a PSK. */
  private static noPskSecret(provider: CryptoProvider, suite: CipherSuite): Uint8Array {
    const f = fixedFor(provider, suite.hash);
    f.noPskEarly ??= EarlySecret.extract(provider, suite, new Uint8Array(suite.hashLength));
    return f.noPskEarly.slice();
  }

  protected override derivedForNext(): Uint8Array {
    if (!this.noPsk) return super.derivedForNext();
    const f = fixedFor(this.provider, this.suite.hash);
    f.noPskDerived ??= super.derivedForNext();
    return f.noPskDerived.slice();
  }

  /** binder_key: "ext binder" (external PSK) or "res binder" (resumption). */
  binderKey(resumption: boolean): Uint8Array {
    return this.derive(resumption ? 'res binder' : 'ext binder', this.emptyHash());
  }

  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): LabeledSecret {
    return { label: 'CLIENT_EARLY_TRAFFIC_SECRET', secret: this.derive('c e traffic', clientHelloHash) };
  }

  earlyExporterMasterSecret(clientHelloHash: Uint8Array): LabeledSecret {
    return { label: 'EARLY_EXPORTER_SECRET', secret: this.derive('e exp master', clientHelloHash) };
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE). */
  intoHandshakeSecret(sharedSecret: Uint8Array | undefined): HandshakeSecret {
    const salt = this.derivedForNext();
    const ikm = sharedSecret ?? new Uint8Array(this.suite.hashLength);
    const hs = new HandshakeSecret(this.provider, this.suite, this.provider.hkdfExtract(this.suite.hash, salt, ikm));
    wipe(salt);
    return hs;
  }
}

export class HandshakeSecret extends Stage {
  /** Transcript: ClientHello..ServerHello. */
  clientHandshakeTrafficSecret(helloHash: Uint8Array): LabeledSecret {
    return { label: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', secret: this.derive('c hs traffic', helloHash) };
  }

  serverHandshakeTrafficSecret(helloHash: Uint8Array): LabeledSecret {
    return { label: 'SERVER_HANDSHAKE_TRAFFIC_SECRET', secret: this.derive('s hs traffic', helloHash) };
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(., "derived", ""), 0). */
  intoMasterSecret(): MasterSecret {
    const salt = this.derivedForNext();
    const ms = new MasterSecret(
      this.provider,
      this.suite,
      this.provider.hkdfExtract(this.suite.hash, salt, new Uint8Array(this.suite.hashLength)),
    );
    wipe(salt);
    return ms;
  }
}

export class MasterSecret extends Stage {
  /** Transcript: ClientHello..server Finished. */
  clientApplicationTrafficSecret0(serverFinishedHash: Uint8Array): LabeledSecret {
    return { label: 'CLIENT_TRAFFIC_SECRET_0', secret: this.derive('c ap traffic', serverFinishedHash) };
  }

  serverApplicationTrafficSecret0(serverFinishedHash: Uint8Array): LabeledSecret {
    return { label: 'SERVER_TRAFFIC_SECRET_0', secret: this.derive('s ap traffic', serverFinishedHash) };
  }

  exporterMasterSecret(serverFinishedHash: Uint8Array): LabeledSecret {
    return { label: 'EXPORTER_SECRET', secret: this.derive('exp master', serverFinishedHash) };
  }

  /** Transcript: ClientHello..client Finished. */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Uint8Array {
    return this.derive('res master', clientFinishedHash);
  }
}
