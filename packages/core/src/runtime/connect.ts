import { CtrnetError, invalidArgument } from '../errors.js';
import type { Network } from '../types.js';
import { inSaga } from '../saga.js';
import { sandboxOf, type Attacher } from './attach.js';
import type { Containers } from './containers.js';
import type { RuntimeContext } from './context.js';
import type { Networks } from './networks.js';
import { checkIpv4Option, checkIpv6Option } from './plan-run.js';
import type { ConnectOptions, StaticAddresses } from './spec.js';
import type { UndoKit } from './undo.js';

/** `network connect` / `disconnect`: add or remove ethN on a running container. */
export class Connections {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly networks: Networks,
    private readonly containers: Containers,
    private readonly attacher: Attacher,
    private readonly undo: UndoKit,
  ) {}

  /** Attach a container to one more network: fixed addresses (`--ip`, `--ip6`) and DNS aliases there when given. */
  async connect(networkName: string, containerName: string, options: ConnectOptions = {}): Promise<void> {
    const network = this.networks.get(networkName);
    const container = this.containers.get(containerName);
    const driver = this.ctx.registry.networkDriver(network.driver);
    if (!driver.userDefined && network.name !== 'bridge') {
      throw new CtrnetError('INVALID_STATE', `cannot connect to the ${network.name} network; only bridge-like networks can be added to a container`);
    }
    if (container.sandboxKind && container.sandboxKind !== 'own') {
      throw new CtrnetError('INVALID_STATE', `container ${container.name} uses --net ${container.networkMode} and cannot join other networks`);
    }
    if (container.spec.networks.includes(network.id)) {
      throw new CtrnetError('CONFLICT', `container ${container.name} is already connected to network ${network.name}`);
    }
    const settings: ConnectOptions = { ...this.checkAddresses(network, options), ...(options.aliases?.length ? { aliases: options.aliases } : {}) };
    await this.ctx.store.lock.withLock(async () => {
      const fresh = this.containers.get(container.id);
      const connections = Object.keys(settings).length ? { ...fresh.spec.connections, [network.id]: settings } : fresh.spec.connections;
      const spec = { ...fresh.spec, networks: [...fresh.spec.networks, network.id], ...(connections ? { connections } : {}) };
      if (fresh.status === 'running') {
        const ifname = nextIfname(this.ctx.store.endpoints.ofContainer(fresh.id).map((e) => e.ifname));
        await inSaga(`connect ${network.name} ${fresh.name}`, this.undo.undoers, this.ctx.store.operations.begin(`connect ${network.name} ${fresh.name}`), async (saga) => {
          await this.attacher.join(saga, { id: fresh.id, name: fresh.name }, network, sandboxOf(fresh), ifname, settings);
          this.ctx.store.containers.update({ ...fresh, spec });
        });
      } else {
        this.ctx.store.containers.update({ ...fresh, spec });
      }
    });
  }

  async disconnect(networkName: string, containerName: string): Promise<void> {
    const network = this.networks.get(networkName);
    const container = this.containers.get(containerName);
    if (!container.spec.networks.includes(network.id)) {
      throw new CtrnetError('INVALID_STATE', `container ${container.name} is not connected to network ${network.name}`);
    }
    await this.ctx.store.lock.withLock(async () => {
      const fresh = this.containers.get(container.id);
      const endpoint = this.ctx.store.endpoints.ofContainer(fresh.id).find((e) => e.networkId === network.id);
      if (endpoint) {
        if (this.ctx.store.ports.ofContainer(fresh.id).some((b) => b.networkId === network.id)) {
          throw new CtrnetError('INVALID_STATE', `container ${fresh.name} publishes ports on network ${network.name}; stop it before disconnecting`);
        }
        await this.attacher.leave({ id: fresh.id, name: fresh.name }, endpoint, sandboxOf(fresh));
      }
      const { [network.id]: _, ...connections } = fresh.spec.connections ?? {};
      this.ctx.store.containers.update({ ...fresh, spec: { ...fresh.spec, networks: fresh.spec.networks.filter((id) => id !== network.id), connections } });
    });
  }

  /** `--ip` and `--ip6` of connect, checked like run's, before anything changes; returns them canonical. */
  private checkAddresses(network: Network, addresses: StaticAddresses): StaticAddresses {
    const driver = this.ctx.registry.networkDriver(network.driver);
    const fixed: StaticAddresses = {};
    if (addresses.ip !== undefined) {
      if (!driver.usesIpam || network.ipv4 === false || !network.pool) throw invalidArgument(`--ip ${JSON.stringify(addresses.ip)}: network ${network.name} has no IPv4 addresses`);
      checkIpv4Option(this.ctx, network.pool.subnet, network.pool.gateway, network.id, addresses.ip);
      fixed.ip = addresses.ip;
    }
    if (addresses.ip6 !== undefined) {
      if (!driver.usesIpam) throw invalidArgument(`--ip6 ${JSON.stringify(addresses.ip6)}: network ${network.name} has no addresses`);
      fixed.ip6 = checkIpv6Option(this.ctx, network, addresses.ip6);
    }
    return fixed;
  }
}

function nextIfname(used: string[]): string {
  for (let i = 0; ; i++) if (!used.includes(`eth${i}`)) return `eth${i}`;
}
