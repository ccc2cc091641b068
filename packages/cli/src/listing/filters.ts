/**
 * Docker's `--filter KEY=VALUE` for listings. Values given for the same key
 * are alternatives (any may match); different keys must all match. `label`
 * is the exception, as in Docker (moby's `MatchKVList`): every label filter
 * must match. `name` and `id` are regular expressions matched anywhere, as
 * Docker's `filters.Match` does (`name=^web$` is exact, `id=3f4` a prefix or
 * any part); an invalid expression matches nothing, as there.
 */
import { invalidArgument } from '@ctrnet/core/api';

export type Filters = ReadonlyMap<string, readonly string[]>;

/** Parse repeated `--filter` values; `keys` are the keys this listing knows. */
export function parseFilters(values: readonly string[], keys: readonly string[]): Filters {
  const filters = new Map<string, string[]>();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw invalidArgument(`invalid --filter ${JSON.stringify(value)}: expected KEY=VALUE with KEY one of ${keys.join(', ')}`);
    const key = value.slice(0, eq).toLowerCase();
    if (!keys.includes(key)) throw invalidArgument(`invalid --filter ${JSON.stringify(value)}: unknown key ${JSON.stringify(key)}; valid: ${keys.join(', ')}`);
    filters.set(key, [...(filters.get(key) ?? []), value.slice(eq + 1)]);
  }
  return filters;
}

/** Whether a candidate matches one value of a filter key. */
export type ValueTest<T> = (candidate: T, value: string) => boolean;

/** The predicate of `filters`: same key any, different keys all (label keys all). */
export function matcher<T>(filters: Filters, tests: Readonly<Record<string, ValueTest<T>>>): (candidate: T) => boolean {
  return (candidate) =>
    [...filters].every(([key, values]) => {
      const test = tests[key]!;
      return key === 'label' ? values.every((v) => test(candidate, v)) : values.some((v) => test(candidate, v));
    });
}

/** Go-style regexp search; an expression JavaScript cannot compile matches nothing. */
export function regexpMatch(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return false;
  }
}

/** `label=KEY` (present) or `label=KEY=VALUE` (present with that value). */
export function labelMatch(labels: Readonly<Record<string, string>>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, filter);
  const key = filter.slice(0, eq);
  return Object.hasOwn(labels, key) && labels[key] === filter.slice(eq + 1);
}
