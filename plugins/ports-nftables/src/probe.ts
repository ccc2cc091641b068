/**
 * Whether the nftables backend can work here: nft must run, and the kernel
 * must accept ctrnet's whole ruleset. The second check applies the skeleton
 * under a scratch table name in check mode (`nft -c`): the kernel validates
 * every expression (fib, ct, concatenated interval sets, nat in inet tables)
 * and nothing is committed.
 */
import createDebug from 'debug';
import { ExecError, type PluginContext, type ProbeResult } from '@ctrnet/core';
import { probeScript, render } from './ruleset.js';

const debug = createDebug('ctrnet:ports-nftables:probe');

export async function probeNftables(ctx: PluginContext): Promise<ProbeResult> {
  let version: string;
  try {
    version = parseVersion((await ctx.exec.run(['nft', '--version'])).stdout);
  } catch (err) {
    debug('nft --version failed: %O', err);
    return { usable: false, reason: /ENOENT/.test(detail(err)) ? 'nft not found on PATH' : `nft --version failed: ${detail(err)}` };
  }
  try {
    await ctx.exec.run(['nft', '-c', '-f', '-'], { input: render(probeScript()) });
  } catch (err) {
    debug('check transaction failed: %O', err);
    return { usable: false, reason: `nft ${version} is installed but cannot build ctrnet's table: ${detail(err)}` };
  }
  return { usable: true, reason: `nft ${version} answers and the kernel accepts ctrnet's ruleset (checked with nft -c)` };
}

/** `nftables v1.0.6 (Lester Gooch #5)` → `1.0.6`. */
export function parseVersion(output: string): string {
  return /v(\d+(?:\.\d+)+)/.exec(output)?.[1] ?? (output.trim() || 'of unknown version');
}

/** The first error line of a failed run: what `system info` shows. */
function detail(err: unknown): string {
  if (err instanceof ExecError) {
    const lines = err.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.find((l) => /Error|denied|not permitted|ENOENT/i.test(l)) ?? lines[0] ?? `exit status ${err.exitCode}`;
  }
  return err instanceof Error ? err.message : String(err);
}
