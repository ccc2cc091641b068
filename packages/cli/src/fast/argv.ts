/**
 * The command lines typed most, read without commander: `run -d …`, `rm`
 * and `ps`. Loading commander and defining every option of a
 * command costs more than the rest of a thin client's start-up, so the fast
 * path (main.ts) reads these few forms itself and hands anything else (any
 * other command, an option not in the tables below, a word it is not sure
 * how commander would read) to the full program by answering `undefined`.
 *
 * Within what it accepts it reads as commander does, after the CLI's
 * `-x=value` rewrite (argv.ts): the same option keys and values, the same
 * operands. A unit test holds the tables to the commands' definitions and
 * the results to commander's own parse.
 */
import type { ConfigInputs } from '@ctrnet/core/api';
import type { RemoveOptions } from '../commands/containers.js';
import type { PsOptions } from '../commands/ps.js';
import type { RunOptions } from '../commands/run-spec.js';

/** A command line the fast path can run, read as the full program would read it. */
export type CommonLine =
  | { command: 'run'; inputs: ConfigInputs; operands: string[]; opts: RunOptions }
  | { command: 'rm'; inputs: ConfigInputs; operands: string[]; opts: RemoveOptions }
  | { command: 'ps'; inputs: ConfigInputs; operands: string[]; opts: PsOptions };

/** How an option stores what it is given: a flag (`true`), `--no-x` (`false`), one value (the last wins), or every value in order. */
export type FlagKind = 'boolean' | 'negate' | 'value' | 'list';

/** Option words (`-p`, `--publish`) to the option key (commander's attribute name) and kind. */
export type FlagTable = Readonly<Record<string, { key: string; kind: FlagKind }>>;

const flag = (key: string, kind: FlagKind, ...words: string[]) => Object.fromEntries(words.map((w) => [w, { key, kind }]));

/**
 * `run`'s options, except those of a foreground or terminal run (-i, -t,
 * --detach-keys): the fast path runs detached containers only.
 */
export const RUN_FLAGS: FlagTable = {
  ...flag('detach', 'boolean', '-d', '--detach'),
  ...flag('name', 'value', '--name'),
  ...flag('net', 'value', '--net'),
  ...flag('network', 'value', '--network'),
  ...flag('publish', 'list', '-p', '--publish'),
  ...flag('publishAll', 'boolean', '-P', '--publish-all'),
  ...flag('expose', 'list', '--expose'),
  ...flag('dns', 'list', '--dns'),
  ...flag('dnsSearch', 'list', '--dns-search'),
  ...flag('dnsOption', 'list', '--dns-option'),
  ...flag('hostname', 'value', '-h', '--hostname'),
  ...flag('addHost', 'list', '--add-host'),
  ...flag('link', 'list', '--link'),
  ...flag('macAddress', 'value', '--mac-address'),
  ...flag('ip', 'value', '--ip'),
  ...flag('ip6', 'value', '--ip6'),
  ...flag('defaultGateway', 'value', '--default-gateway'),
  ...flag('env', 'list', '-e', '--env'),
  ...flag('envFile', 'list', '--env-file'),
  ...flag('rm', 'boolean', '--rm'),
  ...flag('init', 'boolean', '--init'),
  ...flag('stopSignal', 'value', '--stop-signal'),
  ...flag('stopTimeout', 'value', '--stop-timeout'),
  ...flag('workdir', 'value', '-w', '--workdir'),
  ...flag('user', 'value', '-u', '--user'),
  ...flag('label', 'list', '-l', '--label'),
  ...flag('networkAlias', 'list', '--network-alias'),
};

export const RM_FLAGS: FlagTable = flag('force', 'boolean', '-f', '--force');

/** `ps` without filters, formats or limits: the listing scripts and people type. */
export const PS_FLAGS: FlagTable = {
  ...flag('all', 'boolean', '-a', '--all'),
  ...flag('quiet', 'boolean', '-q', '--quiet'),
  ...flag('trunc', 'negate', '--no-trunc'),
};

interface Read {
  opts: Record<string, unknown>;
  operands: string[];
}

/** The line as the fast path runs it, or undefined when the full program must read it. */
export function readCommonLine(argv: readonly string[]): CommonLine | undefined {
  const globals = readGlobals(argv);
  if (!globals) return undefined;
  const { inputs, at } = globals;
  const word = argv[at];
  const rest = argv.slice(at + 1);
  switch (word) {
    case 'run': {
      // Only `run -d`, and only with a command to run (commander reports a missing one).
      const read = readWords(rest, RUN_FLAGS, {}, true);
      return read?.opts.detach && read.operands.length ? { command: 'run', inputs, operands: read.operands, opts: read.opts } : undefined;
    }
    case 'rm': {
      const read = readWords(rest, RM_FLAGS, {}, false);
      return read?.operands.length ? { command: 'rm', inputs, operands: read.operands, opts: read.opts } : undefined;
    }
    case 'ps': {
      // ps takes no operands: commander reports any.
      const read = readWords(rest, PS_FLAGS, { trunc: true }, false);
      return read && !read.operands.length ? { command: 'ps', inputs, operands: [], opts: read.opts as unknown as PsOptions } : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The program's options before the command word (enablePositionalOptions:
 * they end there): the config inputs and where the word is. Undefined for
 * any option but `--config` and `--state-dir`, and for `--`.
 */
function readGlobals(argv: readonly string[]): { inputs: ConfigInputs; at: number } | undefined {
  const inputs: ConfigInputs = { configPath: undefined, stateDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-')) return { inputs, at: i };
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    const key = name === '--config' ? 'configPath' : name === '--state-dir' ? 'stateDir' : undefined;
    const value = eq < 0 ? argv[++i] : word.slice(eq + 1);
    if (!key || value === undefined || (eq < 0 && value.startsWith('-'))) return undefined;
    inputs[key] = value;
  }
  return undefined;
}

/**
 * Options and operands of one command, as commander's parseOptions reads
 * them. `passThrough`: the first operand and all after it are operands
 * (`run`'s command). Undefined for an unknown option, a value option without
 * its value, or a value that begins with `-` in the next word (commander
 * would take it; whether the user meant it is the full program's to judge).
 */
function readWords(words: readonly string[], flags: FlagTable, defaults: Record<string, unknown>, passThrough: boolean): Read | undefined {
  const opts: Record<string, unknown> = { ...defaults };
  const operands: string[] = [];
  const nextValue = (i: number): string | undefined => {
    const value = words[i];
    return value === undefined || value.startsWith('-') ? undefined : value;
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') {
      operands.push(...words.slice(i + 1));
      break;
    }
    if (word.length < 2 || !word.startsWith('-')) {
      if (passThrough) {
        operands.push(...words.slice(i));
        break;
      }
      operands.push(word);
      continue;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const spec = flags[eq < 0 ? word : word.slice(0, eq)];
      if (!spec) return undefined;
      if (spec.kind === 'boolean' || spec.kind === 'negate') {
        if (eq >= 0) return undefined;
        opts[spec.key] = spec.kind === 'boolean';
        continue;
      }
      const value = eq >= 0 ? word.slice(eq + 1) : nextValue(++i);
      if (value === undefined) return undefined;
      store(opts, spec.key, spec.kind, value);
      continue;
    }
    // A group of short options, `-dp 80:80`, `-p80:80`, `-p=80:80`: flags, then at most one that takes the rest or the next word.
    for (let letter = 1; letter < word.length; letter++) {
      const spec = flags[`-${word[letter]}`];
      if (!spec) return undefined;
      if (spec.kind === 'boolean' || spec.kind === 'negate') {
        opts[spec.key] = spec.kind === 'boolean';
        continue;
      }
      const attached = word.slice(letter + 1);
      const value = attached.startsWith('=') ? attached.slice(1) : attached || nextValue(++i);
      if (value === undefined) return undefined;
      store(opts, spec.key, spec.kind, value);
      break;
    }
  }
  return { opts, operands };
}

function store(opts: Record<string, unknown>, key: string, kind: FlagKind, value: string): void {
  opts[key] = kind === 'list' ? [...((opts[key] as string[] | undefined) ?? []), value] : value;
}
