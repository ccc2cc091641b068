/**
 * Reading `iptables-save` output. Only the slow paths use it (a failed
 * optimistic transaction, reload, reset, describe): the common path never
 * lists the ruleset.
 */
import { TABLES, type Rule, type Table } from './model.js';

/** One `-A CHAIN SPEC` line. */
export interface SavedRule {
  chain: string;
  /** The text after `-A CHAIN `, exactly as saved (quotes included): fit for a `-D` line. */
  spec: string;
  /** `spec` split into argv, quotes removed: comparable with a built {@link Rule}. */
  tokens: string[];
  /** The `-j`/`-g` target, if any. */
  target?: string;
}

export interface SavedTable {
  /** Chain name → policy (`ACCEPT`, `DROP`, or `-` for user chains), in saved order. */
  chains: Map<string, string>;
  rules: SavedRule[];
}

/** The tables ctrnet uses, as saved; a table the kernel does not have is absent. */
export type Ruleset = Partial<Record<Table, SavedTable>>;

/** Splits a saved rule into argv the way iptables-restore does: blanks separate, double quotes group, backslash escapes. */
export function tokenize(spec: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i]!;
    if (ch === '\\' && i + 1 < spec.length) {
      current += spec[++i];
      inToken = true;
    } else if (ch === '"') {
      quoted = !quoted;
      inToken = true;
    } else if (!quoted && (ch === ' ' || ch === '\t')) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

function targetOf(tokens: readonly string[]): string | undefined {
  const i = tokens.findIndex((t) => t === '-j' || t === '-g' || t === '--jump' || t === '--goto');
  return i >= 0 ? tokens[i + 1] : undefined;
}

/** Parses `iptables-save` output, keeping the raw, nat and filter tables. */
export function parseSave(text: string): Ruleset {
  const ruleset: Ruleset = {};
  let table: SavedTable | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      const name = line.slice(1).trim() as Table;
      table = TABLES.includes(name) ? { chains: new Map(), rules: [] } : undefined;
      if (table) ruleset[name] = table;
    } else if (!table || line.startsWith('#') || line === 'COMMIT') {
      continue;
    } else if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(' ');
      table.chains.set(name!, policy ?? '-');
    } else if (line.startsWith('-A ')) {
      const rest = line.slice(3);
      const space = rest.indexOf(' ');
      const chain = space < 0 ? rest : rest.slice(0, space);
      const spec = space < 0 ? '' : rest.slice(space + 1);
      const tokens = tokenize(spec);
      table.rules.push({ chain, spec, tokens, target: targetOf(tokens) });
    }
  }
  return ruleset;
}

/** True when a saved rule is `rule` (token-wise, so quoting differences do not matter). */
export function sameRule(saved: SavedRule, rule: Rule): boolean {
  return saved.tokens.length === rule.length && saved.tokens.every((t, i) => t === rule[i]);
}
