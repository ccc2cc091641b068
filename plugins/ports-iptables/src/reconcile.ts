/**
 * The slow path: given what `iptables-save` shows, compute one exact
 * payload that makes ctrnet's part of the ruleset right, touching nothing
 * else. Used when an optimistic transaction failed (something was half
 * there), and by reload, reset and describe, which must see the whole
 * picture anyway.
 */
import { TABLES, type ChainRef, type Jump, type Table, type Unit } from './model.js';
import { CHAINS, isCtrnetChain } from './names.js';
import { byTable, formatRule, jumpLines, type Payload } from './payload.js';
import { sameRule, type Ruleset, type SavedRule, type SavedTable } from './ruleset.js';

export interface ReconcileRequest {
  /** Units that must exist afterwards: leaf chains are rewritten whole, dispatch chains created if missing, missing jumps added. */
  ensure: readonly Unit[];
  /** Chains that must not exist afterwards, together with every rule that jumps to them. Missing ones are skipped. */
  remove: readonly ChainRef[];
  /** Also flush the ensured dispatch chains (never CTRNET-USER) and re-add every jump into them: `reload`. */
  rebuild?: boolean;
}

const EMPTY: SavedTable = { chains: new Map(), rules: [] };

export function reconcile(current: Ruleset, request: ReconcileRequest): Payload {
  return byTable((table) => reconcileTable(table, current[table] ?? EMPTY, request));
}

function deleteLine(rule: SavedRule): string {
  return `-D ${rule.chain} ${rule.spec}`;
}

function reconcileTable(table: Table, saved: SavedTable, request: ReconcileRequest): string[] {
  const chains = uniqueByName(request.ensure.flatMap((u) => u.chains).filter((c) => c.table === table));
  const jumps = request.ensure.flatMap((u) => u.jumps).filter((j) => j.table === table);
  const ensured = new Set(chains.map((c) => c.name));
  const removed = new Set(request.remove.filter((r) => r.table === table && !ensured.has(r.name) && saved.chains.has(r.name)).map((r) => r.name));

  // Chains this payload declares, which creates them or empties them.
  const rewritten = chains.filter((c) => {
    if (!saved.chains.has(c.name)) return true;
    // The admin's chain is never flushed; other dispatch chains only on rebuild.
    if (c.dispatch) return request.rebuild === true && c.name !== CHAINS.user;
    return true;
  });
  const emptied = new Set([...rewritten.map((c) => c.name), ...removed]);

  // Walk the saved rules of chains that keep their content: find our jumps
  // that are already in place, and rules that must go.
  const deletions: SavedRule[] = [];
  const found = new Map<Jump, { rule: SavedRule; position: number }>();
  const positions = new Map<string, number>();
  for (const rule of saved.rules) {
    const position = (positions.get(rule.chain) ?? 0) + 1;
    positions.set(rule.chain, position);
    if (emptied.has(rule.chain) || rule.target === undefined) continue;
    if (removed.has(rule.target)) {
      deletions.push(rule);
      continue;
    }
    const wanted = jumps.find((j) => !found.has(j) && j.from === rule.chain && sameRule(rule, j.rule));
    if (wanted) found.set(wanted, { rule, position });
    // A stale or duplicate jump into one of our chains (an older layout, a
    // half-done operation). Jumps into the admin's chain are theirs to keep.
    else if (ensured.has(rule.target) && rule.target !== CHAINS.user) deletions.push(rule);
  }

  // Top jumps of one chain must keep their relative order (CTRNET-USER
  // before CTRNET-FORWARD); if any is missing or out of order, re-insert all.
  for (const from of new Set(jumps.filter((j) => j.at === 'top').map((j) => j.from))) {
    const tops = jumps.filter((j) => j.at === 'top' && j.from === from);
    const places = tops.map((j) => found.get(j)?.position);
    const inOrder = places.every((p, i) => p !== undefined && (i === 0 || p > places[i - 1]!));
    if (inOrder) continue;
    for (const j of tops) {
      const hit = found.get(j);
      if (hit) deletions.push(hit.rule);
      found.delete(j);
    }
  }

  return [
    ...rewritten.map((c) => `:${c.name} - [0:0]`),
    ...deletions.map(deleteLine),
    ...[...removed].map((name) => `-F ${name}`),
    ...[...removed].map((name) => `-X ${name}`),
    ...rewritten.flatMap((c) => c.rules.map((r) => `-A ${c.name} ${formatRule(r)}`)),
    ...jumpLines(jumps.filter((j) => !found.has(j))),
  ];
}

function uniqueByName<T extends { name: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.name) && seen.add(item.name));
}

/** Every ctrnet chain in the ruleset. */
export function ctrnetChains(current: Ruleset): ChainRef[] {
  return TABLES.flatMap((table) => [...(current[table]?.chains.keys() ?? [])].filter(isCtrnetChain).map((name) => ({ table, name })));
}

/** `system reset`: every ctrnet chain and every jump into one, except CTRNET-USER while the admin keeps rules in it. */
export function resetRequest(current: Ruleset): ReconcileRequest {
  const userRules = current.filter?.rules.some((r) => r.chain === CHAINS.user) ?? false;
  return { ensure: [], remove: ctrnetChains(current).filter((c) => !(c.table === 'filter' && c.name === CHAINS.user && userRules)) };
}

/** `reload`: exactly `units` afterwards; every other ctrnet chain goes, every dispatch chain is rebuilt. */
export function reloadRequest(current: Ruleset, units: readonly Unit[]): ReconcileRequest {
  return { ensure: units, remove: ctrnetChains(current), rebuild: true };
}

/** ctrnet's chains and the jumps into them, in `iptables-save` format. */
export function describeRuleset(current: Ruleset): string {
  return TABLES.map((table) => {
    const saved = current[table];
    if (!saved) return '';
    const chains = [...saved.chains.keys()].filter(isCtrnetChain);
    const rules = saved.rules.filter((r) => isCtrnetChain(r.chain) || (r.target !== undefined && isCtrnetChain(r.target)));
    if (chains.length === 0 && rules.length === 0) return '';
    const lines = [...chains.map((c) => `:${c} - [0:0]`), ...rules.map((r) => `-A ${r.chain} ${r.spec}`)];
    return `*${table}\n${lines.join('\n')}\nCOMMIT\n`;
  }).join('');
}
