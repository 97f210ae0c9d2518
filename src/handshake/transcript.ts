/**
 * The handshake transcript hash, RFC 8446 §4.4.1.
 *
 * The hash algorithm is known only once a cipher suite is chosen, so the
 * transcript buffers messages until `setHash`. After a HelloRetryRequest the
 * first ClientHello is replaced by a synthetic message_hash message.
 */
import type { CryptoProvider, HashAlgorithm, IncrementalHash } from '../crypto/provider.js';

/** HandshakeType message_hash (254), RFC 8446 §4.4.1. */
const MESSAGE_HASH = 254;

export class Transcript {
  private pending: Uint8Array[] = [];
  private state: IncrementalHash | undefined;
  private alg: HashAlgorithm | undefined;

  constructor(private readonly provider: CryptoProvider) {}

  get hashAlgorithm(): HashAlgorithm | undefined {
    return this.alg;
  }

  /** Choose the hash; buffered messages are hashed now. */
  setHash(alg: HashAlgorithm): void {
    if (this.alg === alg) return;
    if (this.alg) throw new Error('transcript hash already chosen');
    this.alg = alg;
    this.state = this.provider.hash(alg).create();
    for (const m of this.pending) this.state.update(m);
    this.pending = [];
  }

  /** Add a complete handshake message (4-byte header included). */
  add(message: Uint8Array): void {
    if (this.state) this.state.update(message);
    else this.pending.push(message.slice());
  }

  /** Transcript-Hash of everything added so far. */
  hash(): Uint8Array {
    if (!this.state) throw new Error('transcript hash not chosen yet');
    return this.state.peek();
  }

  /** Hash of everything so far plus `extra` (e.g. a ClientHello truncated for binders) without adding it. */
  hashWith(extra: Uint8Array): Uint8Array {
    if (!this.state) throw new Error('transcript hash not chosen yet');
    return this.state.clone().update(extra).peek();
  }

  /**
   * An independent copy of the transcript so far. Post-handshake
   * authentication (§4.4, §4.6.2) hashes ClientHello..client Finished, then
   * each request's own CertificateRequest, Certificate, …: every request
   * starts from a fork of the handshake's transcript.
   */
  fork(): Transcript {
    if (!this.state || !this.alg) throw new Error('transcript hash not chosen yet');
    const t = new Transcript(this.provider);
    t.alg = this.alg;
    t.state = this.state.clone();
    return t;
  }

  /**
   * RFC 8446 §4.4.1: on HelloRetryRequest, ClientHello1 is replaced by
   * message_hash(00 00 Hash.length Hash(ClientHello1)). Call after setHash,
   * when the transcript holds exactly ClientHello1, before adding the HRR.
   */
  replaceWithMessageHash(): void {
    if (!this.alg) throw new Error('transcript hash not chosen yet');
    const h = this.hash();
    const msg = new Uint8Array(4 + h.length);
    msg[0] = MESSAGE_HASH;
    msg[3] = h.length;
    msg.set(h, 4);
    this.state = this.provider.hash(this.alg).create();
    this.state.update(msg);
  }
}
