/**
 * A CLI command as data: its name ('serve', or 'cert ca' for a sub-command),
 * a one-line summary, its option rows, examples and the function that runs
 * it. `puretls --help`, `puretls help COMMAND` and `COMMAND --help` are all
 * generated from these, and main.ts dispatches on them, so a new command is
 * one more entry in commands.ts.
 */
import { HELP_OPTION, parseArgs, type OptionSpec, type ParsedArgs } from './args.js';

export interface Command {
  /** 'serve', or a group and a sub-command: 'cert ca'. */
  readonly name: string;
  /** Positional arguments as shown in the usage line: 'HOST:PORT'. */
  readonly args?: string;
  readonly summary: string;
  /** A paragraph under the usage line (optional). */
  readonly description?: string;
  /** Option rows; `--help`/`-h` is added by the framework. */
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
  run(args: ParsedArgs): Promise<number>;
}

/** Every option of `cmd`, help included. */
export function commandOptions(cmd: Command): OptionSpec[] {
  return [...cmd.options, HELP_OPTION];
}

export function parseCommandArgs(cmd: Command, argv: readonly string[]): ParsedArgs {
  return parseArgs(argv, commandOptions(cmd));
}

function optionLabel(o: OptionSpec): string {
  const long = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}

/** Wrap `text` to `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

/** The full help of one command: usage, description, every option with its meaning and default, examples. */
export function commandHelp(cmd: Command): string {
  const opts = commandOptions(cmd);
  const labels = opts.map(optionLabel);
  const col = Math.min(30, Math.max(...labels.map((l) => l.length)) + 2);
  const out = [`usage: puretls ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''} [options]`, '', cmd.summary];
  if (cmd.description) out.push('', wrap(cmd.description, 78, 0));
  out.push('', 'options:');
  opts.forEach((o, i) => {
    const label = `  ${labels[i]!}`;
    const text = o.help + (o.default !== undefined ? ` (default: ${o.default})` : '') + (o.repeatable ? ' (repeatable)' : '');
    const pad = label.length + 1 > col + 2 ? `\n${' '.repeat(col + 2)}` : ' '.repeat(col + 2 - label.length);
    out.push(label + pad + wrap(text, 78 - col - 2, col + 2));
  });
  if (cmd.examples.length) {
    out.push('', 'examples:');
    for (const e of cmd.examples) out.push(`  ${e}`);
  }
  return out.join('\n') + '\n';
}
