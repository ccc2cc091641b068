/**
 * A container's network namespace while it is being set up, as the
 * coprocess executor keeps it: two processes inside it, started before the
 * set-up needs them, so its `ip` batches and sysctls cost a round trip
 * instead of a spawn each (`unshare`, `sysctl`, `ip -batch`: 3–5 ms apiece
 * from a large process).
 *
 * - The holder, `unshare --net -- sh -c HOLDER`, made the namespace and is
 *   what keeps it alive until it is pinned (`ip netns attach NAME PID`, by
 *   the executor, under the container's name). It writes sysctls with the
 *   shell's own `printf` (/proc/sys/net follows the namespace of the
 *   writer, so they must be written from inside), and its PID names the
 *   namespace to the host's resident `ip`: `netns PID` makes ip pass the
 *   PID to the kernel (IFLA_NET_NS_PID) instead of opening the namespace
 *   and keeping it open.
 * - A resident `ip -force -batch -` inside it, which the holder starts on
 *   two more pipes it was given (fds 3 and 4): one spawn from Node per
 *   namespace, not two (each blocks Node's event loop for 3–4 ms).
 *
 * Both exit when the session closes, or at the EOF of their stdin when the
 * daemon dies: a namespace never pinned then simply ends with them (nothing
 * for gc to find), and a pinned one is kept by its pin and the container
 * only, so deleting it later still destroys everything in it at once.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import createDebug from 'debug';
import { CtrnetError } from '../errors.js';
import { childPipes, Coprocess, CoprocessDied, type CoprocessPipes } from './coprocess.js';
import { ExecError } from './exec-error.js';
import { IpChannel } from './ip-channel.js';
import { kernelEnv } from './spawn-once.js';
import { sysctlArgv, type SysctlSetting } from './sysctl.js';

const debug = createDebug('ctrnet:core:netns-session');

/**
 * The holder: it starts the namespace's `ip` on fds 3 and 4 and reports its
 * PID, then serves sysctls. A request is lines of `FLAG KEY VALUE` (FLAG
 * `?`: skip a key the kernel lacks, as `sysctl -e`; `-`: fail) ended by
 * `.`; the reply, on stderr, is the first failure (if any) and
 * `ctrnet-done`. After a failure the rest of the request is skipped, like a
 * batch. The first request (`.` alone) answers once ip runs.
 */
const HOLDER_SCRIPT = `ip -force -batch - <&3 2>&4 >/dev/null 3<&- 4<&- &
printf 'ctrnet-ip %s\\n' "$!" >&2
exec 3<&- 4<&-
err=
while IFS=' ' read -r flag key value; do
  if [ "$flag" = . ]; then
    [ -n "$err" ] && printf '%s\\n' "$err" >&2
    printf 'ctrnet-done\\n' >&2
    err=
  elif [ -z "$err" ]; then
    if [ ! -e "/proc/sys/$key" ]; then
      [ "$flag" = '?' ] || err="sysctl: cannot stat /proc/sys/$key: No such file or directory"
    elif ! { printf '%s\\n' "$value" > "/proc/sys/$key"; } 2>/dev/null; then
      err="sysctl: setting key \\"$key\\": Invalid argument"
    fi
  fi
done`;

const DONE = /^ctrnet-done\n/m;

/** A key the holder may write under /proc/sys: path-style, no `..`, nothing a shell line could misread. */
const SYSCTL_KEY = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

export class NetnsSession {
  private constructor(
    private readonly holder: Coprocess,
    /** The resident `ip` inside the namespace. */
    readonly ip: IpChannel,
    /** What enters the namespace, for error messages: the holder's `/proc/PID/ns/net`. */
    private readonly enter: readonly string[],
  ) {}

  /** Makes a new, unpinned namespace with loopback up, and starts both processes in it. */
  static async open(): Promise<NetnsSession> {
    const argv = ['unshare', '--net', '--', 'sh', '-c', HOLDER_SCRIPT];
    const child = spawn(argv[0]!, argv.slice(1), { env: kernelEnv(), stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const enter = ['nsenter', `--net=/proc/${child.pid}/ns/net`, '--'];
    const holderPipes = childPipes(child, 'exit');
    const holder = new Coprocess({ argv, start: () => holderPipes, recycleAfter: Infinity, once: true });
    let ipPid: number | undefined;
    const ipPipes = fdPipes(child.stdio[3] as Writable, child.stdio[4] as Readable, () => ipPid);
    const session = new NetnsSession(holder, new IpChannel({ prefix: enter, started: () => ipPipes }), enter);
    try {
      const hello = await session.request('.\n', [...argv.slice(0, 3), 'ip', '-force', '-batch', '-'], true);
      ipPid = Number(/^ctrnet-ip (\d+)$/m.exec(hello)?.[1]) || undefined;
      await session.ip.run([['link', 'set', 'lo', 'up']], false);
    } catch (err) {
      await session.close();
      throw err;
    }
    debug('opened a namespace (holder %d, ip %d)', holder.pid, ipPid);
    return session;
  }

  /** PID of the holder, a process inside the namespace while the session is open. */
  get pid(): number | undefined {
    return this.holder.pid;
  }

  /** Sets kernel parameters inside the namespace, in order; the first failure rejects (as `sysctl -w` would fail) and skips the rest. */
  async sysctl(settings: readonly SysctlSetting[], ignoreMissing: boolean): Promise<void> {
    for (const [key, value] of settings) {
      if (!SYSCTL_KEY.test(key) || /[\n\r]/.test(value)) {
        throw new CtrnetError('INTERNAL', `sysctl ${JSON.stringify(key)}=${JSON.stringify(value)} is not a plain key and value; it cannot be written`);
      }
    }
    const flag = ignoreMissing ? '?' : '-';
    const request = settings.map(([key, value]) => `${flag} ${key} ${value}\n`).join('') + '.\n';
    await this.request(request, [...this.enter, ...sysctlArgv(settings, { ignoreMissing })]);
  }

  /** Ends both processes (they exit at the EOF of their stdin); the namespace stays if it was pinned, else it ends with them. */
  async close(): Promise<void> {
    const pid = this.holder.pid;
    await Promise.all([this.ip.close(), this.holder.close()]);
    debug('closed the session of holder %d', pid);
  }

  /**
   * One request to the holder; a failure or the holder's death is an
   * ExecError of `argv`, what the request stands for. The first request's
   * reply carries the ip's PID (`hello`), and is returned.
   */
  private request(input: string, argv: readonly string[], hello = false): Promise<string> {
    return this.holder.serial(async (exchange) => {
      let reply: string;
      try {
        reply = await exchange(input, DONE);
      } catch (err) {
        if (!(err instanceof CoprocessDied)) throw err;
        throw new ExecError(argv, err.exitCode, err.stderr || `the process holding the namespace ended with status ${err.exitCode}\n`, { input, cause: err });
      }
      const failure = hello ? reply.replace(/^ctrnet-ip \d*\n/m, '') : reply;
      if (failure.trim()) throw new ExecError(argv, 1, failure, { input });
      return reply;
    });
  }
}

/**
 * The pipes of the `ip` the holder started: it has ended when its stderr
 * closes (its exit status is the holder's to know: reported as 1). Killed
 * by the PID the holder reported, if it has not ended.
 */
function fdPipes(stdin: Writable, stderr: Readable, pid: () => number | undefined): CoprocessPipes {
  let done = false;
  const ended = new Promise<number>((resolve) => stderr.on('close', () => resolve(1)));
  void ended.then(() => (done = true));
  return {
    get pid() {
      return pid();
    },
    stdin,
    stderr,
    ended,
    kill: () => {
      const target = pid();
      if (!done && target) process.kill(target, 'SIGKILL');
    },
  };
}
