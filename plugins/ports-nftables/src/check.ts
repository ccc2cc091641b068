/**
 * What of ctrnet's table is missing from the kernel: the self-healing check
 * a resident ctrnetd runs every second and after every `nft monitor` event.
 * It reads the table once (`nft -j list table`) and compares chains, their
 * fixed rules and the elements the state calls for.
 */
import { CtrnetError } from '@ctrnet/core';
import type { Elements } from './elements.js';
import { parseTableJson } from './kernel-state.js';
import { CHAINS, SET_ROLES, SETS } from './layout.js';

/** Problems in words, empty when the table holds everything `expected` and every chain its rules. */
export function missingParts(listing: string, expected: Elements): string[] {
  let doc: { nftables?: Array<Record<string, { chain?: string; name?: string }>> };
  try {
    doc = JSON.parse(listing) as typeof doc;
  } catch (err) {
    throw new CtrnetError('INTERNAL', `nft -j printed something that is not JSON (${listing.slice(0, 80)}...)`, { cause: err });
  }
  const chains = new Set<string>();
  const rules = new Map<string, number>();
  for (const entry of doc.nftables ?? []) {
    if (entry.chain?.name) chains.add(entry.chain.name);
    const chain = entry.rule?.chain;
    if (chain) rules.set(chain, (rules.get(chain) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const spec of CHAINS) {
    if (!chains.has(spec.name)) problems.push(`chain ${spec.name} is missing`);
    else if ((rules.get(spec.name) ?? 0) < spec.rules.length) problems.push(`chain ${spec.name} lost rules`);
  }
  const kernel = parseTableJson(listing);
  for (const role of SET_ROLES) {
    const held = new Set(kernel[role] ?? []);
    const lost = (expected[role] ?? []).filter((e) => !held.has(e)).length;
    if (lost > 0) problems.push(`${lost} element${lost === 1 ? '' : 's'} missing from ${SETS[role].name}`);
  }
  return problems;
}
