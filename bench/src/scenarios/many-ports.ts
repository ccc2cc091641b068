/**
 * One container publishing a large port range (`-p 20000-20999:20000-20999`
 * by default) on the warm library API: the time of `run -d` and of `rm -f`.
 * A small container is run and removed first, untimed, so the bridge and
 * the backend's base rules exist and the figure is about the ports alone.
 */
import { performance } from 'node:perf_hooks';
import { closeCtrnet, detachedSpec, openCtrnet, type OpenCtrnet, type PortBackend } from '../ctrnet.js';
import { ProfileBuilder, type RunProfile } from '../exec-profile.js';
import { containerAddress, portRuleSource } from '../verify.js';

export interface ManyPortsTask {
  kind: 'many-ports';
  backend: PortBackend;
  /** Published ports (host range = container range, from FIRST_PORT). */
  ports: number;
  /** run -d / rm -f pairs timed. */
  repeats: number;
}

export interface ManyPortsRecord {
  kind: 'many-ports';
  backend: PortBackend;
  status: 'ok' | 'failed' | 'interrupted';
  error?: string;
  ports: number;
  repeats: number;
  /** The -p value used. */
  publish: string;
  runMs: number[];
  rmMs: number[];
  verified?: string;
  profile?: RunProfile;
}

const FIRST_PORT = 20000;

export async function runManyPorts(task: ManyPortsTask, tmpDir: string, signal: AbortSignal, log: (line: string) => void): Promise<ManyPortsRecord> {
  const last = FIRST_PORT + task.ports - 1;
  const publish = `${FIRST_PORT}-${last}:${FIRST_PORT}-${last}`;
  const record: ManyPortsRecord = { kind: 'many-ports', backend: task.backend, status: 'failed', ports: task.ports, repeats: task.repeats, publish, runMs: [], rmMs: [] };
  const profiler = new ProfileBuilder();
  let ctrnet: OpenCtrnet | undefined;
  try {
    ctrnet = await openCtrnet(tmpDir, task.backend);
    const { rt, exec } = ctrnet;
    await rt.containers.runDetached(detachedSpec('warmup', ['19999:80'], ['sleep', 'infinity']));
    await rt.containers.remove('warmup', true);
    exec.take();
    for (let r = 1; r <= task.repeats; r++) {
      signal.throwIfAborted();
      let start = performance.now();
      await rt.containers.runDetached(detachedSpec('many', [publish], ['sleep', 'infinity']));
      const runMs = performance.now() - start;
      record.runMs.push(runMs);
      profiler.add('setup', r, runMs, exec.take());
      if (r === 1) record.verified = await verifyRange(rt.containers.get('many').sandboxKey!, FIRST_PORT, last);
      start = performance.now();
      await rt.containers.remove('many', true);
      const rmMs = performance.now() - start;
      record.rmMs.push(rmMs);
      profiler.add('teardown', r, rmMs, exec.take());
      log(`  ctrnet-api-${task.backend}: ${task.ports} ports, run -d ${runMs.toFixed(0)} ms, rm -f ${rmMs.toFixed(0)} ms`);
    }
    record.profile = profiler.result();
    record.status = 'ok';
  } catch (err) {
    record.status = signal.aborted ? 'interrupted' : 'failed';
    record.error = err instanceof Error ? err.message : String(err);
  } finally {
    await closeCtrnet(ctrnet).catch((err: unknown) => log(`  ctrnet-api-${task.backend}: reset after the run failed: ${String(err)}`));
  }
  return record;
}

/** Both ends of the range must be in the ruleset: a truncated range would otherwise time less work. */
async function verifyRange(netnsFile: string, first: number, last: number): Promise<string> {
  const address = await containerAddress(netnsFile);
  const source = await portRuleSource(first);
  await portRuleSource(last);
  return `${address}, ports ${first} and ${last} in ${source}`;
}
