/**
 * STARTTLS with a real server: PostgreSQL (Debian's package, on a loopback
 * port, TLS required, ssl_min_protocol_version = 'TLSv1.3'). The client sends
 * PostgreSQL's SSLRequest in plaintext, reads the server's 'S', secures the
 * same socket with puretls (`secureStream`), and the `pg` client runs its
 * queries over that TLS stream (README: "STARTTLS").
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secureStream, type TlsSocket } from '../../src/index.js';
import { makeTestPki, type TestPki } from './helpers/pki.js';
import { startPostgres, type Postgres } from './helpers/postgres.js';

type Provider = 'pure' | 'node';

/** PostgreSQL's SSLRequest: Int32 length 8, Int32 code 80877103 (protocol "SSL Session Encryption"). */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** Plaintext SSLRequest, the server's one-byte answer, then TLS 1.3 on the same socket. */
async function startTls(port: number, ca: string, provider: Provider): Promise<TlsSocket> {
  const tcp: Socket = tcpConnect(port, '127.0.0.1');
  await new Promise<void>((res, rej) => tcp.once('connect', res).once('error', rej));
  tcp.write(SSL_REQUEST);
  const answer = await new Promise<Buffer>((res, rej) => tcp.once('data', res).once('error', rej));
  tcp.pause(); // as a careful caller does: secureStream must take over a paused socket
  if (answer.length !== 1 || answer[0] !== 0x53 /* 'S' */) throw new Error(`server refused SSLRequest: ${answer.toString('latin1')}`);
  const tls = secureStream(tcp, { servername: 'localhost', ca, provider });
  await new Promise<void>((res, rej) => tls.once('secureConnect', res).once('error', rej));
  return tls;
}

/**
 * What `pg` needs as its `stream`: a Duplex with connect(port, host) that
 * emits 'connect' once it can carry the protocol; here, once TLS is up.
 */
class StartTlsStream extends Duplex {
  tls: TlsSocket | undefined;

  constructor(private readonly ca: string, private readonly provider: Provider) {
    super();
  }

  connect(port: number): this {
    startTls(port, this.ca, this.provider).then((tls) => {
      this.tls = tls;
      tls.on('data', (d: Buffer) => {
        if (!this.push(d)) tls.pause();
      });
      tls.on('end', () => this.push(null));
      tls.on('error', (e: Error) => this.destroy(e));
      this.emit('connect');
    }, (e: Error) => this.destroy(e));
    return this;
  }

  override _read(): void {
    this.tls?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.tls!.write(chunk, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.tls?.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.tls?.destroy();
    cb(err);
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

let pki: TestPki;
let server: Postgres;

beforeAll(async () => {
  pki = makeTestPki({ keyTypes: ['ecdsa-p256'] });
  server = await startPostgres(pki.server['ecdsa-p256']);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  pki?.cleanup();
});

describe('PostgreSQL STARTTLS (SSLRequest, then puretls on the same socket)', () => {
  for (const provider of ['pure', 'node'] as const) {
    it(`runs queries through pg over puretls (${provider} provider); the server sees TLSv1.3`, async () => {
      let stream: StartTlsStream | undefined;
      const client = new pg.Client({
        host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres', ssl: false,
        stream: () => (stream = new StartTlsStream(pki.ca.cert, provider)) as never,
      });
      await client.connect();
      try {
        expect(stream!.tls!.getProtocol()).toBe('TLSv1.3');
        expect(stream!.tls!.authorized).toBe(true);
        const ssl = await client.query('SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        expect(ssl.rows[0]).toMatchObject({ ssl: true, version: 'TLSv1.3' });
        expect(ssl.rows[0]?.cipher).toBe(stream!.tls!.getCipher()?.standardName);
        await client.query('CREATE TEMP TABLE t (n int, s text)');
        await client.query('INSERT INTO t SELECT g, repeat(md5(g::text), 40) FROM generate_series(1, 2000) g');
        const r = await client.query('SELECT count(*)::int AS n, sum(length(s))::int AS bytes FROM t');
        expect(r.rows[0]).toEqual({ n: 2000, bytes: 2000 * 32 * 40 });
        const big = await client.query('SELECT s FROM t ORDER BY n'); // ~2.6 MB back through TLS
        expect(big.rows).toHaveLength(2000);
        expect(big.rows[1999]?.s).toHaveLength(1280);
      } finally {
        await client.end();
      }
    });
  }

  it('a server certificate from a CA we do not trust fails the upgrade (unknown_ca), no query is sent', async () => {
    const stranger = makeTestPki({ keyTypes: ['ecdsa-p256'] });
    try {
      await expect(startTls(server.port, stranger.ca.cert, 'pure')).rejects.toMatchObject({ alert: 'unknown_ca' });
    } finally {
      stranger.cleanup();
    }
  });

  it('the server refuses a connection without TLS (hostnossl reject): the test really goes through TLS', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres', ssl: false });
    await expect(client.connect()).rejects.toThrow(/no encryption|pg_hba/);
  });
});
