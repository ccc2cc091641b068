import { CtrnetError } from '../errors.js';

/**
 * What kind of failure an {@link ExecError} is, decided once where the error
 * is made so callers branch on a value instead of matching stderr:
 * - `missing`: every error the command reported says "no such object"
 *   (device, address, route, namespace, nft table/set/element);
 * - `exists`: the object to create is already there (possibly alongside
 *   "missing" errors: both mean the kernel's state differs from the plan);
 * - `no-program`: the program itself could not be started (not installed,
 *   or missing inside the target namespace's view of the file system);
 * - `other`: anything else, including a coprocess that died.
 */
export type ExecErrorKind = 'missing' | 'exists' | 'no-program' | 'other';

export interface ExecErrorOptions {
  cause?: unknown;
  /** Standard input the command was given (batch or ruleset). */
  input?: string;
  /** Set when the executor knows better than stderr (e.g. from a spawn error code). */
  kind?: ExecErrorKind;
  /** 1-based line of an `ip` batch that failed, when the executor knows it. */
  line?: number;
  /** What the command wrote to standard output (some programs report errors there: CNI plugins print error JSON). */
  stdout?: string;
}

/** A kernel command failed. Carries everything needed to reproduce it. */
export class ExecError extends CtrnetError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
    options: ExecErrorOptions = {},
  ) {
    const firstLine = stderr.trim().split('\n')[0] || `exit status ${exitCode}`;
    const where = options.line === undefined ? '' : ` (line ${options.line} of the batch)`;
    super('EXEC_FAILED', `${argv.join(' ')} failed${where}: ${firstLine}; rerun with --debug to see the full command and its input`, options);
    this.input = options.input;
    this.kind = options.kind ?? classifyFailure(stderr);
    this.line = options.line;
    this.stdout = options.stdout ?? '';
  }

  /** Standard output of the failed command (empty when the executor did not keep it). */
  readonly stdout: string;

  /** Standard input the command was given (batch or ruleset), for --debug output. */
  readonly input: string | undefined;
  /** What kind of failure this is; see {@link ExecErrorKind}. */
  readonly kind: ExecErrorKind;
  /** 1-based line of the `ip` batch that failed, when known; `argv` is then that line's command. */
  readonly line: number | undefined;
}

/**
 * Messages of `ip` and `nft` that mean the object is not there. Teardown
 * treats these as success so it can be repeated after a crash.
 */
const MISSING_PATTERNS = [
  /Cannot find device/i,
  /does not exist/i,
  /No such device/i,
  /No such process/i,
  /No such file or directory/i,
  /Cannot assign requested address/i,
  /RTNETLINK answers: No such/i,
  /Cannot open network namespace/i,
  /Invalid "netns" value/i,
];

const EXISTS_PATTERN = /File exists/i;

/** execa's and node's spawn error, and nsenter's when the program is missing in the target namespace. */
const NO_PROGRAM_PATTERN = /spawn \S+ ENOENT|failed to execute \S+: No such file or directory/;

/** nft underlines the part of the echoed command it means (`^^^^`, `~~~~`). */
const UNDERLINE = /^[\s^~]*[\^~][\s^~]*$/;

/**
 * The lines of stderr that carry an error message: not blank, not ip's
 * `Command failed -:N` trailer, not nft's echo of the offending command or
 * its underline.
 */
function errorLines(stderr: string): string[] {
  const lines = stderr.split('\n');
  return lines
    .filter((line, i) => line.trim() && !/^Command failed /.test(line) && !UNDERLINE.test(line) && !UNDERLINE.test(lines[i + 1] ?? ''))
    .map((line) => line.trim());
}

/** The {@link ExecErrorKind} of a failure from what the command wrote to stderr. */
function classifyFailure(stderr: string): ExecErrorKind {
  if (NO_PROGRAM_PATTERN.test(stderr)) return 'no-program';
  const lines = errorLines(stderr);
  if (lines.length === 0) return 'other';
  const missing = (line: string) => MISSING_PATTERNS.some((p) => p.test(line));
  if (lines.every(missing)) return 'missing';
  if (lines.every((line) => missing(line) || EXISTS_PATTERN.test(line))) return 'exists';
  return 'other';
}
