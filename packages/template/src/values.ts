// How plain JavaScript data stands in for Go values.
//
// Go's behaviour depends on static types that JSON does not carry, so one rule
// types the data the way Docker's structs mostly are (the golden generator in
// tools/golden applies the same rule on the Go side):
//   - a whole number is a Go int, any other number a float64;
//   - an array whose elements are all strings is a []string, otherwise []interface {};
//   - an object whose values are all strings is a map[string]string, otherwise
//     map[string]interface {};
//   - null is a nil interface{}.
// `undefined` is Go's invalid reflect.Value: a missing key, printed `<no value>`.

/**
 * An element read out of a `[]interface {}` or `map[string]interface {}`.
 * Go still sees it through its interface type until a pipeline ends, which
 * shows in error messages ("in type interface {}") and makes a held null a nil
 * interface rather than a missing value.
 */
export class Iface {
  constructor(readonly held: unknown) {}
}

/** A float constant of the template whose value is whole (`1.0`, `1e3`), which a bare number would turn into an int. */
export class Float {
  constructor(readonly value: number) {}
}

const MAX_EXACT_INT = 2 ** 53;

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= MAX_EXACT_INT;
}

export function isFloat(v: unknown): v is number | Float {
  return v instanceof Float || (typeof v === 'number' && !isInt(v));
}

export function floatValue(v: number | Float): number {
  return v instanceof Float ? v.value : v;
}

type GoList = unknown[];
type GoMap = Record<string, unknown>;

export function isList(v: unknown): v is GoList {
  return Array.isArray(v);
}

export function isMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Iface) && !(v instanceof Float);
}

// Whether a container's element type is string; computed once per container.
const stringElements = new WeakMap<object, boolean>();

export function holdsStrings(container: GoList | GoMap): boolean {
  let known = stringElements.get(container);
  if (known === undefined) {
    const elements = isList(container) ? container : mapKeys(container).map((k) => container[k]);
    known = elements.every((e) => typeof e === 'string');
    stringElements.set(container, known);
  }
  return known;
}

/** A sub-slice, which keeps its parent's element type. */
export function sliceOf(list: GoList, start: number, end: number): GoList {
  const part = list.slice(start, end);
  stringElements.set(part, holdsStrings(list));
  return part;
}

/** The keys Go would see, in the sorted order Go ranges over and prints them. */
export function mapKeys(map: GoMap): string[] {
  return Object.keys(map)
    .filter((k) => map[k] !== undefined)
    .sort(compareStrings);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Wraps a raw element the way its container's element type makes Go see it. */
export function element(container: GoList | GoMap, raw: unknown): unknown {
  return holdsStrings(container) ? raw : new Iface(raw === undefined ? null : raw);
}

/** The entry for `key`, or undefined when the map has none. */
export function mapEntry(map: GoMap, key: string): unknown {
  return Object.hasOwn(map, key) && map[key] !== undefined ? element(map, map[key]) : undefined;
}

/** Looks through an interface: a held nil becomes the invalid value (Go's indirectInterface). */
export function unbox(v: unknown): unknown {
  if (v instanceof Iface) return v.held === null ? undefined : v.held;
  return v;
}

/** The Go type name of a value, as reflect's Type.String() spells it. */
export function typeName(v: unknown): string {
  if (v instanceof Iface || v === null) return 'interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (isInt(v)) return 'int';
  if (isFloat(v)) return 'float64';
  if (isList(v)) return holdsStrings(v) ? '[]string' : '[]interface {}';
  if (isMap(v)) return holdsStrings(v) ? 'map[string]string' : 'map[string]interface {}';
  return 'interface {}';
}

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function isTrue(v: unknown): boolean {
  const x = unbox(v);
  if (x === undefined || x === null) return false;
  if (typeof x === 'boolean') return x;
  if (typeof x === 'string') return x.length > 0;
  if (typeof x === 'number') return x !== 0;
  if (x instanceof Float) return x.value !== 0;
  if (isList(x)) return x.length > 0;
  if (isMap(x)) return mapKeys(x).length > 0;
  return true;
}

/** Byte length of a string in UTF-8, which is what Go's len and slicing count. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
