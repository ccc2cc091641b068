// The public entry points: parse once, execute over any number of values.
import { BUILTINS } from './builtins.js';
import { DOCKER_FUNCS } from './docker-funcs.js';
import { TemplateError } from './errors.js';
import { Executor } from './exec.js';
import type { FuncMap } from './func.js';
import { parse, type TreeSet } from './parser.js';

export interface ParseOptions {
  /** Template name shown in error messages; Docker's templates are nameless (""). */
  name?: string;
}

export interface ExecuteOptions {
  /**
   * What a missing map key does: `default` prints `<no value>` (Docker's
   * typed path), `error` fails with "map has no entry for key" (Go's
   * missingkey=error, which `docker inspect -f` uses on its raw-JSON fallback).
   */
  missingKey?: 'default' | 'error';
}

/** What one execution printed, and the error that stopped it, if any (Go keeps the output written before an error). */
export interface Execution {
  output: string;
  error?: TemplateError;
}

/** A parsed Go text/template with Docker's template functions. */
export class Template {
  /** @internal */
  constructor(
    readonly name: string,
    readonly text: string,
    private readonly trees: TreeSet,
  ) {}

  /**
   * Executes the template over plain JSON-like data (objects, arrays, strings,
   * numbers, booleans, null) and returns the text. Throws an exec-phase
   * TemplateError when Go's template would fail on the same data.
   */
  execute(data: unknown, options: ExecuteOptions = {}): string {
    const { output, error } = this.run(data, DOCKER_FUNCS, options);
    if (error) throw error;
    return output;
  }

  /** @internal Runs with another function map (the table header's), keeping partial output. */
  run(data: unknown, funcs: FuncMap, options: ExecuteOptions = {}): Execution {
    const executor = new Executor({ name: this.name, text: this.text, trees: this.trees, funcs, missingKey: options.missingKey ?? 'default' });
    try {
      executor.run(data);
      return { output: executor.out.join('') };
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      return { output: executor.out.join(''), error: err };
    }
  }
}

const knownFunction = (name: string): boolean => Object.hasOwn(DOCKER_FUNCS, name) || Object.hasOwn(BUILTINS, name);

/** Parses Go template text; throws a parse-phase TemplateError with Go's message when it is not valid. */
export function parseTemplate(text: string, options: ParseOptions = {}): Template {
  const name = options.name ?? '';
  return new Template(name, text, parse(name, text, knownFunction));
}
