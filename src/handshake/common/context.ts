/**
 * State shared by the states of one handshake (either role): the resolved
 * config, the transcript, the I/O hooks, tracing and key logging.
 */
import { TlsError } from '../../errors.js';
import { toHex } from '../../util/bytes.js';
import type { CipherSuite } from '../../crypto/cipher-suites.js';
import type { ResolvedCommon } from '../config.js';
import type { LabeledSecret } from '../key-schedule.js';
import { describe, encodeHandshake, type HandshakeMessage } from '../messages/index.js';
import { Transcript } from '../transcript.js';
import type { HandshakeIo } from './io.js';
import type { PublicKey } from '../../crypto/provider.js';
import type { PeerCertificateResult } from './peer-certificate.js';

export class HandshakeContext<C extends ResolvedCommon = ResolvedCommon> {
  readonly transcript: Transcript;
  clientRandom: Uint8Array = new Uint8Array(0);
  suite: CipherSuite | undefined;
  /** The peer's chain as sent (leaf first), its key, and how its check went. */
  peerChain: readonly Uint8Array[] = [];
  peerKey: PublicKey | undefined;
  peerVerified = false;
  peerVerifyError: string | undefined;
  peerVerifyCode: string | undefined;

  constructor(
    readonly config: C,
    readonly io: HandshakeIo,
  ) {
    this.transcript = new Transcript(config.provider);
  }

  /** Encode, add to the transcript, trace and send a handshake message. */
  send(m: HandshakeMessage): Uint8Array {
    const raw = encodeHandshake(m);
    this.transcript.add(raw);
    this.trace('sent', m, raw);
    this.io.sendHandshake(raw);
    return raw;
  }

  /** Record a received message: trace it (the caller adds it to the transcript at the right time). */
  trace(direction: 'sent' | 'received', m: HandshakeMessage, raw?: Uint8Array): void {
    const cb = this.config.onHandshakeMessage;
    // The message as on the wire; a received one is re-encoded (tracing only: decoding is strict, so this round-trips).
    if (cb) cb(direction, m.type, describe(m), raw ?? encodeHandshake(m));
  }

  keyLog(s: LabeledSecret): void {
    this.config.keyLog?.(`${s.label} ${toHex(this.clientRandom)} ${toHex(s.secret)}`);
  }

  requireSuite(): CipherSuite {
    if (!this.suite) throw new TlsError('internal_error', 'handshake: no cipher suite yet');
    return this.suite;
  }

  /** Record the peer's Certificate once checkPeerChain accepted it (RFC 8446 §4.4.2). */
  acceptPeerChain(chain: readonly Uint8Array[], r: PeerCertificateResult): void {
    this.peerChain = chain;
    this.peerKey = r.publicKey;
    this.peerVerified = r.verified;
    this.peerVerifyError = r.verifyError;
    this.peerVerifyCode = r.verifyCode;
  }
}

/** One state of a handshake state machine (RFC 8446 §A): takes a message, returns the next state. */
export interface HandshakeState {
  readonly name: string;
  /**
   * Inside a run of handshake messages that "MUST appear consecutively on
   * the wire with no intervening messages of other types" (RFC 8446 §4.6.2,
   * a post-handshake authentication answer): application data now is
   * unexpected_message.
   */
  readonly consecutive?: boolean;
  handle(m: HandshakeMessage, raw: Uint8Array): Promise<HandshakeState>;
}

export function unexpected(state: string, m: HandshakeMessage): TlsError {
  return new TlsError('unexpected_message', `${state}: unexpected ${m.type}`);
}
