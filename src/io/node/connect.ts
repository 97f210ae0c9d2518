/** tls.connect() and secureStream(): the client side of the Node adapter (and TLS over any Duplex). */
import * as net from 'node:net';
import { Duplex } from 'node:stream';
import { OptionError } from '../options.js';
import { nodeClientConfig, nodeServerConfig, type ConnectOptions, type SecureStreamOptions } from './options.js';
import { TlsSocket } from './socket.js';

/** net.connect options we pass through as they are (Node's meaning). */
const NET_PASSTHROUGH = [
  'localAddress', 'localPort', 'family', 'hints', 'lookup', 'autoSelectFamily', 'autoSelectFamilyAttemptTimeout',
  'keepAlive', 'keepAliveInitialDelay', 'signal',
] as const;

/**
 * Open a TLS 1.3 connection, like tls.connect(). `onSecureConnect` is added
 * as a 'secureConnect' listener. Errors (including certificate failures)
 * arrive as 'error'.
 */
export function connect(options: ConnectOptions, onSecureConnect?: () => void): TlsSocket;
export function connect(port: number, host?: string, options?: ConnectOptions, onSecureConnect?: () => void): TlsSocket;
export function connect(
  a: ConnectOptions | number,
  b?: string | (() => void),
  c?: ConnectOptions,
  d?: () => void,
): TlsSocket {
  let options: ConnectOptions;
  let cb: (() => void) | undefined;
  if (typeof a === 'number') {
    options = { ...(c ?? {}), port: a, ...(typeof b === 'string' ? { host: b } : {}) };
    cb = d;
  } else {
    options = a;
    cb = typeof b === 'function' ? b : undefined;
  }
  const config = nodeClientConfig(options);
  let raw: Duplex;
  if (options.socket) {
    raw = options.socket;
  } else {
    const common: Record<string, unknown> = {
      allowHalfOpen: true, // we end the TCP side ourselves, after close_notify
      noDelay: options.noDelay ?? true, // records are whole messages; like Go's net, no Nagle
    };
    for (const k of NET_PASSTHROUGH) if (options[k] !== undefined) common[k] = options[k];
    if (options.path) {
      raw = net.connect({ ...common, path: options.path } as net.IpcNetConnectOpts);
    } else {
      if (options.port === undefined) throw new OptionError('connect: port (or socket, or path) is required');
      raw = net.connect({ ...common, host: options.host || 'localhost', port: options.port } as net.TcpNetConnectOpts);
    }
  }
  const sock = new TlsSocket(raw, config, 'client', options);
  if (options.timeout !== undefined) sock.setTimeout(options.timeout);
  if (cb) sock.once('secureConnect', cb);
  return sock;
}

/**
 * Start TLS on an existing stream (a Duplex, or a Web Streams
 * `{ readable, writable }` pair). Client unless `isServer`.
 */
export function secureStream(
  stream: Duplex | { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> },
  options: SecureStreamOptions = {},
): TlsSocket {
  const { isServer, ...rest } = options;
  const config = isServer ? nodeServerConfig(rest, 'secureStream', options) : nodeClientConfig(rest, 'secureStream');
  const raw = stream instanceof Duplex ? stream : Duplex.fromWeb(stream as never, {});
  return new TlsSocket(raw, config, isServer ? 'server' : 'client', options);
}
