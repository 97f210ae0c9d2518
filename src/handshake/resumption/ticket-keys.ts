/**
 * Server ticket keys: stateless session tickets (RFC 8446 §4.6.1 leaves the
 * ticket's content to the server; RFC 5077 §4 describes the usual shape).
 *
 *   ticket = key_name[16] || nonce[12] || AEAD(key, nonce, aad = key_name, TicketState)
 *
 * The AEAD is AES-256-GCM (default) or ChaCha20-Poly1305 from the
 * connection's crypto provider. A key is 48 bytes as Node's `ticketKeys`:
 * a 16-byte key name followed by 32 bytes of AEAD key. Keys rotate: after
 * `rotateAfter` seconds a fresh random key seals new tickets, and a replaced
 * key still opens tickets for the grace period: `grace` seconds, or the
 * longest ticket lifetime of a server using these keys if that is longer
 * (`honourLifetime`), so a ticket sealed just before a rotation lives as long
 * as its ticket_lifetime says. Replaced keys are kept until their grace ends,
 * at most MAX_RETIRED_KEYS of them (enough for 7-day tickets with the default
 * 12-hour rotation; a key replaced more often than that by `setTicketKeys`
 * retires the oldest early). `setTicketKeys` installs a key (a cluster
 * shares them). A ticket under any other key name, or that fails to open, is
 * unusable: the server falls back to a full handshake.
 */
import type { AeadAlgorithm, AeadKey, CryptoProvider } from '../../crypto/provider.js';
import { TlsError } from '../../errors.js';
import { secureRandomBytes as defaultRandom } from '../../crypto/random.js';
import { bytesEqual, isPromise, wipe } from '../../util/bytes.js';

export const TICKET_KEYS_LENGTH = 48;
const NAME_LENGTH = 16;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
/** Replaced keys kept at most: 7 days of tickets (RFC 8446 §4.6.1's maximum) over 12-hour rotations need 14. */
export const MAX_RETIRED_KEYS = 16;

export interface TicketKeysOptions {
  /** 48 bytes (key name 16 + AEAD key 32), as Node's `ticketKeys`. Default: random. */
  keys?: Uint8Array;
  /** Seconds a key seals new tickets before a fresh one replaces it. Default 12 h. 0: never rotate. */
  rotateAfter?: number;
  /** Seconds a replaced key still opens tickets (at least the longest ticket lifetime of the servers using these keys). Default 12 h. */
  grace?: number;
  /** AEAD for tickets. Default AES-256-GCM. */
  cipher?: Extract<AeadAlgorithm, 'AES-256-GCM' | 'CHACHA20-POLY1305'>;
}

interface Key {
  readonly bytes: Uint8Array;
  readonly name: Uint8Array;
  /** ms since 1970 when it became current (undefined until first use with a clock). */
  since: number | undefined;
  /** ms since 1970 when it was replaced (Infinity while current). */
  retired: number;
  readonly imported: WeakMap<CryptoProvider, AeadKey>;
  /** The same imported keys, to destroy when the key retires for good (a WeakMap cannot be walked). */
  readonly importedKeys: AeadKey[];
  /** Pruned: wiped, its imported keys destroyed. */
  dead: boolean;
}

function checkKeys(k: Uint8Array): Uint8Array {
  if (!(k instanceof Uint8Array) || k.length !== TICKET_KEYS_LENGTH) {
    throw new TlsError('internal_error', `ticketKeys must be ${TICKET_KEYS_LENGTH} bytes`, { code: 'bad_config' });
  }
  return Uint8Array.from(k); // a copy even for a Node Buffer (whose slice() is a view)
}

export class TicketKeys {
  private current: Key | undefined;
  /** Replaced keys, newest first, each opening tickets until `retired` + the grace period. */
  private retired: Key[] = [];
  private readonly rotateAfterMs: number;
  private graceMs: number;
  readonly cipher: Extract<AeadAlgorithm, 'AES-256-GCM' | 'CHACHA20-POLY1305'>;

  constructor(options: TicketKeysOptions = {}) {
    const rotate = options.rotateAfter ?? 12 * 3600;
    const grace = options.grace ?? 12 * 3600;
    if (!(rotate >= 0) || !(grace >= 0)) throw new TlsError('internal_error', 'ticket keys: rotateAfter and grace must be >= 0 seconds', { code: 'bad_config' });
    this.rotateAfterMs = rotate * 1000;
    this.graceMs = grace * 1000;
    this.cipher = options.cipher ?? 'AES-256-GCM';
    if (this.cipher !== 'AES-256-GCM' && this.cipher !== 'CHACHA20-POLY1305') {
      throw new TlsError('internal_error', `ticket keys: cipher ${String(this.cipher)} is not AES-256-GCM or CHACHA20-POLY1305`, { code: 'bad_config' });
    }
    if (options.keys !== undefined) this.current = TicketKeys.key(checkKeys(options.keys));
  }

  private static key(bytes: Uint8Array): Key {
    return { bytes, name: bytes.subarray(0, NAME_LENGTH), since: undefined, retired: Infinity, imported: new WeakMap(), importedKeys: [], dead: false };
  }

  /**
   * A server issuing tickets of `lifetimeSeconds` uses these keys: replaced
   * keys then open tickets for at least that long (RFC 8446 §4.6.1: the
   * ticket_lifetime is what the server promises to honour at most; keeping
   * the key that long lets it honour it).
   */
  honourLifetime(lifetimeSeconds: number): void {
    this.graceMs = Math.max(this.graceMs, lifetimeSeconds * 1000);
  }

  /** Seconds a replaced key still opens tickets. */
  get graceSeconds(): number {
    return this.graceMs / 1000;
  }

  /** The current 48-byte key (a copy), creating one from `random` if none was set yet. */
  getTicketKeys(random?: (n: number) => Uint8Array): Uint8Array {
    return Uint8Array.from(this.ensure(random ?? defaultRandom, undefined).bytes);
  }

  /** Install `keys` (48 bytes) as the current key; the one it replaces still opens tickets for the grace period. */
  setTicketKeys(keys: Uint8Array, nowMs = Date.now()): void {
    const k = TicketKeys.key(checkKeys(keys));
    k.since = nowMs;
    this.replace(k, nowMs);
  }

  /** Rotate now to a fresh random key. */
  rotate(random: (n: number) => Uint8Array = defaultRandom, nowMs = Date.now()): void {
    const k = TicketKeys.key(random(TICKET_KEYS_LENGTH).slice());
    k.since = nowMs;
    this.replace(k, nowMs);
  }

  private replace(k: Key, nowMs: number): void {
    if (this.current) {
      this.current.retired = nowMs;
      this.retired.unshift(this.current);
    }
    this.current = k;
    this.prune(nowMs);
  }

  /**
   * Forget replaced keys past their grace, and the oldest beyond
   * MAX_RETIRED_KEYS: their bytes are wiped and the AEAD keys imported from
   * them destroyed (the provider's copy, e.g. an expanded AES key schedule),
   * so a retired key cannot open its tickets again (RFC 8446 §4.6.1 ticket
   * lifetimes end; RFC 5077 §4 key rotation).
   */
  private prune(nowMs: number): void {
    const keep = this.retired.filter((r, i) => i < MAX_RETIRED_KEYS && nowMs < r.retired + this.graceMs);
    for (const r of this.retired) {
      if (keep.includes(r)) continue;
      r.dead = true;
      wipe(r.bytes);
      for (const a of r.importedKeys.splice(0)) a.destroy?.();
    }
    this.retired = keep;
  }

  private ensure(random: (n: number) => Uint8Array, nowMs: number | undefined): Key {
    if (!this.current) {
      this.current = TicketKeys.key(random(TICKET_KEYS_LENGTH).slice());
      if (this.current.bytes.length !== TICKET_KEYS_LENGTH) throw new TlsError('internal_error', 'random source returned the wrong length');
    }
    if (nowMs !== undefined) {
      this.current.since ??= nowMs;
      if (this.rotateAfterMs > 0 && nowMs - this.current.since >= this.rotateAfterMs) this.rotate(random, nowMs);
    }
    return this.current;
  }

  private async aeadKey(provider: CryptoProvider, k: Key): Promise<AeadKey | undefined> {
    let a = k.imported.get(provider);
    if (!a) {
      // A copy: a provider may keep or wipe what it is given.
      const r = provider.aead(this.cipher).importKey(k.bytes.slice(NAME_LENGTH));
      a = isPromise(r) ? await r : r;
      if (k.dead) {
        // Pruned while the import was under way (an asynchronous provider): unusable.
        a.destroy?.();
        return undefined;
      }
      k.imported.set(provider, a);
      k.importedKeys.push(a);
    }
    return a;
  }

  /** Seal a ticket state under the current key (rotating first when it is due). */
  async seal(provider: CryptoProvider, random: (n: number) => Uint8Array, nowMs: number, plaintext: Uint8Array): Promise<Uint8Array> {
    const k = this.ensure(random, nowMs);
    const nonce = random(NONCE_LENGTH);
    if (nonce.length !== NONCE_LENGTH) throw new TlsError('internal_error', 'random source returned the wrong length');
    const key = await this.aeadKey(provider, k);
    if (!key) throw new TlsError('internal_error', 'ticket key retired while sealing');
    const sealed = await key.seal(nonce, k.name, plaintext);
    const out = new Uint8Array(NAME_LENGTH + NONCE_LENGTH + sealed.length);
    out.set(k.name, 0);
    out.set(nonce, NAME_LENGTH);
    out.set(sealed, NAME_LENGTH + NONCE_LENGTH);
    return out;
  }

  /** Open a ticket: its plaintext, or undefined (unknown or retired key, too short, failed authentication). */
  async open(provider: CryptoProvider, nowMs: number, ticket: Uint8Array): Promise<Uint8Array | undefined> {
    if (ticket.length < NAME_LENGTH + NONCE_LENGTH + TAG_LENGTH) return undefined;
    // Keys past their grace are destroyed now, not at the next rotation.
    if (this.retired.length > 0) this.prune(nowMs);
    const name = ticket.subarray(0, NAME_LENGTH);
    let k: Key | undefined;
    if (this.current && bytesEqual(this.current.name, name)) k = this.current;
    else k = this.retired.find((r) => bytesEqual(r.name, name) && nowMs < r.retired + this.graceMs);
    if (!k) return undefined;
    const key = await this.aeadKey(provider, k);
    if (!key || k.dead) return undefined; // pruned meanwhile: its tickets are no longer accepted
    const pt = await key.open(ticket.subarray(NAME_LENGTH, NAME_LENGTH + NONCE_LENGTH), name, ticket.subarray(NAME_LENGTH + NONCE_LENGTH));
    return pt ?? undefined;
  }
}
