/** In-memory plumbing between two puretls Connections for tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Connection } from '../../src/connection/connection.js';
import type { CertifiedKey, ClientConfig, ConnectionHandlers, ServerConfig, SessionInfo } from '../../src/connection/types.js';
import type { TlsError } from '../../src/errors.js';
import { parsePrivateKey } from '../../src/x509/keys.js';
import { fromPem } from './pem.js';

export interface Endpoint {
  conn: Connection;
  /** Bytes this endpoint transmitted, in order (each onTransmit call). */
  sent: Uint8Array[];
  data: Uint8Array[];
  errors: TlsError[];
  info: SessionInfo | undefined;
  peerClosed: boolean;
  /** How many of `sent` were already delivered by `pump`. */
  delivered: number;
}

function endpoint(): { ep: Endpoint; handlers: ConnectionHandlers } {
  const ep = { sent: [], data: [], errors: [], info: undefined, peerClosed: false, delivered: 0 } as unknown as Endpoint;
  const handlers: ConnectionHandlers = {
    onTransmit: (b) => ep.sent.push(b.slice()),
    onData: (d) => ep.data.push(d.slice()),
    onHandshakeDone: (i) => { ep.info = i; },
    onPeerClose: () => { ep.peerClosed = true; },
    onError: (e) => ep.errors.push(e),
  };
  return { ep, handlers };
}

export function makeClient(config: ClientConfig): Endpoint {
  const { ep, handlers } = endpoint();
  ep.conn = Connection.client(config, handlers);
  return ep;
}

export function makeServer(config: ServerConfig): Endpoint {
  const { ep, handlers } = endpoint();
  ep.conn = Connection.server(config, handlers);
  return ep;
}

/** A client and a server with these configurations, started and pumped until both are quiet. */
export async function connectPair(c: ClientConfig, s: ServerConfig): Promise<{ client: Endpoint; server: Endpoint }> {
  const server = makeServer(s);
  const client = makeClient(c);
  client.conn.start();
  await pump(client, server);
  return { client, server };
}

/** Move bytes both ways until neither side has anything left to say. */
export async function pump(a: Endpoint, b: Endpoint, maxRounds = 100): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    let moved = false;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      await from.conn.drained();
      const c = from.delivered;
      if (from.sent.length > c) {
        const chunk = from.sent.slice(c);
        from.delivered = from.sent.length;
        for (const x of chunk) to.conn.receive(x);
        await to.conn.drained();
        moved = true;
      }
    }
    if (!moved) return;
  }
  throw new Error('pump: too many rounds');
}

export const concatAll = (xs: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(xs.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of xs) { out.set(x, o); o += x.length; }
  return out;
};

const RFC8448 = fileURLToPath(new URL('../vectors/rfc8448', import.meta.url));

/** The RFC 8448 RSA-1024 server key and certificate. */
export function rfc8448ServerCert(): CertifiedKey {
  return {
    chain: [fromPem(readFileSync(`${RFC8448}/server_certificate.pem`, 'utf8'))],
    key: parsePrivateKey(readFileSync(`${RFC8448}/server_key.pem`, 'utf8')),
  };
}

/** A verifier that accepts anything (tests that are not about certificates). */
export const acceptAll = (): { ok: true } => ({ ok: true });

/** pump(), also for asynchronous AEADs (WebCrypto), whose records reach onTransmit after drained(): until nothing moved three times in a row. */
export async function settle(a: Endpoint, b: Endpoint): Promise<void> {
  let idle = 0;
  for (let i = 0; i < 200 && idle < 3; i++) {
    const before = a.sent.length + b.sent.length;
    await pump(a, b);
    await new Promise((r) => setTimeout(r, 2));
    idle = a.sent.length + b.sent.length === before && a.delivered === a.sent.length && b.delivered === b.sent.length ? idle + 1 : 0;
  }
}
