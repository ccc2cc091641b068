/**
 * Request schemas of every API method. Both paths validate with them: the
 * in-process API before it acts, the daemon before it dispatches, so a
 * request means the same whoever sends it. Unknown fields are refused.
 * Values are checked for shape here; their meaning (is the subnet free, is
 * the name taken) is checked by the runtime, as before.
 */
import { z } from 'zod';
import type { ApiMethod, ApiRequest } from './types.js';

const name = z.string().min(1).max(255);
const id = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-hex-char id');
const protocol = z.enum(['tcp', 'udp', 'sctp']);
const port = z.number().int().min(0).max(65535);
const range = z.object({ start: port, end: port }).strict();
const pair = z.tuple([z.string(), z.string()]);
const empty = z.object({}).strict();

const publishRequest = z.object({ hostIp: z.string().optional(), hostPorts: range.optional(), containerPorts: range, protocol }).strict();
const exposedPort = z.object({ port, protocol }).strict();

export const runSpecSchema = z
  .object({
    name: name.optional(),
    network: name,
    publish: z.array(publishRequest).max(65536),
    publishAll: z.boolean(),
    expose: z.array(exposedPort).max(65536),
    dns: z.array(z.string()),
    dnsSearch: z.array(z.string()),
    dnsOptions: z.array(z.string()),
    hostname: z.string().optional(),
    addHosts: z.array(pair),
    links: z.array(pair),
    macAddress: z.string().optional(),
    ip: z.string().optional(),
    ip6: z.string().optional(),
    defaultGateway: z.string().optional(),
    env: z.array(pair),
    detach: z.boolean(),
    interactive: z.boolean(),
    tty: z.boolean(),
    rm: z.boolean(),
    init: z.boolean(),
    stopSignal: z.string().optional(),
    stopTimeout: z.number().int().min(0).max(86_400).optional(),
    workdir: z.string().optional(),
    user: z.string().optional(),
    labels: z.array(pair),
    networkAliases: z.array(z.string().min(1).max(255)),
    command: z.array(z.string()),
    given: z.array(z.string()),
  })
  .strict();

const networkRequest = z
  .object({
    name,
    driver: name,
    ipamDriver: name.optional(),
    subnet: z.string().optional(),
    ipRange: z.string().optional(),
    gateway: z.string().optional(),
    subnet6: z.string().optional(),
    ipRange6: z.string().optional(),
    gateway6: z.string().optional(),
    internal: z.boolean(),
    ipv4: z.boolean().optional(),
    ipv6: z.boolean(),
    options: z.record(z.string(), z.string()),
    ipamPool: id.optional(),
  })
  .strict();

const sandboxSelector = z.object({ owner: name.optional(), ownerPrefix: z.string().max(255).optional(), network: name.optional(), ifname: name.optional() }).strict();
const sandboxAttach = z
  .object({
    owner: name,
    network: name,
    ifname: name,
    netnsPath: z.string().min(1).max(4096).optional(),
    handoff: z.boolean().optional(),
    pin: z.boolean().optional(),
    publish: z.array(publishRequest).max(65536).optional(),
    ip: z.string().optional(),
    mac: z.string().optional(),
    defaultRoute: z.boolean().optional(),
    aliases: z.array(name).max(256).optional(),
    dns: z.object({ servers: z.array(z.string()).optional(), searches: z.array(z.string()).optional(), options: z.array(z.string()).optional() }).strict().optional(),
  })
  .strict();
const poolRef = z.object({ pool: id }).strict();

const byName = z.object({ name }).strict();
const membership = z.object({ network: name, container: name }).strict();
  const connection = z.object({ network: name, container: name, aliases: z.array(z.string().min(1).max(255)).optional(), ip: z.string().optional(), ip6: z.string().optional() }).strict();

type Schemas = { [M in ApiMethod]: z.ZodType<ApiRequest<M>> };

export const REQUEST_SCHEMAS: Schemas = {
  'container.run': z.object({ spec: runSpecSchema }).strict(),
  'container.runAttached': z.object({ spec: runSpecSchema, callerPid: z.number().int().positive() }).strict(),
  'container.started': z.object({ id, pid: z.number().int().positive() }).strict(),
  'container.exited': z.object({ id, status: z.number().int().min(0).max(255) }).strict(),
  'container.create': z.object({ spec: runSpecSchema }).strict(),
  'container.start': byName,
  'container.restart': z.object({ name, timeoutSeconds: z.number().int().min(0).max(86_400).optional() }).strict(),
  'container.kill': z.object({ name, signal: z.string().max(32).optional() }).strict(),
  'container.pause': byName,
  'container.unpause': byName,
  'container.rename': z.object({ name, newName: name }).strict(),
  'container.top': byName,
  'container.wait': byName,
  'container.attach': byName,
  'container.stop': z.object({ name, timeoutSeconds: z.number().int().min(0).max(86_400).optional() }).strict(),
  'container.remove': z.object({ name, force: z.boolean().optional() }).strict(),
  'container.list': z.object({ all: z.boolean().optional() }).strict(),
  'container.inspect': byName,
  'container.ports': byName,
  'container.exec': z.object({ name, command: z.array(z.string()).min(1), env: z.array(pair).optional(), workdir: z.string().optional(), user: z.string().optional() }).strict(),
  'container.logs': byName,
  'container.reap': z.object({ id, runId: z.number().int().min(0), status: z.number().int().min(0).max(255) }).strict(),
  'network.create': networkRequest,
  'network.list': empty,
  'network.inspect': byName,
  'network.remove': byName,
  'network.connect': connection,
  'network.disconnect': membership,
  'system.info': empty,
  'system.gc': empty,
  'system.reload': empty,
  'system.reset': empty,
  'sandbox.attach': sandboxAttach,
  'sandbox.detach': sandboxSelector,
  'sandbox.check': sandboxSelector,
  'sandbox.publish': sandboxSelector.extend({ publish: z.array(publishRequest).max(65536) }).strict(),
  'sandbox.list': sandboxSelector,
  'ipam.requestPool': z.object({ ipamDriver: name.optional(), subnet: z.string().optional(), ipRange: z.string().optional(), gateway: z.string().optional() }).strict(),
  'ipam.releasePool': poolRef,
  'ipam.requestAddress': z.object({ pool: id, address: z.string().optional(), gateway: z.boolean().optional() }).strict(),
  'ipam.releaseAddress': z.object({ pool: id, address: z.string() }).strict(),
  'ipam.listPools': empty,
  'events.list': z.object({ after: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(10_000).optional() }).strict(),
};

/** The API's method names, for routing and for "unknown method" errors. */
export const API_METHODS = Object.keys(REQUEST_SCHEMAS) as ApiMethod[];

export function isApiMethod(value: string): value is ApiMethod {
  return Object.hasOwn(REQUEST_SCHEMAS, value);
}
