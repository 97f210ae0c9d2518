/**
 * record_size_limit, RFC 8449, both roles: advertised, honoured by the record
 * writer (protected records sized to the peer's limit, content type and
 * padding counted), enforced on what we receive (record_overflow), malformed
 * values refused with the RFC's alerts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection/connection.js';
import type { ClientConfig, ServerConfig } from '../../src/connection/types.js';
import { decodeRecordSizeLimit, encodeRecordSizeLimit } from '../../src/handshake/extensions/record-size-limit.js';
import { ExtensionType as E } from '../../src/handshake/messages/types.js';
import { RecordReader } from '../../src/record/reader.js';
import { RecordWriter } from '../../src/record/writer.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { protection, readAll } from '../record/helpers.js';
import { makeClient, makeServer, pump, type Endpoint } from '../connection/helpers.js';
import { CT, ClientProbe, ServerProbe, ccsRecord, ext, record } from './probe.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

/** Records (type, fragment length) in what an endpoint sent, after its first `skip` transmissions. */
function wireRecords(ep: Endpoint, skip = 0): { type: number; length: number }[] {
  const out: { type: number; length: number }[] = [];
  for (const chunk of ep.sent.slice(skip)) {
    for (let off = 0; off + 5 <= chunk.length;) {
      const length = (chunk[off + 3]! << 8) | chunk[off + 4]!;
      out.push({ type: chunk[off]!, length });
      off += 5 + length;
    }
  }
  return out;
}

async function pair(client: ClientConfig, server: Omit<ServerConfig, 'certificate'>) {
  const c = makeClient({ servername: 'localhost', ca: [P.caPem], ...client });
  const s = makeServer({ certificate: P.server['ecdsa-p256'], ...server });
  c.conn.start();
  await pump(c, s);
  return { c, s };
}

describe('record_size_limit between puretls endpoints', () => {
  it('each side sizes its protected records to the other\'s limit (ciphertext = inner plaintext + 16), data intact both ways', async () => {
    const { c, s } = await pair({ recordSizeLimit: 256 }, { recordSizeLimit: 100 });
    expect(c.conn.state).toBe('connected');
    // Every protected record the server sent, handshake flight included, holds at most 256 bytes of inner plaintext.
    const sProtected = wireRecords(s).filter((r) => r.type === CT.application_data);
    expect(sProtected.length).toBeGreaterThan(4);
    expect(Math.max(...sProtected.map((r) => r.length))).toBeLessThanOrEqual(256 + 16);
    const cBefore = c.sent.length;
    const sBefore = s.sent.length;
    const big = new Uint8Array(5000).map((_, i) => i & 0xff);
    await c.conn.write(big);
    await s.conn.write(big);
    await pump(c, s);
    const cRecs = wireRecords(c, cBefore);
    const sRecs = wireRecords(s, sBefore);
    expect(Math.max(...cRecs.map((r) => r.length))).toBe(100 + 16);
    expect(cRecs.length).toBe(Math.ceil(5000 / 99));
    expect(Math.max(...sRecs.map((r) => r.length))).toBe(256 + 16);
    const join = (xs: Uint8Array[]) => Uint8Array.from(xs.flatMap((x) => [...x]));
    expect(join(s.data)).toEqual(big);
    expect(join(c.data)).toEqual(big);
  });

  it('defaults: both advertise 2^14 + 1 and records stay full-sized', async () => {
    const { c, s } = await pair({}, {});
    const before = c.sent.length;
    await c.conn.write(new Uint8Array(40000));
    await pump(c, s);
    expect(Math.max(...wireRecords(c, before).map((r) => r.length))).toBe((1 << 14) + 1 + 16);
  });

  it('the writer\'s padding never pushes a record over the peer\'s limit (RFC 8449 §4: padding counts)', async () => {
    const out: Uint8Array[] = [];
    const w = new RecordWriter({ emit: (chunks) => out.push(...chunks), padding: () => 1000 });
    w.setProtection(protection());
    w.setRecordSizeLimit(64);
    await w.write(CT.application_data, new Uint8Array(500));
    const r = new RecordReader();
    r.setProtection(protection());
    r.maxInnerPlaintext = 64;
    r.push(Uint8Array.from(out.flatMap((x) => [...x])));
    const got = await readAll(r);
    expect(got.length).toBe(Math.ceil(500 / 63));
    expect(got.every((x) => x.wireLength === 64 + 16)).toBe(true);
    expect(got.reduce((n, x) => n + x.data.length, 0)).toBe(500);
  });

  it('recordSizeLimit outside 64..16385 is refused when the connection is made', () => {
    for (const v of [63, 0, 16386, 1.5]) {
      expect(() => Connection.client({ servername: 'localhost', recordSizeLimit: v }, { onTransmit: () => undefined })).toThrow(/recordSizeLimit/);
    }
  });
});

describe('record_size_limit from a client (server role)', () => {
  const withRsl = (data: number[]) => (x: ReturnType<typeof ext>[]) => [...x, ext(E.record_size_limit, data)];
  it('the server answers in EncryptedExtensions with its own limit', async () => {
    const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'], recordSizeLimit: 1000 });
    await p.handshake({ editExtensions: withRsl([0x40, 0x00]) });
    const ee = p.messages.find((m) => m.msg.type === 'encrypted_extensions')!.msg as unknown as { extensions: { type: number; data: Uint8Array }[] };
    expect(decodeRecordSizeLimit(ee.extensions.find((e) => e.type === E.record_size_limit)!.data)).toBe(1000);
  });
  it('no record_size_limit from the client: none in EncryptedExtensions, no limit enforced', async () => {
    const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'], recordSizeLimit: 100 });
    await p.handshake();
    const ee = p.messages.find((m) => m.msg.type === 'encrypted_extensions')!.msg as unknown as { extensions: { type: number }[] };
    expect(ee.extensions.some((e) => e.type === E.record_size_limit)).toBe(false);
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array(5000)));
    expect(p.ep.errors).toEqual([]);
  });
  it('a protected record over our advertised limit → record_overflow; at the limit is fine', async () => {
    const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'], recordSizeLimit: 100 });
    await p.handshake({ editExtensions: withRsl([0x40, 0x01]) });
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array(60), 39)); // 60 + 1 + 39 = 100
    expect(p.ep.errors).toEqual([]);
    await p.send(p.protectedRecord(CT.application_data, new Uint8Array(60), 40)); // 101
    expect(p.alerts).toEqual(['record_overflow']);
  });
  it('a client value above 2^14 + 1 is accepted (RFC 8449: a server MUST NOT enforce the cap) and capped', async () => {
    const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'] });
    await p.handshake({ editExtensions: withRsl([0xff, 0xff]) });
    expect(p.ep.conn.state).toBe('connected');
  });
  for (const [name, data, alert] of [
    ['63 (below the minimum of 64)', [0, 63], 'illegal_parameter'],
    ['0', [0, 0], 'illegal_parameter'],
    ['an empty body', [], 'decode_error'],
    ['three bytes', [0x40, 0, 0], 'decode_error'],
  ] as const) {
    it(`record_size_limit of ${name} → ${alert}`, async () => {
      const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'] });
      await p.send(record(CT.handshake, p.helloBytes({ editExtensions: withRsl([...data]) })));
      expect(p.alerts).toEqual([alert]);
    });
  }
});

describe('record_size_limit from a server (client role)', () => {
  const newProbe = (c: ClientConfig = {}) => ClientProbe.create({ servername: 'localhost', ca: [P.caPem], ...c }, P.server['ecdsa-p256']);
  it('the client offers it (16385 by default, or its configured value)', async () => {
    expect(decodeRecordSizeLimit((await newProbe()).hello!.extensions.find((e) => e.type === E.record_size_limit)!.data)).toBe(16385);
    expect(decodeRecordSizeLimit((await newProbe({ recordSizeLimit: 512 })).hello!.extensions.find((e) => e.type === E.record_size_limit)!.data)).toBe(512);
  });
  async function withEe(p: ClientProbe, data: number[]): Promise<void> {
    const sh = p.serverHelloBytes();
    const ee = { type: 'encrypted_extensions' as const, extensions: [ext(E.record_size_limit, data)] };
    await p.send(sh, ccsRecord(), p.hsRecord(ee, { addToTranscript: false }));
  }
  for (const [name, data, alert] of [
    ['63', [0, 63], 'illegal_parameter'],
    ['16386 (above TLS 1.3\'s 2^14 + 1)', [0x40, 0x02], 'illegal_parameter'],
    ['one byte', [0x40], 'decode_error'],
  ] as const) {
    it(`EncryptedExtensions with record_size_limit ${name} → ${alert}`, async () => {
      const p = await newProbe();
      await withEe(p, [...data]);
      expect(p.alerts).toEqual([alert]);
    });
  }
  it('a server limit of 64: the client\'s Finished and data records fit it', async () => {
    const { c, s } = await pair({}, { recordSizeLimit: 64 });
    expect(c.conn.state).toBe('connected');
    const recs = wireRecords(c).filter((r) => r.type === CT.application_data);
    expect(Math.max(...recs.map((r) => r.length))).toBeLessThanOrEqual(64 + 16);
    expect(s.errors).toEqual([]);
  });
  it('encodes as two bytes', () => {
    expect([...encodeRecordSizeLimit(0x4001).data]).toEqual([0x40, 0x01]);
  });
});
