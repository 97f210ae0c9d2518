/**
 * `puretls get URL`: an HTTPS GET over puretls (through Node's own HTTP/1.1
 * client, with our TLS socket as its connection). Body to stdout; exit 0 on
 * a 2xx status.
 */
import https from 'node:https';
import { isIP } from 'node:net';
import { connect, type TlsSocket } from '../io/node.js';
import { parseArgs, UsageError } from './args.js';
import { describeError, describeSession } from './common.js';
import { CLIENT_FLAG_OPTIONS, CLIENT_VALUE_OPTIONS, clientOptions } from './connect.js';

export const GET_USAGE = `usage: puretls get URL [--servername N] [--ca F] [--cert F --key F] [--alpn LIST]
                   [--groups LIST] [--suites LIST] [--provider pure|webcrypto|node]
                   [--insecure] [--keylog F] [--trace] [--quiet] [--header 'Name: value']`;

export async function runGet(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [...CLIENT_VALUE_OPTIONS, 'header'], CLIENT_FLAG_OPTIONS);
  if (args.flags.has('help')) {
    process.stdout.write(GET_USAGE + '\n');
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError(GET_USAGE);
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
  if (isIP(host) && o.servername === undefined) o.servername = host;
  if (o.ALPNProtocols === undefined) o.ALPNProtocols = ['http/1.1'];
  const quiet = args.flags.has('quiet');
  const headers: Record<string, string> = { Host: url.host, Connection: 'close', 'User-Agent': 'puretls' };
  const extra = args.values.get('header');
  if (extra !== undefined) {
    const i = extra.indexOf(':');
    if (i <= 0) throw new UsageError('--header: "Name: value"');
    headers[extra.slice(0, i).trim()] = extra.slice(i + 1).trim();
  }

  return new Promise<number>((resolve) => {
    let sock: TlsSocket | undefined;
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
      res.pipe(process.stdout, { end: false });
      res.on('end', () => process.stdout.write('', () => resolve(ok ? 0 : 1)));
      res.on('error', (e) => {
        process.stderr.write(`error: ${describeError(e)}\n`);
        resolve(1);
      });
    });
    req.on('error', (e) => {
      process.stderr.write(`error: ${describeError(e)}\n`);
      resolve(1);
    });
    req.end();
  });
}
