/**
 * Messages out of records: the record reader plus handshake reassembly and
 * the cross-record rules of RFC 8446 §5.1:
 * - handshake messages MUST NOT be interleaved with other record types
 *   (a partial message followed by an alert/application_data record →
 *   unexpected_message);
 * - handshake messages MUST NOT span a key change: when the read key
 *   changes, any buffered handshake data → unexpected_message;
 * - an alert record holds exactly one alert (2 bytes), RFC 8446 §5.1/§6.
 */
import { TlsError } from '../errors.js';
import { isPromise, type MaybePromise } from '../util/bytes.js';
import { ContentType } from './constants.js';
import { HandshakeReassembler, type HandshakeMessage } from './handshake-reassembler.js';
import { RecordReader, type InboundRecord } from './reader.js';
import type { RecordProtection } from './protection.js';

export type InboundMessage =
  | ({ readonly kind: 'handshake'; readonly protected: boolean } & HandshakeMessage)
  | { readonly kind: 'alert'; readonly level: number; readonly description: number; readonly protected: boolean }
  | { readonly kind: 'application_data'; readonly data: Uint8Array };

export interface MessageReaderOptions {
  /** Largest handshake message accepted. Default 64 KiB. */
  maxHandshakeMessageSize?: number;
  /** AEAD operations in flight with an async provider. Default 64. */
  maxInFlight?: number;
  /** Called for each change_cipher_spec record dropped under RFC 8446 §5 (tracing). */
  onChangeCipherSpec?: () => void;
}

export class MessageReader {
  readonly records: RecordReader;
  private readonly reassembler: HandshakeReassembler;
  private lastHandshakeProtected = false;

  constructor(options?: MessageReaderOptions) {
    this.records = new RecordReader(options);
    this.reassembler = new HandshakeReassembler(options?.maxHandshakeMessageSize);
  }

  /** See RecordReader.allowChangeCipherSpec (RFC 8446 §5 middlebox compatibility). */
  get allowChangeCipherSpec(): boolean {
    return this.records.allowChangeCipherSpec;
  }

  set allowChangeCipherSpec(v: boolean) {
    this.records.allowChangeCipherSpec = v;
  }

  push(chunk: Uint8Array): void {
    this.records.push(chunk);
  }

  /** Handshake bytes received but not yet returned as messages. */
  get bufferedHandshakeBytes(): number {
    return this.reassembler.bufferedBytes;
  }

  /**
   * Change the read key. RFC 8446 §5.1: "Handshake messages MUST NOT span
   * key changes": the message that triggered the change must have ended its
   * record, so nothing may be buffered.
   */
  setProtection(protection: RecordProtection | undefined): void {
    if (!this.reassembler.isEmpty) {
      throw new TlsError('unexpected_message', 'handshake: data after the last message before a key change (RFC 8446 §5.1)', {
        code: 'handshake_spans_key_change',
      });
    }
    this.records.setProtection(protection);
  }

  /** The connection is done reading: see RecordReader.destroy. */
  destroy(): void {
    this.records.destroy();
  }

  /** RFC 8446 §4.2.10: see RecordReader.skipEarlyData. */
  skipEarlyData(maxBytes: number): void {
    this.records.skipEarlyData(maxBytes);
  }

  /** The next message in order, or undefined when more bytes are needed. */
  next(): MaybePromise<InboundMessage | undefined> {
    for (;;) {
      const m = this.reassembler.next();
      if (m) return { kind: 'handshake', protected: this.lastHandshakeProtected, ...m };
      const r = this.records.read();
      if (isPromise(r)) return r.then((rec) => (rec ? this.onRecord(rec) ?? this.next() : undefined));
      if (!r) return undefined;
      const out = this.onRecord(r);
      if (out) return out;
    }
  }

  private onRecord(rec: InboundRecord): InboundMessage | undefined {
    if (rec.type === ContentType.handshake) {
      if (!this.reassembler.isEmpty && rec.protected !== this.lastHandshakeProtected) {
        throw new TlsError('unexpected_message', 'handshake: message spans a key change (RFC 8446 §5.1)');
      }
      this.lastHandshakeProtected = rec.protected;
      this.reassembler.add(rec.data);
      return undefined;
    }
    if (!this.reassembler.isEmpty) {
      // RFC 8446 §5.1: no other record between the fragments of a handshake message.
      throw new TlsError('unexpected_message', 'record: other content interleaved with a fragmented handshake message (RFC 8446 §5.1)', {
        code: 'interleaved_handshake',
      });
    }
    if (rec.type === ContentType.alert) {
      if (rec.data.length !== 2) {
        throw new TlsError('decode_error', `alert: record of ${rec.data.length} bytes; an alert record holds exactly one alert (RFC 8446 §5.1)`);
      }
      return { kind: 'alert', level: rec.data[0]!, description: rec.data[1]!, protected: rec.protected };
    }
    return { kind: 'application_data', data: rec.data };
  }
}
