/**
 * Fault injection for crash-safety tests. With `CTRNET_CRASH_AFTER=N` the
 * process SIGKILLs itself right after the N-th crash point it passes (a
 * crash point follows every saga step and every step of a teardown); with
 * `CTRNET_CRASH_AFTER=label` after the first point with that label. Test-only:
 * unset in normal use, where this costs one environment lookup.
 */
import createDebug from 'debug';

const debug = createDebug('ctrnet:core:crash-point');
let passed = 0;

export function crashPoint(label: string): void {
  const target = process.env.CTRNET_CRASH_AFTER;
  if (!target) return;
  passed++;
  debug('crash point %d: %s', passed, label);
  if (target === String(passed) || target === label) {
    process.stderr.write(`ctrnet: CTRNET_CRASH_AFTER=${target}: killing myself after "${label}"\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
