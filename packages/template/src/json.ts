// encoding/json as Docker's `json` template function uses it: compact, keys
// sorted, no HTML escaping; JSON.stringify differs on key order and on the
// escapes of \b, \f, U+2028 and U+2029.
import { floatValue, Iface, isFloat, isList, isMap, mapKeys } from './values.js';

function encodeString(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (code >= 0xd800 && code < 0xe000) out += '\\ufffd';
    else out += c;
  }
  return `${out}"`;
}

// Go uses exponent form below 1e-6 and from 1e21, as JavaScript's Number#toString does.
function encodeFloat(f: number): string {
  return Number.isFinite(f) ? String(f) : 'null';
}

/** Encodes a template value as Go's json.Marshal would. */
export function encodeJson(v: unknown): string {
  if (v instanceof Iface) return encodeJson(v.held);
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return encodeString(v);
  if (isFloat(v)) return encodeFloat(floatValue(v));
  if (typeof v === 'number') return String(v);
  if (isList(v)) return `[${v.map((e) => encodeJson(e)).join(',')}]`;
  if (isMap(v)) return `{${mapKeys(v).map((k) => `${encodeString(k)}:${encodeJson(v[k])}`).join(',')}}`;
  return 'null';
}
