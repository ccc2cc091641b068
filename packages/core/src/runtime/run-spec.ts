import type { ExposedPort, PublishRequest } from '../types.js';

/** Everything `ctrnet run` was asked for, parsed but not yet resolved against the store. */
export interface RunSpec {
  /** Container name; generated when absent. */
  name?: string;
  /** `bridge`, `host`, `none`, `container:NAME`, or a user network's name. */
  network: string;
  publish: PublishRequest[];
  publishAll: boolean;
  expose: ExposedPort[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  hostname?: string;
  /** `--add-host HOST:IP`, kept as [host, ip]. */
  addHosts: [string, string][];
  /** `--link NAME[:ALIAS]`, kept as [name, alias]. */
  links: [string, string][];
  macAddress?: string;
  ip?: string;
  /** `--ip6`: a fixed IPv6 address on the first network. */
  ip6?: string;
  defaultGateway?: string;
  /** `-e KEY=VAL`, in order. */
  env: [string, string][];
  detach: boolean;
  /** `-i`: the command's stdin is the caller's (foreground) or the attach client's. */
  interactive: boolean;
  /** `-t`: the command runs on a pseudo-terminal, which `ctrnet attach` reconnects to. */
  tty: boolean;
  /** `--rm`: remove the container when its command exits (a foreground run always is). */
  rm: boolean;
  /** `--init`: a minimal init (tini) is PID 1, forwarding signals and reaping zombies. */
  init: boolean;
  /** `--stop-signal`: what `stop` sends first (default SIGTERM). */
  stopSignal?: string;
  /** `--stop-timeout`: seconds `stop` waits before SIGKILL (default 10). */
  stopTimeout?: number;
  /** `--workdir`: the command's working directory. */
  workdir?: string;
  /** `--user NAME|UID[:GROUP|GID]`. */
  user?: string;
  /** `--label KEY=VAL`, in order. */
  labels: [string, string][];
  /** `--network-alias`: more names for the container on its first network (user-defined networks only). */
  networkAliases: string[];
  command: string[];
  /** Names of the options the user actually gave, to apply a mode's "conflicting options" refusals. */
  given: string[];
}

/** A fresh spec with Docker's defaults. */
export function defaultRunSpec(command: string[]): RunSpec {
  return {
    network: 'bridge',
    publish: [],
    publishAll: false,
    expose: [],
    dns: [],
    dnsSearch: [],
    dnsOptions: [],
    addHosts: [],
    links: [],
    env: [],
    detach: false,
    interactive: false,
    tty: false,
    rm: false,
    init: false,
    labels: [],
    networkAliases: [],
    command,
    given: [],
  };
}
