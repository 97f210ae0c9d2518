/**
 * Runs of peer input that makes no progress are bounded (src/connection/flood-guard.ts):
 * zero-length application data, KeyUpdates, NewSessionTickets and
 * user_canceled alerts, each allowed by RFC 8446 but not forever. Up to the
 * limit the connection goes on; one more ends it with unexpected_message;
 * application data with content resets the counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_EMPTY_RECORDS, MAX_KEY_UPDATES, MAX_SESSION_TICKETS, MAX_WARNING_ALERTS } from '../../src/connection/flood-guard.js';
import { nextTrafficSecret } from '../../src/handshake/key-schedule.js';
import { encodeHandshake } from '../../src/handshake/messages/index.js';
import { pki, type Pki } from '../connection/fixtures.js';
import { CT, ClientProbe, ServerProbe, ccsRecord, u8 } from '../conformance/probe.js';

type Probe = ServerProbe | ClientProbe;

let P: Pki;
beforeAll(async () => { P = await pki(); });

const DATA = u8(0x68, 0x69);

function concat(xs: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(xs.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of xs) { out.set(x, o); o += x.length; }
  return out;
}

async function serverConnected(): Promise<ServerProbe> {
  const p = ServerProbe.create({ certificate: P.server['ecdsa-p256'] });
  await p.handshake();
  expect(p.ep.conn.state).toBe('connected');
  return p;
}

async function clientConnected(): Promise<ClientProbe> {
  const p = await ClientProbe.create({ servername: 'localhost', ca: [P.caPem] }, P.server['ecdsa-p256']);
  const out = [p.serverHelloBytes(), ccsRecord()];
  for (const m of await p.defaultFlight()) out.push(p.hsRecord(m, { addToTranscript: false }));
  await p.send(...out);
  expect(p.ep.conn.state).toBe('connected');
  p.useApplicationKey();
  return p;
}

function expectOpen(p: Probe): void {
  expect(p.alerts).toEqual([]);
  expect(p.ep.errors).toEqual([]);
  expect(p.ep.conn.state).toBe('connected');
}

function expectFlood(p: Probe, code: string): void {
  expect(p.alerts).toEqual(['unexpected_message']);
  expect(p.ep.errors.map((e) => [e.alert, e.code])).toEqual([['unexpected_message', code]]);
  expect(p.ep.conn.state).toBe('failed');
}

const empties = (p: Probe, n: number, pad = 0): Uint8Array[] => Array.from({ length: n }, () => p.protectedRecord(CT.application_data, u8(), pad));

/** A KeyUpdate record under the current key; then the probe writes under the next key. */
function keyUpdate(p: ServerProbe, requestUpdate = 0): Uint8Array {
  const r = p.hsRecord({ type: 'key_update', requestUpdate }, { addToTranscript: false });
  p.clientAppSecret = nextTrafficSecret(p.provider, p.suite, p.clientAppSecret!);
  p.useApplicationKey();
  return r;
}

describe('zero-length application data (RFC 8446 §5.4)', () => {
  it(`${MAX_EMPTY_RECORDS} empty records (some padded), then data: accepted`, async () => {
    const p = await serverConnected();
    await p.send(...empties(p, MAX_EMPTY_RECORDS / 2), ...empties(p, MAX_EMPTY_RECORDS / 2, 200), p.protectedRecord(CT.application_data, DATA));
    expectOpen(p);
    expect(p.ep.data.map((d) => [...d])).toEqual([[...DATA]]);
  });

  it(`${MAX_EMPTY_RECORDS + 1} in a row → unexpected_message, and nothing after them is delivered`, async () => {
    const p = await serverConnected();
    await p.send(...empties(p, MAX_EMPTY_RECORDS + 1), p.protectedRecord(CT.application_data, DATA));
    expectFlood(p, 'too_many_empty_records');
    expect(p.ep.data).toEqual([]);
  });

  it('data resets the count: runs of the limit separated by data are fine', async () => {
    const p = await serverConnected();
    for (let i = 0; i < 4; i++) await p.send(...empties(p, MAX_EMPTY_RECORDS), p.protectedRecord(CT.application_data, DATA));
    expectOpen(p);
    expect(p.ep.data.length).toBe(4);
  });

  it('an endless stream in one chunk (10 000 records) ends at the limit; drained() resolves', async () => {
    const p = await serverConnected();
    await p.send(concat(empties(p, 10_000)));
    expectFlood(p, 'too_many_empty_records');
  });
});

describe('KeyUpdate runs (RFC 8446 §4.6.3)', () => {
  it(`${MAX_KEY_UPDATES} KeyUpdates then data: accepted (tlsfuzzer test-tls13-keyupdate)`, async () => {
    const p = await serverConnected();
    const recs = Array.from({ length: MAX_KEY_UPDATES }, () => keyUpdate(p));
    await p.send(...recs, p.protectedRecord(CT.application_data, DATA));
    expectOpen(p);
    expect(p.ep.data.length).toBe(1);
  });

  it(`${MAX_KEY_UPDATES + 1} KeyUpdates with update_requested → unexpected_message; the first ${MAX_KEY_UPDATES} were answered, one each (§4.6.3)`, async () => {
    const p = await serverConnected();
    const recs = Array.from({ length: MAX_KEY_UPDATES + 1 }, () => keyUpdate(p, 1));
    await p.send(...recs);
    expectFlood(p, 'too_many_key_updates');
    expect(p.messages.filter((m) => m.msg.type === 'key_update').length).toBe(MAX_KEY_UPDATES);
  });

  it('data between runs resets the count', async () => {
    const p = await serverConnected();
    for (let i = 0; i < 3; i++) {
      const recs = Array.from({ length: MAX_KEY_UPDATES }, () => keyUpdate(p));
      await p.send(...recs, p.protectedRecord(CT.application_data, DATA));
    }
    expectOpen(p);
    expect(p.ep.data.length).toBe(3);
  });

  it('empty records do not reset the KeyUpdate count', async () => {
    const p = await serverConnected();
    const recs: Uint8Array[] = [];
    for (let i = 0; i < MAX_KEY_UPDATES + 1; i++) recs.push(keyUpdate(p), p.protectedRecord(CT.application_data, u8()));
    await p.send(...recs);
    expect(p.ep.errors.map((e) => e.code)).toEqual(['too_many_key_updates']);
  });
});

describe('user_canceled alerts (RFC 8446 §6.1)', () => {
  it(`${MAX_WARNING_ALERTS} user_canceled then data: accepted`, async () => {
    const p = await serverConnected();
    const recs = Array.from({ length: MAX_WARNING_ALERTS }, () => p.alertRecord(1, 90));
    await p.send(...recs, p.protectedRecord(CT.application_data, DATA));
    expectOpen(p);
    expect(p.ep.data.length).toBe(1);
  });

  it(`${MAX_WARNING_ALERTS + 1} user_canceled in a row → unexpected_message`, async () => {
    const p = await serverConnected();
    await p.send(...Array.from({ length: MAX_WARNING_ALERTS + 1 }, () => p.alertRecord(1, 90)));
    expectFlood(p, 'too_many_warning_alerts');
  });

  it('user_canceled during the handshake counts too', async () => {
    const p = await ClientProbe.create({ servername: 'localhost', ca: [P.caPem] }, P.server['ecdsa-p256']);
    const sh = p.serverHelloBytes();
    await p.send(sh, ...Array.from({ length: MAX_WARNING_ALERTS + 1 }, () => p.alertRecord(1, 90)));
    expect(p.ep.errors.map((e) => e.code)).toEqual(['too_many_warning_alerts']);
    expect(p.alerts).toEqual(['unexpected_message']);
  });
});

describe('NewSessionTicket runs (client; RFC 8446 §4.6.1)', () => {
  const nst = (p: ClientProbe, i: number): Uint8Array =>
    p.hsRecord({ type: 'new_session_ticket', lifetime: 60, ageAdd: i, nonce: u8(i & 0xff), ticket: u8(1, 2, 3, i & 0xff), extensions: [] }, { addToTranscript: false });

  it(`${MAX_SESSION_TICKETS} tickets then data: accepted and ignored`, async () => {
    const p = await clientConnected();
    await p.send(...Array.from({ length: MAX_SESSION_TICKETS }, (_, i) => nst(p, i)), p.protectedRecord(CT.application_data, DATA));
    expectOpen(p);
    expect(p.ep.data.length).toBe(1);
  });

  it(`${MAX_SESSION_TICKETS + 1} tickets in a row → unexpected_message`, async () => {
    const p = await clientConnected();
    await p.send(...Array.from({ length: MAX_SESSION_TICKETS + 1 }, (_, i) => nst(p, i)));
    expectFlood(p, 'too_many_session_tickets');
  });

  it('an endless ticket stream, 10 tickets per record, ends at the limit', async () => {
    const p = await clientConnected();
    const recs: Uint8Array[] = [];
    for (let r = 0; r < 20; r++) {
      const msgs = Array.from({ length: 10 }, (_, i) =>
        encodeHandshake({ type: 'new_session_ticket', lifetime: 60, ageAdd: i, nonce: u8(r, i), ticket: u8(9, r, i), extensions: [] }));
      recs.push(p.protectedRecord(CT.handshake, concat(msgs)));
    }
    await p.send(...recs);
    expectFlood(p, 'too_many_session_tickets');
  });
});
