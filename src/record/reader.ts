/**
 * The receiving half of the record layer: deframing, record deprotection
 * (RFC 8446 §5.2), the limits of §5.1–5.4, and the middlebox-compatibility
 * ChangeCipherSpec rule (§5, §D.4).
 *
 * Pull model: `push(bytes)` as they arrive, then `read()` until it yields
 * `undefined`. `read()` returns a value directly when the AEAD is
 * synchronous and a Promise when it is not (WebCrypto); never call it again
 * before the previous Promise settled. Records come out strictly in order.
 *
 * Pipelining: with an asynchronous AEAD, records already received are
 * decrypted speculatively (up to `maxInFlight` at once) with the current key
 * and their sequence numbers. If the consumer changes the key
 * (`setProtection`) after a record — e.g. a KeyUpdate or Finished — every
 * speculative result for later records is discarded and those records are
 * opened again with the new key. A failed record stops everything: nothing
 * after it is ever released, and every later `read()` throws the same
 * bad_record_mac error.
 */
import { TlsError } from '../errors.js';
import { isPromise, type MaybePromise } from '../util/bytes.js';
import {
  ContentType,
  contentTypeName,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  type ContentTypeValue,
} from './constants.js';
import { RecordDeframer, type RawRecord } from './deframer.js';
import { parseInnerPlaintext, type RecordProtection } from './protection.js';

/** A record as delivered to the layer above. */
export interface InboundRecord {
  /** The content type: the inner type of a protected record. */
  readonly type: ContentTypeValue;
  /** The content (padding removed). A view: copy it if kept beyond the next push. */
  readonly data: Uint8Array;
  /** True when the record was decrypted. */
  readonly protected: boolean;
  /** legacy_record_version as received (informational; RFC 8446 §5.1 says ignore it). */
  readonly version: number;
  /** Length of the record's fragment on the wire (ciphertext length when protected). */
  readonly wireLength: number;
}

export interface RecordReaderOptions {
  /** Maximum AEAD operations in flight with an async provider. Default 64. */
  maxInFlight?: number;
  /** Called for each change_cipher_spec record dropped under RFC 8446 §5 (tracing). */
  onChangeCipherSpec?: () => void;
}

/**
 * Consecutive change_cipher_spec records dropped before we give up
 * (unexpected_message). Go's crypto/tls stops after 16 useless records
 * (maxUselessRecords); a peer has no reason to send more than one.
 */
const MAX_CONSECUTIVE_CCS = 16;

type Item =
  | { rec: RawRecord; epoch: number; result: MaybePromise<Uint8Array | null> | undefined }
  | { error: TlsError };

export class RecordReader {
  private readonly deframer = new RecordDeframer();
  private queue: Item[] = [];
  private head = 0;
  /** Queue index of the first record not yet (speculatively) opened under the current key. */
  private nextToOpen = 0;
  private protection: RecordProtection | undefined;
  private epoch = 0;
  /** Learned from the first open of the current key. */
  private asyncAead = false;
  /** Learned from the first open of the current key: the AEAD returned a value, not a Promise. */
  private syncAead = false;
  /** Nonce buffer reused once the AEAD has proved synchronous (it is done with the nonce when it returns). */
  private nonce: Uint8Array | undefined;
  private failure: TlsError | undefined;
  /** A framing error was queued: later input is ignored. */
  private framingFailed = false;
  private reading = false;
  private consecutiveCcs = 0;
  private readonly maxInFlight: number;
  private readonly onCcs: (() => void) | undefined;
  /**
   * RFC 8449 §4: the record_size_limit we advertised; a protected record
   * whose TLSInnerPlaintext is longer → record_overflow. Applies to records
   * read after it is set.
   */
  maxInnerPlaintext = MAX_INNER_PLAINTEXT_LENGTH;
  /** A record was decrypted (under any key): from then on no plaintext alert is accepted. */
  private decryptedAny = false;
  /** Bytes of early data left to skip (RFC 8446 §4.2.10), or 0. */
  private skipBudget = 0;

  /**
   * RFC 8446 §5: an unprotected change_cipher_spec record consisting of the
   * single byte 0x01 is dropped when received after the first ClientHello
   * and before the peer's Finished. The connection opens and closes this
   * window; outside it, any CCS is unexpected_message.
   */
  allowChangeCipherSpec = false;

  constructor(options?: RecordReaderOptions) {
    this.maxInFlight = Math.max(1, options?.maxInFlight ?? 64);
    this.onCcs = options?.onChangeCipherSpec;
  }

  /** The current read protection (undefined while records are unprotected). */
  get currentProtection(): RecordProtection | undefined {
    return this.protection;
  }

  /** Records received but not yet read, and bytes of an incomplete record. */
  get pendingRecords(): number {
    return this.queue.length - this.head;
  }

  get bufferedBytes(): number {
    return this.deframer.bufferedBytes;
  }

  /** Fails the reader for good (the error every later call rethrows). */
  private fail(e: unknown): never {
    if (!this.failure) this.failure = TlsError.from(e);
    throw this.failure;
  }

  /**
   * Feed received bytes. A framing error does not throw here: it is queued
   * after the records that preceded it and thrown by `read()` in order.
   * The chunk is referenced, not copied: do not modify it afterwards.
   * After a framing error nothing more is queued: the stream cannot be
   * deframed past it, and one queued error per later chunk would grow the
   * queue until the backlog limit replaced the error's own alert with
   * internal_error (found by npm run fuzz: an oversized record header, then
   * the rest delivered one byte at a time).
   */
  push(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.framingFailed) return;
    try {
      this.deframer.push(chunk, (rec) => {
        this.queue.push({ rec, epoch: -1, result: undefined });
      });
    } catch (e) {
      this.framingFailed = true;
      this.queue.push({ error: TlsError.from(e) });
    }
    this.speculate();
  }

  /**
   * Switch the read key (undefined: back to unprotected, only for tests).
   * RFC 8446 §5.1: the sequence number restarts at 0 with each key; records
   * that were opened ahead of time with the old key are opened again.
   */
  setProtection(protection: RecordProtection | undefined): void {
    if (this.reading) throw new TlsError('internal_error', 'record: key change while a read is pending');
    const old = this.protection;
    if (old && old !== protection) this.retire(old);
    this.protection = protection;
    this.epoch++;
    this.asyncAead = false;
    this.syncAead = false;
    this.nextToOpen = this.head;
    this.skipBudget = 0;
    this.speculate();
  }

  /**
   * The connection is done reading: destroy the current protection (once
   * its speculative opens settled). Later reads fail.
   */
  destroy(): void {
    const p = this.protection;
    this.protection = undefined;
    if (!this.failure) this.failure = new TlsError('internal_error', 'record: reader destroyed', { code: 'reader_destroyed' });
    if (p) this.retire(p);
  }

  /**
   * The reader owns the protections it is given: one replaced is destroyed
   * (key and IV wiped, RFC 8446 §7.2) once the opens started with it — the
   * speculative ones of an asynchronous AEAD — have settled.
   */
  private retire(old: RecordProtection): void {
    const inFlight: Promise<unknown>[] = [];
    for (let i = this.head; i < this.nextToOpen && i < this.queue.length; i++) {
      const item = this.queue[i]!;
      if ('rec' in item && item.epoch === this.epoch && isPromise(item.result)) inFlight.push(item.result);
    }
    if (inFlight.length === 0) old.destroy();
    else void Promise.allSettled(inFlight).then(() => old.destroy());
  }

  /**
   * RFC 8446 §4.2.10: a server that rejects 0-RTT skips the client's early
   * data, up to `maxBytes` bytes of records: with no read key (after a
   * HelloRetryRequest) it skips application_data records; with the
   * handshake key it drops records that fail to decrypt. Skipping ends at
   * the first record that is not early data. Over budget → unexpected_message.
   * Call it after `setProtection` (a key change ends skipping).
   */
  skipEarlyData(maxBytes: number): void {
    this.skipBudget = Math.max(0, maxBytes) + 1; // +1: 0 means "not skipping"
    this.nextToOpen = this.head; // no speculation while trial-decrypting
  }

  /**
   * The next record, in order; `undefined` when no complete record is
   * buffered. Throws (or rejects with) TlsError on any violation.
   */
  read(): MaybePromise<InboundRecord | undefined> {
    if (this.failure) throw this.failure;
    if (this.reading) throw new TlsError('internal_error', 'record: read() called while a read is pending');
    try {
      if (this.head > 1024) this.compact();
      for (;;) {
        if (this.head >= this.queue.length) {
          this.compact();
          return undefined;
        }
        const item = this.queue[this.head]!;
        if ('error' in item) this.fail(item.error);
        const rec = item.rec;

        if (rec.type === ContentType.change_cipher_spec) {
          this.head++;
          this.checkChangeCipherSpec(rec);
          continue;
        }
        this.consecutiveCcs = 0;

        if (!this.protection) {
          this.head++;
          if (rec.type === ContentType.application_data && this.skipBudget > 0) {
            this.chargeSkip(rec, false);
            continue;
          }
          this.skipBudget = 0;
          return this.unprotected(rec);
        }

        if (rec.type === ContentType.alert && !this.decryptedAny) {
          // A peer that failed on our first protected flight may send its alert
          // in plaintext (it had not switched keys yet). Until its first
          // protected record arrives, a plaintext alert is read as that alert,
          // as rustls and tlslite-ng do; anything else unprotected is not.
          this.head++;
          return this.unprotected(rec);
        }
        if (rec.type !== ContentType.application_data) {
          // RFC 8446 §5.2: once keys are in use, every record is TLSCiphertext
          // with opaque_type application_data (CCS aside).
          throw new TlsError('unexpected_message', `record: unprotected ${contentTypeName(rec.type)} record while protection is on`);
        }

        if (this.skipBudget > 0) return this.trialOpen(item, rec);

        if (item.epoch !== this.epoch || item.result === undefined) this.open(item);
        this.speculate();
        const res = item.result!;
        if (isPromise(res)) {
          this.reading = true;
          return res.then(
            (pt) => {
              this.reading = false;
              try {
                return this.finish(pt);
              } catch (e) {
                return this.fail(e);
              }
            },
            (e: unknown) => {
              this.reading = false;
              return this.fail(e);
            },
          );
        }
        return this.finish(res);
      }
    } catch (e) {
      return this.fail(e);
    }
  }

  private checkChangeCipherSpec(rec: RawRecord): void {
    // RFC 8446 §5: only the unprotected single byte 0x01, only inside the window.
    if (!this.allowChangeCipherSpec) {
      throw new TlsError('unexpected_message', 'record: change_cipher_spec outside the handshake (RFC 8446 §5)', {
        code: 'unexpected_change_cipher_spec',
      });
    }
    if (rec.fragment.length !== 1 || rec.fragment[0] !== 0x01) {
      throw new TlsError('unexpected_message', 'record: change_cipher_spec body is not the single byte 0x01 (RFC 8446 §5)', {
        code: 'bad_change_cipher_spec',
      });
    }
    if (++this.consecutiveCcs > MAX_CONSECUTIVE_CCS) {
      throw new TlsError('unexpected_message', 'record: too many change_cipher_spec records', { code: 'too_many_ccs' });
    }
    this.onCcs?.();
  }

  private unprotected(rec: RawRecord): InboundRecord {
    const len = rec.fragment.length;
    if (len > MAX_PLAINTEXT_LENGTH) {
      throw new TlsError('record_overflow', `record: plaintext of ${len} bytes exceeds 2^14 (RFC 8446 §5.1)`);
    }
    if (rec.type === ContentType.application_data) {
      throw new TlsError('unexpected_message', 'record: application_data before keys are established');
    }
    if (len === 0) {
      // RFC 8446 §5.1: no zero-length fragments of handshake (or alert) types.
      throw new TlsError('unexpected_message', `record: zero-length ${contentTypeName(rec.type)} record (RFC 8446 §5.1)`, {
        code: 'empty_record',
      });
    }
    return { type: rec.type, data: rec.fragment, protected: false, version: rec.version, wireLength: len };
  }

  private open(item: Extract<Item, { rec: RawRecord }>): void {
    const p = this.protection!;
    const nonce = this.syncAead || p.key.copiesInput === true ? p.nextNonce((this.nonce ??= new Uint8Array(new ArrayBuffer(12)))) : p.nextNonce();
    item.epoch = this.epoch;
    const r = p.key.open(nonce, item.rec.header, item.rec.fragment);
    if (!isPromise(r)) {
      this.syncAead = true;
    } else {
      this.asyncAead = true;
      // A speculative result may be discarded: never leave a rejection unhandled.
      r.catch(() => undefined);
    }
    item.result = r;
    // `item` is queue[head]; opened ones form a contiguous run from head.
    this.nextToOpen = this.head + 1;
  }

  /** Start decrypting queued records ahead of `read()` when the AEAD is async. */
  private speculate(): void {
    if (!this.protection || !this.asyncAead || this.skipBudget > 0 || this.failure) return;
    if (this.nextToOpen < this.head) this.nextToOpen = this.head;
    const limit = Math.min(this.queue.length, this.head + this.maxInFlight);
    while (this.nextToOpen < limit) {
      const item = this.queue[this.nextToOpen]!;
      if ('error' in item) return;
      if (item.rec.type === ContentType.application_data && item.epoch !== this.epoch) {
        const p = this.protection;
        let nonce: Uint8Array;
        try {
          // A provider that copies its input (WebCrypto) is done with the nonce when
          // open() returns: one buffer serves every record (a fresh small array per
          // record must first be moved off the V8 heap by WebCrypto).
          nonce = p.key.copiesInput === true ? p.nextNonce((this.nonce ??= new Uint8Array(new ArrayBuffer(12)))) : p.nextNonce();
        } catch {
          return; // exhaustion surfaces in read()
        }
        item.epoch = this.epoch;
        const r = p.key.open(nonce, item.rec.header, item.rec.fragment);
        if (isPromise(r)) r.catch(() => undefined);
        item.result = r;
      }
      this.nextToOpen++;
    }
  }

  private finish(pt: Uint8Array | null): InboundRecord {
    const rec = (this.queue[this.head] as { rec: RawRecord }).rec;
    if (pt === null) {
      throw new TlsError('bad_record_mac', 'record: authentication failed (RFC 8446 §5.2)');
    }
    this.decryptedAny = true;
    if (pt.length > this.maxInnerPlaintext) {
      throw new TlsError('record_overflow', `record: inner plaintext of ${pt.length} bytes exceeds our record_size_limit ${this.maxInnerPlaintext} (RFC 8449 §4)`);
    }
    const { type, content } = parseInnerPlaintext(pt);
    if (content.length === 0 && type !== ContentType.application_data) {
      // RFC 8446 §5.1/§5.4: zero-length handshake/alert content is not allowed.
      throw new TlsError('unexpected_message', `record: zero-length protected ${contentTypeName(type)} record (RFC 8446 §5.4)`, {
        code: 'empty_record',
      });
    }
    this.head++;
    return { type, data: content, protected: true, version: rec.version, wireLength: rec.fragment.length };
  }

  /**
   * Over the budget: a record that failed deprotection is no longer
   * discarded (§4.2.10 skips "up to the configured max_early_data_size"), so
   * it is what it is, a record that does not authenticate → bad_record_mac
   * (§5.2); unprotected application_data past the budget (after a
   * HelloRetryRequest) → unexpected_message.
   */
  private chargeSkip(rec: RawRecord, failedDeprotection: boolean): void {
    this.skipBudget -= rec.fragment.length;
    if (this.skipBudget <= 0) {
      throw new TlsError(failedDeprotection ? 'bad_record_mac' : 'unexpected_message', 'record: skipped early data exceeds max_early_data_size (RFC 8446 §4.2.10)', {
        code: 'too_much_early_data',
      });
    }
  }

  /** Trial decryption while skipping rejected 0-RTT data: failures are dropped, not fatal. */
  private trialOpen(item: Extract<Item, { rec: RawRecord }>, rec: RawRecord): MaybePromise<InboundRecord | undefined> {
    const p = this.protection!;
    const r = p.key.open(p.currentNonce(), rec.header, rec.fragment);
    const done = (pt: Uint8Array | null): MaybePromise<InboundRecord | undefined> => {
      if (pt === null) {
        this.head++;
        this.chargeSkip(rec, true);
        return this.read();
      }
      this.skipBudget = 0;
      p.advance();
      item.epoch = this.epoch;
      this.nextToOpen = this.head + 1;
      return this.finish(pt);
    };
    if (isPromise(r)) {
      this.reading = true;
      return r.then(
        (pt) => {
          this.reading = false;
          try {
            return done(pt);
          } catch (e) {
            return this.fail(e);
          }
        },
        (e: unknown) => {
          this.reading = false;
          return this.fail(e);
        },
      );
    }
    return done(r);
  }

  private compact(): void {
    if (this.head > 0) {
      this.queue = this.queue.slice(this.head);
      this.nextToOpen = Math.max(0, this.nextToOpen - this.head);
      this.head = 0;
    }
  }
}
