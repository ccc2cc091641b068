/**
 * `iptables-restore --noflush` payloads, as plain data. Two pure builders
 * cover the common path, which never lists the ruleset:
 *
 * - {@link installPayload} creates a unit's chains with `-N`, which fails if
 *   a chain already exists. The jumps into a chain are added in the same
 *   table commit as the chain itself, so "chain exists" means "its jumps
 *   exist": a repeated install fails instead of duplicating jumps.
 * - {@link removePayload} deletes the jumps with `-D` (fails if one is
 *   missing), then flushes and deletes the chains.
 *
 * When either fails, the publisher falls back to {@link reconcile} (see
 * reconcile.ts), which reads `iptables-save` once and writes an exact payload.
 */
import { TABLES, type Jump, type Rule, type Table, type Unit } from './model.js';

/** The lines for one table, without the `*table` and `COMMIT` framing. */
export interface TablePayload {
  table: Table;
  lines: string[];
}

/** Tables in restore order; a table without lines is left out. */
export type Payload = TablePayload[];

/** Tokens iptables-restore reads as-is; anything else (a comment with spaces) is quoted. */
const PLAIN_TOKEN = /^[A-Za-z0-9_.:/,=+!%@-]+$/;

export function formatToken(token: string): string {
  return PLAIN_TOKEN.test(token) ? token : `"${token.replace(/(["\\])/g, '\\$1')}"`;
}

export function formatRule(rule: Rule): string {
  return rule.map(formatToken).join(' ');
}

/** `-I CHAIN 1 ...` lines for top jumps, last first, so they end up in listed order. */
export function jumpLines(jumps: readonly Jump[]): string[] {
  const top = jumps.filter((j) => j.at === 'top').reverse();
  const bottom = jumps.filter((j) => j.at === 'bottom');
  return [...top.map((j) => `-I ${j.from} 1 ${formatRule(j.rule)}`), ...bottom.map((j) => `-A ${j.from} ${formatRule(j.rule)}`)];
}

/** Groups per-table lines into a payload, in {@link TABLES} order, dropping empty tables. */
export function byTable(linesOf: (table: Table) => string[]): Payload {
  return TABLES.map((table) => ({ table, lines: linesOf(table) })).filter((t) => t.lines.length > 0);
}

/** Creates the units' chains (failing if one exists), fills them and adds their jumps. */
export function installPayload(units: readonly Unit[]): Payload {
  return byTable((table) => {
    const chains = units.flatMap((u) => u.chains).filter((c) => c.table === table);
    const jumps = units.flatMap((u) => u.jumps).filter((j) => j.table === table);
    return [
      ...chains.map((c) => `-N ${c.name}`),
      ...chains.flatMap((c) => c.rules.map((r) => `-A ${c.name} ${formatRule(r)}`)),
      ...jumpLines(jumps),
    ];
  });
}

/** Deletes the units' jumps (failing if one is missing), then flushes and deletes their chains. */
export function removePayload(units: readonly Unit[]): Payload {
  return byTable((table) => {
    const chains = units.flatMap((u) => u.chains).filter((c) => c.table === table);
    const jumps = units.flatMap((u) => u.jumps).filter((j) => j.table === table);
    return [...jumps.map((j) => `-D ${j.from} ${formatRule(j.rule)}`), ...chains.map((c) => `-F ${c.name}`), ...chains.map((c) => `-X ${c.name}`)];
  });
}

/** The text `iptables-restore` reads; empty when there is nothing to do. */
export function renderPayload(payload: Payload): string {
  return payload.map((t) => `*${t.table}\n${t.lines.join('\n')}\nCOMMIT\n`).join('');
}
