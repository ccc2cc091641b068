import createDebug from 'debug';
import { CommandError, TOOL_ENV } from '../exec.js';
import type { CommandRunner } from '../rss.js';
import { pluginInput, type ConfList, type JsonObject } from './cni-config.js';

const debug = createDebug('ctrnet:bench:libcni');

/** Debian's containernetworking-plugins install here. */
export const CNI_PATH = '/usr/lib/cni';

/** What identifies one attachment (spec section 2 parameters). */
export interface Attachment {
  containerId: string;
  netns: string;
  ifname: string;
}

/**
 * The execution protocol of the CNI spec for a plugin list, the part of
 * libcni a runtime needs: plugins run in list order on ADD, each fed the
 * previous result; in reverse order on DEL, each fed the cached ADD result.
 */
export class PluginListExecutor {
  constructor(
    private readonly run: CommandRunner,
    private readonly list: ConfList,
  ) {}

  /** Runs ADD through the list; resolves to the final result, which DEL needs later. */
  async add(att: Attachment, runtime: JsonObject): Promise<JsonObject> {
    let result: JsonObject | undefined;
    for (const plugin of this.list.plugins) {
      result = await this.invoke('ADD', att, pluginInput(this.list, plugin, runtime, result));
    }
    return result ?? {};
  }

  async del(att: Attachment, runtime: JsonObject, addResult: JsonObject | undefined): Promise<void> {
    for (const plugin of [...this.list.plugins].reverse()) {
      await this.invoke('DEL', att, pluginInput(this.list, plugin, runtime, addResult));
    }
  }

  private async invoke(command: 'ADD' | 'DEL', att: Attachment, input: JsonObject): Promise<JsonObject> {
    const type = String(input['type']);
    const env = {
      ...TOOL_ENV,
      CNI_COMMAND: command,
      CNI_CONTAINERID: att.containerId,
      CNI_NETNS: att.netns,
      CNI_IFNAME: att.ifname,
      CNI_PATH,
    };
    debug('%s %s %s', command, type, att.containerId);
    try {
      const { stdout } = await this.run.run([`${CNI_PATH}/${type}`], { input: JSON.stringify(input), env });
      return stdout.trim() ? (JSON.parse(stdout) as JsonObject) : {};
    } catch (err) {
      throw new Error(`CNI ${command} ${type} for ${att.containerId}: ${describeCniError(err)}`, { cause: err });
    }
  }
}

/** Plugins print errors as JSON on stdout ({code, msg, details}); show that rather than a bare exit status. */
function describeCniError(err: unknown): string {
  if (!(err instanceof CommandError)) return String(err);
  try {
    const parsed = JSON.parse(err.stdout) as { code?: number; msg?: string; details?: string };
    return `code ${parsed.code}: ${parsed.msg}${parsed.details ? ` (${parsed.details})` : ''}`;
  } catch {
    return err.message;
  }
}
