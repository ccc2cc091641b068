import { CtrnetError } from '../errors.js';

/** A kernel command failed. Carries everything needed to reproduce it. */
export class ExecError extends CtrnetError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
    options?: { cause?: unknown; input?: string },
  ) {
    const firstLine = stderr.trim().split('\n')[0] || `exit status ${exitCode}`;
    super('EXEC_FAILED', `${argv.join(' ')} failed: ${firstLine}; rerun with --debug to see the full command and its input`, options);
    this.input = options?.input;
  }

  /** Standard input the command was given (batch or ruleset), for --debug output. */
  readonly input: string | undefined;
}

/**
 * Messages `ip` prints when the object to delete is already gone. Teardown
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

/** True when every error line of an `ip -force -batch` run says "not found". */
export function onlyMissingObjects(stderr: string): boolean {
  const errors = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Command failed/.test(l));
  return errors.every((line) => MISSING_PATTERNS.some((p) => p.test(line)));
}
