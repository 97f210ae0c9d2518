/**
 * 0-RTT early data (RFC 8446 §2.3, §4.2.10) on the Node adapter's server:
 * `maxEarlyData` enables it, `acceptEarlyData(params, socket)` decides per
 * connection, and the early bytes are the first ones the socket reads,
 * counted by `socket.earlyDataBytes` (replayable: §8). Against our own
 * Node-adapter client and `openssl s_client -sess_out/-sess_in -early_data`;
 * each case asserts the outcome from both sides.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createServer, type ConnectOptions, type Server, type ServerOptions, type TlsSocket } from '../../src/io/node.js';
import { closeServer, killAll, listen, run } from './helpers/net.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';

let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => { pki = makeTestPki({ keyTypes: ['ecdsa-p256'] }); });
afterAll(async () => {
  await killAll();
  for (const c of cleanups.reverse()) await c();
  pki?.cleanup();
});

interface Seen { earlyDataBytes: number; earlyData: string | undefined; request: string; resumed: boolean; readBeforeSecure: boolean }

/**
 * A server that reads one request line ("...\n"), then answers with what it
 * saw (early bytes, 0-RTT status, resumed) and closes. `serve` is also given
 * to acceptEarlyData hooks, which start reading before 'secure'.
 */
async function earlyServer(options: Partial<ServerOptions>, early?: (serve: (s: TlsSocket) => void) => ServerOptions['acceptEarlyData']): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const handled = new WeakSet<TlsSocket>();
  const serve = (s: TlsSocket): void => {
    if (handled.has(s)) return;
    handled.add(s);
    let got = '';
    let readBeforeSecure: boolean | undefined;
    const onData = (d: Buffer) => {
      readBeforeSecure ??= s.secureConnecting;
      got += d.toString('latin1');
      if (!got.includes('\n')) return;
      s.off('data', onData);
      const answer = (): void => {
        const v: Seen = { earlyDataBytes: s.earlyDataBytes, earlyData: s.earlyData, request: got, resumed: s.isSessionReused(), readBeforeSecure: readBeforeSecure! };
        seen.push(v);
        s.end(`early=${v.earlyData ?? 'none'} bytes=${v.earlyDataBytes} resumed=${v.resumed}\n`);
      };
      // A request read from early data is answered once the handshake is done (writes wait for it anyway).
      if (s.secureConnecting) s.once('secure', answer);
      else answer();
    };
    s.on('data', onData);
    s.on('error', () => undefined);
  };
  const { cert, key } = pki.server['ecdsa-p256'];
  const server = createServer({ cert, key, ...options, ...(early ? { acceptEarlyData: early(serve) } : {}) });
  server.on('secureConnection', serve);
  const port = await listen(server);
  cleanups.push(() => closeServer(server));
  return { server, port, seen };
}

/** Connect (writing `request` at once: early data when the session allows it), read the answer until the server closes. */
async function request(opts: ConnectOptions, req: string): Promise<{ answer: string; session: Buffer | undefined; sock: TlsSocket }> {
  const sock = connect(opts);
  let session: Buffer | undefined;
  sock.on('session', (b: Buffer) => { session = b; });
  sock.write(req);
  let answer = '';
  await new Promise<void>((res, rej) => {
    sock.on('data', (d: Buffer) => { answer += d.toString(); });
    sock.once('end', () => res());
    sock.once('error', rej);
  });
  sock.destroy();
  return { answer, session: session ?? sock.getSession(), sock };
}

describe('Node adapter server: 0-RTT with our own client', () => {
  const client = (port: number): ConnectOptions => ({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert, earlyData: true });

  it('accepted: the early request is the first earlyDataBytes bytes read, readable before the handshake completes', async () => {
    const calls: { servername: string | undefined; socket: boolean }[] = [];
    const { port, seen } = await earlyServer({ maxEarlyData: 4096 }, (serve) => (p, socket) => {
      calls.push({ servername: p.servername, socket: typeof socket.write === 'function' });
      serve(socket); // read the request as it comes, before 'secure' (the point of 0-RTT on a server)
      return true;
    });
    const first = await request(client(port), 'first\n');
    expect(first.answer).toBe('early=none bytes=0 resumed=false\n');
    const second = await request({ ...client(port), session: first.session! }, 'GET /idempotent\n');
    expect(second.answer).toBe('early=accepted bytes=16 resumed=true\n');
    expect(second.sock.info!.earlyData).toBe('accepted');
    expect(seen[1]).toMatchObject({ request: 'GET /idempotent\n', earlyDataBytes: 16, readBeforeSecure: true });
    expect(calls).toEqual([{ servername: 'localhost', socket: true }]);
    expect(seen[0]!.readBeforeSecure).toBe(false);
  });

  it('refused by acceptEarlyData: skipped, the client sends it again after the handshake', async () => {
    const { port, seen } = await earlyServer({ maxEarlyData: 4096, acceptEarlyData: () => false });
    const first = await request(client(port), 'first\n');
    const second = await request({ ...client(port), session: first.session! }, 'POST /pay\n');
    expect(second.answer).toBe('early=rejected bytes=0 resumed=true\n');
    expect(second.sock.info!.earlyData).toBe('rejected');
    expect(seen[1]!.request).toBe('POST /pay\n');
  });

  it('a server without maxEarlyData (sharing ticket keys with one that has it) skips the early data (§4.2.10)', async () => {
    const ticketKeys = Buffer.alloc(48, 5);
    const on = await earlyServer({ maxEarlyData: 4096, ticketKeys });
    const off = await earlyServer({ ticketKeys });
    const first = await request(client(on.port), 'first\n');
    const second = await request({ ...client(off.port), session: first.session! }, 'x'.repeat(3000) + '\n');
    expect(second.answer).toBe('early=rejected bytes=0 resumed=true\n');
    expect(off.seen[0]!.request).toHaveLength(3001);
  });

  it('early data beyond maxEarlyData waits for the handshake (the ticket says the limit)', async () => {
    const { port, seen } = await earlyServer({ maxEarlyData: 8 });
    const first = await request(client(port), 'first\n');
    const sock = connect({ ...client(port), session: first.session! });
    sock.write('1234'); // several writes: all that fit the ticket's max_early_data_size go as early data
    sock.write('5678');
    sock.write('9\n');
    let answer = '';
    await new Promise<void>((res, rej) => {
      sock.on('data', (d: Buffer) => { answer += d.toString(); });
      sock.once('end', () => res());
      sock.once('error', rej);
    });
    expect(answer).toBe('early=accepted bytes=8 resumed=true\n');
    expect(seen[1]!.request).toBe('123456789\n');
  });

  it('a replayed 0-RTT flight (captured on the wire) is not delivered again: the server shares one strike register (§8.2)', async () => {
    const hooked: TlsSocket[] = [];
    const { port, seen } = await earlyServer({ maxEarlyData: 4096 }, (serve) => (_p, socket) => {
      hooked.push(socket);
      serve(socket);
      return true;
    });
    const first = await request(client(port), 'first\n');
    // A proxy that records what the client sends.
    const captured: Buffer[] = [];
    const proxy = net.createServer((c) => {
      const up = net.connect(port, '127.0.0.1');
      c.on('data', (d: Buffer) => { captured.push(d); up.write(d); });
      up.pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    const proxyPort = await listen(proxy);
    cleanups.push(() => closeServer(proxy));
    const second = await request({ ...client(proxyPort), session: first.session! }, 'POST /transfer\n');
    expect(second.answer).toBe('early=accepted bytes=15 resumed=true\n');
    // The attacker sends the same bytes again, on a new connection.
    const replay = net.connect(port, '127.0.0.1');
    replay.on('error', () => undefined);
    replay.end(Buffer.concat(captured));
    await new Promise<void>((res) => { replay.on('close', () => res()); replay.resume(); });
    // The ticket and its age still pass, but the binder was seen: the strike register
    // refuses the 0-RTT before acceptEarlyData is even asked (it records every offer, §8.2).
    expect(hooked).toHaveLength(1);
    expect(seen.map((v) => v.request)).toEqual(['first\n', 'POST /transfer\n']);
  });

  it('options in the wrong role are refused, naming them', () => {
    const { cert, key } = pki.server['ecdsa-p256'];
    expect(() => createServer({ cert, key, earlyData: true } as ServerOptions)).toThrow(/earlyData: .*maxEarlyData/);
    expect(() => connect({ host: '127.0.0.1', port: 9, maxEarlyData: 10 } as ConnectOptions)).toThrow(/maxEarlyData: .*server option/);
    expect(() => createServer({ cert, key, maxEarlyData: -1 })).toThrow(/maxEarlyData/);
  });
});

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

describe.skipIf(!haveOpenssl)('Node adapter server: 0-RTT from openssl s_client -early_data', () => {
  /** `openssl s_client` sending `input` after the handshake; resolves with its output once it exits. */
  async function sClient(port: number, args: string[], input = ''): Promise<string> {
    const c = run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-CAfile', pki.ca.certFile, '-ign_eof', ...args]);
    c.proc.stdin.end(input);
    await c.exit;
    return c.stdout();
  }

  it('accepted: OpenSSL says "Early data was accepted"; our socket counted the early bytes', async () => {
    const { port, seen } = await earlyServer({ maxEarlyData: 16384 });
    const sess = join(pki.dir, 'node-early.sess');
    const early = join(pki.dir, 'node-early.txt');
    writeFileSync(early, 'GET /from-openssl\n');
    const first = await sClient(port, ['-sess_out', sess], 'first\n');
    expect(first).toMatch(/Max Early Data: 16384/);
    const out = await sClient(port, ['-sess_in', sess, '-early_data', early]);
    expect(out).toMatch(/Reused, TLSv1\.3/);
    expect(out).toMatch(/Early data was accepted/);
    expect(out).toMatch(/early=accepted bytes=18 resumed=true/);
    expect(seen.at(-1)).toMatchObject({ request: 'GET /from-openssl\n', earlyDataBytes: 18 });
  });

  it('refused by the application: OpenSSL says "Early data was rejected"; the handshake completes and 1-RTT data follows', async () => {
    const { port, seen } = await earlyServer({ maxEarlyData: 16384, acceptEarlyData: () => false });
    const sess = join(pki.dir, 'node-early-rej.sess');
    const early = join(pki.dir, 'node-early-rej.txt');
    writeFileSync(early, 'GET /rejected\n');
    await sClient(port, ['-sess_out', sess], 'first\n');
    // s_client does not send rejected early data again: the request goes again from stdin, after the handshake.
    const out = await sClient(port, ['-sess_in', sess, '-early_data', early], 'GET /again\n');
    expect(out).toMatch(/Reused, TLSv1\.3/);
    expect(out).toMatch(/Early data was rejected/);
    expect(out).toMatch(/early=rejected bytes=0 resumed=true/);
    expect(seen.at(-1)!.request).toBe('GET /again\n');
  });
});
