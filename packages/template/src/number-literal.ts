// Number constants of a template, classified the way Go's parse.newNumber does:
// a constant can be an int and a float at once (`2.0` is both), and which one
// it becomes depends on where it is used.
import type { NumberNode } from './nodes.js';
import { quote, unquoteChar } from './quote.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

// Go's underscoreOK, simplified: an underscore sits between digits (or right after a base prefix).
function stripUnderscores(digits: string, prefixed: boolean): string | undefined {
  if (!digits.includes('_')) return digits;
  if ((!prefixed && digits.startsWith('_')) || digits.endsWith('_') || digits.includes('__')) return undefined;
  return digits.replaceAll('_', '');
}

/** strconv.ParseInt(text, 0, 64) without the range check; undefined when not an integer. */
function parseInteger(text: string): bigint | undefined {
  let s = text;
  let negative = false;
  if (s[0] === '+' || s[0] === '-') {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  const prefix = /^0([xXoObB])/.exec(s);
  if (prefix) {
    base = { x: 16, o: 8, b: 2 }[prefix[1].toLowerCase() as 'x' | 'o' | 'b'];
    digits = s.slice(2);
  } else if (/^0[0-9_]/.test(s)) {
    base = 8;
    digits = s.slice(1);
  }
  const clean = stripUnderscores(digits, base !== 10);
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (clean === undefined || !valid.test(clean)) return undefined;
  const magnitude = [...clean].reduce((acc, c) => acc * BigInt(base) + BigInt(parseInt(c, 16)), 0n);
  return negative ? -magnitude : magnitude;
}

/** Builds the number node for a number or character token; throws Error with Go's message when malformed. */
export function numberNode(pos: number, text: string, isChar: boolean): NumberNode {
  const node: NumberNode = { kind: 'number', pos, text, isInt: false, isUint: false, isFloat: false, int: 0, float: 0 };
  if (isChar) {
    const { value, rest } = unquoteChar(text.slice(1), text[0]);
    if (rest !== "'") throw new Error(`malformed character constant: ${text}`);
    return { ...node, isInt: true, isUint: true, isFloat: true, int: value, float: value };
  }
  if (text.endsWith('i')) throw new Error(`complex constants are not supported: ${text}`);
  const integer = parseInteger(text);
  if (integer !== undefined) {
    node.isInt = integer >= INT64_MIN && integer <= INT64_MAX;
    node.isUint = integer >= 0n && integer <= UINT64_MAX;
  }
  if (node.isInt || node.isUint) {
    node.int = Number(integer);
    node.isFloat = true;
    node.float = node.int;
  } else {
    const cleaned = /^[+-]?[0-9]/.test(text) || text.startsWith('.') ? stripUnderscores(text, true) : undefined;
    const f = cleaned === undefined || cleaned === '' ? NaN : Number(cleaned);
    if (!Number.isNaN(f)) {
      if (!/[.eEpP]/.test(text)) throw new Error(`integer overflow: ${quote(text)}`);
      node.isFloat = true;
      node.float = f;
      if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
        node.isInt = true;
        node.int = f;
        node.isUint = f >= 0;
      }
    }
  }
  if (!node.isInt && !node.isUint && !node.isFloat) throw new Error(`illegal number syntax: ${quote(text)}`);
  return node;
}
