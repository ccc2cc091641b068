import type { DnsView } from '../src/index.js';

/**
 * A view with three networks, used by unit and loopback tests:
 * - front (gateway 127.0.53.1): web (.10), api (.11, alias `backend`), cache
 *   (.12, alias `backend`, IPv4 only), and both (on back too).
 * - back (gateway 127.0.53.2): db (.20, v4+v6), both (.21) linking `dbalias` → db.
 * - vault, internal (gateway 127.0.53.3): secret (.30).
 * The addresses are loopback ones so the same view serves sockets on 127.x.
 */
export function sampleView(upstream: string[] = []): DnsView {
  return {
    upstream,
    networks: [
      {
        id: 'n-front',
        name: 'front',
        internal: false,
        listen: ['127.0.53.1', 'fd53::1'],
        containers: [
          { id: 'c-web', name: 'web', aliases: ['www'], ipv4: '127.0.53.10', ipv6: 'fd53::10' },
          { id: 'c-api', name: 'api', aliases: ['backend'], ipv4: '127.0.53.11', ipv6: 'fd53::11' },
          { id: 'c-cache', name: 'cache', aliases: ['backend'], ipv4: '127.0.53.12' },
          { id: 'c-both', name: 'both', aliases: [], ipv4: '127.0.53.13' },
        ],
      },
      {
        id: 'n-back',
        name: 'back',
        internal: false,
        listen: ['127.0.53.2'],
        containers: [
          { id: 'c-db', name: 'db', aliases: [], ipv4: '127.0.53.20', ipv6: 'fd54::20' },
          { id: 'c-both', name: 'both', aliases: [], ipv4: '127.0.53.21', links: [{ alias: 'dbalias', target: 'db' }] },
        ],
      },
      {
        id: 'n-vault',
        name: 'vault',
        internal: true,
        listen: ['127.0.53.3'],
        containers: [{ id: 'c-secret', name: 'secret', aliases: [], ipv4: '127.0.53.30' }],
      },
    ],
  };
}
