/**
 * One way to set kernel parameters: a single `sysctl -w` process for any
 * number of keys, run through the executor like every kernel change (and
 * in a sandbox with the executor's `netns` option: /proc/sys/net follows
 * the namespace of the writer).
 */

/** One parameter: its key, path-style (`net/ipv6/conf/eth0/disable_ipv6`), and its value. */
export type SysctlSetting = readonly [key: string, value: string];

/**
 * argv of `sysctl -q -w` setting every key. Keys are written with `/`
 * because an interface name may contain dots, which the dotted form would
 * read as separators. With `ignoreMissing`, keys the kernel lacks (IPv6 on
 * a host booted with ipv6.disable=1) are skipped (`-e`) instead of failing.
 */
export function sysctlArgv(settings: readonly SysctlSetting[], options: { ignoreMissing?: boolean } = {}): string[] {
  return ['sysctl', options.ignoreMissing ? '-eqw' : '-qw', ...settings.map(([key, value]) => `${key}=${value}`)];
}

/** Path-style key of a per-interface setting, e.g. `ifaceKey(6, 'eth0', 'accept_ra')` → `net/ipv6/conf/eth0/accept_ra`. */
export function ifaceKey(family: 4 | 6, ifname: string, name: string): string {
  return `net/ipv${family}/conf/${ifname}/${name}`;
}

/** The settings of an argv {@link sysctlArgv} built, or undefined for any other command. */
export function parseSysctlArgv(argv: readonly string[]): { settings: SysctlSetting[]; ignoreMissing: boolean } | undefined {
  if (argv[0] !== 'sysctl' || (argv[1] !== '-qw' && argv[1] !== '-eqw') || argv.length < 3) return undefined;
  const settings: SysctlSetting[] = [];
  for (const word of argv.slice(2)) {
    const eq = word.indexOf('=');
    if (eq <= 0) return undefined;
    settings.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  return { settings, ignoreMissing: argv[1] === '-eqw' };
}
