import { expect } from 'chai';
import { isCtrnetError } from '@ctrnet/core';
import { RecordIndex, resolveName, resolvePtr, type QueryScope } from '../src/records.js';
import { sampleView } from './fixtures.js';

describe('RecordIndex', () => {
  const index = RecordIndex.build(sampleView(['192.0.2.53', '[2001:db8::53]:5353']));
  const scope = (listen: string, source: string): QueryScope => {
    const found = index.scope(listen, source);
    expect(found, `scope for ${source} on ${listen}`).to.not.equal(undefined);
    return found!;
  };
  const names = (s: QueryScope): string[] => s.networks.map((n) => n.name);

  describe('scope', () => {
    it('gives a container its own networks, the queried one first', () => {
      expect(names(scope('127.0.53.1', '127.0.53.13'))).to.deep.equal(['front', 'back']);
      expect(names(scope('127.0.53.2', '127.0.53.21'))).to.deep.equal(['back', 'front']);
    });

    it('finds a container by its IPv6 address in any spelling of the listen address', () => {
      expect(names(scope('fd53::1', 'fd53::10'))).to.deep.equal(['front']);
    });

    it('keeps a container asking another network\'s gateway on its own networks', () => {
      // db (back only) asks front's gateway: it must not see front's names.
      expect(names(scope('127.0.53.1', '127.0.53.20'))).to.deep.equal(['back']);
    });

    it('gives an unknown source the listen network only (aardvark-dns), with forwarding unless internal', () => {
      const stranger = scope('127.0.53.1', '127.0.0.1');
      expect(names(stranger)).to.deep.equal(['front']);
      expect(stranger.endpoints).to.deep.equal([]);
      expect(stranger.forward).to.equal(true);
      expect(scope('127.0.53.3', '127.0.0.1').forward).to.equal(false);
    });

    it('has nothing for an unknown source on an unknown address', () => {
      expect(index.scope('127.0.99.1', '127.0.0.1')).to.equal(undefined);
    });

    it('forwards for a container with any non-internal network, never for an internal-only one', () => {
      expect(scope('127.0.53.1', '127.0.53.10').forward).to.equal(true);
      expect(scope('127.0.53.3', '127.0.53.30').forward).to.equal(false);
    });

    it('parses upstream servers, a bare address meaning port 53', () => {
      expect(scope('127.0.53.1', '127.0.53.10').upstream).to.deep.equal([
        { address: '192.0.2.53', port: 53, family: 4 },
        { address: '2001:db8::53', port: 5353, family: 6 },
      ]);
    });
  });

  describe('resolveName', () => {
    const web = (): QueryScope => scope('127.0.53.1', '127.0.53.10');

    it('resolves container names case-insensitively, with or without the trailing dot', () => {
      expect(resolveName(web(), 'API')).to.deep.equal({ ipv4: ['127.0.53.11'], ipv6: ['fd53::11'] });
      expect(resolveName(web(), 'api.')).to.deep.equal({ ipv4: ['127.0.53.11'], ipv6: ['fd53::11'] });
    });

    it('gives every address behind an alias', () => {
      expect(resolveName(web(), 'backend')).to.deep.equal({ ipv4: ['127.0.53.11', '127.0.53.12'], ipv6: ['fd53::11'] });
    });

    it('resolves NAME.NETWORK only on networks the source is on', () => {
      expect(resolveName(web(), 'web.front')?.ipv4).to.deep.equal(['127.0.53.10']);
      expect(resolveName(web(), 'db.back')).to.equal(undefined);
      const both = scope('127.0.53.1', '127.0.53.13');
      expect(resolveName(both, 'DB.Back.')?.ipv4).to.deep.equal(['127.0.53.20']);
      expect(resolveName(both, 'both.back')?.ipv4).to.deep.equal(['127.0.53.21']);
      expect(resolveName(both, 'both.front')?.ipv4).to.deep.equal(['127.0.53.13']);
    });

    it('tries every split, so network names may contain dots', () => {
      const view = sampleView();
      view.networks[1]!.name = 'back.end';
      const dotted = RecordIndex.build(view).scope('127.0.53.2', '127.0.53.21')!;
      expect(resolveName(dotted, 'db.back.end')?.ipv4).to.deep.equal(['127.0.53.20']);
      expect(resolveName(dotted, 'db.end')).to.equal(undefined);
    });

    it('prefers the queried network when a name exists on several', () => {
      expect(resolveName(scope('127.0.53.1', '127.0.53.13'), 'both')?.ipv4).to.deep.equal(['127.0.53.13']);
      expect(resolveName(scope('127.0.53.2', '127.0.53.21'), 'both')?.ipv4).to.deep.equal(['127.0.53.21']);
    });

    it('resolves a link alias for the linking container only', () => {
      expect(resolveName(scope('127.0.53.2', '127.0.53.21'), 'dbalias')?.ipv4).to.deep.equal(['127.0.53.20']);
      expect(resolveName(scope('127.0.53.2', '127.0.53.21'), 'dbalias.back')?.ipv4).to.deep.equal(['127.0.53.20']);
      expect(resolveName(scope('127.0.53.2', '127.0.53.20'), 'dbalias')).to.equal(undefined);
    });

    it('does not see names of networks the source is not on', () => {
      expect(resolveName(web(), 'db')).to.equal(undefined);
      expect(resolveName(web(), 'secret')).to.equal(undefined);
      expect(resolveName(scope('127.0.53.3', '127.0.53.30'), 'web')).to.equal(undefined);
    });

    it('knows nothing of the root or an empty name', () => {
      expect(resolveName(web(), '.')).to.equal(undefined);
      expect(resolveName(web(), '')).to.equal(undefined);
    });
  });

  describe('resolvePtr', () => {
    it('maps IPv4 and IPv6 addresses to CONTAINER.NETWORK, as Docker', () => {
      const web = scope('127.0.53.1', '127.0.53.10');
      expect(resolvePtr(web, '11.53.0.127.in-addr.arpa')).to.equal('api.front');
      const nibbles = '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.5.d.f.IP6.ARPA.';
      expect(resolvePtr(web, nibbles)).to.equal('web.front');
    });

    it('answers only for addresses on the source\'s networks', () => {
      expect(resolvePtr(scope('127.0.53.1', '127.0.53.10'), '20.53.0.127.in-addr.arpa')).to.equal(undefined);
      expect(resolvePtr(scope('127.0.53.1', '127.0.53.13'), '20.53.0.127.in-addr.arpa')).to.equal('db.back');
    });
  });

  describe('build', () => {
    it('refuses a bad address, naming the container and network', () => {
      const view = sampleView();
      view.networks[0]!.containers[0]!.ipv4 = '10.0.0.300';
      expect(() => RecordIndex.build(view))
        .to.throw(/container web on network front/)
        .that.satisfies((err: unknown) => isCtrnetError(err, 'INVALID_ARGUMENT'));
    });

    it('refuses a bad upstream server', () => {
      expect(() => RecordIndex.build(sampleView(['dns.example:53']))).to.throw(/upstream.*dns\.example:53/);
    });

    it('uses a container\'s own --dns servers instead of the host\'s', () => {
      const view = sampleView(['192.0.2.53']);
      view.networks[0]!.containers[0]!.dns = ['198.51.100.1'];
      const own = RecordIndex.build(view).scope('127.0.53.1', '127.0.53.10')!;
      expect(own.upstream.map((s) => s.address)).to.deep.equal(['198.51.100.1']);
    });

    it('keeps at most three upstream servers', () => {
      const many = RecordIndex.build(sampleView(['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']));
      expect(many.scope('127.0.53.1', '127.0.53.10')!.upstream).to.have.length(3);
    });
  });
});
