/**
 * The argv chain that starts a container's command, never a built shell
 * string: nsenter (network) → unshare (PID, mount and UTS namespaces) →
 * tini → the fixed init script, whose last words are the command, arriving
 * as positional parameters.
 *
 * The command is PID 1 of a PID namespace of its own, as in Docker: when it
 * ends, the kernel ends every other process of the container. `unshare`
 * does not fork; tini does, so its child is PID 1 while tini, outside the
 * namespace, learns the real exit status (128+N for signal N) and forwards
 * signals. Not `unshare --fork`: it reports 1 for a SIGKILLed child. Not a
 * shell's `cmd &`: a non-interactive shell gives background jobs /dev/null
 * as stdin and ignores SIGINT in them.
 */

/** What the container's process needs to see. */
export interface ProcessSetup {
  netnsPath?: string;
  /** Hostname for a new UTS namespace; absent = share the host's (host mode). */
  hostname?: string;
  hostsFile: string;
  resolvFile: string;
  env: Record<string, string>;
  command: string[];
  /** Where PID 1 writes its PID as the host sees it (for stop, exec, top). */
  initPidFile: string;
  /** The container's cgroup, which PID 1 joins before anything runs; absent without cgroups. */
  cgroup?: string;
  /** Working directory of the command (`--workdir`). */
  workdir?: string;
  /** `uid:gid` the command runs as (`--user`, resolved). */
  user?: string;
  /** A terminal is attached: give it sane modes (the pty holder starts with none). */
  tty: boolean;
  /** Run a minimal init (tini) as PID 1 that forwards signals and reaps zombies (`--init`). */
  init: boolean;
  /**
   * A FIFO PID 1 reads a line from before it runs the command: a foreground
   * `run -t` opens it once its terminal is attached, so no output is lost.
   */
  gate?: string;
}

/**
 * PID 1. It reads its host PID before /proc is replaced (a shell builtin
 * reading /proc/self/stat sees the reader itself), joins the cgroup, records
 * the PID, mounts what the container sees, and becomes the command.
 */
const INIT_SCRIPT = [
  'set -e',
  'read -r ctrnet_pid ctrnet_rest < /proc/self/stat',
  // The PID as the writer sees it: inside its namespace, PID 1 is $$.
  'if [ -n "$6" ]; then echo "$$" > "$6/cgroup.procs"; fi',
  'echo "$ctrnet_pid" > "$5.tmp" && mv "$5.tmp" "$5"',
  'unset ctrnet_pid ctrnet_rest',
  'mount -t proc -o nosuid,nodev,noexec ctrnet-proc /proc',
  'if [ -n "$1" ]; then hostname "$1"; fi',
  'mount --bind "$2" /etc/hosts',
  'mount --bind "$3" /etc/resolv.conf',
  // A sysfs mounted from inside the network namespace shows the container's interfaces, as in Docker.
  'if [ "$4" = own-netns ]; then mount -t sysfs -o ro,nosuid,nodev,noexec ctrnet-sysfs /sys; fi',
  'if [ "$9" = tty ]; then stty sane 2>/dev/null || true; fi',
  'if [ -n "$7" ]; then cd "$7"; fi',
  'if [ -n "${11}" ]; then read -r ctrnet_go < "${11}" || true; rm -f "${11}"; unset ctrnet_go; fi',
  'ctrnet_user=$8 ctrnet_init=${10}',
  'shift 11',
  'if [ -n "$ctrnet_init" ]; then set -- tini -s -- "$@"; fi',
  'if [ -n "$ctrnet_user" ]; then set -- setpriv --reuid="${ctrnet_user%%:*}" --regid="${ctrnet_user#*:}" --clear-groups -- "$@"; fi',
  'unset ctrnet_user ctrnet_init',
  'exec "$@"',
].join('\n');

/** argv that runs `setup.command` inside the container's namespaces, as PID 1 of its own PID namespace. */
export function containerArgv(setup: ProcessSetup): string[] {
  const enterNet = setup.netnsPath ? ['nsenter', `--net=${setup.netnsPath}`, '--'] : [];
  const unshare = ['unshare', '--pid', ...(setup.hostname ? ['--uts'] : []), '--mount', '--propagation', 'private', '--'];
  const sysfs = setup.netnsPath ? 'own-netns' : 'host-netns';
  const init = [
    'sh',
    '-c',
    INIT_SCRIPT,
    'ctrnet-init',
    setup.hostname ?? '',
    setup.hostsFile,
    setup.resolvFile,
    sysfs,
    setup.initPidFile,
    setup.cgroup ?? '',
    setup.workdir ?? '',
    setup.user ?? '',
    setup.tty ? 'tty' : '',
    setup.init ? 'init' : '',
    setup.gate ?? '',
  ];
  // -s: tini is a subreaper, not PID 1, and says nothing about it.
  return [...enterNet, ...unshare, 'tini', '-s', '--', ...init, ...setup.command];
}

/** argv that runs `command` inside a running container (its namespaces, as seen from PID 1). */
export function execArgv(initPid: number, command: readonly string[], options: { workdir?: string; user?: string; env?: readonly string[] } = {}): string[] {
  const [uid, gid] = options.user?.split(':') ?? [];
  return [
    'nsenter',
    `--target=${initPid}`,
    '--net',
    '--uts',
    '--mount',
    '--pid',
    ...(uid !== undefined ? [`--setuid=${uid}`, `--setgid=${gid ?? uid}`] : []),
    ...(options.workdir ? [`--wd=${options.workdir}`] : []),
    '--',
    ...(options.env?.length ? ['env', ...options.env] : []),
    ...command,
  ];
}
