import createDebug from 'debug';
import { expect } from 'chai';
import { CtrnetError, ExecError, RecordingExecutor, type ExecResult, type LinkRule, type NetworkRules, type PluginContext, type PortBinding } from '@ctrnet/core';
import { NftablesPublisher } from '../src/publisher.js';
import {
  addLinkScript,
  addNetworkScript,
  publishScript,
  reloadScript,
  removeLinkScript,
  removeNetworkScript,
  render,
  resetScript,
  unpublishScript,
} from '../src/ruleset.js';

const NET: NetworkRules = { networkId: 'n1', bridge: 'br0', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: false, icc: true, masquerade: true };
const LINK: LinkRule = { containerId: 'c2', bridge: 'br0', sourceIp: '10.1.0.3', targetIp: '10.1.0.2', ports: [{ port: 80, protocol: 'tcp' }] };
const LIST_JSON = ['nft', '-j', 'list', 'table', 'inet', 'ctrnet'];
const SYSCTL = ['sysctl', '-qw', 'net.ipv4.conf.br0.route_localnet=1'];

function port(hostPort: number, overrides: Partial<PortBinding> = {}): PortBinding {
  return { containerId: 'c1', networkId: 'n1', bridge: 'br0', protocol: 'tcp', hostIp: '0.0.0.0', hostPort, containerIp: '10.1.0.2', containerPort: 80, ...overrides };
}

/** nft's answers for the next nft runs (an error's stderr, or undefined for success), then success. */
class ScriptedExecutor extends RecordingExecutor {
  constructor(
    private readonly nftFailures: Array<string | undefined>,
    responder?: (argv: readonly string[]) => Partial<ExecResult>,
  ) {
    super(responder);
  }

  override async nft(script: string): Promise<void> {
    await super.nft(script);
    const stderr = this.nftFailures.shift();
    if (stderr !== undefined) throw new ExecError(['nft', '-f', '-'], 1, stderr);
  }
}

function missing(argv: readonly string[]): never {
  throw new ExecError(argv, 1, 'Error: No such file or directory\nlist table inet ctrnet\n                ^^^^^^');
}

function listing(dnat4Any: unknown[]): Partial<ExecResult> {
  return { stdout: JSON.stringify({ nftables: [{ map: { name: 'dnat4-any', elem: dnat4Any } }] }) };
}

function ctxWith(exec: RecordingExecutor): PluginContext {
  return { exec, log: createDebug('ctrnet:test') };
}

async function rejection(promise: Promise<unknown>): Promise<CtrnetError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(CtrnetError);
  return err as CtrnetError;
}

describe('NftablesPublisher', () => {
  const p = new NftablesPublisher();

  it('is registered as nftables', () => {
    expect(p.name).to.equal('nftables');
  });

  describe('addNetwork', () => {
    it('turns route_localnet on, then applies skeleton and elements in one transaction', async () => {
      const exec = new RecordingExecutor();
      await p.addNetwork(ctxWith(exec), NET);
      expect(exec.calls).to.deep.equal([
        { kind: 'run', argv: SYSCTL, netns: undefined, input: undefined },
        { kind: 'nft', script: render(addNetworkScript(NET)), netns: undefined },
      ]);
    });

    it('leaves route_localnet alone on internal networks: nothing may be published there', async () => {
      const exec = new RecordingExecutor();
      await p.addNetwork(ctxWith(exec), { ...NET, internal: true });
      expect(exec.calls.map((c) => c.kind)).to.deep.equal(['nft']);
    });

    it('says so when the bridge is missing, before touching nftables', async () => {
      const exec = new RecordingExecutor((argv) => {
        throw new ExecError(argv, 255, 'sysctl: cannot stat /proc/sys/net/ipv4/conf/br0/route_localnet: No such file or directory\n');
      });
      const err = await rejection(p.addNetwork(ctxWith(exec), NET));
      expect(err.message).to.equal(
        'cannot install the rules of network n1 (bridge br0): cannot turn on route_localnet for bridge br0 ' +
          '(sysctl: cannot stat /proc/sys/net/ipv4/conf/br0/route_localnet: No such file or directory); does the bridge exist?',
      );
      expect(exec.calls.map((c) => c.kind)).to.deep.equal(['run']);
    });

    it('names the operation and the part of the script nft refused', async () => {
      const script = addNetworkScript(NET);
      const line = script.findIndex((l) => l.startsWith('add element inet ctrnet subnets')) + 1;
      const exec = new ScriptedExecutor([`/dev/stdin:${line}:35-45: Error: Could not process rule: File exists\n...`]);
      const err = await rejection(p.addNetwork(ctxWith(exec), NET));
      expect(err.code).to.equal('EXEC_FAILED');
      expect(err.message).to.equal(
        'cannot install the rules of network n1 (bridge br0): nft refused the transaction: Could not process rule: File exists at "10.1.0.0/24"; ' +
          "if ctrnet's table was changed by hand, run `ctrnet system reload` to rebuild it from ctrnet's state",
      );
      expect(err.cause).to.be.instanceOf(ExecError);
    });
  });

  describe('removeNetwork', () => {
    it('removes its elements in one transaction', async () => {
      const exec = new RecordingExecutor();
      await p.removeNetwork(ctxWith(exec), NET);
      expect(exec.calls).to.deep.equal([{ kind: 'nft', script: render(removeNetworkScript(NET)), netns: undefined }]);
    });

    it('is done when the table does not exist', async () => {
      const exec = new ScriptedExecutor(['/dev/stdin:1:18-23: Error: No such file or directory'], missing);
      await p.removeNetwork(ctxWith(exec), NET);
      expect(exec.calls.map((c) => (c.kind === 'run' ? c.argv : c.kind))).to.deep.equal(['nft', LIST_JSON]);
    });

    it('deletes what is left when a set was lost', async () => {
      const exec = new ScriptedExecutor(['/dev/stdin:3:18-23: Error: No such file or directory'], () => ({
        stdout: JSON.stringify({ nftables: [{ set: { name: 'bridges', elem: ['br0', 'br1'] } }, { set: { name: 'gateways', elem: ['10.1.0.1'] } }] }),
      }));
      await p.removeNetwork(ctxWith(exec), NET);
      expect(exec.calls[2]).to.deep.equal({
        kind: 'nft',
        script: 'delete element inet ctrnet bridges { "br0" }\ndelete element inet ctrnet gateways { 10.1.0.1 }\n',
        netns: undefined,
      });
    });
  });

  describe('publish', () => {
    it('adds every binding in one transaction', async () => {
      const exec = new RecordingExecutor();
      const ports = [port(8080), port(8443, { hostIp: '127.0.0.1', containerPort: 443 })];
      await p.publish(ctxWith(exec), ports);
      expect(exec.calls).to.deep.equal([{ kind: 'nft', script: render(publishScript(ports)), netns: undefined }]);
    });

    it('does nothing for no bindings', async () => {
      const exec = new RecordingExecutor();
      await p.publish(ctxWith(exec), []);
      await p.unpublish(ctxWith(exec), []);
      expect(exec.calls).to.deep.equal([]);
    });

    it('replaces a stale mapping of the same host port, in one more transaction', async () => {
      const exec = new ScriptedExecutor(['/dev/stdin:1:40-50: Error: Could not process rule: File exists'], () =>
        listing([[{ concat: ['tcp', 8080] }, { concat: ['10.1.0.9', 80] }], [{ concat: ['udp', 53] }, { concat: ['10.1.0.9', 53] }]]),
      );
      await p.publish(ctxWith(exec), [port(8080), port(8081)]);
      expect(exec.calls[2]).to.deep.equal({
        kind: 'nft',
        script:
          'delete element inet ctrnet dnat4-any { tcp . 8080 : 10.1.0.9 . 80 }\n' +
          'add element inet ctrnet dnat4-any { tcp . 8080 : 10.1.0.2 . 80, tcp . 8081 : 10.1.0.2 . 80 }\n',
        netns: undefined,
      });
    });

    it('refuses when the table is missing, naming the fix', async () => {
      const exec = new ScriptedExecutor(['/dev/stdin:1:18-23: Error: No such file or directory'], missing);
      const err = await rejection(p.publish(ctxWith(exec), [port(8080)]));
      expect(err.code).to.equal('INVALID_STATE');
      expect(err.message).to.equal(
        'cannot publish 1 port (0.0.0.0:8080->80/tcp): nftables table inet ctrnet does not exist (never set up, or flushed by another tool); ' +
          "run `ctrnet system reload` to rebuild it from ctrnet's state",
      );
    });

    it('keeps error messages short for large batches', async () => {
      const exec = new ScriptedExecutor(['Error: Could not process rule: Operation not permitted']);
      const err = await rejection(p.publish(ctxWith(exec), [port(1), port(2), port(3), port(4), port(5)]));
      expect(err.message).to.match(/^cannot publish 5 ports \(0\.0\.0\.0:1->80\/tcp, 0\.0\.0\.0:2->80\/tcp, 0\.0\.0\.0:3->80\/tcp, and 2 more\): /);
    });
  });

  describe('unpublish', () => {
    it('removes exactly its bindings in one transaction', async () => {
      const exec = new RecordingExecutor();
      await p.unpublish(ctxWith(exec), [port(8080)]);
      expect(exec.calls).to.deep.equal([{ kind: 'nft', script: render(unpublishScript([port(8080)])), netns: undefined }]);
    });

    it('keeps a mapping that now points elsewhere, and removes the rest', async () => {
      const exec = new ScriptedExecutor(['/dev/stdin:1:40-50: Error: Could not process rule: File exists'], () =>
        listing([[{ concat: ['tcp', 8080] }, { concat: ['10.1.0.9', 80] }], [{ concat: ['tcp', 8081] }, { concat: ['10.1.0.2', 80] }]]),
      );
      await p.unpublish(ctxWith(exec), [port(8080), port(8081), port(8082)]);
      expect(exec.calls[2]).to.deep.equal({ kind: 'nft', script: 'delete element inet ctrnet dnat4-any { tcp . 8081 : 10.1.0.2 . 80 }\n', netns: undefined });
    });

    it('does not run an empty transaction when nothing of it is left', async () => {
      const exec = new ScriptedExecutor(['/dev/stdin:1:40-50: Error: Could not process rule: File exists'], () => listing([]));
      await p.unpublish(ctxWith(exec), [port(8080)]);
      expect(exec.calls).to.have.length(2);
    });

    it('passes other failures on', async () => {
      const exec = new ScriptedExecutor(['Error: Could not process rule: Operation not permitted']);
      const err = await rejection(p.unpublish(ctxWith(exec), [port(8080)]));
      expect(err.code).to.equal('EXEC_FAILED');
      expect(err.message).to.contain('cannot unpublish 1 port (0.0.0.0:8080->80/tcp)');
    });
  });

  describe('links', () => {
    it('adds and removes link elements', async () => {
      const exec = new RecordingExecutor();
      await p.addLink(ctxWith(exec), LINK);
      await p.removeLink(ctxWith(exec), LINK);
      expect(exec.calls).to.deep.equal([
        { kind: 'nft', script: render(addLinkScript(LINK)), netns: undefined },
        { kind: 'nft', script: render(removeLinkScript(LINK)), netns: undefined },
      ]);
    });

    it('has nothing to do for a link without ports', async () => {
      const exec = new RecordingExecutor();
      await p.addLink(ctxWith(exec), { ...LINK, ports: [] });
      await p.removeLink(ctxWith(exec), { ...LINK, ports: [] });
      expect(exec.calls).to.deep.equal([]);
    });
  });

  describe('on a host without nft', () => {
    const NO_NFT = 'Command failed with ENOENT: nft -f -\nspawn nft ENOENT';
    const noNft = (argv: readonly string[]): never => {
      throw new ExecError(argv, 1, NO_NFT);
    };

    it('treats every teardown as done: core tears down through every loaded backend', async () => {
      const exec = new ScriptedExecutor([NO_NFT, NO_NFT, NO_NFT, NO_NFT], noNft);
      const ctx = ctxWith(exec);
      await p.removeNetwork(ctx, NET);
      await p.unpublish(ctx, [port(8080)]);
      await p.removeLink(ctx, LINK);
      await p.reset(ctx);
      expect(await p.describe(ctx)).to.equal('table inet ctrnet does not exist: nothing is installed through nftables\n');
    });

    it('says what to install when asked to set something up', async () => {
      const exec = new ScriptedExecutor([NO_NFT]);
      const err = await rejection(p.publish(ctxWith(exec), [port(8080)]));
      expect(err.message).to.equal('cannot publish 1 port (0.0.0.0:8080->80/tcp): nft is not installed; install nftables, or set portBackend to iptables');
    });
  });

  describe('reload, reset, describe', () => {
    it('reloads in one transaction, then sets route_localnet on every non-internal bridge', async () => {
      const exec = new RecordingExecutor();
      const internal = { ...NET, networkId: 'n2', bridge: 'br1', subnet: '10.2.0.0/24', gateway: '10.2.0.1', internal: true };
      const state = { networks: [NET, internal], ports: [port(8080)], links: [LINK] };
      await p.reload(ctxWith(exec), state);
      expect(exec.calls).to.deep.equal([
        { kind: 'nft', script: render(reloadScript(state)), netns: undefined },
        { kind: 'run', argv: SYSCTL, netns: undefined, input: undefined },
      ]);
    });

    it('resets by deleting the table in one transaction', async () => {
      const exec = new RecordingExecutor();
      await p.reset(ctxWith(exec));
      expect(exec.calls).to.deep.equal([{ kind: 'nft', script: render(resetScript()), netns: undefined }]);
    });

    it('describes the table as nft lists it', async () => {
      const exec = new RecordingExecutor(() => ({ stdout: 'table inet ctrnet {\n}\n' }));
      expect(await p.describe(ctxWith(exec))).to.equal('table inet ctrnet {\n}\n');
      expect(exec.calls).to.deep.equal([{ kind: 'run', argv: ['nft', 'list', 'table', 'inet', 'ctrnet'], netns: undefined, input: undefined }]);
    });

    it('describes a missing table in words', async () => {
      const exec = new RecordingExecutor(missing);
      expect(await p.describe(ctxWith(exec))).to.equal('table inet ctrnet does not exist: nothing is installed through nftables\n');
    });
  });
});
