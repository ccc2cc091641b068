/**
 * nft scripts through one resident `nft -i` coprocess, each script one
 * transaction.
 *
 * `nft -i` applies every input line as its own transaction, so a
 * multi-line script cannot be typed in line by line. Joining it into one
 * line with `;` is atomic but breaks on comments and loses line numbers,
 * and nft's line editor reads its input one byte per read(2). Instead the
 * script is written to a private file and the coprocess gets one short
 * line, `include "FILE"`: nft parses the whole file into one batch (one
 * transaction, all or nothing), and reports errors as `FILE:LINE:FROM-TO:
 * Error: ...`, which is rewritten to `nft -f -`'s `/dev/stdin:LINE:...`.
 * The file costs ~0.1 ms (an add+delete: 0.59 ms through include, 0.49 ms
 * as one `;`-joined line); a spawned `nft -f -` costs 5.5 ms to add an
 * element and 16 ms to delete one (its exit waits for the kernel's flush).
 *
 * Completion: after the include, a sentinel line that is a syntax error on
 * purpose (no kernel access) makes nft print `Error: ...`, the sentinel and
 * an underline; everything before that is the include's output. A script
 * failed when nft printed an `Error:` for it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import { ExecError } from './exec-error.js';
import { Coprocess, CoprocessDied } from './coprocess.js';

const debug = createDebug('ctrnet:core:nft-channel');

/**
 * nft's line editor (libedit) keeps every line in its history, and each
 * command gets slower as it grows (measured: 0.23 ms per add+delete at
 * first, +0.07 ms per 1,000 commands), so the coprocess is replaced after
 * this many scripts; a restart costs about one spawn (~5 ms).
 */
const RECYCLE_AFTER = 500;

const SENTINEL = 'ctrnet_sentinel';
/** nft's error for the sentinel: the message, the echoed sentinel, its underline (always printed, last). */
const SENTINEL_END = new RegExp(`^Error: [^\\n]*\\n${SENTINEL}\\n[ \\t~]*\\^[ \\t~^]*\\n`, 'm');

/** Where the coprocess nft runs, and how to call it (tests substitute a fake). */
export interface NftChannelSpec {
  /** What enters the namespace the channel serves (`nsenter --net=PATH --`), or nothing for the current one. */
  prefix: readonly string[];
  /** The nft program; `['nft']` unless a test fakes it. */
  program?: readonly string[];
}

export class NftChannel {
  private readonly coprocess: Coprocess;
  /** The command that reproduces a failure: the same script through `nft -f -` gives the same transaction. */
  private readonly argv: readonly string[];
  private scratch: string | undefined;

  constructor(spec: NftChannelSpec) {
    const program = spec.program ?? ['nft'];
    this.argv = [...spec.prefix, ...program, '-f', '-'];
    this.coprocess = new Coprocess({
      argv: [...spec.prefix, ...program, '-i'],
      // No ~/.editrc, and no ~/.nft.history read at start (its length slows every command) or written at exit.
      env: { HOME: '/dev/null' },
      recycleAfter: RECYCLE_AFTER,
    });
  }

  /** PID of the running coprocess, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.coprocess.pid;
  }

  /** Applies `script` as one transaction; rejects with an ExecError carrying nft's error as `nft -f -` prints it. */
  apply(script: string): Promise<void> {
    return this.coprocess.serial(async (exchange) => {
      const file = this.scriptFile();
      writeFileSync(file, script);
      let stderr: string;
      try {
        stderr = await exchange(`include "${file}"\n${SENTINEL}\n`, SENTINEL_END);
      } catch (err) {
        if (!(err instanceof CoprocessDied)) throw err;
        const own = asStdin(err.stderr, file);
        const text = own.trim()
          ? own
          : `the nft coprocess (pid ${err.pid ?? 'none'}) ended with status ${err.exitCode} before answering; the transaction may or may not have been committed\n`;
        throw new ExecError(this.argv, err.exitCode, text, { input: script, cause: err, ...(own.trim() ? {} : { kind: 'other' as const }) });
      }
      if (/\bError: /.test(stderr)) throw new ExecError(this.argv, 1, asStdin(stderr, file), { input: script });
      if (stderr) debug('nft: %s', stderr.trim());
    });
  }

  /** Ends the coprocess and removes the script file. */
  async close(): Promise<void> {
    await this.coprocess.close();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
  }

  /** A file in a directory only root can enter (mkdtemp makes it 0700), created on first use. */
  private scriptFile(): string {
    this.scratch ??= mkdtempSync(join(tmpdir(), 'ctrnet-nft-'));
    const file = join(this.scratch, 'script.nft');
    if (/["\n]/.test(file)) throw new CtrnetError('INTERNAL', `temporary directory ${JSON.stringify(file)} cannot be named in an nft include; set TMPDIR to a plain path`);
    return file;
  }
}

/** nft's errors for an included file, as `nft -f -` would print them for the same script. */
function asStdin(stderr: string, file: string): string {
  return stderr
    .split('\n')
    .filter((line) => !line.startsWith('In file included from '))
    .map((line) => (line.startsWith(`${file}:`) ? `/dev/stdin:${line.slice(file.length + 1)}` : line))
    .join('\n');
}
