/**
 * `puretls demo` (npm start): a puretls server and a puretls client on
 * loopback, plus Node's own `tls` as the other peer in each direction, all
 * with mutual TLS and a freshly generated CA. Prints what each connection
 * negotiated; exits 0 when all three worked.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { connect, createServer, type TlsSocket } from '../io/node.js';
import type { Command } from './command.js';
import { UsageError } from './args.js';
import { makePki } from './devca.js';

interface Outcome {
  label: string;
  client: string;
  server: string;
}

function subjectOf(der: Uint8Array | Buffer | undefined): string {
  if (!der || der.length === 0) return 'none';
  try {
    return new X509Certificate(der).subject.replace(/\n/g, ', ');
  } catch {
    return '(unparsable)';
  }
}

function pureSummary(s: TlsSocket): string {
  const i = s.info!;
  return `${s.getProtocol()} ${i.cipherSuite} group=${i.group ?? '-'} sig=${i.signatureScheme ?? '-'} alpn=${i.alpnProtocol ?? '-'} peer="${subjectOf(i.peerCertificates[0])}" verified=${s.authorized}`;
}

function nodeSummary(s: tls.TLSSocket): string {
  const eph = s.getEphemeralKeyInfo?.() as { name?: string } | null | undefined;
  const peer = s.getPeerCertificate();
  return `${s.getProtocol()} ${s.getCipher()?.standardName} group=${eph?.name ?? '-'} alpn=${s.alpnProtocol || '-'} peer="${peer && 'raw' in peer ? subjectOf(peer.raw) : 'none'}" verified=${s.authorized}`;
}

/** Send `ping`, expect it echoed, then close. */
function exchange(sock: TlsSocket | tls.TLSSocket, onSecure: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = '';
    sock.once('error', reject);
    sock.once(sock instanceof tls.TLSSocket ? 'secureConnect' : 'secureConnect', () => {
      onSecure();
      sock.write('ping from the demo');
    });
    sock.on('data', (d: Buffer) => {
      got += d.toString();
      if (got === 'ping from the demo') sock.end();
    });
    sock.on('end', () => (got === 'ping from the demo' ? resolve() : reject(new Error(`echo mismatch: ${JSON.stringify(got)}`))));
  });
}

export async function runDemo(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-demo-'));
  const servers: { close(): unknown }[] = [];
  const watchdog = setTimeout(() => {
    process.stderr.write('demo: timed out\n');
    process.exit(1);
  }, 60_000);
  watchdog.unref();
  try {
    process.stdout.write(`puretls demo: making a CA, a server and a client certificate in ${dir}\n`);
    const pki = await makePki(dir, { names: 'localhost,127.0.0.1', reuse: false });
    const client = await makePki(dir, { leafName: 'client', names: 'demo-client', client: true }); // same CA
    const ca = pki.ca.cert;
    const alpn = ['demo/1', 'http/1.1'];

    // puretls server: mutual TLS required, echoes.
    const serverViews: string[] = [];
    const pureServer = createServer(
      { cert: pki.server.cert, key: pki.server.key, ca, requestCert: true, rejectUnauthorized: true, ALPNProtocols: alpn },
      (s) => {
        serverViews.push(pureSummary(s));
        s.pipe(s);
      },
    );
    pureServer.on('tlsClientError', (e: Error) => process.stderr.write(`puretls server: ${e.message}\n`));
    servers.push(pureServer);
    await new Promise<void>((r) => pureServer.listen(0, '127.0.0.1', r));
    const purePort = (pureServer.address() as AddressInfo).port;

    // Node's tls server: mutual TLS required, TLS 1.3 only, echoes.
    const nodeServer = tls.createServer(
      { cert: pki.server.cert, key: pki.server.key, ca, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', ALPNProtocols: alpn },
      (s) => {
        serverViews.push(nodeSummary(s));
        s.pipe(s);
      },
    );
    servers.push(nodeServer);
    await new Promise<void>((r) => nodeServer.listen(0, '127.0.0.1', r));
    const nodePort = (nodeServer.address() as AddressInfo).port;

    const outcomes: Outcome[] = [];
    const clientOpts = { host: '127.0.0.1', servername: 'localhost', ca, cert: client.server.cert, key: client.server.key, ALPNProtocols: alpn };

    const run = async (label: string, sock: TlsSocket | tls.TLSSocket) => {
      let view = '';
      const before = serverViews.length;
      await exchange(sock, () => {
        view = sock instanceof tls.TLSSocket ? nodeSummary(sock) : pureSummary(sock);
      });
      outcomes.push({ label, client: view, server: serverViews[before] ?? '(server view missing)' });
    };

    await run('puretls client -> puretls server', connect({ ...clientOpts, port: purePort }));
    await run('puretls client -> Node tls server', connect({ ...clientOpts, port: nodePort }));
    await run('Node tls client -> puretls server', tls.connect({ ...clientOpts, port: purePort, minVersion: 'TLSv1.3' }));

    for (const o of outcomes) {
      process.stdout.write(`\n${o.label}\n  client saw: ${o.client}\n  server saw: ${o.server}\n`);
    }
    process.stdout.write('\nall three connections: mutual TLS 1.3, echo verified\n');
    return 0;
  } catch (e) {
    process.stderr.write(`demo failed: ${(e as Error).stack ?? e}\n`);
    return 1;
  } finally {
    clearTimeout(watchdog);
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const demoCommand: Command = {
  name: 'demo',
  summary: "puretls and Node's tls talking to each other with mutual TLS, on loopback (npm start).",
  description: 'Makes a throw-away CA in a private temporary directory, runs the three pairings and prints what each negotiated; exits 0 when all worked.',
  options: [],
  examples: ['puretls demo'],
  run(args) {
    if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
    return runDemo();
  },
};
