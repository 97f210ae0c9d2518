/** Ticket keys (rotation, grace, Node-style 48-byte import/export), the 0-RTT strike register's bounds, the ticket store's bounds. */
import { describe, it, expect } from 'vitest';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { AntiReplay } from '../../src/handshake/resumption/anti-replay.js';
import type { ClientSession } from '../../src/handshake/resumption/session.js';
import { MAX_RETIRED_KEYS, TicketKeys } from '../../src/handshake/resumption/ticket-keys.js';
import { InMemoryTicketStore, MAX_TICKETS_PER_KEY } from '../../src/handshake/resumption/ticket-store.js';

const rnd = (n: number): Uint8Array => pureProvider.randomBytes(n);
const pt = new Uint8Array([1, 2, 3, 4]);

describe('TicketKeys', () => {
  it('seals and opens; a flipped bit or another key → undefined', async () => {
    for (const cipher of ['AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
      const k = new TicketKeys({ cipher });
      const t = await k.seal(pureProvider, rnd, 0, pt);
      expect(await k.open(pureProvider, 0, t)).toEqual(pt);
      const bad = t.slice();
      bad[30]! ^= 1;
      expect(await k.open(pureProvider, 0, bad)).toBeUndefined();
      expect(await new TicketKeys({ cipher }).open(pureProvider, 0, t)).toBeUndefined();
    }
  });

  it('48-byte keys: exported keys open the tickets in another instance (a cluster); other lengths refused', async () => {
    const a = new TicketKeys();
    const t = await a.seal(pureProvider, rnd, 0, pt);
    const keys = a.getTicketKeys();
    expect(keys).toHaveLength(48);
    const b = new TicketKeys({ keys });
    expect(await b.open(pureProvider, 0, t)).toEqual(pt);
    expect(() => new TicketKeys({ keys: new Uint8Array(32) })).toThrow(/48 bytes/);
    expect(() => b.setTicketKeys(new Uint8Array(47))).toThrow(/48 bytes/);
  });

  it('rotation: the previous key opens tickets for the grace period only', async () => {
    const k = new TicketKeys({ rotateAfter: 10, grace: 5 });
    const t0 = await k.seal(pureProvider, rnd, 0, pt);
    const before = k.getTicketKeys();
    const t1 = await k.seal(pureProvider, rnd, 10_000, pt); // rotates first
    expect(k.getTicketKeys()).not.toEqual(before);
    expect(await k.open(pureProvider, 14_000, t0)).toEqual(pt);
    expect(await k.open(pureProvider, 15_001, t0)).toBeUndefined();
    expect(await k.open(pureProvider, 15_001, t1)).toEqual(pt);
  });

  it('honourLifetime: replaced keys open tickets for the longest lifetime, over many rotations, at most MAX_RETIRED_KEYS of them', async () => {
    const k = new TicketKeys({ rotateAfter: 10, grace: 5 });
    k.honourLifetime(100);
    expect(k.graceSeconds).toBe(100);
    k.honourLifetime(50); // a shorter lifetime never shortens it
    expect(k.graceSeconds).toBe(100);
    const t0 = await k.seal(pureProvider, rnd, 0, pt);
    for (let s = 10; s <= 90; s += 10) await k.seal(pureProvider, rnd, s * 1000, pt); // 9 rotations
    expect(await k.open(pureProvider, 99_000, t0)).toEqual(pt);
    expect(await k.open(pureProvider, 110_001, t0)).toBeUndefined(); // replaced at 10 s, + 100 s
    const m = new TicketKeys({ grace: 3600 });
    const t1 = await m.seal(pureProvider, rnd, 0, pt);
    for (let i = 0; i < MAX_RETIRED_KEYS; i++) m.setTicketKeys(rnd(48), 1);
    expect(await m.open(pureProvider, 2, t1)).toEqual(pt);
    m.setTicketKeys(rnd(48), 1); // one more: the oldest is forgotten
    expect(await m.open(pureProvider, 2, t1)).toBeUndefined();
  });

  it('setTicketKeys keeps the replaced key for the grace period', async () => {
    const k = new TicketKeys({ grace: 1 });
    const t = await k.seal(pureProvider, rnd, 0, pt);
    k.setTicketKeys(rnd(48), 0);
    expect(await k.open(pureProvider, 500, t)).toEqual(pt);
    expect(await k.open(pureProvider, 1001, t)).toBeUndefined();
  });
});

describe('AntiReplay', () => {
  it('a binder is accepted once; entries expire after 2 windows; full → reject', () => {
    const a = new AntiReplay(2, 1000);
    const b1 = new Uint8Array(32).fill(1), b2 = new Uint8Array(32).fill(2), b3 = new Uint8Array(32).fill(3);
    expect(a.firstUse(b1, 0)).toBe(true);
    expect(a.firstUse(b1, 10)).toBe(false);
    expect(a.firstUse(b2, 20)).toBe(true);
    expect(a.firstUse(b3, 30)).toBe(false); // full
    expect(a.size).toBe(2);
    // b1 expired, but b3 was refused unrecorded at 30: until 30 + 2 windows all are refused (recorded now).
    expect(a.firstUse(b3, 2001)).toBe(false);
    expect(a.firstUse(new Uint8Array(32).fill(4), 2031)).toBe(true);
    expect(a.firstUse(b3, 2032)).toBe(false); // recorded at 2001
    expect(a.fresh(5000, 5999)).toBe(true);
    expect(a.fresh(5000, 6001)).toBe(false);
  });
});

describe('InMemoryTicketStore', () => {
  const session = (time: number, lifetime = 100): ClientSession => ({
    ticket: new Uint8Array([time & 0xff]), psk: new Uint8Array(32), suite: 0x1301, time, lifetime, ageAdd: 0, maxEarlyData: 0,
    alpn: undefined, servername: 'a', peerCertificates: [], peerVerified: true,
  });

  it('takes the newest live ticket once; drops expired ones; bounded per key and in keys', () => {
    const s = new InMemoryTicketStore(2);
    for (let i = 0; i < MAX_TICKETS_PER_KEY + 3; i++) s.put('k', session(i));
    expect(s.size).toBe(MAX_TICKETS_PER_KEY);
    expect(s.take('k', 50)!.time).toBe(MAX_TICKETS_PER_KEY + 2);
    expect(s.size).toBe(MAX_TICKETS_PER_KEY - 1);
    expect(s.take('k', 1_000_000)).toBeUndefined(); // all expired: dropped
    expect(s.size).toBe(0);
    s.put('a', session(0));
    s.put('b', session(0));
    s.put('c', session(0));
    expect(s.take('a', 1)).toBeUndefined(); // least recently stored key went first
    expect(s.take('c', 1)).toBeDefined();
  });
});
