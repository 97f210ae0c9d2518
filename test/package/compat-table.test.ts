/**
 * The README's "Node `tls` compatibility" table cannot drift (issue 10): its
 * rows are exactly the members of `node:tls`, of tls.TLSSocket.prototype and
 * net.Socket.prototype, and of tls.Server.prototype and net.Server.prototype
 * as this Node has them (underscore-prefixed internals aside), and each row's
 * verdict matches puretls: `yes`/`differs` rows exist on the default export,
 * TLSSocket.prototype or Server.prototype (own or inherited), `no` rows do not.
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as nodeTls from 'node:tls';
import { describe, expect, it } from 'vitest';
import tls from '../../src/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The table under the `### heading` starting with `title` inside the compatibility section: member → verdict. */
function table(title: string): Map<string, string> {
  const section = readme.slice(readme.indexOf('## Node `tls` compatibility'));
  const start = section.indexOf(`### ${title}`);
  expect(start, title).toBeGreaterThan(0);
  const body = section.slice(start).split('\n').slice(1);
  const rows = new Map<string, string>();
  for (const line of body) {
    if (line.startsWith('#')) break;
    const m = /^\| `([\w$]+)` \| (yes|no|differs) \|/.exec(line);
    if (m) {
      expect(rows.has(m[1]!), `${title}: ${m[1]} listed twice`).toBe(false);
      rows.set(m[1]!, m[2]!);
    }
  }
  return rows;
}

const publicNames = (...protos: object[]): string[] =>
  [...new Set(protos.flatMap((p) => Object.getOwnPropertyNames(p)))].filter((k) => !k.startsWith('_') && k !== 'constructor').sort();

function onChain(proto: object, k: string): boolean {
  for (let p: object | null = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (Object.getOwnPropertyNames(p).includes(k)) return true;
  }
  return false;
}

function check(title: string, nodeMembers: string[], has: (k: string) => boolean): void {
  const rows = table(title);
  expect([...rows.keys()].sort(), `README table "${title}": rows must be exactly Node's members`).toEqual(nodeMembers);
  const wrong = [...rows].filter(([k, v]) => (v !== 'no') !== has(k)).map(([k, v]) => `${k}: README says ${v}, puretls ${has(k) ? 'has it' : 'does not have it'}`);
  expect(wrong, `README table "${title}" disagrees with puretls`).toEqual([]);
}

describe("README: the Node tls compatibility table", () => {
  it('module members', () => {
    check('Module', Object.keys(nodeTls).filter((k) => !k.startsWith('_') && k !== 'default').sort(), (k) => k in tls);
  });

  it('TLSSocket members (with net.Socket)', () => {
    check('`TLSSocket`', publicNames(nodeTls.TLSSocket.prototype, net.Socket.prototype), (k) => onChain(tls.TLSSocket.prototype, k));
  });

  it('Server members (with net.Server)', () => {
    check('`Server`', publicNames(nodeTls.Server.prototype, net.Server.prototype), (k) => onChain(tls.Server.prototype, k));
  });
});
