/** Reads whether an interface exists, and of what kind, before the driver creates it. */
import createDebug from 'debug';
import { CtrnetError, ExecError, type Executor } from '@ctrnet/core';

const debug = createDebug('ctrnet:driver-bridge:link-probe');

/** What the probe learnt about an existing interface. */
export interface LinkInfo {
  /** `bridge`, `veth`, ...; undefined for devices without a kind (physical NICs, lo). */
  kind?: string;
}

/** The interface `name` in the executor's default namespace, or undefined when there is none. */
export async function probeLink(exec: Executor, name: string): Promise<LinkInfo | undefined> {
  let stdout: string;
  try {
    ({ stdout } = await exec.run(['ip', '-j', '-d', 'link', 'show', 'dev', name]));
  } catch (err) {
    if (err instanceof ExecError && err.kind === 'missing') {
      debug('%s does not exist', name);
      return undefined;
    }
    throw err;
  }
  let links: Array<{ linkinfo?: { info_kind?: string } }>;
  try {
    links = JSON.parse(stdout) as typeof links;
  } catch (err) {
    throw new CtrnetError('INTERNAL', `cannot parse the output of "ip -j -d link show dev ${name}": ${JSON.stringify(stdout.slice(0, 80))}`, { cause: err });
  }
  const kind = links[0]?.linkinfo?.info_kind;
  debug('%s exists, kind %s', name, kind ?? '(none)');
  return { kind };
}

/** Names of the interfaces enslaved to `bridge` (empty when it has none or does not exist). */
export async function linksOnBridge(exec: Executor, bridge: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await exec.run(['ip', '-j', 'link', 'show', 'master', bridge]));
  } catch (err) {
    if (err instanceof ExecError && err.kind === 'missing') return [];
    throw err;
  }
  try {
    return (JSON.parse(stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
  } catch (err) {
    throw new CtrnetError('INTERNAL', `cannot parse the output of "ip -j link show master ${bridge}": ${JSON.stringify(stdout.slice(0, 80))}`, { cause: err });
  }
}
