#!/usr/bin/env node
/**
 * The `puretls` command. Commands live in commands.ts; each is described by
 * its own module (serve, connect, get, bench, cert, demo).
 */
import { runCli } from './commands.js';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`puretls: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
