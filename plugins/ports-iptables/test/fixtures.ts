import createDebug from 'debug';
import { ExecError, RecordingExecutor, type ExecResult, type ExecTarget, type LinkRule, type NetworkRules, type PluginContext, type PortBinding } from '@ctrnet/core';

export const NET_ID = `aaaaaaaaaaaa${'0'.repeat(52)}`;
export const CONTAINER_ID = `cccccccccccc${'1'.repeat(52)}`;
export const OTHER_CONTAINER_ID = `dddddddddddd${'2'.repeat(52)}`;

export const NET_CHAIN = 'CTRNET-N-aaaaaaaaaaaa';
export const CONTAINER_CHAIN = 'CTRNET-C-cccccccccccc-aaaaaa';

export const NETWORK: NetworkRules = {
  networkId: NET_ID,
  bridge: 'br-t',
  subnet: '10.250.2.0/24',
  gateway: '10.250.2.1',
  internal: false,
  icc: true,
  masquerade: true,
};

export const BINDING: PortBinding = {
  containerId: CONTAINER_ID,
  networkId: NET_ID,
  bridge: 'br-t',
  protocol: 'tcp',
  hostIp: '0.0.0.0',
  hostPort: 8080,
  containerIp: '10.250.2.2',
  containerPort: 80,
};

export const LINK: LinkRule = {
  containerId: OTHER_CONTAINER_ID,
  bridge: 'br-t',
  sourceIp: '10.250.2.3',
  targetIp: '10.250.2.2',
  ports: [{ port: 80, protocol: 'tcp' }],
};

/**
 * A RecordingExecutor whose first `failures` iptables-restore runs fail
 * like a payload that met an existing chain, and whose `iptables-save`
 * prints `saved`.
 */
export class FakeIptables extends RecordingExecutor {
  constructor(
    private failures = 0,
    saved = '',
  ) {
    super((argv): Partial<ExecResult> => (argv[0]?.endsWith('-save') ? { stdout: saved } : argv.includes('--version') ? { stdout: 'iptables-restore v1.8.9 (nf_tables)\n' } : {}));
  }

  override async iptablesRestore(payload: string, options: ExecTarget & { family?: 4 | 6 } = {}): Promise<void> {
    await super.iptablesRestore(payload, options);
    if (this.failures > 0) {
      this.failures--;
      throw new ExecError(['iptables-restore', '-w', '--noflush'], 1, 'iptables-restore: line 2 failed: Chain already exists.', { input: payload });
    }
  }

  /** Payloads given to iptables-restore, in order. */
  payloads(): string[] {
    return this.calls.flatMap((c) => (c.kind === 'iptables-restore' ? [c.payload] : []));
  }

  /** argv of every `run`, space-joined. */
  runs(): string[] {
    return this.calls.flatMap((c) => (c.kind === 'run' ? [c.argv.join(' ')] : []));
  }
}

export function contextFor(exec: RecordingExecutor): PluginContext {
  return { exec, log: createDebug('ctrnet:ports-iptables:test') };
}
