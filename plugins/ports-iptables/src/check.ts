/**
 * What of ctrnet's rules is missing from `iptables-save` output: the
 * self-healing check ctrnetd runs every second (after `iptables -F`, a
 * firewalld reload, ...). Read-only; reload repairs what it reports.
 */
import type { Unit } from './model.js';
import { sameRule, type Ruleset } from './ruleset.js';

/** Problems in words; empty when every chain of `units` holds its rules and every jump is in place. */
export function missingUnits(current: Ruleset, units: readonly Unit[]): string[] {
  const problems = new Set<string>();
  for (const unit of units) {
    for (const chain of unit.chains) {
      const saved = current[chain.table];
      if (!saved?.chains.has(chain.name)) {
        problems.add(`chain ${chain.name} (${chain.table}) is missing`);
        continue;
      }
      const held = saved.rules.filter((r) => r.chain === chain.name);
      if (!chain.dispatch && chain.rules.some((rule) => !held.some((r) => sameRule(r, rule)))) problems.add(`chain ${chain.name} (${chain.table}) lost rules`);
    }
    for (const jump of unit.jumps) {
      const saved = current[jump.table];
      if (!saved?.rules.some((r) => r.chain === jump.from && sameRule(r, jump.rule))) problems.add(`a jump from ${jump.from} (${jump.table}) is missing`);
    }
  }
  return [...problems];
}
