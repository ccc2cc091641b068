/**
 * The static part of the driver contract: the traits a network driver
 * declares, checked as plain data so the rules are unit-testable and every
 * problem is reported at once instead of one failed assertion at a time.
 */
import { RUN_OPTION_NAMES, type NetworkDriver } from '@ctrnet/core';

const SANDBOXES = ['own', 'host', 'shared'];
const PORT_MODES = ['publish', 'discard', 'refuse'];

/**
 * Users type the name after `-d` and `--net`; `--net container:NAME` splits on
 * the colon, and `/` or blanks would not survive a shell or a file name.
 */
const DRIVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Everything wrong with a driver's declared traits; empty when they are consistent. */
export function driverTraitProblems(driver: NetworkDriver): string[] {
  const problems: string[] = [];
  const d = driver as Partial<Record<keyof NetworkDriver, unknown>>;
  if (typeof d.name !== 'string' || !DRIVER_NAME.test(d.name)) {
    problems.push(`name ${JSON.stringify(d.name)} must be a non-empty string of [A-Za-z0-9_.-] starting with a letter or digit (users type it after -d and --net)`);
  }
  if (!SANDBOXES.includes(d.sandbox as string)) problems.push(`sandbox ${JSON.stringify(d.sandbox)} must be one of ${SANDBOXES.join(', ')}`);
  if (!PORT_MODES.includes(d.ports as string)) problems.push(`ports ${JSON.stringify(d.ports)} must be one of ${PORT_MODES.join(', ')}`);
  if (typeof d.usesIpam !== 'boolean') problems.push(`usesIpam ${JSON.stringify(d.usesIpam)} must be a boolean`);
  if (typeof d.userDefined !== 'boolean') problems.push(`userDefined ${JSON.stringify(d.userDefined)} must be a boolean`);
  if (d.ipv6 !== undefined && typeof d.ipv6 !== 'boolean') problems.push(`ipv6 ${JSON.stringify(d.ipv6)} must be a boolean when given`);
  // IPv6 comes to a network as its pool6, from IPAM.
  if (d.ipv6 === true && d.usesIpam !== true) problems.push('ipv6 is true but usesIpam is false; a network gets its IPv6 addresses from IPAM');
  // An address needs an interface to live on, and only an own sandbox gets one.
  if (d.usesIpam === true && d.sandbox !== 'own') problems.push(`usesIpam is true but sandbox is ${JSON.stringify(d.sandbox)}; only an 'own' sandbox gets an interface to hold an address`);
  // Core DNATs a published port to the container's address on this network.
  if (d.ports === 'publish' && d.usesIpam !== true) problems.push("ports is 'publish' but usesIpam is false; a published port is forwarded to the container's address, so the driver needs one");
  // The namespace's owner holds the ports; a sharer has nothing to publish them to.
  if (d.sandbox === 'shared' && d.ports === 'publish') problems.push("sandbox is 'shared' but ports is 'publish'; ports belong to the namespace's owner (use 'refuse')");
  if (d.handoff !== undefined && typeof d.handoff !== 'boolean') problems.push(`handoff ${JSON.stringify(d.handoff)} must be a boolean when given`);
  // A handed-over interface is addressed by the engine, with the address IPAM gave the endpoint.
  if (d.handoff === true && (d.sandbox !== 'own' || d.usesIpam !== true)) problems.push("handoff is true but the driver does not give an 'own' sandbox an addressed interface; only such drivers can hand one over");
  if (d.check !== undefined && typeof d.check !== 'function') problems.push('check must be a method when given');
  if (d.refusedRunOptions !== undefined) {
    if (!Array.isArray(d.refusedRunOptions)) {
      problems.push('refusedRunOptions must be an array of run option names');
    } else {
      const unknown = d.refusedRunOptions.filter((o) => !(RUN_OPTION_NAMES as readonly unknown[]).includes(o));
      if (unknown.length) problems.push(`refusedRunOptions has unknown names ${JSON.stringify(unknown)}; valid: ${RUN_OPTION_NAMES.join(', ')}`);
    }
  }
  for (const method of ['planNetwork', 'createNetwork', 'deleteNetwork', 'planEndpoint', 'join', 'leave'] as const) {
    if (typeof d[method] !== 'function') problems.push(`method ${method} is missing`);
  }
  return problems;
}
