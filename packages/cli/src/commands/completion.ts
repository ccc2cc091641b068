import type { Command } from 'commander';
import { invalidArgument, type ConfigInputs } from '@ctrnet/core/api';
import type { NameKind } from '../completion/complete.js';
import { configInputs, withApiFor } from '../session.js';

const SHELLS = ['bash', 'zsh'] as const;

/**
 * `completion bash|zsh`, and the hidden `__complete` the scripts call. The
 * scripts and the completer are loaded by these commands only.
 */
export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('print the shell completion script for bash or zsh (e.g. source <(ctrnet completion bash))')
    .argument('<shell>', SHELLS.join(' or '))
    .action(async (shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw invalidArgument(`unknown shell ${JSON.stringify(shell)}: expected ${SHELLS.join(' or ')}`);
      const { completionScript } = await import('../completion/scripts.js');
      process.stdout.write(completionScript(shell as (typeof SHELLS)[number]));
    });

  program
    .command('__complete', { hidden: true })
    // The scripts put the typed words after `--`, so none of them is read as an option of this command.
    .argument('[words...]')
    .helpOption(false)
    .action(async (words: string[], _opts: unknown, cmd: Command) => {
      const [{ candidates, locate }, { buildProgram }] = await Promise.all([import('../completion/complete.js'), import('../program.js')]);
      const point = locate(buildProgram({ status: 0 }), words.length ? words : ['']);
      // The installation: as named on the line being completed, else as given to this command.
      const given = configInputs(cmd);
      const inputs = { stateDir: point.globals.stateDir ?? given.stateDir, configPath: point.globals.config ?? given.configPath };
      const found = await candidates(point, (kind) => namesOf(kind, inputs));
      process.stdout.write(found.map((c) => (c.description ? `${c.value}\t${c.description}\n` : `${c.value}\n`)).join(''));
    });
}

/** Container or network names; none when the installation cannot be asked (no daemon and no root). */
async function namesOf(kind: NameKind, inputs: ConfigInputs): Promise<string[]> {
  try {
    return await withApiFor(inputs, async (api) =>
      kind === 'container' ? (await api.call('container.list', { all: true })).map((c) => c.Name) : (await api.call('network.list', {})).map((n) => n.Name),
    );
  } catch {
    return [];
  }
}
