import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, Registry } from '@ctrnet/core';
import plugin, { auditLogPath } from '../src/index.js';

describe('audit-log plugin', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends every lifecycle event as one JSON line', async () => {
    const path = join(dir, 'audit.jsonl');
    process.env.CTRNET_AUDIT_LOG = path;
    const bus = new EventBus();
    await new Registry(bus).register(plugin, 'audit-log');
    delete process.env.CTRNET_AUDIT_LOG;
    await bus.emit('container.create', { container: { id: 'abc', name: 'web' }, networkMode: 'bridge' });
    await bus.emit('container.remove', { container: { id: 'abc', name: 'web' } });
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; payload: unknown });
    expect(lines.map((l) => l.event)).to.deep.equal(['container.create', 'container.remove']);
    expect(lines[0]!.payload).to.deep.equal({ container: { id: 'abc', name: 'web' }, networkMode: 'bridge' });
  });

  it('defaults to /var/log/ctrnet-audit.jsonl', () => {
    expect(auditLogPath({})).to.equal('/var/log/ctrnet-audit.jsonl');
  });
});
