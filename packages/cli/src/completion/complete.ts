/**
 * Shell completion: what may come next on a command line. The shells' scripts
 * (scripts.ts) call `ctrnet __complete WORD...` with the words typed so far,
 * the last one being the word under the cursor; this walks the command tree
 * the way commander will parse it and lists the candidates.
 */
import type { Command, Option } from 'commander';

/** What an operand or an option value names, for the candidates only the runtime knows. */
export type NameKind = 'container' | 'network';

export interface Candidate {
  value: string;
  description?: string;
}

/** Where the cursor is: the command reached, and what the current word is. */
export interface CompletionPoint {
  command: Command;
  /** The command path from the top (`['network', 'connect']`). */
  path: string[];
  /** Operands already given to `command`. */
  operands: number;
  /** The option whose value the current word is, if it is one. */
  valueFor?: Option;
  /** Global options typed (`--state-dir`, `--config`), for finding the installation. */
  globals: { stateDir?: string; config?: string };
  current: string;
}

const findOption = (command: Command, flag: string): Option | undefined => {
  for (let c: Command | null = command; c; c = c.parent) {
    const found = (c.options as readonly Option[]).find((o) => o.long === flag || o.short === flag);
    if (found) return found;
  }
  return undefined;
};

const subcommand = (command: Command, word: string): Command | undefined => command.commands.find((c) => c.name() === word || c.aliases().includes(word));

export function locate(program: Command, words: readonly string[]): CompletionPoint {
  const current = words.at(-1) ?? '';
  const point: CompletionPoint = { command: program, path: [], operands: 0, globals: {}, current };
  const typed = words.slice(0, -1);
  for (let i = 0; i < typed.length; i++) {
    const word = typed[i]!;
    if (word === '--') {
      point.operands += typed.length - i;
      break;
    }
    if (word.startsWith('-') && word.length > 1) {
      const option = findOption(point.command, word.split('=')[0]!);
      if (option && (option.required || option.optional) && !word.includes('=')) {
        const value = typed[++i];
        if (option.long === '--state-dir') point.globals.stateDir = value;
        if (option.long === '--config') point.globals.config = value;
        if (value === undefined) point.valueFor = option;
      }
      continue;
    }
    const sub = point.operands === 0 ? subcommand(point.command, word) : undefined;
    if (sub) {
      point.command = sub;
      point.path.push(sub.name());
    } else {
      point.operands++;
    }
  }
  const previous = typed.at(-1);
  if (previous && previous.startsWith('-') && !previous.includes('=')) {
    const option = findOption(point.command, previous);
    if (option && option.required) point.valueFor = option;
  }
  return point;
}

/** What the operand at `index` of a command names (`network connect NET CONTAINER`), if anything. */
export function operandKind(path: readonly string[], index: number): NameKind | undefined {
  const [first, second] = path;
  if (first === 'network') {
    if (second === 'connect' || second === 'disconnect') return index === 0 ? 'network' : index === 1 ? 'container' : undefined;
    return second === 'inspect' || second === 'rm' ? 'network' : undefined;
  }
  const verb = first === 'container' ? second : first;
  if (verb === undefined || !CONTAINER_VERBS.has(verb)) return undefined;
  // exec NAME CMD..., rename NAME NEW, port NAME PORT: only the first operand is a container.
  return ONE_CONTAINER.has(verb) && index > 0 ? undefined : 'container';
}

const CONTAINER_VERBS = new Set(['start', 'stop', 'restart', 'kill', 'rm', 'remove', 'logs', 'inspect', 'port', 'exec', 'attach', 'pause', 'unpause', 'rename', 'top', 'wait']);
const ONE_CONTAINER = new Set(['exec', 'rename', 'port', 'logs', 'attach', 'top']);

/** What an option's value names (`--net NAME`, `--link NAME`). */
export function optionKind(option: Option): NameKind | undefined {
  if (option.long === '--net' || option.long === '--network') return 'network';
  if (option.long === '--link') return 'container';
  return undefined;
}

/**
 * The candidates at `point`, filtered by the current word. `names` supplies
 * container or network names (empty when the runtime cannot be asked).
 */
export async function candidates(point: CompletionPoint, names: (kind: NameKind) => Promise<string[]>): Promise<Candidate[]> {
  const all = await unfiltered(point, names);
  return all.filter((c) => c.value.startsWith(point.current));
}

async function unfiltered(point: CompletionPoint, names: (kind: NameKind) => Promise<string[]>): Promise<Candidate[]> {
  if (point.valueFor) {
    const option = point.valueFor;
    const kind = optionKind(option);
    if (kind === 'network') return [...['bridge', 'host', 'none'].map((value) => ({ value })), ...(await names('network')).filter((n) => !['bridge', 'host', 'none'].includes(n)).map((value) => ({ value }))];
    if (kind) return (await names(kind)).map((value) => ({ value }));
    return (option.argChoices ?? []).map((value) => ({ value }));
  }
  const { command } = point;
  if (point.current.startsWith('-')) return flagsOf(command);
  const subs = command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  if (subs.length && point.operands === 0) return subs.map((c) => ({ value: c.name(), description: c.description() }));
  const kind = operandKind(point.path, point.operands);
  return kind ? (await names(kind)).map((value) => ({ value })) : [];
}

/** Long and short flags of a command and its ancestors, with their descriptions. */
function flagsOf(command: Command): Candidate[] {
  const out: Candidate[] = [];
  for (let c: Command | null = command; c; c = c.parent) {
    for (const o of c.options as readonly Option[]) {
      if (o.hidden) continue;
      for (const flag of [o.long, o.short]) if (flag) out.push({ value: flag, description: o.description });
    }
  }
  out.push({ value: '--help', description: 'display help for command' });
  return out;
}
