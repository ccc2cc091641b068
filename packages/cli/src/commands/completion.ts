import type { Command } from 'commander';
import { invalidArgument } from '@ctrnet/core/api';
import { candidates, locate, type NameKind } from '../completion/complete.js';
import { SHELLS, completionScript, type Shell } from '../completion/scripts.js';
import { buildProgram } from '../program.js';
import { configInputs, withApiFor } from '../session.js';

/** `completion bash|zsh`, and the hidden `__complete` the scripts call. */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print the shell completion script for bash or zsh (e.g. source <(ctrnet completion bash))')
    .argument('<shell>', SHELLS.join(' or '))
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw invalidArgument(`unknown shell ${JSON.stringify(shell)}: expected ${SHELLS.join(' or ')}`);
      process.stdout.write(completionScript(shell as Shell));
    });

  program
    .command('__complete', { hidden: true })
    // The scripts put the typed words after `--`, so none of them is read as an option of this command.
    .argument('[words...]')
    .helpOption(false)
    .action(async (words: string[], _opts: unknown, cmd: Command) => {
      const point = locate(buildProgram({ status: 0 }), words.length ? words : ['']);
      // The installation: as named on the line being completed, else as given to this command.
      const given = configInputs(cmd);
      const inputs = { stateDir: point.globals.stateDir ?? given.stateDir, configPath: point.globals.config ?? given.configPath };
      const names = (kind: NameKind) => namesOf(kind, inputs);
      const found = await candidates(point, names);
      process.stdout.write(found.map((c) => (c.description ? `${c.value}\t${c.description}\n` : `${c.value}\n`)).join(''));
    });
}

/** Container or network names; none when the installation cannot be asked (no daemon and no root). */
async function namesOf(kind: NameKind, inputs: { stateDir?: string; configPath?: string }): Promise<string[]> {
  try {
    return await withApiFor(inputs, async (api) =>
      kind === 'container' ? (await api.call('container.list', { all: true })).map((c) => c.Name) : (await api.call('network.list', {})).map((n) => n.Name),
    );
  } catch {
    return [];
  }
}
