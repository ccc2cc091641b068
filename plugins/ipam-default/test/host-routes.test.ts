import { RecordingExecutor } from '@ctrnet/core';
import { expect } from 'chai';
import { parseHostRoutes, readHostRoutes, ROUTE_LIST_ARGV } from '../src/host-routes.js';
import { ctrnetError, TYPICAL_ROUTES } from './helpers.js';

describe('parseHostRoutes', () => {
  it('keeps main-table routes and drops default and local-table routes', () => {
    expect(parseHostRoutes(JSON.stringify(TYPICAL_ROUTES))).to.deep.equal(['192.0.2.0/24']);
  });

  it('reads a bare address as a /32 and keeps routes of other tables', () => {
    const routes = [
      { dst: '198.51.100.7', dev: 'tun0' },
      { dst: '10.8.0.0/16', table: '100', dev: 'wg0' },
      { dst: 'default', table: '100', dev: 'wg0' },
    ];
    expect(parseHostRoutes(JSON.stringify(routes))).to.deep.equal(['198.51.100.7/32', '10.8.0.0/16']);
  });

  it('treats empty output as no routes', () => {
    expect(parseHostRoutes('')).to.deep.equal([]);
    expect(parseHostRoutes('[]\n')).to.deep.equal([]);
  });

  it('ignores entries without a usable dst', () => {
    expect(parseHostRoutes(JSON.stringify([{ dev: 'eth0' }, { dst: 'fe80::/64' }, { dst: '10.0.0.0/8' }]))).to.deep.equal(['10.0.0.0/8']);
  });

  it('reports output that is not JSON, naming the command', async () => {
    const err = await ctrnetError(() => parseHostRoutes('default via 192.0.2.1 dev eth0'));
    expect(err.code).to.equal('EXEC_FAILED');
    expect(err.message).to.contain('ip -j -4 route show table all');
  });
});

describe('readHostRoutes', () => {
  it('asks ip for every IPv4 route of every table, as JSON', async () => {
    const exec = new RecordingExecutor(() => ({ stdout: JSON.stringify(TYPICAL_ROUTES) }));
    expect(await readHostRoutes(exec)).to.deep.equal(['192.0.2.0/24']);
    expect(exec.calls).to.deep.equal([{ kind: 'run', argv: ROUTE_LIST_ARGV[4], netns: undefined, input: undefined }]);
    expect(ROUTE_LIST_ARGV[4]).to.deep.equal(['ip', '-j', '-4', 'route', 'show', 'table', 'all']);
  });

  it('asks for IPv6 routes for an IPv6 pick, and reads a bare address as a /128', async () => {
    const routes = [
      { dst: 'default', dev: 'eth0' },
      { dst: 'fd00:99::/64', dev: 'wg0' },
      { dst: 'fd00:98::7', dev: 'tun0' },
      { type: 'multicast', dst: 'ff00::/8', table: 'local', dev: 'eth0' },
      { dst: '10.0.0.0/8' },
    ];
    const exec = new RecordingExecutor(() => ({ stdout: JSON.stringify(routes) }));
    expect(await readHostRoutes(exec, 6)).to.deep.equal(['fd00:99::/64', 'fd00:98::7/128']);
    expect(exec.calls[0]).to.deep.include({ argv: ['ip', '-j', '-6', 'route', 'show', 'table', 'all'] });
  });
});
