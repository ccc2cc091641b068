/** Helpers shared by the repositories: rows as better-sqlite3 returns them, JSON columns, NULLs. */

export type Row = Record<string, unknown>;

export const json = (v: unknown): string => JSON.stringify(v);

/** SQL NULL (and a missing column) as undefined. */
export const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

/** Parse a JSON column written by {@link json}. */
export const parsed = <T>(v: unknown): T => JSON.parse(v as string) as T;

/**
 * A container or network id prefix that may be looked up with LIKE: hex
 * only, because LIKE treats `_` and `%` as wildcards ("___" would match
 * anything). Docker's rule: 3+ characters, unique.
 */
export function isIdPrefix(value: string): boolean {
  return /^[0-9a-f]{3,63}$/.test(value);
}
