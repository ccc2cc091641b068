import { appendFileSync } from 'node:fs';
import { definePlugin, LIFECYCLE_EVENT_NAMES, type PluginApi } from '@ctrnet/core';

/** Where the log goes: `$CTRNET_AUDIT_LOG`, else /var/log/ctrnet-audit.jsonl. */
export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CTRNET_AUDIT_LOG || '/var/log/ctrnet-audit.jsonl';
}

/** Subscribe a listener to every lifecycle event that appends one JSON line per event. */
export function registerAuditLog(api: Pick<PluginApi, 'events' | 'log'>, path: string): void {
  for (const event of LIFECYCLE_EVENT_NAMES) {
    api.events.on(event, (payload) => {
      appendFileSync(path, JSON.stringify({ time: new Date().toISOString(), event, payload }) + '\n', { mode: 0o600 });
    });
  }
  api.log('auditing %d lifecycle events to %s', LIFECYCLE_EVENT_NAMES.length, path);
}

export default definePlugin({
  name: 'ctrnet-plugin-audit-log',
  coreVersion: '^0.2.0',
  register(api) {
    registerAuditLog(api, auditLogPath());
  },
});
