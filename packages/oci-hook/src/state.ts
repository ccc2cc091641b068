/** The container state an OCI runtime writes to a hook's stdin (runtime-spec runtime.md "State"). */
import { invalidArgument } from '@ctrnet/core/api';

export interface ContainerState {
  ociVersion: string;
  id: string;
  status: string;
  /** The container's init process as the host sees it; 0 or absent in poststop. */
  pid?: number;
  bundle: string;
  annotations: Record<string, string>;
}

export function parseState(text: string): ContainerState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw invalidArgument(`the container state on stdin is not JSON (${(err as Error).message}); run ctrnet-oci-hook as an OCI hook, which gets the state from the runtime`, err);
  }
  const s = raw as Partial<ContainerState> | null;
  if (!s || typeof s.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/.test(s.id)) {
    throw invalidArgument(`the container state on stdin has no valid "id" (${JSON.stringify(s?.id)})`);
  }
  if (s.pid !== undefined && (!Number.isInteger(s.pid) || s.pid < 0)) throw invalidArgument(`the container state has an invalid "pid" ${JSON.stringify(s.pid)}`);
  const annotations = s.annotations ?? {};
  if (typeof annotations !== 'object' || Object.values(annotations).some((v) => typeof v !== 'string')) throw invalidArgument('the container state has invalid "annotations": expected string values');
  return { ociVersion: String(s.ociVersion ?? ''), id: s.id, status: String(s.status ?? ''), pid: s.pid, bundle: String(s.bundle ?? ''), annotations };
}
