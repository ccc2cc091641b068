import type { Command } from 'commander';
import { CtrnetError, invalidArgument, isCtrnetError, type CtrnetApi } from '@ctrnet/core/api';
import { objectTemplate } from '../format.js';
import { json } from '../output.js';
import type { Form } from '../program.js';
import { withApi, type CommandResult } from '../session.js';

type ObjectType = 'container' | 'network';

interface InspectOptions {
  format?: string;
  type?: string;
}

/**
 * `inspect NAME...` (containers first, then networks, like `docker
 * inspect`) and `container inspect` (containers only).
 */
export function registerInspectCommand(parent: Command, result: CommandResult, form: Form): void {
  const command = parent
    .command('inspect')
    .description(form === 'top' ? 'show containers or networks as JSON (Docker field names); containers are looked up first' : 'show containers as JSON (Docker field names)')
    .option('-f, --format <format>', 'json (compact) or a Go template run for each object')
    .argument('<name...>');
  if (form === 'top') command.option('--type <type>', 'look up only this type: container or network');
  command.action(async (names: string[], opts: InspectOptions, cmd: Command) => {
    const types = form === 'container' ? ['container' as const] : typesOf(opts.type);
    await withApi(cmd, (api) => inspectObjects(api, names, types, opts.format, result));
  });
}

function typesOf(type: string | undefined): ObjectType[] {
  if (type === undefined) return ['container', 'network'];
  if (type !== 'container' && type !== 'network') throw invalidArgument(`invalid --type ${JSON.stringify(type)}: expected container or network`);
  return [type];
}

/**
 * Print the objects found, in the order asked; Docker's habit for the rest:
 * they are named on stderr and the status is 1. When nothing at all was
 * found it is a plain not-found error (exit 2, nothing printed).
 */
export async function inspectObjects(api: CtrnetApi, names: string[], types: readonly ObjectType[], format: string | undefined, result: CommandResult): Promise<void> {
  // Parse the template before asking anything: a bad one is a usage error whatever exists.
  const render = format !== undefined && format !== '' && format !== 'json' ? await objectTemplate(format) : undefined;
  const found: unknown[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const view = await lookUp(api, name, types);
    if (view === undefined) missing.push(name);
    else found.push(view);
  }
  const what = types.length === 1 ? types[0] : 'object';
  const missingLine = `No such ${what}: ${missing.map((m) => JSON.stringify(m)).join(', ')}`;
  if (!found.length) throw new CtrnetError('NOT_FOUND', `${missingLine}; list them with: ctrnet ${types.includes('container') ? 'ps -a' : 'network ls'}`);
  if (render) process.stdout.write(found.map(render).join(''));
  else process.stdout.write(format === 'json' ? `${JSON.stringify(found)}\n` : json(found));
  if (missing.length) {
    process.stderr.write(`ctrnet: error: ${missingLine}\n`);
    result.status = 1;
  }
}

async function lookUp(api: CtrnetApi, name: string, types: readonly ObjectType[]): Promise<unknown> {
  for (const type of types) {
    try {
      return type === 'container' ? await api.call('container.inspect', { name }) : await api.call('network.inspect', { name });
    } catch (err) {
      if (!isCtrnetError(err, 'NOT_FOUND')) throw err;
    }
  }
  return undefined;
}
