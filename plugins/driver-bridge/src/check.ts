/**
 * What `check` compares (CNI's CHECK): the kernel against what join made.
 * Read-only; every difference is one line naming the interface and what to
 * expect, so a CNI runtime can show it as is.
 */
import createDebug from 'debug';
import { ExecError, type Endpoint, type Executor, type Sandbox } from '@ctrnet/core';
import { vethNameFor } from './names.js';

const debug = createDebug('ctrnet:driver-bridge:check');

/** The fields of `ip -j addr show` that check reads. */
interface LinkState {
  ifname: string;
  address?: string;
  master?: string;
  flags?: string[];
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export async function checkEndpoint(exec: Executor, bridge: string, endpoint: Endpoint, sandbox: Sandbox): Promise<string[]> {
  const problems: string[] = [];
  const hostIfname = endpoint.hostIfname ?? vethNameFor(endpoint.id);
  const host = await linkState(exec, hostIfname);
  if (!host) problems.push(`host interface ${hostIfname} is missing`);
  else {
    if (host.master !== bridge) problems.push(`host interface ${hostIfname} is not on bridge ${bridge} (master: ${host.master ?? 'none'})`);
    if (!host.flags?.includes('UP')) problems.push(`host interface ${hostIfname} is down`);
  }
  // A handed-over peer lives wherever the engine moved it, under the engine's name for it.
  if (sandbox.handoff) return problems;
  const inside = await linkState(exec, endpoint.ifname, sandbox.netnsPath);
  if (!inside) {
    problems.push(`interface ${endpoint.ifname} is missing from ${sandbox.netnsPath}`);
    return problems;
  }
  if (!inside.flags?.includes('UP')) problems.push(`interface ${endpoint.ifname} is down`);
  if (endpoint.mac && inside.address !== endpoint.mac) problems.push(`interface ${endpoint.ifname} has MAC ${inside.address ?? 'none'}, expected ${endpoint.mac}`);
  const addresses = (inside.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
  const wanted = endpoint.ipv4 && `${endpoint.ipv4}/${endpoint.prefixLen}`;
  if (wanted && !addresses.includes(wanted)) problems.push(`interface ${endpoint.ifname} lacks address ${wanted} (has: ${addresses.join(', ') || 'none'})`);
  debug('check %s: %o', endpoint.id, problems);
  return problems;
}

async function linkState(exec: Executor, ifname: string, netns?: string): Promise<LinkState | undefined> {
  try {
    const { stdout } = await exec.run(['ip', '-j', 'addr', 'show', 'dev', ifname], { netns });
    return (JSON.parse(stdout || '[]') as LinkState[])[0];
  } catch (err) {
    if (err instanceof ExecError && err.kind === 'missing') return undefined;
    throw err;
  }
}
