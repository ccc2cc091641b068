/**
 * The hook's stages as calls of ctrnet's runtime API. createRuntime (or the
 * deprecated prestart) attaches the container's namespace, found through
 * the state's pid, and pins it (a bind mount ctrnet removes at detach):
 * poststop comes with pid 0, and runc skips it on some exits, so teardown
 * must not depend on the process. poststop detaches by id, idempotently;
 * gc detaches containers that vanished without it.
 */
import createDebug from 'debug';
import { CtrnetError, type CtrnetApi } from '@ctrnet/core/api';
import { hookRequest } from './annotations.js';
import type { ContainerState } from './state.js';

const debug = createDebug('ctrnet:oci-hook:hook');

/** Owner prefix of OCI containers in ctrnet. */
export const OWNER_PREFIX = 'oci:';

export const STAGES = ['createRuntime', 'prestart', 'poststop'] as const;
export type Stage = (typeof STAGES)[number];

/** Run `stage` for the container; returns one line for the log. */
export async function runStage(stage: Stage, state: ContainerState, api: CtrnetApi): Promise<string> {
  const owner = OWNER_PREFIX + state.id;
  if (stage === 'poststop') {
    const { detached } = await api.call('sandbox.detach', { owner });
    return detached.length ? `detached ${owner} from ${detached.map((d) => d.network).join(', ')}` : `${owner}: nothing attached`;
  }
  const request = hookRequest(state.annotations);
  if (!request) return `${owner}: no ctrnet.network annotation, nothing to do`;
  if (!state.pid) throw new CtrnetError('INVALID_ARGUMENT', `container ${state.id}: the state has no pid in stage ${stage}; run ctrnet-oci-hook as a createRuntime hook`);
  const attachment = await api.call('sandbox.attach', { owner, netnsPath: `/proc/${state.pid}/ns/net`, pin: true, ...request });
  debug('%s attached: %o', owner, attachment);
  const ports = attachment.bindings.map((b) => `${b.hostIp}:${b.hostPort}->${b.containerPort}/${b.protocol}`).join(', ');
  return `attached ${owner} to ${attachment.network} as ${attachment.ifname} ${attachment.ipv4 ?? ''}${ports ? ` (${ports})` : ''}`;
}
