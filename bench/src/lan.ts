/**
 * A "LAN" for the data-plane run: one more namespace joined to each bench
 * host namespace by a veth pair, so a client there reaches published ports
 * the way another machine would (PREROUTING DNAT, then forwarding), rather
 * than through the host's own OUTPUT path. Every command runs inside the
 * LAN or a bench host namespace (`nsenter --net=`): both ends of each pair
 * are created there, never in the namespace main.ts runs in. Addresses are
 * 10.252.<k>.0/24, private to pair k.
 */
import { exec } from './exec.js';
import { netnsPath } from './netns.js';

/** Host end of every pair, inside its bench host namespace. */
const HOST_END = 'blan0';

function inNetns(netns: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=${netnsPath(netns)}`, '--', ...argv];
}

export class Lan {
  private links = 0;

  constructor(readonly netns: string) {}

  async create(): Promise<void> {
    await exec(['ip', 'netns', 'add', this.netns]);
    await exec(inNetns(this.netns, ['ip', 'link', 'set', 'lo', 'up']));
  }

  /** Joins the bench host namespace `hostNetns`; resolves to the address the LAN reaches it at. */
  async join(hostNetns: string): Promise<string> {
    const k = this.links++;
    const lanEnd = `lan${k}`;
    const [hostAddress, lanAddress] = [`10.252.${k}.1`, `10.252.${k}.2`];
    await exec(inNetns(this.netns, ['ip', 'link', 'add', lanEnd, 'type', 'veth', 'peer', 'name', HOST_END, 'netns', hostNetns]));
    await exec(inNetns(this.netns, ['ip', '-batch', '-']), { input: `addr add ${lanAddress}/24 dev ${lanEnd}\nlink set ${lanEnd} up\n` });
    await exec(inNetns(hostNetns, ['ip', '-batch', '-']), { input: `addr add ${hostAddress}/24 dev ${HOST_END}\nlink set ${HOST_END} up\n` });
    return hostAddress;
  }

  /** argv prefix that runs a command (a probe) inside the LAN namespace. */
  enter(argv: readonly string[]): string[] {
    return inNetns(this.netns, argv);
  }

  /** Deleting the namespace takes the veth pairs with it. */
  async destroy(): Promise<void> {
    await exec(['ip', 'netns', 'del', this.netns]);
  }
}
