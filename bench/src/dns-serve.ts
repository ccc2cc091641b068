/**
 * ctrnet's resolver for the DNS section, a process of its own in the
 * resolvers' namespace, as ctrnetd runs it: one @ctrnet/dns resolver on
 * port 53 of the network's gateway, fed the view ctrnetd would build.
 *
 *   node dns-serve.js SIZE GATEWAY
 *
 * Prints "ready" once listening; stopped by PID (SIGTERM) by the section.
 */
import { DnsResolver } from '@ctrnet/dns';
import { ctrnetView } from './dns-records.js';

const [size, gateway] = process.argv.slice(2);
const resolver = new DnsResolver(ctrnetView(Number(size), gateway!), { port: 53 });
await resolver.listen([gateway!]);
process.stdout.write('ready\n');
process.once('SIGTERM', () => void resolver.close().finally(() => process.exit(0)));
