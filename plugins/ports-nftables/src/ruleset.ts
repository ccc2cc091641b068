/**
 * Pure builders of the nft scripts each publisher method applies. A script
 * is a list of nft command lines; `nft -f` runs it as one transaction, so
 * every operation is all-or-nothing. Removals pair each `delete element`
 * with an `add element` of the same element first: nft 1.0.6 has no
 * `destroy`, and deleting a missing element fails the whole transaction,
 * while add-then-delete removes the element whether or not it was there.
 */
import type { FirewallState, LinkRule, NetworkRules, PortBinding } from '@ctrnet/core';
import { TABLE_NAME } from './names.js';
import { allNetworkElements, bindingElements, linkElements, mergeElements, networkElements, type Elements } from './elements.js';
import { CHAINS, SET_ROLES, SETS, TABLE_FAMILY, USER_CHAIN, type SetSpec } from './layout.js';

/** An nft script: command lines, applied together. */
export type NftScript = readonly string[];

/** `inet ctrnet`: how commands name ctrnet's table. */
export const TABLE = `${TABLE_FAMILY} ${TABLE_NAME}`;

/** Scratch table for `probe`, only ever created in check mode. */
export const PROBE_TABLE = `${TABLE_FAMILY} ${TABLE_NAME}-probe`;

/** The text `nft -f -` reads. */
export function render(script: NftScript): string {
  return script.join('\n') + '\n';
}

/**
 * The table with every set, map and chain, and the fixed rules. Idempotent:
 * `add` keeps existing objects (and their elements), and each of ctrnet's
 * chains is flushed before its rules are added again, so applying it twice
 * leaves one copy of each rule. The admin's chain is created but never
 * flushed.
 */
export function skeleton(table: string = TABLE): NftScript {
  return [
    `add table ${table}`,
    ...SET_ROLES.map((role) => declareSet(table, SETS[role])),
    `add chain ${table} ${USER_CHAIN}`,
    ...CHAINS.map((c) => `add chain ${table} ${c.name}${c.hook ? ` { ${c.hook} }` : ''}`),
    ...CHAINS.map((c) => `flush chain ${table} ${c.name}`),
    ...CHAINS.flatMap((c) => c.rules.map((rule) => `add rule ${table} ${c.name} ${rule}`)),
  ];
}

/** Install or refresh a network: the skeleton, its elements, and the removal of elements its options rule out. */
export function addNetworkScript(network: NetworkRules): NftScript {
  const { present, absent } = networkElements(network);
  return [...skeleton(), ...addElements(present), ...removeElements(absent)];
}

/** Remove every element a network may own, whatever options it was added with. */
export function removeNetworkScript(network: NetworkRules): NftScript {
  return removeElements(allNetworkElements(network));
}

export function publishScript(bindings: readonly PortBinding[]): NftScript {
  return addElements(bindingElements(bindings));
}

export function unpublishScript(bindings: readonly PortBinding[]): NftScript {
  return removeElements(bindingElements(bindings));
}

export function addLinkScript(link: LinkRule): NftScript {
  return addElements(linkElements(link));
}

export function removeLinkScript(link: LinkRule): NftScript {
  return removeElements(linkElements(link));
}

/** Every element `state` calls for. */
export function stateElements(state: FirewallState): Elements {
  return mergeElements(
    ...state.networks.map((n) => networkElements(n).present),
    bindingElements(state.ports),
    ...state.links.map(linkElements),
  );
}

/**
 * Re-create everything from `state`: the skeleton, every set emptied, then
 * filled. Emptying instead of deleting the table keeps the admin's chain.
 */
export function reloadScript(state: FirewallState): NftScript {
  return [
    ...skeleton(),
    ...SET_ROLES.map((role) => `flush ${kind(SETS[role])} ${TABLE} ${SETS[role].name}`),
    ...addElements(stateElements(state)),
  ];
}

/** Delete the table; the `add` first makes it succeed when there is none. */
export function resetScript(): NftScript {
  return [`add table ${TABLE}`, `delete table ${TABLE}`];
}

/** The whole skeleton under a scratch name, then gone: run with `nft -c`, it proves the kernel supports every feature used. */
export function probeScript(): NftScript {
  return [...skeleton(PROBE_TABLE), `delete table ${PROBE_TABLE}`];
}

/** One `add element` line per set. */
export function addElements(elements: Elements, table: string = TABLE): NftScript {
  return elementLines('add', elements, table);
}

/** Idempotent removal: per set, add the elements, then delete them. */
export function removeElements(elements: Elements, table: string = TABLE): NftScript {
  return SET_ROLES.flatMap((role) => {
    const one: Elements = { [role]: elements[role] };
    return [...elementLines('add', one, table), ...elementLines('delete', one, table)];
  });
}

/** Plain deletes: only for elements just seen in the kernel. */
export function deleteElements(elements: Elements, table: string = TABLE): NftScript {
  return elementLines('delete', elements, table);
}

function elementLines(verb: 'add' | 'delete', elements: Elements, table: string): string[] {
  return SET_ROLES.flatMap((role) => {
    const list = elements[role];
    return list && list.length > 0 ? [`${verb} element ${table} ${SETS[role].name} { ${list.join(', ')} }`] : [];
  });
}

function declareSet(table: string, spec: SetSpec): string {
  const type = spec.key.join(' . ') + (spec.data ? ` : ${spec.data.join(' . ')}` : '');
  return `add ${kind(spec)} ${table} ${spec.name} { type ${type};${spec.interval ? ' flags interval;' : ''} }`;
}

function kind(spec: SetSpec): 'map' | 'set' {
  return spec.data ? 'map' : 'set';
}
