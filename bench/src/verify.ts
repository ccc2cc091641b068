import { exec } from './exec.js';

interface IpAddrJson {
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** The IPv4 address (CIDR) on `ifname` inside the namespace at `netnsFile`; rejects if there is none. */
export async function containerAddress(netnsFile: string, ifname = 'eth0'): Promise<string> {
  const { stdout } = await exec(['nsenter', `--net=${netnsFile}`, '--', 'ip', '-j', 'addr', 'show', 'dev', ifname]);
  const links = JSON.parse(stdout) as IpAddrJson[];
  const inet = links[0]?.addr_info?.find((a) => a.family === 'inet');
  if (!inet) throw new Error(`${ifname} in ${netnsFile} has no IPv4 address: setup did not configure the container`);
  return `${ifname} ${inet.local}/${inet.prefixlen}`;
}

/**
 * Which firewall listing of the current (bench host) namespace mentions the
 * host port. Each runner gets a fresh host namespace, so any match is its own rule.
 */
export async function portRuleSource(port: number): Promise<string> {
  const pattern = new RegExp(`\\b${port}\\b`);
  // iptables first: iptables-nft rules also show in the nft ruleset, but ctrnet's own nft table never shows in iptables-save.
  const listings: [string, readonly string[]][] = [
    ['iptables nat', ['iptables-save', '-t', 'nat']],
    ['nft ruleset', ['nft', 'list', 'ruleset']],
  ];
  for (const [label, argv] of listings) {
    const text = await exec(argv).then((o) => o.stdout, () => '');
    if (pattern.test(text)) return label;
  }
  throw new Error(`no nftables or iptables rule mentions host port ${port}: the port was not published`);
}

/** The standard sanity check: eth0 has an address and some rule publishes the port. */
export async function verifyContainer(netnsFile: string, port: number): Promise<string> {
  const address = await containerAddress(netnsFile);
  const source = await portRuleSource(port);
  return `${address}, port ${port} in ${source}`;
}
