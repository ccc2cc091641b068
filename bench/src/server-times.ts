/**
 * The daemon side of a thin-client call: ctrnetd runs with the
 * preload/time-server.cjs recorder, which appends one line per answered
 * request (ms from its head to the end of the answer). A command's wall
 * time minus this is what the client itself costs: Node's start-up, our
 * code, the socket, not the work the daemon does for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const TIME_SERVER = fileURLToPath(new URL('./preload/time-server.cjs', import.meta.url));
/** The daemon appends a request's line as its answer leaves; a client may exit a moment before that. */
const LINE_WAIT_MS = 500;
const POLL_MS = 5;

export class ServerTimes {
  private consumed = 0;
  readonly file: string;

  constructor(tmpDir: string) {
    this.file = join(tmpDir, 'ctrnetd-requests.log');
  }

  /** What the daemon's node needs to record (for Ctrnetd's recorder). */
  get recorder(): { nodeArgs: string[]; env: NodeJS.ProcessEnv } {
    return { nodeArgs: ['--require', TIME_SERVER], env: { CTRNET_BENCH_SERVER_LOG: this.file } };
  }

  /**
   * The daemon's ms for the API calls (`POST /v1/…`) answered since the
   * last call, once `expected` of them are in (or after a short wait).
   * Other requests (the pings of `daemon status`) are passed over.
   */
  async take(expected: number): Promise<number[]> {
    const calls = (lines: string[]): number[] => lines.filter((l) => l.startsWith('POST ')).map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    let lines = this.newLines();
    for (let waited = 0; calls(lines).length < expected && waited < LINE_WAIT_MS; waited += POLL_MS) {
      await sleep(POLL_MS);
      lines = this.newLines();
    }
    this.consumed += lines.length;
    return calls(lines);
  }

  /** Pass over what was answered so far (calls nobody timed, late lines): the next take() starts here. */
  drain(): void {
    this.consumed += this.newLines().length;
  }

  private newLines(): string[] {
    if (!existsSync(this.file)) return [];
    const complete = readFileSync(this.file, 'utf8').split('\n').slice(0, -1);
    return complete.slice(this.consumed);
  }
}
