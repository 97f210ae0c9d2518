/**
 * Recorded valid flights for the fuzzer: a puretls client and server run a
 * whole connection in memory (handshake, a little application data each way,
 * close_notify) with fixed randomness, a fixed clock and the fixed PKI of
 * pki.ts, and everything each side transmitted is kept. Because a fresh
 * endpoint built from the same scenario sends exactly the same bytes again,
 * the recorded peer stream is a valid answer to it: mutations of that stream
 * reach every state of the handshake, not only the first message.
 */
import { Connection } from '../../src/connection/connection.js';
import type { ClientConfig, ConnectionHandlers, ServerConfig } from '../../src/connection/types.js';
import { pureProvider } from '../../src/crypto/pure/index.js';
import { concatBytes } from '../../src/util/bytes.js';
import { parsePrivateKey } from '../../src/x509/keys.js';
import { pemDecode } from '../../src/x509/pem.js';
import { peekableRandom } from './random.js';
import { caPem, clientCertPem, clientKeyPem, serverCertPem, serverEd25519CertPem, serverEd25519KeyPem, serverKeyPem } from './pki.js';

/** The fuzzer's clock: inside the fixed PKI's validity. */
export const FUZZ_NOW = new Date('2030-01-01T00:00:00Z');

export interface Scenario {
  readonly name: string;
  client(): ClientConfig;
  server(): ServerConfig;
}

export interface Flight {
  readonly scenario: Scenario;
  /** Everything the client transmitted, in order. */
  readonly fromClient: Uint8Array;
  /** Everything the server transmitted, in order. */
  readonly fromServer: Uint8Array;
  /** The application data each side sent (what the other must receive, if anything). */
  readonly clientData: Uint8Array;
  readonly serverData: Uint8Array;
}

const certificate = (certPem: string, keyPem: string) => ({ chain: [pemDecode(certPem, 'CERTIFICATE')[0]!], key: parsePrivateKey(keyPem) });
const SERVER_CERT = certificate(serverCertPem, serverKeyPem);
/** Ed25519 signs ~10x faster than ECDSA P-256 in pure JS: most scenarios use it, so more inputs fit in a run. */
const SERVER_ED25519 = certificate(serverEd25519CertPem, serverEd25519KeyPem);
const CLIENT_CERT = certificate(clientCertPem, clientKeyPem);

function clientBase(): ClientConfig {
  return { provider: pureProvider, servername: 'localhost', ca: [caPem], now: () => FUZZ_NOW, random: peekableRandom(0x5eed0001) };
}
function serverBase(): ServerConfig {
  return { provider: pureProvider, certificate: SERVER_CERT, now: () => FUZZ_NOW, random: peekableRandom(0x5eed0002) };
}

/** The scenarios, each a different path through the handshake. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'x25519',
    client: () => ({ ...clientBase(), groups: ['x25519', 'secp256r1'], ALPNProtocols: ['h2', 'http/1.1'] }),
    server: () => ({ ...serverBase(), ALPNProtocols: ['http/1.1'] }),
  },
  {
    name: 'hybrid',
    client: () => clientBase(),
    server: () => ({ ...serverBase(), certificate: SERVER_ED25519 }),
  },
  {
    name: 'hrr',
    client: () => ({ ...clientBase(), groups: ['x25519', 'secp256r1'], keyShareGroups: ['x25519'], cipherSuites: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384'] }),
    server: () => ({ ...serverBase(), certificate: SERVER_ED25519, groups: ['secp256r1', 'x25519'] }),
  },
  {
    name: 'mtls',
    client: () => ({ ...clientBase(), groups: ['x25519'], certificate: CLIENT_CERT, cipherSuites: ['TLS_AES_256_GCM_SHA384'] }),
    server: () => ({ ...serverBase(), certificate: SERVER_ED25519, clientAuth: 'require', ca: [caPem] }),
  },
];

function collector(): { out: Uint8Array[]; data: Uint8Array[]; handlers: ConnectionHandlers; errors: Error[] } {
  const out: Uint8Array[] = [];
  const data: Uint8Array[] = [];
  const errors: Error[] = [];
  return {
    out, data, errors,
    handlers: { onTransmit: (b) => out.push(b.slice()), onData: (d) => data.push(d.slice()), onError: (e) => errors.push(e) },
  };
}


/** Run one scenario to completion and record both directions. */
export async function recordFlight(s: Scenario): Promise<Flight> {
  const c = collector();
  const sv = collector();
  const client = Connection.client(s.client(), c.handlers);
  const server = Connection.server(s.server(), sv.handlers);
  const clientData = new TextEncoder().encode(`GET / HTTP/1.1 (${s.name})\r\n\r\n`);
  const serverData = new TextEncoder().encode(`HTTP/1.1 200 OK (${s.name})\r\n\r\n`);
  let cd = 0;
  let sd = 0;
  const pump = async (): Promise<void> => {
    for (let round = 0; round < 50; round++) {
      await client.drained();
      await server.drained();
      if (cd === c.out.length && sd === sv.out.length) return;
      for (; cd < c.out.length; cd++) server.receive(c.out[cd]!);
      await server.drained();
      for (; sd < sv.out.length; sd++) client.receive(sv.out[sd]!);
    }
    throw new Error(`fuzz flight ${s.name}: no quiescence`);
  };
  client.start();
  await pump();
  const w1 = client.write(clientData);
  await pump();
  const w2 = server.write(serverData);
  await pump();
  await Promise.all([w1, w2]);
  client.close();
  await pump();
  server.close();
  await pump();
  const errs = [...c.errors, ...sv.errors];
  if (errs.length) throw new Error(`fuzz flight ${s.name}: ${errs[0]!.message}`);
  if (!server.peerClosed || !client.peerClosed) throw new Error(`fuzz flight ${s.name}: close_notify not exchanged`);
  if (concatBytes(...sv.data).join() !== clientData.join() || concatBytes(...c.data).join() !== serverData.join()) throw new Error(`fuzz flight ${s.name}: data mismatch`);
  return { scenario: s, fromClient: concatBytes(...c.out), fromServer: concatBytes(...sv.out), clientData, serverData };
}

export async function recordAll(): Promise<Flight[]> {
  const out: Flight[] = [];
  for (const s of SCENARIOS) out.push(await recordFlight(s));
  return out;
}
