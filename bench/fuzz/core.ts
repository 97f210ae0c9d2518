/**
 * One fuzz input, checked: a fresh endpoint of one role (built from a
 * recorded scenario, so it sends the same bytes as when recorded) receives a
 * mutated, re-chunked copy of what its recorded peer sent. Every input must
 * end in success, in one alert, or in waiting for more:
 *
 * - receive() never throws, and drained() settles (no hang);
 * - at most one error, a TlsError; `failed` exactly when there is one; our
 *   alert is never internal_error (TlsError.from() turns an exception
 *   escaping a parser into internal_error, so that means a crash path);
 * - nothing is transmitted after the error was reported;
 * - buffered input stays within one record plus one handshake message;
 * - application data delivered is a prefix of what the peer really sent
 *   (nothing forged, reordered or duplicated gets through);
 * - the unmutated stream completes, with all the data.
 */
import { Connection } from '../../src/connection/connection.js';
import { TlsError } from '../../src/errors.js';
import { MAX_CLIENT_HELLO_SIZE } from '../../src/handshake/config.js';
import type { Flight } from './flights.js';
import { Rng, chunk, inputSeed, mutate, type Chunking, type MutationName } from './mutate.js';

export type Role = 'server' | 'client';
export const ROLES: readonly Role[] = ['server', 'client'];

/** Bytes an endpoint may hold unprocessed: one partial record plus one partial handshake message. */
export const BUFFER_BOUND = 5 + (1 << 14) + 256 + MAX_CLIENT_HELLO_SIZE;
/** drained() must settle within this (a hang otherwise). */
const HANG_MS = 10_000;

export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
  constructor(message: string, readonly detail: InputDetail) {
    super(`${message} [${describeInput(detail)}]`);
  }
}

export interface InputDetail {
  readonly role: Role;
  readonly seed: number;
  readonly index: number;
  readonly scenario: string;
  readonly ops: readonly MutationName[];
  readonly how: Chunking;
  readonly length: number;
}

export function describeInput(d: InputDetail): string {
  return `role=${d.role} seed=${d.seed} index=${d.index} scenario=${d.scenario} ops=${d.ops.join(',') || 'none'} chunks=${d.how} bytes=${d.length}`;
}

/** "ok", "waiting", "alert:<ours>" or "peer:<theirs>". */
export type Outcome = string;

function isPrefix(got: Uint8Array[], of: Uint8Array): boolean {
  let o = 0;
  for (const g of got) {
    if (o + g.length > of.length) return false;
    for (let i = 0; i < g.length; i++) if (g[i] !== of[o + i]) return false;
    o += g.length;
  }
  return true;
}

function received(got: Uint8Array[]): number {
  let n = 0;
  for (const g of got) n += g.length;
  return n;
}

async function settles(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => { done = true; });
  await Promise.resolve();
  await Promise.resolve();
  if (done) return true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<false>((r) => { timer = setTimeout(() => r(false), HANG_MS); });
  const ok = await Promise.race([p.then(() => true as const), t]);
  clearTimeout(timer);
  return ok;
}

/** Run input `index` of `role`; returns its outcome or throws a FuzzFailure. */
export async function runInput(flights: readonly Flight[], role: Role, seed: number, index: number): Promise<Outcome> {
  const rng = new Rng(inputSeed(seed, role === 'server' ? 0 : 1, index));
  const flight = flights[rng.int(flights.length)]!;
  const other = flights[rng.int(flights.length)]!;
  const source = role === 'server' ? flight.fromClient : flight.fromServer;
  const spliceFrom = role === 'server' ? other.fromClient : other.fromServer;
  const m = mutate(rng, source, spliceFrom);
  const { chunks, how } = chunk(rng, m.bytes);
  const detail: InputDetail = { role, seed, index, scenario: flight.scenario.name, ops: m.ops, how, length: m.bytes.length };
  return deliver(flight, role, chunks, m.ops.length === 0, detail);
}

/**
 * Deliver `chunks` to a fresh endpoint of `role` built from `flight` and
 * check the invariants; `intact` says the bytes are the unmutated stream
 * (which must then complete, with all the data).
 */
export async function deliver(flight: Flight, role: Role, chunks: readonly Uint8Array[], intact: boolean, detail: InputDetail): Promise<Outcome> {
  const peerData = role === 'server' ? flight.clientData : flight.serverData;
  const fail = (msg: string): never => { throw new FuzzFailure(msg, detail); };

  const errors: TlsError[] = [];
  const data: Uint8Array[] = [];
  let transmitsAfterError = 0;
  const handlers = {
    onTransmit: () => { if (errors.length) transmitsAfterError++; },
    onData: (d: Uint8Array) => { data.push(d.slice()); },
    onError: (e: TlsError) => { errors.push(e); },
  };
  let conn: Connection;
  try {
    conn = role === 'server' ? Connection.server(flight.scenario.server(), handlers) : Connection.client(flight.scenario.client(), handlers);
    if (role === 'client') conn.start();
  } catch (e) {
    return fail(`could not create the endpoint: ${(e as Error).message}`);
  }
  if (!(await settles(conn.drained()))) fail('drained() did not settle after start');
  for (const c of chunks) {
    try {
      conn.receive(c);
    } catch (e) {
      fail(`receive() threw: ${(e as Error)?.stack ?? String(e)}`);
    }
    if (conn.bufferedBytes > BUFFER_BOUND) fail(`buffered ${conn.bufferedBytes} bytes (bound ${BUFFER_BOUND})`);
  }
  if (!(await settles(conn.drained()))) fail(`drained() did not settle within ${HANG_MS} ms (hang)`);
  if (conn.bufferedBytes > BUFFER_BOUND) fail(`buffered ${conn.bufferedBytes} bytes (bound ${BUFFER_BOUND})`);

  const state = conn.state;
  if (errors.length > 1) fail(`${errors.length} errors reported: ${errors.map((e) => e.message).join(' | ')}`);
  const err = errors[0];
  if (err !== undefined && !(err instanceof TlsError)) fail(`error is not a TlsError: ${String(err)}`);
  if (state === 'failed' && !err) fail('failed without reporting an error');
  if (state !== 'failed' && err) fail(`error reported but state is ${state}: ${err.message}`);
  if (err && !err.received && err.alert === 'internal_error') fail(`internal_error from peer input (a crash path?): ${err.message}\n${(err.cause as Error | undefined)?.stack ?? ''}`);
  if (transmitsAfterError > 0) fail(`${transmitsAfterError} transmissions after the error was reported`);
  if (!isPrefix(data, peerData)) fail('delivered application data the peer never sent');
  if (intact && (err || received(data) !== peerData.length || !conn.peerClosed)) {
    fail(`the unmutated stream did not complete: ${err?.message ?? `state ${state}, ${received(data)} bytes, peerClosed ${conn.peerClosed}`}`);
  }
  conn.destroy();
  if (err) return err.received ? `peer:${err.alert}` : `alert:${err.alert}`;
  return state === 'handshaking' ? 'waiting' : 'ok';
}

export interface RangeStats {
  readonly role: Role;
  readonly from: number;
  readonly count: number;
  readonly outcomes: Record<Outcome, number>;
  readonly failures: string[];
  readonly ms: number;
}

/**
 * Inputs [from, from + count) of a role. Failures are collected (up to
 * `maxFailures`), not thrown, so one run reports all it finds.
 */
export async function runRange(flights: readonly Flight[], role: Role, seed: number, from: number, count: number, maxFailures = 20): Promise<RangeStats> {
  const outcomes: Record<Outcome, number> = {};
  const failures: string[] = [];
  const t0 = performance.now();
  for (let i = from; i < from + count; i++) {
    let o: Outcome;
    try {
      o = await runInput(flights, role, seed, i);
    } catch (e) {
      if (failures.length < maxFailures) failures.push(e instanceof FuzzFailure ? e.message : `harness error at index ${i}: ${(e as Error)?.stack ?? String(e)}`);
      o = 'FAILED';
    }
    outcomes[o] = (outcomes[o] ?? 0) + 1;
  }
  return { role, from, count, outcomes, failures, ms: performance.now() - t0 };
}
