/**
 * `puretls relay`: a WebSocket-to-TCP bridge so that pages (which can open
 * WebSockets but not TCP connections) reach TLS servers, with puretls doing
 * the TLS in the page. websockify's binary protocol: each binary message
 * carries raw TCP bytes, either way (subprotocol `binary` when the client
 * offers it). RFC 6455 is handled by the `ws` package; this file is the
 * policy:
 *
 * - an allow-list of `host:port` targets is mandatory: never an open proxy.
 *   A client names its target with `?target=host:port` (or gets the only
 *   allowed one when it names none); anything not on the list is refused.
 * - per-client (by remote address) and total connection limits;
 * - an idle timeout (no bytes either way) and a connect timeout;
 * - optionally, the page origins allowed to connect (`--origin`): a relay on
 *   a user's machine is otherwise reachable from any site the user visits;
 * - backpressure both ways: a full TCP send buffer pauses the WebSocket, a
 *   WebSocket with more than 1 MiB unsent pauses the TCP socket;
 * - one log line per connection opened, refused and closed (bytes, reason).
 *
 * Refusals are sent as WebSocket close codes with a reason (browsers do not
 * expose the HTTP status of a failed upgrade): 4403 target not allowed,
 * 4429 too many connections, 4502 target unreachable, 4408 idle.
 */
import { connect, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { intOption, list, parseHostPort, UsageError, type ParsedArgs } from './args.js';
import type { Command } from './command.js';

export const CLOSE = {
  notAllowed: 4403,
  tooMany: 4429,
  unreachable: 4502,
  idle: 4408,
} as const;

export interface RelayOptions {
  host: string;
  port: number;
  /** Allowed targets. Must not be empty. */
  allow: readonly { host: string; port: number }[];
  /** Simultaneous connections from one remote address. Default 8. */
  maxPerClient?: number;
  /** Simultaneous connections in all. Default 256. */
  maxTotal?: number;
  /** Close a connection after this long without bytes either way (ms). Default 300000. */
  idleTimeoutMs?: number;
  /**
   * Origins (scheme://host[:port]) whose pages may connect; others are
   * refused (4403). Default: any origin, and clients that send none.
   */
  origins?: readonly string[];
  /** Give up connecting to the target after this long (ms). Default 10000. */
  connectTimeoutMs?: number;
  /** One line per event; default: none. */
  log?: (line: string) => void;
}

export interface Relay {
  readonly host: string;
  readonly port: number;
  /** Connections open now. */
  readonly active: number;
  close(): Promise<void>;
}

/** Largest WebSocket message accepted from a client (TLS records are at most ~16 KiB; writes may join a few). */
const MAX_MESSAGE = 4 * 1024 * 1024;
/** Unsent WebSocket bytes above which the target's socket is paused. */
const WS_HIGH_WATER = 1024 * 1024;

const key = (host: string, port: number) => `${host.toLowerCase()}:${port}`;
const showTarget = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Start a relay; resolves once it listens. */
export async function startRelay(o: RelayOptions): Promise<Relay> {
  if (o.allow.length === 0) throw new UsageError('relay: --allow is required (at least one HOST:PORT): the relay is never an open proxy');
  const allowed = new Map(o.allow.map((t) => [key(t.host, t.port), t]));
  const maxPerClient = o.maxPerClient ?? 8;
  const maxTotal = o.maxTotal ?? 256;
  const idleMs = o.idleTimeoutMs ?? 300_000;
  const connectMs = o.connectTimeoutMs ?? 10_000;
  const log = o.log ?? (() => undefined);
  const perClient = new Map<string, number>();
  let active = 0;
  let nextId = 1;

  const wss = new WebSocketServer({
    host: o.host,
    port: o.port,
    maxPayload: MAX_MESSAGE,
    perMessageDeflate: false,
    // websockify's protocol is 'binary'; accept a client that offers it (or none).
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const addr = wss.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const id = nextId++;
    const client = req.socket.remoteAddress ?? 'unknown';
    const who = `#${id} ${client.includes(':') ? `[${client}]` : client}:${req.socket.remotePort}`;
    const refuse = (code: number, reason: string) => {
      log(`${who} refused: ${reason}`);
      ws.close(code, reason.slice(0, 120)); // a close reason is at most 123 bytes (RFC 6455 §5.5)
    };

    if (o.origins) {
      const origin = req.headers.origin;
      if (origin === undefined || !o.origins.includes(origin)) return refuse(CLOSE.notAllowed, `origin not allowed: ${String(origin ?? '(none)').slice(0, 80)}`);
    }
    // Which target: ?target=host:port, or the only allowed one.
    let target: { host: string; port: number } | undefined;
    const named = new URL(req.url ?? '/', 'ws://relay').searchParams.get('target');
    if (named === null) {
      if (allowed.size !== 1) return refuse(CLOSE.notAllowed, 'name a target: ?target=host:port');
      target = allowed.values().next().value;
    } else {
      try {
        const t = parseHostPort(named);
        target = allowed.get(key(t.host, t.port));
      } catch {
        target = undefined;
      }
      if (!target) return refuse(CLOSE.notAllowed, `target not allowed: ${named.slice(0, 80)}`);
    }
    if (!target) return refuse(CLOSE.notAllowed, 'no target');
    const to = target;
    if (active >= maxTotal) return refuse(CLOSE.tooMany, `too many connections (${maxTotal} in all)`);
    const mine = perClient.get(client) ?? 0;
    if (mine >= maxPerClient) return refuse(CLOSE.tooMany, `too many connections from ${client} (${maxPerClient})`);

    active++;
    perClient.set(client, mine + 1);
    const where = showTarget(to.host, to.port);
    let up = 0;
    let down = 0;
    let finished = false;
    let connected = false;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const tcp: Socket = connect({ host: to.host, port: to.port });
    tcp.setNoDelay(true);
    const connectTimer = setTimeout(() => { if (!connected) tcp.destroy(new Error(`connect timeout after ${connectMs} ms`)); }, connectMs);

    const finish = (how: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(connectTimer);
      if (idleTimer) clearTimeout(idleTimer);
      active--;
      const n = (perClient.get(client) ?? 1) - 1;
      if (n > 0) perClient.set(client, n);
      else perClient.delete(client);
      log(`${who} -> ${where} closed (${how}): ${up} bytes up, ${down} bytes down`);
    };
    const touch = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        ws.close(CLOSE.idle, `idle for ${idleMs} ms`);
        tcp.destroy();
        finish('idle timeout');
      }, idleMs);
    };
    touch();

    tcp.on('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      log(`${who} -> ${where} connected`);
    });
    // Client → target. A full TCP send buffer pauses the WebSocket.
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'binary messages only (websockify binary protocol)');
        tcp.destroy();
        finish('text message');
        return;
      }
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      up += buf.length;
      touch();
      if (!tcp.write(buf)) {
        ws.pause();
        tcp.once('drain', () => ws.resume());
      }
    });
    // Target → client. More than WS_HIGH_WATER unsent pauses the TCP socket.
    tcp.on('data', (buf: Buffer) => {
      down += buf.length;
      touch();
      ws.send(buf, { binary: true }, () => {
        if (tcp.isPaused() && ws.bufferedAmount < WS_HIGH_WATER / 2) tcp.resume();
      });
      if (ws.bufferedAmount > WS_HIGH_WATER) tcp.pause();
    });
    tcp.on('end', () => {
      // The target closed: close the WebSocket once what it sent is delivered.
      ws.close(1000, 'target closed');
      finish('target closed');
    });
    tcp.on('error', (e: NodeJS.ErrnoException) => {
      const reason = `target ${connected ? 'error' : 'unreachable'}: ${e.code ?? e.message}`;
      if (!connected) ws.close(CLOSE.unreachable, reason);
      else ws.terminate();
      finish(reason);
    });
    ws.on('close', (code: number) => {
      // No half-close in WebSocket: the client is done both ways.
      tcp.end();
      finish(`client closed, code ${code}`);
    });
    ws.on('error', (e: Error) => {
      tcp.destroy();
      finish(`websocket error: ${e.message}`);
    });
  });

  return {
    host: o.host,
    port,
    get active() { return active; },
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

export const relayCommand: Command = {
  name: 'relay',
  summary: 'WebSocket-to-TCP bridge (websockify binary protocol) so pages can reach allowed TLS servers.',
  description:
    'Each binary WebSocket message carries raw TCP bytes both ways; puretls in the page does the TLS, the relay ' +
    'sees only ciphertext. A client picks a target with ws://HOST:PORT/?target=HOST:PORT (or gets the only ' +
    'allowed one). --allow is mandatory: the relay is never an open proxy. Refusals close the WebSocket with ' +
    '4403 (target not allowed), 4429 (too many connections), 4502 (target unreachable), 4408 (idle).',
  options: [
    { name: 'allow', value: 'HOST:PORT[,...]', help: 'the targets clients may reach (required)' },
    { name: 'listen', value: 'HOST:PORT', help: 'where to accept WebSocket connections', default: '127.0.0.1:8080' },
    { name: 'max-per-client', value: 'N', help: 'simultaneous connections from one remote address', default: '8' },
    { name: 'max-total', value: 'N', help: 'simultaneous connections in all', default: '256' },
    { name: 'idle-timeout', value: 'S', help: 'close a connection after S seconds without bytes either way', default: '300' },
    { name: 'origin', value: 'ORIGIN[,...]', help: 'accept only pages from these origins (as browsers send them: https://app.example); refuse others and clients that send no Origin', default: 'any' },
    { name: 'quiet', help: 'no log lines (by default one per connection opened, refused and closed, on stderr)' },
  ],
  examples: [
    'puretls relay --allow 127.0.0.1:8443 --listen 127.0.0.1:8080',
    'puretls relay --allow db.internal:5432,mail.internal:993 --max-per-client 2 --idle-timeout 60',
  ],
  run: runRelayArgs,
};

async function runRelayArgs(a: ParsedArgs): Promise<number> {
  if (a.positionals.length > 0) throw new UsageError(`relay: unexpected argument ${a.positionals[0]}`);
  const allowList = list(a.values.get('allow'));
  if (!allowList || allowList.length === 0) throw new UsageError('relay: --allow is required (the relay is never an open proxy)');
  const allow = allowList.map((t) => {
    try {
      return parseHostPort(t);
    } catch {
      throw new UsageError(`--allow: expected HOST:PORT, got ${JSON.stringify(t)}`);
    }
  });
  const listen = parseHostPort(a.values.get('listen') ?? '127.0.0.1:8080');
  const quiet = a.flags.has('quiet');
  const relay = await startRelay({
    host: listen.host,
    port: listen.port,
    allow,
    maxPerClient: intOption(a, 'max-per-client', 1, 1_000_000, 8),
    maxTotal: intOption(a, 'max-total', 1, 1_000_000, 256),
    idleTimeoutMs: intOption(a, 'idle-timeout', 1, 86_400, 300) * 1000,
    ...(a.values.has('origin') ? { origins: list(a.values.get('origin')) ?? [] } : {}),
    log: quiet ? undefined : (line) => process.stderr.write(`relay: ${line}\n`),
  });
  process.stderr.write(`relay: listening on ws://${showTarget(relay.host, relay.port)}/ -> ${allow.map((t) => showTarget(t.host, t.port)).join(', ')}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await relay.close();
  return 0;
}
