/**
 * What a container asks of ctrnet, in its OCI annotations: the network,
 * published ports in `-p` syntax, a static address or MAC, the interface
 * name, resolver settings and aliases. Parsed completely before the hook
 * touches anything; errors name the annotation.
 */
import { checkMac, invalidArgument, parsePublishSpec, type PublishRequest } from '@ctrnet/core/api';

export const ANNOTATIONS = {
  network: 'ctrnet.network',
  ports: 'ctrnet.ports',
  ip: 'ctrnet.ip',
  mac: 'ctrnet.mac',
  ifname: 'ctrnet.ifname',
  dns: 'ctrnet.dns',
  dnsSearch: 'ctrnet.dns-search',
  aliases: 'ctrnet.aliases',
} as const;

export interface HookRequest {
  network: string;
  ifname: string;
  publish: PublishRequest[];
  ip?: string;
  mac?: string;
  aliases: string[];
  dns?: { servers: string[]; searches: string[] };
}

/** The request the annotations make, or undefined when the container names no ctrnet network (the hook then does nothing). */
export function hookRequest(annotations: Readonly<Record<string, string>>): HookRequest | undefined {
  const network = annotations[ANNOTATIONS.network];
  if (network === undefined || network === '') return undefined;
  const list = (key: string) => (annotations[key] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const publish = list(ANNOTATIONS.ports).map((spec) => {
    try {
      return parsePublishSpec(spec);
    } catch (err) {
      throw invalidArgument(`annotation ${ANNOTATIONS.ports}: ${(err as Error).message}`, err);
    }
  });
  const mac = annotations[ANNOTATIONS.mac];
  const servers = list(ANNOTATIONS.dns);
  const searches = list(ANNOTATIONS.dnsSearch);
  return {
    network,
    ifname: annotations[ANNOTATIONS.ifname] || 'eth0',
    publish,
    ip: annotations[ANNOTATIONS.ip] || undefined,
    mac: mac ? checkMac(mac) : undefined,
    aliases: list(ANNOTATIONS.aliases),
    dns: servers.length || searches.length ? { servers, searches } : undefined,
  };
}
