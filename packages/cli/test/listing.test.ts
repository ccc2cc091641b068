import { expect } from 'chai';
import { CtrnetError, type ContainerSummary, type NetworkSummary } from '@ctrnet/core';
import { containerFilter, containerRow, ellipsis, newestFirst } from '../src/listing/container-rows.js';
import { parseFilters } from '../src/listing/filters.js';
import { byName, networkFilter, networkRow } from '../src/listing/network-rows.js';

const ID = (c: string) => c.repeat(64);

function container(over: Partial<ContainerSummary>): ContainerSummary {
  return {
    Id: ID('a'),
    Name: 'web',
    Status: 'running',
    NetworkMode: 'bridge',
    IPs: ['172.17.0.2'],
    Ports: [],
    Exposed: [],
    Networks: [{ Name: 'bridge', Id: ID('b') }],
    Labels: {},
    Command: ['sleep', '600'],
    Created: '2026-01-01T00:00:00.000Z',
    Started: '2026-01-01T00:00:01.000Z',
    ...over,
  };
}

const network = (over: Partial<NetworkSummary>): NetworkSummary => ({
  Name: 'net1',
  Id: ID('c'),
  Driver: 'bridge',
  Subnet: '10.0.0.0/24',
  Gateway: '10.0.0.1',
  IPv6Subnet: '',
  IPv6Gateway: '',
  Internal: false,
  EnableIPv6: false,
  Containers: 0,
  Created: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('ps rows', () => {
  it("quotes the command and cuts it at 20 characters with …, like docker/cli's Ellipsis", () => {
    expect(ellipsis('12345678901234567890', 20)).to.equal('12345678901234567890');
    expect(ellipsis('123456789012345678901', 20)).to.equal('1234567890123456789…');
    const row = containerRow(container({ Command: ['sh', '-c', 'echo "hi"; sleep 600'] }), true, Date.parse('2026-01-01T00:00:06Z'));
    expect(row.Command).to.equal('"sh -c echo \\"hi\\"; sl…"');
    expect(row.ID).to.equal('a'.repeat(12));
    expect(row.Status).to.equal('Up 5 seconds');
    expect(row.RunningFor).to.equal('6 seconds ago');
    expect(containerRow(container({}), false, 0).ID).to.equal(ID('a'));
  });

  it('sorts newest first, stable on the id', () => {
    const a = container({ Id: ID('1'), Created: '2026-01-01T00:00:00Z' });
    const b = container({ Id: ID('2'), Created: '2026-01-01T00:00:05Z' });
    const c = container({ Id: ID('3'), Created: '2026-01-01T00:00:05Z' });
    expect([a, c, b].sort(newestFirst).map((x) => x.Id[0])).to.deep.equal(['2', '3', '1']);
  });
});

describe('--filter', () => {
  const web = container({ Name: 'web', Labels: { tier: 'web', team: 'a' }, Networks: [{ Name: 'front', Id: ID('f') }] });
  const db = container({ Id: ID('d'), Name: 'db', Status: 'exited', ExitCode: 3, Labels: { tier: 'db' } });
  const match = (...filters: string[]) => {
    const test = containerFilter(parseFilters(filters, ['id', 'name', 'label', 'status', 'network', 'exited']));
    return [web, db].filter(test).map((c) => c.Name);
  };

  it('ORs values of one key, ANDs different keys, ANDs labels (Docker)', () => {
    expect(match('name=web', 'name=db')).to.deep.equal(['web', 'db']);
    expect(match('name=web', 'status=exited')).to.deep.equal([]);
    expect(match('label=tier')).to.deep.equal(['web', 'db']);
    expect(match('label=tier', 'label=team=a')).to.deep.equal(['web']);
    expect(match('label=tier=db')).to.deep.equal(['db']);
  });

  it('matches name and id as regular expressions anywhere, network by name or id prefix', () => {
    expect(match('name=^w')).to.deep.equal(['web']);
    expect(match('name=^/db$')).to.deep.equal(['db']);
    expect(match('name=(')).to.deep.equal([]);
    expect(match('id=dddd')).to.deep.equal(['db']);
    expect(match('network=front')).to.deep.equal(['web']);
    expect(match(`network=${ID('f').slice(0, 6)}`)).to.deep.equal(['web']);
    expect(match('exited=3')).to.deep.equal(['db']);
    expect(match('status=paused')).to.deep.equal([]);
  });

  for (const [filter, why] of [
    ['name', 'expected KEY=VALUE'],
    ['=x', 'expected KEY=VALUE'],
    ['color=red', 'unknown key "color"'],
    ['status=sleeping', 'valid statuses are created, restarting, running'],
    ['exited=one', 'expected an exit code'],
  ]) {
    it(`refuses ${filter}`, () => expect(() => match(filter!)).to.throw(CtrnetError, why!));
  }

  it('filters networks by name, driver, type and dangling', () => {
    const nets = [network({ Name: 'bridge' }), network({ Name: 'net10', Containers: 1 }), network({ Name: 'net2', Driver: 'macvlan' })];
    const names = (...f: string[]) => nets.filter(networkFilter(parseFilters(f, ['id', 'name', 'driver', 'scope', 'type', 'dangling']))).map((n) => n.Name);
    expect(names('type=custom')).to.deep.equal(['net10', 'net2']);
    expect(names('type=builtin')).to.deep.equal(['bridge']);
    expect(names('dangling=true')).to.deep.equal(['net2']);
    expect(names('driver=bridge', 'name=net')).to.deep.equal(['net10']);
    expect(names('scope=local')).to.have.length(3);
    expect(() => names('type=mine')).to.throw(CtrnetError, 'expected custom or builtin');
    expect(nets.sort(byName).map((n) => n.Name), 'natural order').to.deep.equal(['bridge', 'net2', 'net10']);
    expect(networkRow(nets[0]!, true)).to.include({ ID: 'c'.repeat(12), Scope: 'local', IPv6: 'false', Internal: 'false' });
  });
});
