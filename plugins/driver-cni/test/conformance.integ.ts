/**
 * The network driver conformance kit, with the driver running Debian's
 * reference plugins (bridge + host-local, CNI up to 1.0.0) from a conflist
 * written for CNI 1.1.0: version negotiation, cached results and
 * reverse-order DEL are what make every check pass. The plugins' state
 * (host-local's leases, libcni's cache) goes to a temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeNetworkDriver } from '@ctrnet/testkit';
import plugin, { CniDriver } from '../src/index.js';

/** A conflist for 1.1.0 over bridge + host-local, with the plugins' state (leases, libcni's cache) in `dir`. */
function writeConflist(dir: string): string {
  const path = join(dir, 'conformance.conflist');
  writeFileSync(
    path,
    JSON.stringify({
      cniVersion: '1.1.0',
      name: 'ctt-cni',
      plugins: [
        {
          type: 'bridge',
          bridge: 'ctt-cni0',
          isGateway: true,
          ipMasq: true,
          capabilities: { mac: true, ips: true },
          ipam: { type: 'host-local', dataDir: join(dir, 'host-local'), ranges: [[{ subnet: '10.250.5.0/24', gateway: '10.250.5.1' }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
      ],
    }),
  );
  return path;
}

const planning = mkdtempSync(join(tmpdir(), 'ctt-driver-cni-'));
after(() => rmSync(planning, { recursive: true, force: true }));
const conflist = writeConflist(planning);

describeNetworkDriver('@ctrnet/driver-cni', () => new CniDriver(), {
  plugin,
  networkOptions: { conflist, cache_dir: join(planning, 'cache') },
  invalidOptions: [{ conflist, 'no-such-option': '1' }, {}, { conflist: join(planning, 'missing.conflist') }, { conflist, cni_path: 'relative/dir' }],
  // Every kernel check gets leases and a cache of its own, as it gets a host namespace of its own.
  prepareHost: async ({ tn }) => {
    const dir = mkdtempSync(join(tmpdir(), 'ctt-driver-cni-'));
    tn.defer(() => rmSync(dir, { recursive: true, force: true }));
    return { options: { conflist: writeConflist(dir), cache_dir: join(dir, 'cache') } };
  },
});
