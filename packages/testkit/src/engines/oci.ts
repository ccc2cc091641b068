/**
 * runc 1.1 and crun 1.8 inside a fence: a runner with `--root` in the temp
 * dir, and OCI bundles whose config.json comes from the runtime's own
 * `spec`, adjusted (args, hooks, annotations, an existing network namespace,
 * a cgroup under the fence's parent) and rooted in the busybox rootfs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import createDebug from 'debug';
import { invalidArgument } from '@ctrnet/core';
import type { ExecOutput } from '../netns.js';
import type { Fence, FenceExecOptions } from './fence.js';
import type { BusyboxImage } from './image.js';

const debug = createDebug('ctrnet:testkit:engines:oci');

/** One hook entry of runtime-spec config.md. `path` is absolute; `args[0]` is argv0. */
export interface OciHook {
  path: string;
  args?: string[];
  /** When unset, runc and crun hand the hook their own environment although the spec says empty: pass PATH explicitly. */
  env?: string[];
  /** Seconds, > 0. */
  timeout?: number;
}

/** Hook stages of runtime-spec 1.0.2 (`prestart` is deprecated but still run). */
export interface OciHooks {
  prestart?: OciHook[];
  createRuntime?: OciHook[];
  createContainer?: OciHook[];
  startContainer?: OciHook[];
  poststart?: OciHook[];
  poststop?: OciHook[];
}

/** Options for {@link OciRuntime.bundle}. */
export interface OciBundleOptions {
  /** Container id, also the bundle directory's name; `[A-Za-z0-9_.-]`. */
  id: string;
  image: BusyboxImage;
  /** process.args, e.g. `BUSYBOX_HTTPD` (the image's web server). */
  args: readonly string[];
  hooks?: OciHooks;
  annotations?: Record<string, string>;
  /** Join this network namespace (a file such as /run/netns/x) instead of getting a new one. */
  netnsPath?: string;
}

/** A bundle on disk. */
export interface OciBundle {
  id: string;
  /** The bundle directory, for `--bundle`. */
  dir: string;
  /** The config.json written there. */
  config: Record<string, unknown>;
}

/** runc or crun bound to a fence. */
export interface OciRuntime {
  name: 'runc' | 'crun';
  /** `--root`: the runtime's state dir, in the fence's temp dir. */
  root: string;
  /**
   * Runs `<runtime> --root ROOT ...args` inside the fence. Use
   * `{ background: true }` for `run -d` / `create`: the container inherits the
   * runtime's stdio.
   */
  cli(args: readonly string[], opts?: FenceExecOptions): Promise<ExecOutput>;
  /** Writes a bundle under `<fence dir>/bundles/<id>/` from this runtime's `spec`. */
  bundle(opts: OciBundleOptions): Promise<OciBundle>;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A runner for `name` in `fence`; its containers are deleted (`delete --force`, which runs poststop hooks) at fence teardown. */
export function ociRuntime(fence: Fence, name: 'runc' | 'crun'): OciRuntime {
  const root = fence.path('oci', name);
  mkdirSync(root, { recursive: true });
  const cli = (args: readonly string[], opts?: FenceExecOptions): Promise<ExecOutput> => fence.exec([name, '--root', root, ...args], opts);
  fence.defer(`delete ${name} containers`, async () => {
    const ids = (await cli(['list', '--quiet'], { reject: false })).stdout.split('\n').filter(Boolean);
    for (const id of ids) await cli(['delete', '--force', id], { reject: false });
  });
  const bundle = async (opts: OciBundleOptions): Promise<OciBundle> => {
    if (!ID_PATTERN.test(opts.id)) throw invalidArgument(`OCI container id "${opts.id}" must be letters, digits, "_", "." or "-"`);
    const dir = fence.path('bundles', opts.id);
    mkdirSync(dir, { recursive: true });
    await fence.exec([name, 'spec', '--bundle', dir]);
    const config = adjustSpec(JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')) as Spec, opts, `${fence.cgroupParent}/${name}-${opts.id}`);
    writeFileSync(`${dir}/config.json`, JSON.stringify(config, null, 2));
    debug('bundle %s for %s', dir, name);
    return { id: opts.id, dir, config };
  };
  return { name, root, cli, bundle };
}

/** The parts of a generated config.json this module touches. */
interface Spec extends Record<string, unknown> {
  process: { terminal?: boolean; args: string[]; env?: string[] };
  root: { path: string; readonly?: boolean };
  hostname?: string;
  linux: { namespaces: Array<{ type: string; path?: string }>; cgroupsPath?: string };
}

/**
 * No terminal (tests run without a tty), the busybox rootfs shared read-only
 * by absolute path, PATH=/bin, and a cgroupsPath under the fence's parent:
 * without one, runc and crun put the container in `/<id>` of every hierarchy
 * on the host.
 */
function adjustSpec(spec: Spec, opts: OciBundleOptions, cgroupsPath: string): Spec {
  const namespaces = spec.linux.namespaces.filter((ns) => ns.type !== 'network');
  namespaces.push(opts.netnsPath ? { type: 'network', path: opts.netnsPath } : { type: 'network' });
  return {
    ...spec,
    process: { ...spec.process, terminal: false, args: [...opts.args], env: ['PATH=/bin', 'TERM=xterm'] },
    root: { path: opts.image.rootfs, readonly: true },
    hostname: opts.id,
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
    linux: { ...spec.linux, namespaces, cgroupsPath },
  };
}
