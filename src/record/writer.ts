/**
 * The sending half of the record layer: fragmentation into records of at
 * most 2^14 bytes (RFC 8446 §5.1), TLSInnerPlaintext with the real content
 * type and optional zero padding (§5.4), AEAD protection with the
 * per-record nonce (§5.2–5.3).
 *
 * Records are handed to `emit` strictly in the order of the `write` calls,
 * as a list of chunks `[header, body, header, body, …]` (no copy of the
 * ciphertext to glue the 5-byte header on; use `concatBytes` or writev);
 * a provider with `AeadKey.sealChunks` yields a body as several chunks
 * (ciphertext, tag).
 *
 * Synchronous AEADs (pure, node:crypto): `write` seals and emits before it
 * returns and returns `undefined`. Asynchronous AEADs (WebCrypto): up to
 * `maxInFlight` records are sealed concurrently; `write` returns a Promise
 * that settles once its records were emitted. Sequence numbers and keys are
 * bound when `write` is called, so `setProtection` right after a `write`
 * (KeyUpdate) is safe. A failed seal fails the writer: nothing after it is
 * emitted.
 */
import { TlsError } from '../errors.js';
import { isPromise, type MaybePromise } from '../util/bytes.js';
import {
  ContentType,
  contentTypeName,
  LEGACY_RECORD_VERSION,
  MAX_INNER_PLAINTEXT_LENGTH,
  MAX_PLAINTEXT_LENGTH,
  RECORD_HEADER_LENGTH,
  type ContentTypeValue,
} from './constants.js';
import { recordHeader, type RecordProtection } from './protection.js';

export interface RecordWriterOptions {
  /** Receives sealed records in order: `[header, body, header, body, …]` (a body may span several chunks: ciphertext, tag). */
  emit: (chunks: Uint8Array[]) => void;
  /** AEAD operations in flight with an async provider. Default 64. */
  maxInFlight?: number;
  /** Largest fragment per record (≤ 2^14, e.g. from record_size_limit). Default 2^14. */
  maxFragmentLength?: number;
  /** Zero bytes of padding to add to a protected record (RFC 8446 §5.4). Default none. */
  padding?: (type: ContentTypeValue, contentLength: number) => number;
}

const CCS_BODY = new Uint8Array([1]);

const enum AeadKind {
  Unknown,
  /** Synchronous with sealChunks (node:crypto): the no-allocation fast path. */
  SyncChunks,
  /** Asynchronous, copies its input before returning (WebCrypto): one reused input and nonce buffer. */
  AsyncCopying,
  /** Anything else: the general path. */
  Other,
}
/** Records per header/nonce slab of async seals. */
const SLAB_RECORDS = 64;

interface Entry {
  header: Uint8Array;
  /** The record body: one array, or the chunks of AeadKey.sealChunks. */
  body: Uint8Array | Uint8Array[] | undefined;
  error?: unknown;
}

export class RecordWriter {
  private protection: RecordProtection | undefined;
  private readonly emitFn: (chunks: Uint8Array[]) => void;
  private readonly maxInFlight: number;
  private maxFragment: number;
  /** RFC 8449: the peer's record_size_limit, the largest TLSInnerPlaintext of a protected record. */
  private innerLimit = MAX_INNER_PLAINTEXT_LENGTH;
  private readonly padding: ((type: ContentTypeValue, n: number) => number) | undefined;
  /** Records sealed but not yet emitted, in order. */
  private pending: Entry[] = [];
  private pendingHead = 0;
  private queued = 0;
  private emitted = 0;
  private waiters: { target: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private failure: TlsError | undefined;
  /** Set by destroy(): nothing more may be written. */
  private destroyed = false;
  /** A write suspended for lack of in-flight slots; later writes queue behind it. */
  private tail: Promise<void> | undefined;
  /** Protections whose AEAD has proved synchronous: their input buffer can be reused. */
  private syncAead = new WeakSet<RecordProtection>();
  /** Protections whose AEAD has proved asynchronous and declares copiesInput (WebCrypto). */
  private copyingAsyncAead = new WeakSet<RecordProtection>();
  /** The protection last looked up in the sets above and what it is (one lookup per write, not per record). */
  private kindOf: RecordProtection | undefined;
  private kind: AeadKind = AeadKind.Unknown;
  private scratch: Uint8Array | undefined;
  /** Nonce buffer reused by synchronous seals. */
  private nonce: Uint8Array | undefined;
  /** Full-size input buffers for async seals, reused once their seal completed (bulk writes only). */
  private pool: Uint8Array[] = [];
  /**
   * Headers of protected records and nonces of async seals are cut from
   * slabs of SLAB_RECORDS (one allocation per 64 records instead of one or
   * two per record; a view of an ArrayBuffer-backed slab costs WebCrypto,
   * node:crypto's setAAD and the transport nothing to read, where a fresh
   * small Uint8Array must first be moved off the V8 heap). Never reused:
   * a header is emitted, a nonce may be read until its seal settles.
   */
  private headerSlab: Uint8Array | undefined;
  private headerOffset = 0;
  private nonceSlab: Uint8Array | undefined;
  private nonceOffset = 0;

  /**
   * legacy_record_version of unprotected records: 0x0303, or 0x0301 for an
   * initial ClientHello (RFC 8446 §5.1). Protected records always use 0x0303.
   */
  recordVersion = LEGACY_RECORD_VERSION;

  constructor(options: RecordWriterOptions) {
    this.emitFn = options.emit;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 64);
    const mf = options.maxFragmentLength ?? MAX_PLAINTEXT_LENGTH;
    if (!(mf >= 1 && mf <= MAX_PLAINTEXT_LENGTH)) throw new RangeError('maxFragmentLength must be in 1..2^14');
    this.maxFragment = mf;
    this.padding = options.padding;
  }

  /**
   * Largest fragment of the records written from now on (Node's
   * setMaxSendFragment). The peer's record_size_limit still applies on top.
   */
  setMaxFragmentLength(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > MAX_PLAINTEXT_LENGTH) throw new RangeError('maxFragmentLength must be an integer in 1..2^14');
    this.maxFragment = n;
  }

  get currentProtection(): RecordProtection | undefined {
    return this.protection;
  }

  /** Records sealed with the current key (for KeyUpdate before the RFC 8446 §5.5 limit). */
  get recordsSealed(): number {
    return this.protection?.recordCount ?? 0;
  }

  /**
   * RFC 8449 §4: protected records sealed from now on hold at most `limit`
   * bytes of TLSInnerPlaintext (content, type byte and padding); plaintext
   * records are not subject to it.
   */
  setRecordSizeLimit(limit: number): void {
    if (!(Number.isInteger(limit) && limit >= 2 && limit <= MAX_INNER_PLAINTEXT_LENGTH)) throw new RangeError('record size limit out of range');
    this.innerLimit = limit;
  }

  /**
   * Switch the write key (undefined: unprotected records). Applies to later
   * writes. The writer owns the protections it is given: the one replaced is
   * destroyed (key and IV wiped, RFC 8446 §7.2) once the records sealed with
   * it were emitted.
   */
  setProtection(protection: RecordProtection | undefined): void {
    const old = this.protection;
    this.protection = protection;
    if (old && old !== protection) this.retire(old);
  }

  /**
   * The connection is done writing: later writes throw, and the current
   * protection is destroyed once the records already written were emitted.
   */
  destroy(): void {
    this.destroyed = true;
    const p = this.protection;
    this.protection = undefined;
    if (p) this.retire(p);
  }

  /** Destroy `old` once nothing sealed with it waits to be emitted (a failed writer emits nothing more). */
  private retire(old: RecordProtection): void {
    if (this.kindOf === old) this.kindOf = undefined;
    const done = (): void => old.destroy();
    let f: MaybePromise<void>;
    try {
      f = this.flush();
    } catch {
      return done();
    }
    if (isPromise(f)) f.then(done, done);
    else done();
  }

  private fail(e: unknown): never {
    if (!this.failure) {
      this.failure = TlsError.from(e);
      for (const w of this.waiters) w.reject(this.failure);
      this.waiters = [];
    }
    throw this.failure;
  }

  /**
   * Send `data` (one buffer, or several to coalesce — e.g. a flight of
   * handshake messages) as records of type `type`, fragmented as needed.
   * Zero-length data sends one empty record only for protected
   * application_data; zero-length handshake/alert is refused (§5.1).
   */
  write(type: ContentTypeValue, data: Uint8Array | readonly Uint8Array[]): MaybePromise<void> {
    return this.enqueue(type, data, this.protection);
  }

  /**
   * The middlebox-compatibility change_cipher_spec record (RFC 8446 §5,
   * §D.4): always unprotected, the single byte 0x01, even when a write key
   * is already installed; ordered with the other records.
   */
  writeChangeCipherSpec(): MaybePromise<void> {
    return this.enqueue(ContentType.change_cipher_spec, CCS_BODY, undefined);
  }

  private enqueue(
    type: ContentTypeValue,
    data: Uint8Array | readonly Uint8Array[],
    prot: RecordProtection | undefined,
  ): MaybePromise<void> {
    if (this.failure) throw this.failure;
    if (this.destroyed) throw new TlsError('internal_error', 'record: write after the writer was destroyed', { code: 'writer_destroyed' });
    const parts = data instanceof Uint8Array ? [data] : data;
    let total = 0;
    for (const p of parts) total += p.length;
    if (total === 0 && (type !== ContentType.application_data || !prot)) {
      throw new TlsError('internal_error', `record: refusing to send a zero-length ${contentTypeName(type)} record (RFC 8446 §5.1)`);
    }
    if (type === ContentType.application_data && !prot) {
      throw new TlsError('internal_error', 'record: application_data needs a write key');
    }
    const cursor = { parts, index: 0, offset: 0, remaining: total, first: true };
    if (this.tail) return this.chain(type, prot, cursor);
    try {
      return this.run(type, prot, cursor);
    } catch (e) {
      return this.fail(e);
    }
  }

  /**
   * Drop the buffers kept for reuse by bulk writes on an async AEAD (at most
   * `maxInFlight` × 16 KiB) and the scratch buffer of sync or copying AEADs; call when
   * the connection goes idle. They are made again on demand.
   */
  releaseBuffers(): void {
    this.pool = [];
    this.scratch = undefined;
    this.nonce = undefined;
  }

  /** Resolves once every record written so far has been emitted. */
  flush(): MaybePromise<void> {
    if (this.failure) throw this.failure;
    if (this.tail) return this.tail.then(() => this.whenEmitted(this.queued));
    return this.whenEmitted(this.queued);
  }

  private chain(type: ContentTypeValue, prot: RecordProtection | undefined, cursor: Cursor): Promise<void> {
    const t = this.tail!.then(() => {
      if (this.failure) throw this.failure;
      return this.run(type, prot, cursor);
    });
    this.setTail(t);
    return t;
  }

  private setTail(t: Promise<void>): void {
    this.tail = t;
    t.then(
      () => {
        if (this.tail === t) this.tail = undefined;
      },
      () => undefined,
    );
  }

  /** Seal fragments until done or out of in-flight slots. */
  private run(type: ContentTypeValue, prot: RecordProtection | undefined, c: Cursor): MaybePromise<void> {
    let batch: Uint8Array[] | undefined;
    const kind = prot ? this.kindFor(prot) : AeadKind.Other;
    while (c.remaining > 0 || c.first) {
      c.first = false;
      if (this.queued - this.emitted >= this.maxInFlight && this.pendingHead < this.pending.length) {
        if (batch) this.emitFn(batch);
        const t = Promise.resolve(this.whenEmitted(this.queued - this.maxInFlight + 1)).then(() => {
          if (this.failure) throw this.failure;
          return this.run(type, prot, c);
        });
        this.setTail(t);
        return t;
      }
      const n = Math.min(prot ? Math.min(this.maxFragment, this.innerLimit - 1) : this.maxFragment, c.remaining);
      if (kind === AeadKind.AsyncCopying) {
        // Fast path (async AEAD that copies its input: WebCrypto): the bookkeeping of
        // the general path below without its intermediate objects.
        if (batch) {
          this.emitFn(batch);
          batch = undefined;
        }
        this.sealCopying(type, prot as RecordProtection, c, n);
        this.queued++;
        continue;
      }
      if (kind === AeadKind.SyncChunks && this.pendingHead === this.pending.length) {
        // Fast path (synchronous AEAD with sealChunks, nothing outstanding):
        // header, ciphertext and tag go straight into the batch.
        this.sealChunksInto(type, prot as RecordProtection, c, n, (batch ??= []));
        this.queued++;
        this.emitted++;
        continue;
      }
      // RFC 8446 §5.1: 0x0303 everywhere except (optionally) the initial ClientHello.
      const version = type === ContentType.handshake ? this.recordVersion : LEGACY_RECORD_VERSION;
      const header = prot ? undefined : recordHeader(type, n, version);
      const res = prot ? this.sealFragment(type, prot, c, n) : { header: header!, body: takeFragment(c, n) };
      this.queued++;
      if (!isPromise(res.body) && this.pendingHead === this.pending.length) {
        // Fast path: nothing outstanding, synchronous result.
        batch ??= [];
        batch.push(res.header);
        if (res.body instanceof Uint8Array) batch.push(res.body);
        else for (const b of res.body) batch.push(b);
        this.emitted++;
        continue;
      }
      if (batch) {
        this.emitFn(batch);
        batch = undefined;
      }
      const entry: Entry = { header: res.header, body: undefined };
      this.pending.push(entry);
      if (isPromise(res.body)) {
        this.settleLater(entry, res.body, res.recycle);
      } else {
        entry.body = res.body;
      }
    }
    if (batch) this.emitFn(batch);
    if (this.pendingHead === this.pending.length) return undefined;
    return this.whenEmitted(this.queued);
  }

  /** What `prot`'s AEAD has proved to be (cached for the last protection asked about). */
  private kindFor(prot: RecordProtection): AeadKind {
    if (this.kindOf !== prot) {
      this.kindOf = prot;
      this.kind = this.syncAead.has(prot)
        ? prot.key.sealChunks
          ? AeadKind.SyncChunks
          : AeadKind.Other
        : this.copyingAsyncAead.has(prot)
          ? AeadKind.AsyncCopying
          : AeadKind.Unknown;
    }
    return this.kind;
  }

  /**
   * Seal one fragment with an async AEAD that copies nonce, AAD and input
   * before returning (`copiesInput`): they come from one reused scratch and
   * nonce buffer; only the header (AAD, then emitted) is fresh, from the slab.
   */
  private sealCopying(type: ContentTypeValue, prot: RecordProtection, c: Cursor, n: number): void {
    const pad = this.padding ? this.padFor(type, n) : 0;
    const innerLen = n + 1 + pad;
    // RFC 8446 §5.2: AAD = opaque_type(23) || legacy_record_version(0x0303) || length.
    const header = this.slabHeader(innerLen + 16);
    const scratch = (this.scratch ??= new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH));
    const inner = innerLen === MAX_INNER_PLAINTEXT_LENGTH ? scratch : scratch.subarray(0, innerLen);
    if (pad) inner.fill(0, n + 1);
    copyFragment(c, n, inner);
    inner[n] = type;
    const body = prot.key.seal(prot.nextNonce((this.nonce ??= new Uint8Array(12))), header, inner);
    const entry: Entry = { header, body: undefined };
    this.pending.push(entry);
    if (!isPromise(body)) {
      entry.body = body;
      this.drain();
      return;
    }
    this.settleLater(entry, body);
  }

  /**
   * Fill `entry` when its seal settles and emit what is ready; `recycle`
   * (a full-size input buffer) goes back to the pool once the seal is done.
   */
  private settleLater(entry: Entry, body: Promise<Uint8Array>, recycle?: Uint8Array): void {
    body.then(
      (b) => {
        if (recycle && this.pool.length < this.maxInFlight) this.pool.push(recycle);
        entry.body = b;
        this.drain();
      },
      (e: unknown) => {
        // Fail in order: records sealed before this one still go out.
        entry.error = e ?? new Error('seal failed');
        this.drain();
      },
    );
  }

  /** Zero padding for a record with `n` bytes of content (RFC 8446 §5.4), within the inner plaintext limit (and the peer's, RFC 8449). */
  private padFor(type: ContentTypeValue, n: number): number {
    const pad = this.padding ? Math.max(0, Math.floor(this.padding(type, n))) : 0;
    return n + 1 + pad > this.innerLimit ? this.innerLimit - n - 1 : pad;
  }

  /** Seal one fragment with a synchronous AEAD's sealChunks, appending header and body chunks to `batch`. */
  private sealChunksInto(type: ContentTypeValue, prot: RecordProtection, c: Cursor, n: number, batch: Uint8Array[]): void {
    const pad = this.padFor(type, n);
    const innerLen = n + 1 + pad;
    // RFC 8446 §5.2: AAD = opaque_type(23) || legacy_record_version(0x0303) || length.
    const header = this.slabHeader(innerLen + 16);
    // Reusable: a synchronous seal has finished with its input and nonce when it returns.
    const scratch = (this.scratch ??= new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH));
    const inner = innerLen === scratch.length ? scratch : scratch.subarray(0, innerLen);
    if (pad) inner.fill(0, n + 1);
    copyFragment(c, n, inner);
    inner[n] = type;
    const nonce = prot.nextNonce((this.nonce ??= new Uint8Array(12)));
    batch.push(header);
    prot.key.sealChunks!(nonce, header, inner, batch);
  }

  private sealFragment(
    type: ContentTypeValue,
    prot: RecordProtection,
    c: Cursor,
    n: number,
  ): { header: Uint8Array; body: MaybePromise<Uint8Array> | Uint8Array[]; recycle?: Uint8Array } {
    const pad = this.padFor(type, n);
    const innerLen = n + 1 + pad;
    const sync = this.syncAead.has(prot);
    // Safe to reuse input and nonce buffers: a synchronous seal has finished with
    // them when it returns, and a copying one (WebCrypto) has taken its own copy.
    const reuse = sync || prot.key.copiesInput === true;
    // RFC 8446 §5.2: AAD = opaque_type(23) || legacy_record_version(0x0303) || length.
    const header = this.slabHeader(innerLen + 16);
    let inner: Uint8Array;
    if (reuse) {
      const scratch = (this.scratch ??= new Uint8Array(MAX_INNER_PLAINTEXT_LENGTH));
      inner = innerLen === scratch.length ? scratch : scratch.subarray(0, innerLen);
      if (pad) inner.fill(0, n + 1);
    } else if (n === MAX_PLAINTEXT_LENGTH && this.pool.length > 0) {
      // Full-size fragment on an async AEAD: reuse a buffer whose seal has completed.
      inner = this.pool.pop()!.subarray(0, innerLen);
      if (pad) inner.fill(0, n + 1);
    } else {
      inner = new Uint8Array(n === MAX_PLAINTEXT_LENGTH ? MAX_INNER_PLAINTEXT_LENGTH : innerLen).subarray(0, innerLen);
    }
    copyFragment(c, n, inner);
    inner[n] = type;
    const nonce = prot.nextNonce(reuse ? (this.nonce ??= new Uint8Array(12)) : this.slabNonce());
    if (sync && prot.key.sealChunks) {
      // Ciphertext and tag as the provider made them: no allocation to join them.
      return { header, body: prot.key.sealChunks(nonce, header, inner) };
    }
    const body = prot.key.seal(nonce, header, inner);
    if (!sync) {
      if (!isPromise(body)) this.syncAead.add(prot);
      else if (prot.key.copiesInput === true) this.copyingAsyncAead.add(prot);
      this.kindOf = undefined;
    }
    if (isPromise(body) && !reuse && n === MAX_PLAINTEXT_LENGTH) {
      // Once the seal has completed the provider is done with its input: `run` returns it to the pool.
      return { header, body, recycle: new Uint8Array(inner.buffer, inner.byteOffset, MAX_INNER_PLAINTEXT_LENGTH) };
    }
    return { header, body };
  }

  /** A fresh protected-record header (type 23, version 0x0303, `length`) cut from the header slab. */
  private slabHeader(length: number): Uint8Array {
    let slab = this.headerSlab;
    if (!slab || this.headerOffset === slab.length) {
      slab = this.headerSlab = new Uint8Array(new ArrayBuffer(RECORD_HEADER_LENGTH * SLAB_RECORDS));
      this.headerOffset = 0;
    }
    const o = this.headerOffset;
    this.headerOffset = o + RECORD_HEADER_LENGTH;
    slab[o] = ContentType.application_data;
    slab[o + 1] = LEGACY_RECORD_VERSION >>> 8;
    slab[o + 2] = LEGACY_RECORD_VERSION & 0xff;
    slab[o + 3] = length >>> 8;
    slab[o + 4] = length & 0xff;
    return new Uint8Array(slab.buffer, o, RECORD_HEADER_LENGTH);
  }

  /** 12 fresh bytes for a nonce, cut from the nonce slab. */
  private slabNonce(): Uint8Array {
    let slab = this.nonceSlab;
    if (!slab || this.nonceOffset === slab.length) {
      slab = this.nonceSlab = new Uint8Array(new ArrayBuffer(12 * SLAB_RECORDS));
      this.nonceOffset = 0;
    }
    const o = this.nonceOffset;
    this.nonceOffset = o + 12;
    return slab.subarray(o, o + 12);
  }

  /** Emit the resolved prefix of the pending queue. */
  private drain(): void {
    if (this.failure) return;
    let batch: Uint8Array[] | undefined;
    let error: unknown;
    while (this.pendingHead < this.pending.length) {
      const e = this.pending[this.pendingHead]!;
      if (e.error !== undefined) {
        error = e.error;
        break;
      }
      if (e.body === undefined) break;
      batch ??= [];
      batch.push(e.header);
      if (e.body instanceof Uint8Array) batch.push(e.body);
      else for (const b of e.body) batch.push(b);
      this.pendingHead++;
      this.emitted++;
    }
    if (this.pendingHead === this.pending.length) {
      this.pending = [];
      this.pendingHead = 0;
    }
    try {
      if (batch) this.emitFn(batch);
      if (error !== undefined) this.fail(error);
    } catch (e) {
      try {
        this.fail(e);
      } catch {
        /* recorded */
      }
      return;
    }
    if (!batch) return;
    if (this.waiters.length && this.anyWaiterReady()) {
      const ready = this.waiters.filter((w) => w.target <= this.emitted);
      this.waiters = this.waiters.filter((w) => w.target > this.emitted);
      for (const w of ready) w.resolve();
    }
  }

  /** Whether a waiter can be resolved (no allocation: drain runs once per sealed record). */
  private anyWaiterReady(): boolean {
    for (const w of this.waiters) if (w.target <= this.emitted) return true;
    return false;
  }

  private whenEmitted(target: number): MaybePromise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.emitted >= target) return undefined;
    return new Promise<void>((resolve, reject) => this.waiters.push({ target, resolve, reject }));
  }
}

interface Cursor {
  parts: readonly Uint8Array[];
  index: number;
  offset: number;
  remaining: number;
  first: boolean;
}

/** Next `n` bytes as a view when they lie in one part, else a copy. */
function takeFragment(c: Cursor, n: number): Uint8Array {
  const p = c.parts[c.index];
  if (p && p.length - c.offset >= n) {
    const v = p.subarray(c.offset, c.offset + n);
    advance(c, n);
    return v;
  }
  const out = new Uint8Array(n);
  copyFragment(c, n, out);
  return out;
}

function copyFragment(c: Cursor, n: number, out: Uint8Array): void {
  let w = 0;
  while (w < n) {
    const p = c.parts[c.index]!;
    const take = Math.min(n - w, p.length - c.offset);
    // A view made with the constructor: about half the cost of subarray().
    out.set(take === p.length ? p : new Uint8Array(p.buffer, p.byteOffset + c.offset, take), w);
    w += take;
    advance(c, take);
  }
}

function advance(c: Cursor, n: number): void {
  c.offset += n;
  c.remaining -= n;
  while (c.index < c.parts.length && c.offset >= c.parts[c.index]!.length) {
    c.offset = 0;
    c.index++;
  }
}
