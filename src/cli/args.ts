/**
 * Table-driven argv parsing for the puretls CLI. Each command declares its
 * options as rows (name, value placeholder, meaning, default); the same rows
 * drive parsing, `--help` and the README's option lists, so adding an option
 * is adding a row. `--flag`, `--opt value`, `--opt=value`, `-h`, positionals.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One command-line option. */
export interface OptionSpec {
  /** Long name without dashes: 'idle-timeout'. */
  readonly name: string;
  /** One-letter alias without the dash: 'h'. */
  readonly short?: string;
  /** Placeholder of the value ('FILE', 'MS', 'LIST'); absent for a flag. */
  readonly value?: string;
  /** What it does (one or two sentences). */
  readonly help: string;
  /** The default, as the user would write it (shown in help). */
  readonly default?: string;
  /** May be given more than once (every value is kept, in order). */
  readonly repeatable?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  /** The last value of each value option. */
  values: Map<string, string>;
  /** Every value of each value option, in order (for repeatable options). */
  all: Map<string, string[]>;
  flags: Set<string>;
}

/** The `--help`/`-h` row every command has. */
export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', help: 'show this help and exit' };

/**
 * Parse argv against `options`. Anything else starting with `-` is a usage
 * error naming it (typos must not be silently ignored); so is a value option
 * given twice unless it is repeatable, and a flag given a value.
 */
export function parseArgs(argv: readonly string[], options: readonly OptionSpec[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], values: new Map(), all: new Map(), flags: new Set() };
  const byName = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(options.filter((o) => o.short).map((o) => [o.short!, o]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) inline = a.slice(eq + 1);
      spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}${suggest(name, options)}`);
    } else if (/^-[A-Za-z]$/.test(a)) {
      spec = byShort.get(a.slice(1));
      if (!spec) throw new UsageError(`unknown option ${a}`);
    } else {
      out.positionals.push(a);
      continue;
    }
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      out.flags.add(spec.name);
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${spec.name} needs a value (${spec.value})`);
    const prev = out.all.get(spec.name);
    if (prev && !spec.repeatable) throw new UsageError(`--${spec.name} given twice`);
    out.values.set(spec.name, v);
    out.all.set(spec.name, [...(prev ?? []), v]);
  }
  return out;
}

function suggest(name: string, options: readonly OptionSpec[]): string {
  const close = options.find((o) => o.name.startsWith(name) || name.startsWith(o.name));
  return close ? ` (did you mean --${close.name}?)` : '';
}

/** Comma-separated list option. */
export function list(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A whole number option within [min, max], or its default. */
export function intOption(args: ParsedArgs, name: string, min: number, max: number, dflt: number): number {
  const v = args.values.get(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return n;
}

/** HOST:PORT, [v6]:PORT, or HOST alone with a default port. */
export function parseHostPort(s: string, defaultPort?: number): { host: string; port: number } {
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else {
    const i = s.lastIndexOf(':');
    if (i >= 0 && s.indexOf(':') === i) {
      host = s.slice(0, i);
      portText = s.slice(i + 1);
    } else {
      host = s;
    }
  }
  const port = portText !== undefined ? Number(portText) : defaultPort;
  if (!host || port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`expected HOST:PORT, got ${JSON.stringify(s)}`);
  }
  return { host, port };
}
