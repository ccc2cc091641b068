/**
 * The parameters a CNI runtime passes in environment variables (SPEC.md
 * section 2), checked per command. A missing or malformed variable is error
 * code 4, naming every bad one at once, as skel-based plugins report it.
 */
import { CNI_CODES, COMMANDS, CniError, type CniCommand } from './spec.js';

/** What one invocation is about. */
export interface CniEnv {
  command: CniCommand;
  containerId: string;
  /** The namespace file; empty when the runtime has none (DEL after a reboot). */
  netns: string;
  ifname: string;
  /** CNI_ARGS as key/value pairs, in order. */
  args: [string, string][];
}

const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Linux interface names: 1-15 bytes, no '/', ':' or whitespace, not '.' or '..'. */
const IFNAME = /^(?!\.{1,2}$)[^/:\s]{1,15}$/;

const REQUIRED: Record<CniCommand, readonly string[]> = {
  ADD: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  DEL: ['CNI_CONTAINERID', 'CNI_IFNAME'],
  CHECK: ['CNI_CONTAINERID', 'CNI_NETNS', 'CNI_IFNAME'],
  GC: [],
  STATUS: [],
  VERSION: [],
};

/** The command alone (what decides whether a config is read at all). */
export function commandOf(env: NodeJS.ProcessEnv): CniCommand {
  const command = env.CNI_COMMAND ?? '';
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CniError(CNI_CODES.invalidEnvironment, `required env variables [CNI_COMMAND] missing or invalid: ${JSON.stringify(command)}; expected one of ${COMMANDS.join(', ')}`);
  }
  return command as CniCommand;
}

export function parseEnv(env: NodeJS.ProcessEnv): CniEnv {
  const command = commandOf(env);
  const missing = REQUIRED[command].filter((name) => !env[name]);
  if (missing.length) throw new CniError(CNI_CODES.invalidEnvironment, `required env variables [${missing.join(', ')}] missing`);
  const containerId = env.CNI_CONTAINERID ?? '';
  const ifname = env.CNI_IFNAME ?? '';
  const netns = env.CNI_NETNS ?? '';
  if (REQUIRED[command].includes('CNI_CONTAINERID') && !CONTAINER_ID.test(containerId)) {
    throw new CniError(CNI_CODES.invalidEnvironment, `invalid CNI_CONTAINERID ${JSON.stringify(containerId)}: it must match ${CONTAINER_ID.source}`);
  }
  if (REQUIRED[command].includes('CNI_IFNAME') && !IFNAME.test(ifname)) {
    throw new CniError(CNI_CODES.invalidEnvironment, `invalid CNI_IFNAME ${JSON.stringify(ifname)}: an interface name has 1-15 characters without '/', ':' or blanks`);
  }
  if (netns && (!netns.startsWith('/') || /[\s"'\\]/.test(netns))) {
    throw new CniError(CNI_CODES.invalidEnvironment, `invalid CNI_NETNS ${JSON.stringify(netns)}: expected an absolute path such as /run/netns/NAME`);
  }
  return { command, containerId, netns, ifname, args: parseArgs(env.CNI_ARGS ?? '') };
}

/** `K=V;K2=V2`; an empty string is no arguments. */
export function parseArgs(raw: string): [string, string][] {
  if (!raw) return [];
  return raw.split(';').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CniError(CNI_CODES.invalidEnvironment, `invalid CNI_ARGS pair ${JSON.stringify(pair)}: expected KEY=VALUE pairs separated by ';'`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}
