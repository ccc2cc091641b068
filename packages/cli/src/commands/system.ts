import type { Command } from 'commander';
import { CtrnetError } from '@ctrnet/core/api';
import { isTemplate, objectTemplate } from '../format.js';
import { json } from '../output.js';
import { withApi } from '../session.js';
import { SYSTEM_PRUNE_WARNING, confirmPrune, pruneContainers, pruneNetworks, prunedReport } from './prune.js';

/** `system info / gc / prune / reset / reload`, and the supervisor's `system reap`. */
export function registerSystemCommands(program: Command): void {
  const system = program.command('system').description('manage the installation');

  system
    .command('info')
    .description('version, state dir, plugins, port backend')
    .option('-f, --format <format>', 'table (default), json, or a Go template over the info (e.g. "{{.portBackend.name}}")')
    .action(async (opts: { format?: string }, cmd: Command) =>
      withApi(cmd, async (api) => {
        const render = isTemplate(opts.format) ? await objectTemplate(opts.format) : undefined;
        const info = await api.call('system.info', {});
        if (opts.format === 'json') {
          process.stdout.write(json(info));
          return;
        }
        if (render) {
          process.stdout.write(render(info));
          return;
        }
        const lines = [
          `Version:       ${info.version}`,
          `State dir:     ${info.stateDir}`,
          `Config:        ${info.config ?? '(built-in defaults)'}`,
          `Port backend:  ${info.portBackend.name} (${info.portBackend.reason})`,
          `Served by:     ${info.server.daemon ? `ctrnetd (pid ${info.server.pid})` : 'this command (no daemon)'}`,
          'Plugins:',
          ...info.plugins.map((p) => {
            const r = p.registered;
            const what = [
              ...r.networkDrivers.map((d) => `network driver ${d}`),
              ...r.ipamDrivers.map((d) => `IPAM driver ${d}`),
              ...r.portPublishers.map((d) => `port publisher ${d}`),
              ...(r.hooks.length ? [`hooks ${r.hooks.join(', ')}`] : []),
              ...(r.services?.length ? [`services ${r.services.join(', ')}`] : []),
            ];
            return `  ${p.name} ${p.version} (${p.source}): ${what.join('; ') || 'event listeners only'}`;
          }),
          // An older daemon sends no sections.
          ...(info.sections ?? []).flatMap((s) => [`${s.title}:`, ...s.lines.map((l) => `  ${l}`)]),
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );

  system
    .command('gc')
    .description('reconcile state with the kernel after a crash; prints what was removed')
    .action(async (_opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        const { fixed } = await api.call('system.gc', {});
        process.stdout.write(fixed.length ? fixed.join('\n') + '\n' : 'nothing to clean\n');
      }),
    );

  system
    .command('prune')
    .description('remove every stopped container and every user-defined network no container uses')
    .option('-f, --force', 'do not ask for confirmation')
    .action(async (opts: { force?: boolean }, cmd: Command) => {
      if (!(await confirmPrune(SYSTEM_PRUNE_WARNING, opts.force))) return;
      const report = await withApi(cmd, async (api) => [prunedReport('Containers', await pruneContainers(api)), prunedReport('Networks', await pruneNetworks(api))]);
      process.stdout.write(report.filter(Boolean).join('\n'));
    });

  system
    .command('reload')
    .description('re-apply every firewall rule from the state store (after a firewall flush)')
    .action(async (_opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        process.stdout.write(`re-applied rules with the ${(await api.call('system.reload', {})).backend} backend\n`);
      }),
    );

  system
    .command('reset')
    .description('remove every container, network, rule and interface ctrnet made')
    .action(async (_opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        const { removed } = await api.call('system.reset', {});
        process.stdout.write(removed.map((r) => `removed ${r}\n`).join('') + 'reset complete\n');
      }),
    );

  // Called by a detached container's supervisor when its command exits; not for users.
  system
    .command('reap', { hidden: true })
    .argument('<id>')
    .argument('<run>')
    .argument('<status>')
    .action(async (id: string, run: string, status: string, _opts: unknown, cmd: Command) =>
      withApi(cmd, async (api) => {
        if (!/^\d+$/.test(run) || !/^\d+$/.test(status)) throw new CtrnetError('INVALID_ARGUMENT', 'usage: system reap ID RUN STATUS');
        await api.call('container.reap', { id, runId: Number(run), status: Number(status) });
      }),
    );
}
