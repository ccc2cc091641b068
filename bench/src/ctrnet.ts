/**
 * Opening ctrnet's library API the way every ctrnet scenario of the bench
 * does: a private state dir, an explicit port backend, the CLI as reaper,
 * and an executor that times each kernel command for the profile.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG, CoprocessExecutor, defaultRunSpec, ExecaExecutor, EXECUTOR, loadConfig, parsePublishSpec, Runtime, type RunSpec } from '@ctrnet/core';
import { container as rootContainer } from 'tsyringe';
import { ctrnetArgv, CTRNET_CLI } from './cli-process.js';
import { exec, TOOL_ENV } from './exec.js';
import { TimingExecutor } from './exec-profile.js';

/** ctrnet's two port publishers, by the name `portBackend` takes. */
export const PORT_BACKENDS = ['nftables', 'iptables'] as const;
export type PortBackend = (typeof PORT_BACKENDS)[number];

/**
 * Name of the bench's container `i`: `ctr<i>`. Not `c<i>`: an all-hex name
 * such as `c54` also matches any container whose id starts with c54, and
 * ctrnet (as of this writing) refuses such a name as "already in use".
 */
export function containerName(i: number): string {
  return `ctr${i}`;
}

/** A warm Runtime plus the executor it drives the kernel through. */
export interface OpenCtrnet {
  rt: Runtime;
  exec: TimingExecutor;
}

/** Where a task's ctrnet keeps its state (inside the task's scratch directory). */
export function ctrnetStateDir(tmpDir: string): string {
  return join(tmpDir, 'state');
}

/**
 * After a worker died without cleaning up: `ctrnet system reset` on the
 * state it left, inside its host namespace. Container namespaces
 * (/run/netns/ctrnet-*) and container processes outlive the host
 * namespace, so deleting that alone would leak them. A ctrnetd the worker
 * started outlives it too: `daemon stop` first, which signals the PID in
 * the state dir's pid file only after checking it is a ctrnetd of that
 * state dir; the reset then runs in-process.
 */
export async function resetLeftovers(hostNetnsFile: string, tmpDir: string): Promise<void> {
  const stateDir = ctrnetStateDir(tmpDir);
  if (!existsSync(stateDir)) return;
  const enter = ['nsenter', `--net=${hostNetnsFile}`, '--'];
  if (existsSync(join(stateDir, 'ctrnetd.pid'))) await exec([...enter, ...ctrnetArgv(stateDir, ['daemon', 'stop'])]);
  await exec([...enter, ...ctrnetArgv(stateDir, ['system', 'reset'])], { env: { ...TOOL_ENV, CTRNET_DAEMON: 'never' } });
}

/** Opens a Runtime on `<tmpDir>/state` with `backend` forced (no probing, so a broken backend fails loudly). */
export async function openCtrnet(tmpDir: string, backend: PortBackend): Promise<OpenCtrnet> {
  const stateDir = ctrnetStateDir(tmpDir);
  mkdirSync(stateDir, { recursive: true });
  const config = { ...loadConfig({ stateDir, env: {} }), portBackend: backend, portBackendSource: 'the bench' };
  const exec = new TimingExecutor(benchExecutor());
  // Runtime takes its parts from a DI container: the forced config and the timing executor replace core's defaults.
  const parts = rootContainer.createChildContainer();
  parts.registerInstance(CONFIG, config);
  parts.registerInstance(EXECUTOR, exec);
  const rt = await Runtime.open({ stateDir, container: parts, reaper: { node: process.execPath, cli: CTRNET_CLI }, version: ctrnetVersion() });
  // As ctrnetd does once it serves: ready namespaces (with the coprocess executor; a no-op with execa's).
  rt.namespaces.start();
  return { rt, exec };
}

/**
 * The executor the API scenarios drive the kernel through: ctrnetd's (resident
 * `ip` and `nft` coprocesses), so the figures are the daemon's warm path;
 * `CTRNET_BENCH_EXECUTOR=execa` gives the one-process-per-command path of
 * the in-process CLI instead.
 */
function benchExecutor(): CoprocessExecutor | ExecaExecutor {
  const name = process.env.CTRNET_BENCH_EXECUTOR ?? 'coprocess';
  if (name === 'execa') return new ExecaExecutor();
  if (name === 'coprocess') return new CoprocessExecutor();
  throw new Error(`CTRNET_BENCH_EXECUTOR=${name}: choose coprocess (the default) or execa`);
}

/** The CLI's release, which Runtime reports in `system info`. */
function ctrnetVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** `run -d --name NAME -p SPEC... -- COMMAND` on the default bridge network, as the CLI would build it. */
export function detachedSpec(name: string, publish: readonly string[], command: string[]): RunSpec {
  const spec = defaultRunSpec(command);
  spec.name = name;
  spec.detach = true;
  spec.publish = publish.map(parsePublishSpec);
  if (publish.length > 0) spec.given = ['publish'];
  return spec;
}

/** Removes every container and network and the backend's rules (`system reset`), then closes the store. */
export async function closeCtrnet(open: OpenCtrnet | undefined): Promise<void> {
  if (!open) return;
  try {
    await open.rt.system.reset();
  } finally {
    await open.rt.close();
  }
}
