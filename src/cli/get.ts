/**
 * `puretls get URL`: an HTTPS GET over puretls (through Node's own HTTP/1.1
 * client, with our TLS socket as its connection). Body to stdout; exit 0 on
 * a 2xx status whose body is known to be complete.
 */
import https from 'node:https';
import { connect, type TlsSocket } from '../io/node.js';
import { UsageError, type ParsedArgs } from './args.js';
import type { Command } from './command.js';
import { describeError, describeSession } from './common.js';
import { CLIENT_OPTIONS, clientOptions } from './connect.js';

export const getCommand: Command = {
  name: 'get',
  args: 'URL',
  summary: 'Fetch an https:// URL over puretls (HTTP/1.1); the body goes to stdout.',
  description:
    'Exits 0 on a 2xx status with a complete body, 1 otherwise. A body whose length is not framed (no ' +
    'Content-Length, not chunked) is complete only if the server closed with close_notify: a connection ' +
    'closed without it is a truncation (RFC 8446 §6.1) and an error.',
  options: [
    ...CLIENT_OPTIONS,
    { name: 'header', value: "'NAME: VALUE'", help: 'add a request header', repeatable: true },
  ],
  examples: [
    'puretls get https://localhost:8443/ --ca ~/.puretls/dev/ca/cert.pem',
    "puretls get https://example.com/ --header 'Accept: text/html' --header 'X-Trace: 1' --trace",
  ],
  run: runGetArgs,
};

/** "Name: value" → [name, value], or a usage error naming --header. */
function header(h: string): [string, string] {
  const i = h.indexOf(':');
  const name = i > 0 ? h.slice(0, i).trim() : '';
  // RFC 9110 §5.1: a field name is a token.
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new UsageError(`--header: expected 'Name: value', got ${JSON.stringify(h)}`);
  const value = h.slice(i + 1).trim();
  if (/[\r\n\0]/.test(value)) throw new UsageError(`--header ${name}: the value must not contain CR, LF or NUL`);
  return [name, value];
}

async function runGetArgs(args: ParsedArgs): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError('get: expected one URL');
  let url: URL;
  try {
    url = new URL(args.positionals[0]!);
  } catch {
    throw new UsageError(`not a URL: ${args.positionals[0]}`);
  }
  if (url.protocol !== 'https:') throw new UsageError('only https:// URLs');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : 443;
  const o = clientOptions(args, host, port);
  if (o.ALPNProtocols === undefined) o.ALPNProtocols = ['http/1.1'];
  const quiet = args.flags.has('quiet');
  const headers: Record<string, string> = { Host: url.host, Connection: 'close', 'User-Agent': 'puretls' };
  const given = new Map<string, string>();
  for (const h of args.all.get('header') ?? []) {
    const [name, value] = header(h);
    // Repeated names are joined as RFC 9110 §5.3 allows.
    const key = [...given.keys()].find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    given.set(key, given.has(key) ? `${given.get(key)}, ${value}` : value);
  }
  for (const [k, v] of given) {
    for (const d of Object.keys(headers)) if (d.toLowerCase() === k.toLowerCase()) delete headers[d];
    headers[k] = v;
  }

  return new Promise<number>((resolve) => {
    let sock: TlsSocket | undefined;
    let settled = false;
    const done = (code: number, message?: string) => {
      if (settled) return;
      settled = true;
      if (message) process.stderr.write(message + '\n');
      process.stdout.write('', () => resolve(code));
    };
    const req = https.request({
      method: 'GET',
      host,
      port,
      path: url.pathname + url.search,
      headers,
      createConnection: () => {
        sock = connect(o);
        sock.once('secureConnect', () => {
          if (!quiet) process.stderr.write(`connected to ${url.host}: ${describeSession(sock!)}\n`);
        });
        return sock as never;
      },
    });
    req.on('response', (res) => {
      const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
      if (!quiet || !ok) process.stderr.write(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}\n`);
      // Node's parser checks Content-Length and chunked framing itself (an early end is an error);
      // a body delimited by the end of the connection is only as good as the close_notify.
      const framed = res.headers['content-length'] !== undefined || /\bchunked\b/i.test(String(res.headers['transfer-encoding'] ?? ''));
      res.pipe(process.stdout, { end: false });
      res.on('end', () => {
        if (!framed && sock && !sock.peerClosedCleanly) {
          done(1, 'error: response truncated: the connection closed without close_notify and the body length was not given (no Content-Length, not chunked)');
        } else {
          done(ok ? 0 : 1);
        }
      });
      res.on('error', (e) => done(1, `error: response incomplete: ${describeError(e)}`));
      res.on('close', () => {
        if (!res.complete) done(1, 'error: response incomplete: the connection closed before the body was complete');
      });
    });
    req.on('error', (e) => done(1, `error: ${describeError(e)}`));
    req.end();
  });
}
