import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import createDebug from 'debug';

const debug = createDebug('ctrnet:bench:exec');

/**
 * A small environment for the tools under test: they need PATH to find
 * iptables/ip, and C locale so their messages are stable. Nothing else of
 * ours leaks into them.
 */
export const TOOL_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LC_ALL: 'C',
};

export interface ExecOptions {
  /** Bytes for standard input. */
  input?: string;
  /** Full environment of the command (default TOOL_ENV). */
  env?: NodeJS.ProcessEnv;
}

export interface ExecOutput {
  stdout: string;
  stderr: string;
}

/** A command exited non-zero. Keeps stdout too: CNI plugins report errors there as JSON. */
export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    const detail = (stderr.trim() || stdout.trim() || `exit status ${exitCode}`).split('\n').slice(0, 3).join(' | ');
    super(`${argv.join(' ')} failed: ${detail}`);
  }
}

/**
 * Runs one command without a shell. Plain child_process rather than execa:
 * its per-call overhead is part of every timed sample, so the thinnest
 * wrapper keeps the comparison about the tools, not about us.
 */
export function exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecOutput> {
  debug('%o', argv);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: options.env ?? TOOL_ENV, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0) resolve({ stdout, stderr });
      else reject(new CommandError(argv, code, stdout, stderr));
    });
    // A tool that exits before reading all its input must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Fails early, naming the Debian package, when a tool under test is not installed. */
export function requireExecutable(path: string, debianPackage: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch (err) {
    throw new Error(`${path} is missing: install the Debian package ${debianPackage} (scripts/bench.sh does)`, { cause: err });
  }
}
