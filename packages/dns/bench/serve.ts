/**
 * Runs a resolver for the benchmark inside its namespace:
 *   node serve.js VIEW.json PORT LISTEN
 * Prints "ready" once listening; SIGTERM closes it.
 */
import { readFile } from 'node:fs/promises';
import { DnsResolver, type DnsView } from '../src/index.js';

const [viewFile, portText, listen] = process.argv.slice(2);
const view = JSON.parse(await readFile(viewFile!, 'utf8')) as DnsView;
const resolver = new DnsResolver(view, { port: Number(portText) });
await resolver.listen([listen!]);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void resolver.close().finally(() => process.exit(0));
});
