/**
 * Command-line spellings Docker users type that commander reads otherwise.
 *
 * Docker's flag parser (spf13/pflag) accepts `-e=K=V` and `-p=8080:80`: a
 * short option followed by `=` takes the rest as its value. commander keeps
 * the `=` (the value would be `=K=V`), so every command's option parser is
 * wrapped once, here, to split such a word into `-e` and `K=V` first.
 */
import type { Command, Option } from 'commander';

/** What the splitter needs to know about one command's options. */
export interface OptionShapes {
  /** Short option letters (without '-') that take a value. */
  shortWithValue: ReadonlySet<string>;
  /** Short option letters that take no value (may be grouped: `-it`). */
  shortBoolean: ReadonlySet<string>;
  /** Long options (`--env`) that take a value in the next word. */
  longWithValue: ReadonlySet<string>;
  /** The command stops reading options at its first operand (passThroughOptions / positional options). */
  stopsAtOperand: boolean;
}

/**
 * Rewrite `-e=VALUE` (also in a group: `-ie=VALUE`) into `-e`, `VALUE`, as
 * pflag reads it. Words after `--`, option values and, for commands that stop
 * at their first operand, everything from that operand on are left alone.
 */
export function splitShortEquals(args: readonly string[], shapes: OptionShapes): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      out.push(arg);
      if (!arg.includes('=') && shapes.longWithValue.has(arg) && i + 1 < args.length) out.push(args[++i]!);
      continue;
    }
    if (arg.length > 1 && arg.startsWith('-')) {
      const split = splitGroup(arg, shapes);
      out.push(...split.words);
      if (split.valueFollows && i + 1 < args.length) out.push(args[++i]!);
      continue;
    }
    if (shapes.stopsAtOperand) {
      out.push(...args.slice(i));
      break;
    }
    out.push(arg);
  }
  return out;
}

/** One `-abc` word: the words to hand on, and whether the next word is the value of its last letter. */
function splitGroup(arg: string, shapes: OptionShapes): { words: string[]; valueFollows: boolean } {
  for (let at = 1; at < arg.length; at++) {
    const letter = arg[at]!;
    if (shapes.shortBoolean.has(letter)) continue;
    if (!shapes.shortWithValue.has(letter)) break;
    if (arg[at + 1] === '=') return { words: [arg.slice(0, at + 1), arg.slice(at + 2)], valueFollows: false };
    return { words: [arg], valueFollows: at === arg.length - 1 };
  }
  return { words: [arg], valueFollows: false };
}

function shapesOf(command: Command): OptionShapes {
  const shortWithValue = new Set<string>();
  const shortBoolean = new Set<string>();
  const longWithValue = new Set<string>();
  for (const option of command.options as readonly Option[]) {
    const takesValue = option.required || option.optional;
    if (option.short) (takesValue ? shortWithValue : shortBoolean).add(option.short.slice(1));
    if (option.long && option.required) longWithValue.add(option.long);
  }
  // commander keeps these two settings private; they decide where a command stops reading its options.
  const settings = command as unknown as { _passThroughOptions: boolean; _enablePositionalOptions: boolean };
  return { shortWithValue, shortBoolean, longWithValue, stopsAtOperand: settings._passThroughOptions || settings._enablePositionalOptions };
}

/** Make `command` and every command below it accept pflag's `-x=value`. Call after all options are defined. */
export function acceptShortEquals(command: Command): void {
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (args: string[]) => parseOptions(splitShortEquals(args, shapesOf(command)));
  for (const sub of command.commands) acceptShortEquals(sub);
}
