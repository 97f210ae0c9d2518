/**
 * handshake.resumed.<client>-<server>.<provider>: resumed TLS 1.3 handshakes
 * per second (PSK from a session ticket, psk_dhe_ke with x25519, RFC 8446
 * §2.2), sequential, over loopback TCP; baseline node-node resumed (Node's
 * own tls, its `session` option against Node's tls server) in the same run.
 *
 * One full handshake gets a ticket (the client's 'session' event), then
 * every measured connection offers that session and must report
 * isSessionReused() on the client, and its server side must be established:
 * a connection that fell back to a full handshake fails the row loudly (it
 * would measure the wrong thing). The same ticket is offered every time
 * (both servers accept a ticket more than once without early data; Node's
 * server sends no new ticket after a resumed handshake). Every connection
 * has a deadline (CONNECTION_TIMEOUT_MS): a row errors instead of hanging.
 *
 * handshake.resumed.inmemory.puretls-puretls.pure{,.psk_ke}: resumed
 * against full handshakes between two sans-I/O Connections (no sockets),
 * pure provider, interleaved in small batches so both see the same machine
 * load; the ratio is full / resumed CPU time (target ≥ 2). The server has
 * explicit ticketKeys. The log line also times the x25519 work alone. `.psk_ke` resumes without (EC)DHE (§4.2.9), to show
 * what the X25519 exchange costs.
 */
import tls from 'node:tls';
import { Connection } from '../src/connection/connection.js';
import type { ClientConfig, ServerConfig } from '../src/connection/types.js';
import { clientConfig, serverConfig } from '../src/io/options.js';
import { connect } from '../src/io/node.js';
import { median, result, type BenchContext, type BenchGroup, type BenchResult } from './harness.js';
import { benchPki, startServer, type Pki, type ProviderName, type Side } from './bulk-fixtures.js';
import { loopbackRows, x25519Set } from './handshake.js';

/** A loopback connection that takes longer than this fails its row. */
export const CONNECTION_TIMEOUT_MS = 10_000;

interface Resumable {
  once(ev: 'session', cb: (s: Buffer) => void): unknown;
  once(ev: 'secureConnect', cb: () => void): unknown;
  once(ev: 'error', cb: (e: Error) => void): unknown;
  on(ev: 'error', cb: (e: Error) => void): unknown;
  isSessionReused(): boolean;
  destroy(): unknown;
}

function dial(side: Side, p: Pki, port: number, session: Buffer | undefined): Resumable {
  const common = { host: '127.0.0.1', port, servername: 'localhost', ca: p.ca, ...(session ? { session } : {}) };
  return side.stack === 'node'
    ? (tls.connect({ ...common, minVersion: 'TLSv1.3', ecdhCurve: 'X25519' }) as unknown as Resumable)
    : (connect({ ...common, provider: side.provider, groups: ['x25519'] }) as unknown as Resumable);
}

/** `p`, or an error naming `what` after `ms` (the timer never keeps the process alive). */
export function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} took more than ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * One connection, waited for on both sides. Without `session`: a full
 * handshake, resolving with the first session the server sent. With it: the
 * client must report a resumed session.
 */
function connection(side: Side, p: Pki, port: number, session: Buffer | undefined, serverSide: Promise<void>): Promise<Buffer | undefined> {
  let c: Resumable | undefined;
  const done = new Promise<Buffer | undefined>((resolve, reject) => {
    c = dial(side, p, port, session);
    c.on('error', reject);
    const secure = new Promise<void>((r) => c!.once('secureConnect', () => r()));
    if (session) {
      void secure.then(async () => {
        if (!c!.isSessionReused()) throw new Error('bench: a connection offered a session ticket but did not resume (full handshake)');
        await serverSide;
      }).then(() => resolve(undefined), reject);
    } else {
      const ticket = new Promise<Buffer>((r) => c!.once('session', r));
      void Promise.all([secure, ticket, serverSide]).then(([, s]) => resolve(s), reject);
    }
  });
  return deadline(done, CONNECTION_TIMEOUT_MS, session ? 'a resumed connection' : 'a full connection (waiting for its session ticket)')
    .finally(() => c?.destroy());
}

/** Resumed handshakes per second: one full handshake for a ticket, one resumed warm-up, then `n` resumed. */
export async function resumedPerSecond(p: Pki, client: Side, server: Side, n: number): Promise<number> {
  let serverDone: (() => void) | undefined;
  const srv = await startServer(server, p, (s) => {
    serverDone?.();
    s.resume();
  }, { groups: ['x25519'] });
  try {
    const next = (): Promise<void> => new Promise((r) => { serverDone = r; });
    const session = await connection(client, p, srv.port, undefined, next());
    if (!session) throw new Error('bench: no session ticket from the first connection');
    await connection(client, p, srv.port, session, next()); // warm-up
    const start = performance.now();
    for (let i = 0; i < n; i++) await connection(client, p, srv.port, session, next());
    return n / ((performance.now() - start) / 1000);
  } finally {
    await deadline(srv.close(), CONNECTION_TIMEOUT_MS, 'closing the bench server');
  }
}

/** A handshake between two Connections wired back to back; resolves with whether both sides resumed. */
export function inMemory(cc: ClientConfig, sc: ServerConfig): Promise<boolean> {
  return new Promise((resolve, reject) => {
    let done = 0;
    let resumed = true;
    let server!: Connection;
    const finish = (r: boolean): void => {
      resumed &&= r;
      if (++done === 2) resolve(resumed);
    };
    const client = Connection.client(cc, {
      onTransmit: (b) => server.receive(b),
      onHandshakeDone: (info) => finish(info.resumed),
      onError: reject,
    });
    server = Connection.server(sc, {
      onTransmit: (b) => client.receive(b),
      onHandshakeDone: (info) => finish(info.resumed),
      onError: reject,
    });
    client.start();
  });
}

export interface InMemoryPair {
  full: ClientConfig;
  resumed: ClientConfig;
  server: ServerConfig;
}

/** Configurations for the in-memory pair: a ticket from one full handshake, offered by `resumed`. */
export async function inMemoryPair(p: Pki, pskKe = false): Promise<InMemoryPair> {
  const ticketKeys = new Uint8Array(48).map((_, i) => i * 7 + 1); // explicit keys: the same in every run
  const modes = pskKe ? { pskKeyExchangeModes: ['psk_ke'] as const } : {};
  const server: ServerConfig = { ...serverConfig({ cert: p.cert, key: p.key, provider: 'pure', groups: ['x25519'], ticketKeys }), ...modes };
  let session: Uint8Array | undefined;
  const common = { servername: 'localhost', ca: p.ca, provider: 'pure' as const, groups: ['x25519'] };
  const full = clientConfig({ ...common, onSession: (s: Uint8Array) => { session ??= s; } });
  if (await deadline(inMemory(full, server), CONNECTION_TIMEOUT_MS, 'the in-memory full handshake')) {
    throw new Error('bench: a handshake without a session resumed');
  }
  // NewSessionTicket follows the server's handshake completion (§4.6.1): give it a few turns.
  for (let i = 0; i < 100 && !session; i++) await new Promise((r) => setImmediate(r));
  if (!session) throw new Error('bench: the in-memory server sent no session ticket');
  const resumed: ClientConfig = { ...clientConfig({ ...common, session }), ...modes };
  return { full, resumed, server };
}

/** CPU ms (user + system) of this process spent in `fn`. */
async function cpuMs(fn: () => Promise<void> | void): Promise<number> {
  const t = process.cpuUsage();
  await fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

/**
 * Mean CPU ms per full handshake, per resumed handshake and per x25519 set
 * (x25519Set), `n` of each, interleaved in batches of `batch`. CPU time, not
 * wall time: on the shared VM the wall time of a batch depends on how often
 * other processes preempt it.
 */
export async function resumedVsFullMs(pair: InMemoryPair, n: number, batch = 5): Promise<{ fullMs: number; resumedMs: number; x25519Ms: number }> {
  let fullMs = 0;
  let resumedMs = 0;
  let x25519Ms = 0;
  for (let done = 0; done < n; done += batch) {
    const k = Math.min(batch, n - done);
    fullMs += await cpuMs(async () => {
      for (let i = 0; i < k; i++) {
        if (await inMemory(pair.full, pair.server)) throw new Error('bench: a full handshake resumed');
      }
    });
    resumedMs += await cpuMs(async () => {
      for (let i = 0; i < k; i++) {
        if (!(await inMemory(pair.resumed, pair.server))) throw new Error('bench: an in-memory handshake offering a ticket did not resume');
      }
    });
    x25519Ms += await cpuMs(() => { for (let i = 0; i < k; i++) x25519Set(); });
  }
  return { fullMs: fullMs / n, resumedMs: resumedMs / n, x25519Ms: x25519Ms / n };
}

export const resumedGroup: BenchGroup = {
  name: 'handshake.resumed',
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const p = await benchPki();
    const rounds = ctx.quick ? 1 : 3;
    const out = await loopbackRows(ctx, 'handshake.resumed', (client, server, n) => resumedPerSecond(p, client, server, n));

    // Resumed vs full, in memory, pure provider: psk_dhe_ke (the default) and psk_ke.
    for (const [suffix, pskKe] of [['', false], ['.psk_ke', true]] as const) {
      const name = `handshake.resumed.inmemory.puretls-puretls.pure${suffix}`;
      if (!ctx.wants(name)) continue;
      const pair = await inMemoryPair(p, pskKe);
      await resumedVsFullMs(pair, ctx.quick ? 20 : 40); // warm-up: both code paths reach steady state
      const values: number[] = [];
      const fulls: number[] = [];
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const { fullMs, resumedMs, x25519Ms } = await resumedVsFullMs(pair, ctx.quick ? 30 : 100);
        values.push(1000 / resumedMs);
        fulls.push(1000 / fullMs);
        ratios.push(fullMs / resumedMs);
        ctx.log(`${name}: resumed ${resumedMs.toFixed(2)} ms, full ${fullMs.toFixed(2)} ms (×${(fullMs / resumedMs).toFixed(2)}); `
          + `x25519 (2 key generations + 2 agreements) alone ${x25519Ms.toFixed(2)} ms (CPU time)`);
      }
      out.push(result(name, 'handshakes/cpu-s', median(values), 'handshake.full.inmemory.puretls-puretls.pure', median(fulls), median(ratios)));
    }
    return out;
  },
};

export const groups: BenchGroup[] = [resumedGroup];
