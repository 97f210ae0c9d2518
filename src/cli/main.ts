#!/usr/bin/env node
/**
 * The `puretls` command: serve, connect, get, cert, demo.
 */
import { UsageError } from './args.js';
import { runCert } from './cert.js';
import { describeError } from './common.js';
import { CONNECT_USAGE, runConnect } from './connect.js';
import { runDemo } from './demo.js';
import { GET_USAGE, runGet } from './get.js';
import { runServe, SERVE_USAGE } from './serve.js';

const USAGE = `puretls — TLS 1.3 (RFC 8446) in TypeScript

${SERVE_USAGE}
${CONNECT_USAGE}
${GET_USAGE}
usage: puretls cert ca --out DIR [--name N] [--key ecdsa-p256|ecdsa-p384|ed25519|rsa2048]
       puretls cert issue --ca DIR --out DIR --name localhost[,127.0.0.1,...] [--client] [--days N]
usage: puretls demo     (puretls and Node's tls talking to each other, with mutual TLS)

List options are comma-separated. Keys: PKCS#8, SEC1 or PKCS#1 PEM.
--trace prints each handshake message (stderr); --keylog FILE writes NSS key-log lines
(without --keylog: to $SSLKEYLOGFILE when that is set).`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve':
      return runServe(rest);
    case 'connect':
      return runConnect(rest);
    case 'get':
      return runGet(rest);
    case 'cert': {
      const code: unknown = await runCert(rest);
      return typeof code === 'number' ? code : 0;
    }
    case 'demo':
      return runDemo();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return cmd === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${cmd}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`puretls: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`puretls: ${describeError(e)}\n`);
    process.exit(1);
  },
);
