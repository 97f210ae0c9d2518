/**
 * Runtimes other than Node (issue 11), installed from npm as pinned
 * devDependencies (`deno`, `bun`, `workerd` ship their binaries in registry
 * packages). A missing binary fails the test with what to do; nothing is
 * skipped.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { run, type Child } from '../interop/helpers/net.js';
import { requireBinary } from '../interop/helpers/tools.js';
import type { TestPki } from '../interop/helpers/pki.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PEER = fileURLToPath(new URL('./peer.mjs', import.meta.url));

/** node_modules/.bin/NAME, checked to run; throws (a failure, not a skip) when it does not. */
export function runtimeBinary(name: 'deno' | 'bun' | 'workerd'): string {
  const file = `${ROOT}node_modules/.bin/${name}`;
  try {
    accessSync(file, constants.X_OK);
    execFileSync(file, ['--version'], { stdio: 'ignore', timeout: 20_000 });
  } catch (e) {
    throw new Error(`${name} is not runnable at ${file} (${(e as Error).message.split('\n')[0]}): it is a pinned devDependency; run \`npm ci\` (its binary comes in the npm package for this platform)`);
  }
  return file;
}

export interface Event {
  runtime: string;
  event: string;
  [k: string]: unknown;
}

/** JSON lines a peer printed, by event name (the last of each). */
export function events(child: Child): Record<string, Event> {
  const out: Record<string, Event> = {};
  for (const line of child.stdout().split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as Event;
    out[e.event] = e;
  }
  return out;
}

export async function waitEvent(child: Child, name: string, timeoutMs = 20_000): Promise<Event> {
  await child.waitFor(new RegExp(`"event":"(${name}|error)"`), 'stdout', timeoutMs);
  const ev = events(child);
  if (ev['error']) throw new Error(`peer failed: ${JSON.stringify(ev['error'])}; stderr=${child.stderr()}`);
  return ev[name]!;
}

/** Start `openssl s_server -tls1_3` on a free port with the P-256 server certificate. */
export async function sServer(pki: TestPki): Promise<{ child: Child; port: number }> {
  requireBinary('openssl', 'openssl');
  const child = run('openssl', ['s_server', '-tls1_3', '-accept', '0', '-naccept', '1', '-cert', pki.server['ecdsa-p256'].certFile,
    '-key', pki.server['ecdsa-p256'].keyFile]);
  const m = await child.waitFor(/ACCEPT \S*:(\d+)/);
  return { child, port: Number(m[1]) };
}

export const PROVIDERS = ['pure', 'webcrypto'] as const;

/** The handshake a peer reported, against a P-256 certificate from the test CA. */
export function expectVerifiedTls13(e: Event): void {
  expect(e.protocol).toBe('TLSv1.3');
  expect(e.peerVerified).toBe(true);
  expect(String(e.cipherSuite)).toMatch(/^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
}

/** The peer's handshake, then its handshake as a server (no client certificate: peerVerified false). */
export function expectServerTls13(e: Event): void {
  expect(e.protocol).toBe('TLSv1.3');
  expect(e.signatureScheme).toBe('ecdsa_secp256r1_sha256');
}
