import { CtrnetError } from '../errors.js';
import { inSaga } from '../saga.js';
import { sandboxOf, type Attacher } from './attach.js';
import type { Containers } from './containers.js';
import type { RuntimeContext } from './context.js';
import type { Networks } from './networks.js';
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

  async connect(networkName: string, containerName: string, aliases?: string[]): Promise<void> {
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
    await this.ctx.store.lock.withLock(async () => {
      const fresh = this.containers.get(container.id);
      const spec = { ...fresh.spec, networks: [...fresh.spec.networks, network.id] };
      if (fresh.status === 'running') {
        const ifname = nextIfname(this.ctx.store.endpoints.ofContainer(fresh.id).map((e) => e.ifname));
        await inSaga(`connect ${network.name} ${fresh.name}`, this.undo.undoers, this.ctx.store.operations.begin(`connect ${network.name} ${fresh.name}`), async (saga) => {
          await this.attacher.join(saga, { id: fresh.id, name: fresh.name }, network, sandboxOf(fresh), ifname, undefined, aliases?.length ? aliases : undefined);
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
      this.ctx.store.containers.update({ ...fresh, spec: { ...fresh.spec, networks: fresh.spec.networks.filter((id) => id !== network.id) } });
    });
  }
}

function nextIfname(used: string[]): string {
  for (let i = 0; ; i++) if (!used.includes(`eth${i}`)) return `eth${i}`;
}
