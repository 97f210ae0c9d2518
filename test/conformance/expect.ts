/** Verdicts on a probed server, shared by the conformance suites. */
import { expect } from 'vitest';
import { CT, type ServerProbe } from './probe.js';

/** The server failed with `alert`, sent it (once) and nothing after. */
export function expectAlert(p: ServerProbe, alert: string): void {
  expect(p.alerts).toEqual([alert]);
  expect(p.ep.errors.map((e) => e.alert)).toEqual([alert]);
  expect(p.ep.conn.state).toBe('failed');
  expect(p.records[p.records.length - 1]!.type).toBe(CT.alert);
}

/** The server is still connected, with no alert and no error. */
export function expectOpen(p: ServerProbe): void {
  expect(p.alerts).toEqual([]);
  expect(p.ep.errors).toEqual([]);
  expect(p.ep.conn.state).toBe('connected');
}
