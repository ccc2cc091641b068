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
    command,
    given: [],
  };
}
