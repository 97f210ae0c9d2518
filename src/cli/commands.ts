/**
 * The command table of the `puretls` CLI and its dispatcher: a new command
 * is a `Command` object added to COMMANDS (src/cli/command.ts describes the
 * shape); help, option parsing and exit codes come with it.
 *
 * Exit codes: 0 success, 1 failure (TLS, network, files on disk), 2 usage
 * (unknown option or command, a bad value, an unreadable file named by an option).
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { benchBulkCommand, benchHandshakesCommand } from './bench.js';
import { certCaCommand, certIssueCommand } from './cert.js';
import { commandHelp, parseCommandArgs, type Command } from './command.js';
import { describeError } from './common.js';
import { connectCommand } from './connect.js';
import { demoCommand } from './demo.js';
import { getCommand } from './get.js';
import { relayCommand } from './relay.js';
import { serveCommand } from './serve.js';

export const COMMANDS: Command[] = [
  serveCommand,
  connectCommand,
  getCommand,
  benchHandshakesCommand,
  benchBulkCommand,
  certCaCommand,
  certIssueCommand,
  demoCommand,
  relayCommand,
];

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The top-level help: every command with its summary. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'puretls — TLS 1.3 (RFC 8446) in TypeScript',
    '',
    'usage: puretls COMMAND [options]',
    '       puretls help COMMAND        (or: puretls COMMAND --help) every option, its default, examples',
    '       puretls --version',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Exit codes: 0 success, 1 failure (handshake, alert, network, files), 2 usage error.',
    '',
  ].join('\n');
}

/** The commands of a group ('cert', 'bench'), or undefined when `word` is not one. */
function group(word: string): Command[] | undefined {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${word} `));
  return members.length ? members : undefined;
}

function groupHelp(word: string, members: Command[]): string {
  const width = Math.max(...members.map((c) => c.name.length)) + 2;
  return [`usage: puretls ${word} SUBCOMMAND [options]`, '', ...members.map((c) => `  ${c.name.padEnd(width)}${c.summary}`), '', `puretls help ${word} SUBCOMMAND shows its options.`, ''].join('\n');
}

/** Find the command `argv` names: one word, or a group and a sub-command. */
function lookup(argv: readonly string[]): { cmd: Command; rest: string[] } | { group: string; members: Command[]; rest: string[] } | undefined {
  const [a, b, ...more] = argv;
  if (a === undefined) return undefined;
  const two = b !== undefined ? COMMANDS.find((c) => c.name === `${a} ${b}`) : undefined;
  if (two) return { cmd: two, rest: more };
  const one = COMMANDS.find((c) => c.name === a);
  if (one) return { cmd: one, rest: argv.slice(1) };
  const members = group(a);
  if (members) return { group: a, members, rest: argv.slice(1) };
  return undefined;
}

function help(topic: readonly string[]): number {
  if (!topic.length) {
    process.stdout.write(mainHelp());
    return 0;
  }
  const found = lookup(topic);
  if (!found) throw new UsageError(`no command ${JSON.stringify(topic.join(' '))} (puretls --help lists them)`);
  if ('cmd' in found) {
    if (found.rest.length) throw new UsageError(`no command ${JSON.stringify(topic.join(' '))}`);
    process.stdout.write(commandHelp(found.cmd));
  } else {
    if (found.rest.length) throw new UsageError(`no ${found.group} command ${JSON.stringify(found.rest[0])} (${found.members.map((m) => m.name).join(', ')})`);
    process.stdout.write(groupHelp(found.group, found.members));
  }
  return 0;
}

/** Run the command argv names; throws UsageError for exit 2. */
export async function dispatch(argv: readonly string[]): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    process.stderr.write(mainHelp());
    return 2;
  }
  if (first === '--help' || first === '-h') return help([]);
  if (first === 'help') return help(argv.slice(1));
  if (first === '--version' || first === '-V' || first === 'version') {
    process.stdout.write(`puretls ${version()}\n`);
    return 0;
  }
  const found = lookup(argv);
  if (!found) throw new UsageError(`unknown command ${JSON.stringify(first)} (puretls --help lists them)`);
  if (!('cmd' in found)) {
    const [sub] = found.rest;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(groupHelp(found.group, found.members));
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown ${found.group} command ${JSON.stringify(sub)} (${found.members.map((m) => m.name).join(', ')})`);
  }
  const args = parseCommandArgs(found.cmd, found.rest);
  if (args.flags.has('help')) {
    process.stdout.write(commandHelp(found.cmd));
    return 0;
  }
  return found.cmd.run(args);
}

/** dispatch() with errors turned into a message on stderr and an exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`puretls: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`puretls: ${describeError(e)}\n`);
    return 1;
  }
}

/** `puretls cert ARGS…` (kept for tests and scripts that call the cert commands in-process). */
export function runCert(argv: readonly string[]): Promise<number> {
  return runCli(['cert', ...argv]);
}
