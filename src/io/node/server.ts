/** tls.createServer(): a net.Server whose connections are TlsSockets. */
import * as net from 'node:net';
import type { CertifiedKey, ServerConfig } from '../../connection/types.js';
import { AntiReplay } from '../../handshake/resumption/anti-replay.js';
import { TicketKeys } from '../../handshake/resumption/ticket-keys.js';
import { OptionError } from '../options.js';
import { CONTEXT_KEYS, createSecureContext, nodeServerConfig, SecureContext, type SecureContextOptions, type ServerOptions } from './options.js';
import { TlsSocket, type SocketOptions } from './socket.js';

/**
 * A TLS 1.3 server: a net.Server whose connections are TlsSockets. Events:
 * 'secureConnection' (socket), 'tlsClientError' (err, socket), 'keylog'
 * (line, socket), plus net.Server's.
 */
export class Server extends net.Server {
  private tlsConfig: ServerConfig;
  private options: ServerOptions;
  /** addContext() entries, Node's way: hostname pattern → certificate, the last match wins. */
  private readonly contexts: [RegExp, CertifiedKey | undefined][] = [];
  private readonly socketOptions: SocketOptions & { handshakeTimeout: number };
  private readonly noDelay: boolean;
  /** One TicketKeys and one 0-RTT register for every connection of this server, so that they resume each other's sessions. */
  private ticketKeys: TicketKeys | undefined;
  private antiReplay: AntiReplay | undefined;

  constructor(options: ServerOptions, onConnection?: (socket: TlsSocket) => void) {
    // allowHalfOpen on TCP: our close_notify must be able to follow the peer's FIN.
    super({
      allowHalfOpen: true,
      ...(options.keepAlive !== undefined ? { keepAlive: options.keepAlive } : {}),
      ...(options.keepAliveInitialDelay !== undefined ? { keepAliveInitialDelay: options.keepAliveInitialDelay } : {}),
    });
    this.options = options;
    this.tlsConfig = this.build(options, undefined);
    this.noDelay = options.noDelay ?? true;
    this.socketOptions = {
      allowHalfOpen: options.allowHalfOpen ?? false,
      handshakeTimeout: options.handshakeTimeout ?? 120_000,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
    };
    if (onConnection) this.on('secureConnection', onConnection);
    this.on('connection', (raw: net.Socket) => this.accept(raw));
  }

  /** Without SNICallback/sni/selectCertificate, addContext() entries choose the certificate by SNI (else cert/key). */
  private ownsSelection(o: ServerOptions): boolean {
    return o.SNICallback === undefined && o.sni === undefined && o.selectCertificate === undefined;
  }

  /**
   * The config for new connections. The ticket keys are the server's for its
   * whole life: the first build takes them from the options (or makes random
   * ones); later builds (setSecureContext) keep them, unless `newKeys` (the
   * `ticketKeys` given to setSecureContext) installs others, as Node does.
   */
  private build(o: ServerOptions, newKeys: ServerOptions['ticketKeys']): ServerConfig {
    const c = this.buildConfig(o); // throws, changing nothing, when the options are wrong
    // The register goes with the ticket keys (RFC 8446 §8.2): the one of the servers and
    // connections that share them (same options object or same explicit keys, ../options.ts).
    this.antiReplay ??= c.antiReplay ?? new AntiReplay();
    if (!this.ticketKeys) this.ticketKeys = c.ticketKeys instanceof TicketKeys ? c.ticketKeys : new TicketKeys();
    else if (newKeys instanceof TicketKeys) this.ticketKeys = newKeys;
    else if (newKeys !== undefined) this.ticketKeys.setTicketKeys(newKeys); // the replaced key keeps its grace period
    return { ...c, ticketKeys: this.ticketKeys, antiReplay: this.antiReplay };
  }

  private buildConfig(o: ServerOptions): ServerConfig {
    if (!this.ownsSelection(o)) return nodeServerConfig(o);
    return nodeServerConfig({
      ...o,
      selectCertificate: (name) => {
        if (name === undefined) return undefined;
        let found: CertifiedKey | undefined;
        for (const [re, cert] of this.contexts) if (re.test(name)) found = cert;
        return found;
      },
    });
  }

  /**
   * Node's addContext(): the certificate for clients whose SNI matches
   * `hostname` ('*' matches within one label); later entries win. Refused on
   * a server that chooses by SNICallback, sni or selectCertificate (the
   * entry would never be used).
   */
  addContext(hostname: string, context: SecureContext | SecureContextOptions): void {
    if (!this.ownsSelection(this.options)) throw new OptionError('addContext: this server chooses certificates with SNICallback, sni or selectCertificate');
    if (typeof hostname !== 'string' || hostname === '') throw new OptionError('addContext: hostname must be a non-empty string');
    const ctx = context instanceof SecureContext ? context : createSecureContext(context);
    if (!ctx.certificate) throw new OptionError('addContext: the context has no cert and key');
    const re = new RegExp(`^${hostname.replace(/([.^$+?\-\\[\]{}()|])/g, '\\$1').replace(/\*/g, '[^.]*')}$`, 'i');
    this.contexts.push([re, ctx.certificate]);
  }

  /**
   * Node's setSecureContext(): replace the context options (cert, key, ca,
   * ciphers, …) for connections accepted from now on; connections already
   * open keep theirs. The server options (requestCert, SNICallback, …) stay,
   * and so do the ticket keys unless `ticketKeys` is given (so rotating a
   * certificate does not invalidate every outstanding session ticket).
   */
  setSecureContext(options: SecureContextOptions): void {
    const kept = { ...this.options } as Record<string, unknown>;
    for (const k of CONTEXT_KEYS) delete kept[k];
    const next = { ...kept, ...options } as ServerOptions;
    // Outstanding tickets stay valid: the ticket keys change only when `ticketKeys` is given here.
    this.tlsConfig = this.build(next, options.ticketKeys); // throws, leaving the old context, if the new one is wrong
    this.options = next;
  }

  /** The current 48-byte ticket key (Node's server.getTicketKeys()). */
  getTicketKeys(): Buffer {
    return Buffer.from(this.ticketKeys!.getTicketKeys());
  }

  /** Install a 48-byte ticket key (Node's server.setTicketKeys()); the previous one still opens tickets for the grace period. */
  setTicketKeys(keys: Buffer | Uint8Array): void {
    this.ticketKeys!.setTicketKeys(keys);
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
