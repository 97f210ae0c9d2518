/** tls.createServer(): a net.Server whose connections are TlsSockets. */
import net from 'node:net';
import type { ServerConfig } from '../../connection/types.js';
import { nodeServerConfig, type ServerOptions } from './options.js';
import { TlsSocket, type SocketOptions } from './socket.js';

/**
 * A TLS 1.3 server: a net.Server whose connections are TlsSockets. Events:
 * 'secureConnection' (socket), 'tlsClientError' (err, socket), 'keylog'
 * (line, socket), plus net.Server's.
 */
export class Server extends net.Server {
  private readonly tlsConfig: ServerConfig;
  private readonly socketOptions: SocketOptions & { handshakeTimeout: number };
  private readonly noDelay: boolean;

  constructor(options: ServerOptions, onConnection?: (socket: TlsSocket) => void) {
    // allowHalfOpen on TCP: our close_notify must be able to follow the peer's FIN.
    super({
      allowHalfOpen: true,
      ...(options.keepAlive !== undefined ? { keepAlive: options.keepAlive } : {}),
      ...(options.keepAliveInitialDelay !== undefined ? { keepAliveInitialDelay: options.keepAliveInitialDelay } : {}),
    });
    this.tlsConfig = nodeServerConfig(options);
    this.noDelay = options.noDelay ?? true;
    this.socketOptions = {
      allowHalfOpen: options.allowHalfOpen ?? false,
      handshakeTimeout: options.handshakeTimeout ?? 120_000,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
    };
    if (onConnection) this.on('secureConnection', onConnection);
    this.on('connection', (raw: net.Socket) => this.accept(raw));
  }

  private accept(raw: net.Socket): void {
    raw.setNoDelay(this.noDelay);
    let sock: TlsSocket | undefined;
    const userKeyLog = this.tlsConfig.keyLog;
    const config: ServerConfig = {
      ...this.tlsConfig,
      keyLog: (line) => {
        userKeyLog?.(line);
        if (this.listenerCount('keylog') > 0) this.emit('keylog', Buffer.from(line + '\n'), sock);
      },
    };
    try {
      sock = new TlsSocket(raw, config, 'server', this.socketOptions);
    } catch (e) {
      raw.destroy();
      this.emit('tlsClientError', e, undefined);
      return;
    }
    const s = sock;
    const onEarlyError = (err: Error) => {
      if (this.listenerCount('tlsClientError') > 0) this.emit('tlsClientError', err, s);
    };
    s.on('error', onEarlyError);
    s.once('secure', () => {
      s.off('error', onEarlyError);
      this.emit('secureConnection', s);
    });
  }
}

/** Like tls.createServer(): `onConnection` is added as a 'secureConnection' listener. */
export function createServer(options: ServerOptions, onConnection?: (socket: TlsSocket) => void): Server {
  return new Server(options, onConnection);
}
