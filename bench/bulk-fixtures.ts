/**
 * Shared fixtures for the bulk and handshake benchmarks: one ECDSA P-256 CA
 * and localhost certificate per process, and loopback servers/clients of
 * either stack (puretls with a given provider, or Node's tls).
 */
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { connect, createServer, type TlsSocket } from '../src/io/node.js';
import { createCertificateAuthority, issueCertificate } from '../src/cert/index.js';

export type ProviderName = 'node' | 'webcrypto' | 'pure';
export type Side = { stack: 'node' } | { stack: 'puretls'; provider: ProviderName };

export interface Pki {
  ca: string;
  cert: string;
  key: string;
}

let pki: Promise<Pki> | undefined;

/** ECDSA P-256 CA and a certificate for localhost/127.0.0.1 (made once). */
export function benchPki(): Promise<Pki> {
  pki ??= (async () => {
    const ca = await createCertificateAuthority({ name: 'puretls bench CA', keyType: 'ecdsa-p256' });
    const leaf = await issueCertificate({ ca: { certPem: ca.certPem, keyPem: ca.keyPem }, names: ['localhost', '127.0.0.1'], keyType: 'ecdsa-p256' });
    return { ca: ca.certPem, cert: leaf.certPem, key: leaf.keyPem };
  })();
  return pki;
}

export function sideName(s: Side): string {
  return s.stack;
}

export interface LoopbackServer {
  port: number;
  close(): Promise<void>;
}

/** A server of either stack; `onSecure` gets every established socket. */
export async function startServer(side: Side, p: Pki, onSecure: (s: Duplex) => void, opts: { groups?: string[] } = {}): Promise<LoopbackServer> {
  const sockets = new Set<Duplex>();
  const track = (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSecure(s);
  };
  const server = side.stack === 'node'
    ? tls.createServer({ cert: p.cert, key: p.key, minVersion: 'TLSv1.3', ...(opts.groups ? { ecdhCurve: opts.groups.map(nodeGroup).join(':') } : {}) }, track)
    : createServer({ cert: p.cert, key: p.key, provider: side.provider, ...(opts.groups ? { groups: opts.groups } : {}) }, track);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

function nodeGroup(g: string): string {
  return ({ x25519: 'X25519', secp256r1: 'prime256v1', secp384r1: 'secp384r1' } as Record<string, string>)[g] ?? g;
}

/** Connect with either stack; resolves once the handshake is done. */
export function connectClient(side: Side, p: Pki, port: number, opts: { suite?: string; groups?: string[] } = {}): Promise<TlsSocket | tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = side.stack === 'node'
      ? tls.connect({
          host: '127.0.0.1', port, servername: 'localhost', ca: p.ca, minVersion: 'TLSv1.3',
          ...(opts.suite ? { ciphers: opts.suite } : {}),
          ...(opts.groups ? { ecdhCurve: opts.groups.map(nodeGroup).join(':') } : {}),
        })
      : connect({
          host: '127.0.0.1', port, servername: 'localhost', ca: p.ca, provider: side.provider,
          ...(opts.suite ? { cipherSuites: [opts.suite] } : {}),
          ...(opts.groups ? { groups: opts.groups } : {}),
        });
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}
