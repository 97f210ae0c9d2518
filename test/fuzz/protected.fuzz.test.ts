/**
 * Property tests under valid keys: after a real handshake, a scripted peer
 * (test/conformance/probe.ts) sends random *authenticated* records — any
 * inner content type, random content (including handshake messages of every
 * type with random bodies, alerts of any level/description), any padding —
 * to a puretls server and to a puretls client. AEAD authentication no longer
 * shields the parsers, so this reaches the post-handshake code paths.
 *
 * Invariants: receive() never throws; drained() resolves; at most one alert
 * is sent and nothing after it; every error is a TlsError whose alert is not
 * internal_error (TlsError.from() turns an unexpected exception — a
 * TypeError in a decoder — into internal_error, so internal_error from peer
 * input means a crash path).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pki, type Pki } from '../connection/fixtures.js';
import { CT, ClientProbe, ServerProbe, ccsRecord, sealInner } from '../conformance/probe.js';

let P: Pki;
beforeAll(async () => { P = await pki(); });

const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

type Probe = ServerProbe | ClientProbe;

/** One record the peer sends: an inner plaintext (content, type, padding) or raw junk. */
type Rec =
  | { kind: 'inner'; type: number; content: Uint8Array; pad: number }
  | { kind: 'handshake'; msgType: number; body: Uint8Array; declared: number | undefined; pad: number }
  | { kind: 'alert'; level: number; description: number }
  | { kind: 'zeros'; n: number }
  | { kind: 'plain'; type: number; body: Uint8Array }
  | { kind: 'forged'; body: Uint8Array };

const recArb: fc.Arbitrary<Rec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('inner' as const), type: fc.oneof(fc.constantFrom(21, 22, 23), fc.integer({ min: 0, max: 255 })), content: fc.uint8Array({ maxLength: 200 }), pad: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 64 })) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('handshake' as const), msgType: fc.oneof(fc.constantFrom(1, 2, 4, 5, 8, 11, 13, 15, 20, 24, 254), fc.integer({ min: 0, max: 255 })), body: fc.uint8Array({ maxLength: 120 }), declared: fc.option(fc.integer({ min: 0, max: 0xffffff }), { nil: undefined }), pad: fc.integer({ min: 0, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('alert' as const), level: fc.integer({ min: 0, max: 255 }), description: fc.oneof(fc.constantFrom(0, 10, 40, 80, 90, 116), fc.integer({ min: 0, max: 255 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('zeros' as const), n: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('plain' as const), type: fc.constantFrom(20, 21, 22, 23), body: fc.uint8Array({ maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forged' as const), body: fc.uint8Array({ minLength: 17, maxLength: 60 }) }) },
);

function encodeRec(p: Probe, r: Rec): Uint8Array {
  switch (r.kind) {
    case 'inner':
      return p.protectedRecord(r.type, r.content, r.pad);
    case 'handshake': {
      // A handshake message with a random body; the declared length may lie.
      const len = r.declared ?? r.body.length;
      const msg = new Uint8Array(4 + r.body.length);
      msg.set([r.msgType, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff]);
      msg.set(r.body, 4);
      return p.protectedRecord(CT.handshake, msg, r.pad);
    }
    case 'alert':
      return p.alertRecord(r.level, r.description);
    case 'zeros':
      return sealInner(p.out!, new Uint8Array(r.n)); // no content type at all
    case 'plain': {
      const out = new Uint8Array(5 + r.body.length);
      out.set([r.type, 3, 3, r.body.length >> 8, r.body.length & 0xff]);
      out.set(r.body, 5);
      return out;
    }
    case 'forged': {
      const out = new Uint8Array(5 + r.body.length);
      out.set([23, 3, 3, r.body.length >> 8, r.body.length & 0xff]);
      out.set(r.body, 5);
      return out;
    }
  }
}

async function check(p: Probe, recs: Rec[], split: boolean): Promise<void> {
  const bytes = recs.map((r) => encodeRec(p, r));
  // Either one receive() per record or everything in one chunk (coalesced).
  const chunks = split ? bytes : [Uint8Array.from(bytes.flatMap((b) => [...b]))];
  for (const c of chunks) expect(() => p.ep.conn.receive(c)).not.toThrow();
  await p.ep.conn.drained();
  const errs = p.ep.errors;
  expect(errs.length).toBeLessThanOrEqual(1);
  for (const e of errs) {
    expect(e.name).toBe('TlsError');
    if (e.alert === 'internal_error' && !e.received) throw new Error(`internal_error from peer input: ${e.message}`, { cause: e });
  }
  const state = p.ep.conn.state;
  expect(['handshaking', 'connected', 'failed', 'closed']).toContain(state);
  if (state === 'failed') {
    expect(errs.length).toBe(1);
    // Our alert, if we sent one, is the last record and the only alert after the handshake.
    const alerts = p.alerts;
    expect(alerts.length).toBeLessThanOrEqual(1);
    if (!errs[0]!.received && alerts.length === 1) expect(p.records[p.records.length - 1]!.type).toBe(CT.alert);
  } else {
    expect(errs.length).toBe(0);
  }
  expect(p.ep.conn.bufferedBytes).toBeLessThanOrEqual(5 + (1 << 14) + 256 + 131_396);
}

async function server(): Promise<ServerProbe> {
  const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'] });
  await p.handshake();
  return p;
}

async function client(): Promise<ClientProbe> {
  const p = await ClientProbe.create({ servername: 'localhost', ca: [P.caPem] }, P.server['ecdsa-p256']);
  const out = [p.serverHelloBytes(), ccsRecord()];
  for (const m of await p.defaultFlight()) out.push(p.hsRecord(m, { addToTranscript: false }));
  await p.send(...out);
  p.useApplicationKey();
  return p;
}

describe('fuzz: authenticated records after the handshake', () => {
  it('server', async () => {
    await fc.assert(fc.asyncProperty(fc.array(recArb, { minLength: 1, maxLength: 6 }), fc.boolean(), async (recs, split) => {
      const p = await server();
      expect(p.ep.conn.state).toBe('connected');
      await check(p, recs, split);
    }), { numRuns: RUNS });
  });

  it('client', async () => {
    await fc.assert(fc.asyncProperty(fc.array(recArb, { minLength: 1, maxLength: 6 }), fc.boolean(), async (recs, split) => {
      const p = await client();
      expect(p.ep.conn.state).toBe('connected');
      await check(p, recs, split);
    }), { numRuns: RUNS });
  });
});

describe('fuzz: authenticated records during the handshake', () => {
  it('server, under the client handshake key (before the client Finished)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(recArb, { minLength: 1, maxLength: 4 }), fc.boolean(), async (recs, split) => {
      const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'] });
      await p.send(Uint8Array.from([22, 3, 1, ...(() => { const h = p.helloBytes(); return [h.length >> 8, h.length & 0xff, ...h]; })()]));
      p.useHandshakeKey();
      await check(p, recs, split);
    }), { numRuns: RUNS });
  });

  it('client, under the server handshake key (after ServerHello)', async () => {
    await fc.assert(fc.asyncProperty(fc.array(recArb, { minLength: 1, maxLength: 4 }), fc.boolean(), async (recs, split) => {
      const p = await ClientProbe.create({ servername: 'localhost', ca: [P.caPem] }, P.server['ecdsa-p256']);
      await p.send(p.serverHelloBytes());
      await check(p, recs, split);
    }), { numRuns: RUNS });
  });
});

// ---------------------------------------------------------------------------
// The plaintext hellos, mutated: same invariants, in particular no internal_error.

const mutationArb = fc.array(fc.record({ at: fc.nat(), op: fc.integer({ min: 0, max: 3 }), v: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 5 });

function mutateBytes(b: Uint8Array, ms: { at: number; op: number; v: number }[]): Uint8Array {
  let out = Array.from(b);
  for (const { at, op, v } of ms) {
    const i = out.length ? at % out.length : 0;
    if (op === 0) out[i] = v;
    else if (op === 1) out[i] = out[i]! ^ (1 << (v & 7));
    else if (op === 2) out.splice(i, 0, v);
    else out.splice(i, 1 + (v & 3));
  }
  return Uint8Array.from(out);
}

/** Fix the record and handshake lengths after a mutation, so that the edits reach the message decoders. */
function relength(msg: Uint8Array): Uint8Array {
  const m = msg.slice();
  if (m.length >= 4) {
    const l = m.length - 4;
    m.set([(l >> 16) & 0xff, (l >> 8) & 0xff, l & 0xff], 1);
  }
  const rec = new Uint8Array(5 + m.length);
  rec.set([22, 3, 3, m.length >> 8, m.length & 0xff]);
  rec.set(m, 5);
  return rec;
}

describe('fuzz: mutated hellos reach the decoders (lengths repaired)', () => {
  it('server: mutated ClientHello', async () => {
    await fc.assert(fc.asyncProperty(mutationArb, async (ms) => {
      const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'] });
      const hello = p.helloBytes();
      // Mutate the body only (keep msg_type), then repair the lengths.
      const mutated = mutateBytes(hello.subarray(4), ms);
      const msg = new Uint8Array(4 + mutated.length);
      msg[0] = 1;
      msg.set(mutated, 4);
      p.ep.conn.receive(relength(msg));
      await p.ep.conn.drained();
      for (const e of p.ep.errors) {
        expect(e.name).toBe('TlsError');
        if (e.alert === 'internal_error') throw new Error(`internal_error from a mutated ClientHello: ${e.message}`, { cause: e });
      }
      expect(p.ep.errors.length).toBeLessThanOrEqual(1);
    }), { numRuns: RUNS * 3 });
  });

  it('client: mutated ServerHello', async () => {
    await fc.assert(fc.asyncProperty(mutationArb, async (ms) => {
      const p = await ClientProbe.create({ servername: 'localhost', ca: [P.caPem] }, P.server['ecdsa-p256']);
      const sh = p.serverHelloBytes().subarray(5);
      const mutated = mutateBytes(sh.subarray(4), ms);
      const msg = new Uint8Array(4 + mutated.length);
      msg[0] = 2;
      msg.set(mutated, 4);
      p.ep.conn.receive(relength(msg));
      await p.ep.conn.drained();
      for (const e of p.ep.errors) {
        expect(e.name).toBe('TlsError');
        if (e.alert === 'internal_error') throw new Error(`internal_error from a mutated ServerHello: ${e.message}`, { cause: e });
      }
      expect(p.ep.errors.length).toBeLessThanOrEqual(1);
    }), { numRuns: RUNS * 3 });
  });
});
