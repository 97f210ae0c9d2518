/**
 * A peer that sends but never reads: what we send back on our own (here,
 * KeyUpdate answers to its update_requested, RFC 8446 §4.6.3) must not pile
 * up without bound in the transport's write buffer. Past 1 MiB unsent, the
 * Node adapter stops reading from that peer until the buffer drains.
 *
 * The transport is an in-memory Duplex: once the attacker "stops reading",
 * its write callbacks are held, so nothing leaves the buffer (no kernel
 * buffers in between to make the numbers fuzzy).
 */
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection/connection.js';
import { secureStream } from '../../src/io/node.js';
import { useWatchedPki } from './hostile.js';

const env = useWatchedPki();

const MiB = 1 << 20;
const tick = () => new Promise((r) => setImmediate(r));

describe('a peer that never reads', () => {
  it('while over 1 MiB waits unsent, the server reads nothing more from that peer; it resumes when the peer reads again', async () => {
    let attackerReads = true;
    const filler = Buffer.alloc(MiB + 1024, 0x55);
    const held: (() => void)[] = [];
    let attacker!: Connection;
    const raw = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const deliver = () => { if (chunk !== filler) attacker.receive(new Uint8Array(chunk)); };
        if (!attackerReads) { held.push(() => { deliver(); cb(); }); return; }
        deliver();
        cb();
      },
    });
    const server = secureStream(raw, { isServer: true, cert: env.pki.server['ecdsa-p256'].cert, key: env.pki.server['ecdsa-p256'].key, provider: 'node' });
    let appBytes = 0;
    server.on('data', (d: Buffer) => { appBytes += d.length; }); // the application reads everything
    const errors: Error[] = [];
    server.on('error', (e) => errors.push(e));

    let connected = false;
    let attackerGot = 0;
    attacker = Connection.client({ servername: 'localhost', ca: [env.pki.ca.cert] }, {
      onTransmit: (b) => { raw.push(Buffer.from(b)); },
      onHandshakeDone: () => { connected = true; },
      onData: (d) => { attackerGot += d.length; },
    });
    attacker.start();
    for (let i = 0; i < 200 && !(connected && server.info); i++) await tick();
    expect(server.info).toBeDefined();

    // The peer stops reading. Our unsent output would take ~40 000 KeyUpdate answers
    // to reach 1 MiB (application writes never put more than 256 KiB at a time into the
    // transport): stand in for them with 1 MiB written straight to the transport (and
    // dropped, not delivered, when the peer reads again).
    attackerReads = false;
    raw.write(filler);
    expect(raw.writableLength).toBeGreaterThan(MiB);

    // What the peer sends next — KeyUpdates asking for answers, and data — is not read past the first chunk.
    // (At most 32 KeyUpdates in all: the attacker's own flood guard would refuse more answers in a row.)
    const send = async (n: number, kus: number) => {
      for (let r = 0; r < n; r++) {
        for (let k = 0; k < kus; k++) attacker.keyUpdate(true);
        await attacker.write(Uint8Array.of(0x41));
        await tick();
      }
    };
    await send(1, 10);
    const unsent = raw.writableLength;
    const app = appBytes;
    await send(20, 1);
    expect(raw.isPaused()).toBe(true);
    expect(raw.readableLength).toBeGreaterThan(0); // waiting, unread
    expect(raw.writableLength).toBe(unsent); // no more answers queued
    expect(appBytes).toBe(app);
    expect(app).toBeLessThanOrEqual(1);

    // The peer reads again: everything flows, nothing was lost.
    attackerReads = true;
    while (held.length) held.shift()!();
    for (let i = 0; i < 200 && appBytes < 21; i++) await tick();
    expect(appBytes).toBe(21);
    expect(errors).toEqual([]);
    expect(attackerGot).toBe(0);
    server.destroy();
    attacker.destroy();
  });
});
