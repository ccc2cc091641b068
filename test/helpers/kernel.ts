/**
 * What ctrnet left in the kernel, read back for e2e checks: interfaces,
 * namespaces and firewall rules, normalised so that two reads compare.
 */
import { execIn, type NetnsRef } from '@ctrnet/testkit';

/** A container namespace as ctrnet names it: `ctrnet-` + 12 hex chars of the container id. */
const CONTAINER_NETNS = /^ctrnet-[0-9a-f]{12}$/;

/**
 * `ip -d link` of the host namespace, without what changes by itself: bridge
 * timers, and a new bridge's operstate settling from UNKNOWN to UP.
 */
export async function links(host: NetnsRef): Promise<string> {
  return (await execIn(host, ['ip', '-d', 'link'])).stdout.replace(/(\w+_timer)\s+[\d.]+/g, '$1').replace(/ state (UP|UNKNOWN) /g, ' state UP ');
}

/** Interface names in the host namespace (without the `@peer` suffix). */
export async function linkNames(host: NetnsRef): Promise<string[]> {
  const out = (await execIn(host, ['ip', '-o', 'link'])).stdout;
  return out
    .split('\n')
    .map((line) => line.split(': ')[1]?.split('@')[0] ?? '')
    .filter(Boolean);
}

/** Host-side veth ends ctrnet made (`vc` + hex). */
export async function vethLinks(host: NetnsRef): Promise<string[]> {
  return (await linkNames(host)).filter((n) => /^vc[0-9a-f]+$/.test(n));
}

/** Bridges of user-defined networks (`ctr-` + hex). */
export async function userBridges(host: NetnsRef): Promise<string[]> {
  return (await linkNames(host)).filter((n) => n.startsWith('ctr-'));
}

/** Named namespaces that look like ctrnet container namespaces (any installation's). */
export async function containerNetns(): Promise<string[]> {
  const out = (await execIn(undefined, ['ip', 'netns', 'list'])).stdout;
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => CONTAINER_NETNS.test(name))
    .sort();
}

/** `iptables-save` (or `ip6tables-save` for family 6) of the host namespace without comments and counters, which change by themselves. */
export async function iptablesRules(host: NetnsRef, family: 4 | 6 = 4): Promise<string> {
  const out = (await execIn(host, [family === 6 ? 'ip6tables-save' : 'iptables-save'], { reject: false })).stdout;
  return out
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .map((line) => line.replace(/\[\d+:\d+\]/g, '[]'))
    .join('\n');
}

/** `nft list ruleset` of the host namespace without counter values. */
export async function nftRuleset(host: NetnsRef): Promise<string> {
  const out = (await execIn(host, ['nft', 'list', 'ruleset'])).stdout;
  return out.replace(/packets \d+ bytes \d+/g, 'packets - bytes -');
}
