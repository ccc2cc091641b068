/**
 * `run` and `create` options as commander hands them over, turned into the
 * runtime's RunSpec. Apart from the command definitions so the fast path
 * (src/fast) builds the very same spec without loading commander.
 */
import { readFileSync } from 'node:fs';
import { CtrnetError, checkMac, checkNameserver, defaultRunSpec, invalidArgument, parseAddHost, parseEnv, parseExposeSpec, parseLink, parsePublishSpec, type RunSpec } from '@ctrnet/core/api';

export interface RunOptions {
  name?: string;
  net?: string;
  network?: string;
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  hostname?: string;
  addHost?: string[];
  link?: string[];
  macAddress?: string;
  ip?: string;
  ip6?: string;
  defaultGateway?: string;
  env?: string[];
  envFile?: string[];
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  rm?: boolean;
  init?: boolean;
  stopSignal?: string;
  stopTimeout?: string;
  workdir?: string;
  user?: string;
  label?: string[];
  networkAlias?: string[];
  detachKeys?: string;
}

/** `--env-file`: KEY=VAL lines; blank lines and `#` comments skipped; a bare KEY copies the caller's value (Docker's format). */
function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CtrnetError('INVALID_ARGUMENT', `cannot read --env-file ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give a readable file of KEY=VAL lines`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw invalidArgument(`invalid ${flag} ${JSON.stringify(value)}: expected whole seconds >= 0`);
  return Number(value);
}

function labels(values: string[] | undefined): [string, string][] {
  return (values ?? []).map((kv) => {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (!key) throw invalidArgument(`invalid --label ${JSON.stringify(kv)}: expected KEY=VALUE (or KEY)`);
    return [key, eq < 0 ? '' : kv.slice(eq + 1)];
  });
}

export function toSpec(command: string[], o: RunOptions): RunSpec {
  const spec = defaultRunSpec(command);
  const given: string[] = [];
  const mark = (flag: string, present: unknown) => present !== undefined && given.push(flag);
  spec.name = o.name;
  spec.network = o.network ?? o.net ?? 'bridge';
  spec.publish = (o.publish ?? []).map(parsePublishSpec);
  spec.publishAll = o.publishAll ?? false;
  spec.expose = (o.expose ?? []).flatMap(parseExposeSpec);
  spec.dns = (o.dns ?? []).map(checkNameserver);
  spec.dnsSearch = o.dnsSearch ?? [];
  spec.dnsOptions = o.dnsOption ?? [];
  spec.hostname = o.hostname;
  spec.addHosts = (o.addHost ?? []).map(parseAddHost);
  spec.links = (o.link ?? []).map(parseLink);
  spec.macAddress = o.macAddress === undefined ? undefined : checkMac(o.macAddress);
  spec.ip = o.ip;
  spec.ip6 = o.ip6;
  spec.defaultGateway = o.defaultGateway;
  // Docker's order: env files first, then -e, so -e wins.
  spec.env = [...(o.envFile ?? []).flatMap(readEnvFile), ...(o.env ?? [])].map(parseEnv);
  spec.detach = o.detach ?? false;
  spec.interactive = o.interactive ?? false;
  spec.tty = o.tty ?? false;
  spec.rm = o.rm ?? false;
  spec.init = o.init ?? false;
  spec.stopSignal = o.stopSignal;
  spec.stopTimeout = seconds(o.stopTimeout, '--stop-timeout');
  spec.workdir = o.workdir;
  spec.user = o.user;
  spec.labels = labels(o.label);
  spec.networkAliases = o.networkAlias ?? [];
  mark('publish', o.publish);
  mark('publish-all', o.publishAll);
  mark('expose', o.expose);
  mark('hostname', o.hostname);
  mark('dns', o.dns);
  mark('dns-search', o.dnsSearch);
  mark('dns-option', o.dnsOption);
  mark('add-host', o.addHost);
  mark('link', o.link);
  mark('mac-address', o.macAddress);
  mark('ip', o.ip);
  mark('ip6', o.ip6);
  mark('default-gateway', o.defaultGateway);
  spec.given = given;
  return spec;
}
