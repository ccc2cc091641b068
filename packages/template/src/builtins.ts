// text/template's predefined functions (Go's funcs.go), with Go's errors.
// `and` and `or` are declared here but evaluated lazily by the executor.
import { sprint, sprintf, sprintln } from './fmt.js';
import { fn, FuncError, type FuncMap } from './func.js';
import { isPrint } from './quote.js';
import {
  byteLength, element, floatValue, holdsStrings, Iface, isFloat, isInt, isList, isMap, isTrue, mapEntry, mapKeys, sliceOf, typeName, unbox,
} from './values.js';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';

function basicKind(v: unknown): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (isInt(v)) return 'int';
  if (isFloat(v)) return 'float';
  if (typeof v === 'string') return 'string';
  return 'invalid';
}

function scalar(v: unknown): unknown {
  return isFloat(v) ? floatValue(v) : v;
}

function eq(args: unknown[]): boolean {
  const [first, ...others] = args;
  const a = unbox(first);
  if (others.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const other of others) {
    const b = unbox(other);
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (a !== undefined && b !== undefined) throw new FuncError('incompatible types for comparison');
    } else if (k1 !== 'invalid') {
      truth = scalar(a) === scalar(b);
    } else {
      // Lists and maps: only a comparison with nil is allowed.
      const sameKind = isList(a) === isList(b) && isMap(a) === isMap(b);
      if (!sameKind && a !== undefined && b !== undefined) {
        throw new FuncError(`non-comparable types ${sprintf('%s', [a])}: ${typeName(a)}, ${typeName(b)}: ${sprintf('%v', [b])}`);
      }
      if (a === undefined || b === undefined) truth = a === b;
      else throw new FuncError(`non-comparable type ${sprintf('%s', [b])}: ${typeName(b)}`);
    }
    if (truth) return true;
  }
  return false;
}

function lt(first: unknown, second: unknown): boolean {
  const a = unbox(first);
  const b = unbox(second);
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new FuncError('invalid type for comparison');
  if (k1 !== k2) throw new FuncError('incompatible types for comparison');
  if (k1 === 'bool') throw new FuncError('invalid type for comparison');
  return (scalar(a) as number | string) < (scalar(b) as number | string);
}

function indexArg(index: unknown, cap: number): number {
  if (index === undefined) throw new FuncError('cannot index slice/array with nil');
  if (!isInt(index)) throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  if (index < 0 || index > cap) throw new FuncError(`index out of range: ${index}`);
  return index;
}

function indirect(v: unknown): unknown {
  if (v instanceof Iface) {
    if (v.held === null) throw new FuncError('index of nil pointer');
    return v.held;
  }
  return v;
}

function index([target, ...indexes]: unknown[]): unknown {
  let item = unbox(target);
  if (item === undefined) throw new FuncError('index of untyped nil');
  for (const raw of indexes) {
    const key = unbox(raw);
    item = indirect(item);
    if (typeof item === 'string' || isList(item)) {
      const bytes = typeof item === 'string' ? Buffer.from(item, 'utf8') : undefined;
      const length = bytes ? bytes.length : (item as unknown[]).length;
      const x = indexArg(key, length);
      // Go's own bound check lets x == len through to reflect, which panics.
      if (x === length) throw new FuncError(`reflect: ${bytes ? 'string' : 'slice'} index out of range`);
      item = bytes ? bytes[x] : element(item as unknown[], (item as unknown[])[x]);
    } else if (isMap(item)) {
      if (key === undefined) throw new FuncError('value is nil; should be of type string');
      if (typeof key !== 'string') throw new FuncError(`value has type ${typeName(key)}; should be string`);
      // A missing key gives the element type's zero value.
      item = mapEntry(item, key) ?? (holdsStrings(item) ? '' : new Iface(null));
    } else {
      throw new FuncError(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice([target, ...indexes]: unknown[]): unknown {
  const item = unbox(target);
  if (item === undefined) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let length: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
    length = byteLength(item);
  } else if (isList(item)) length = item.length;
  else throw new FuncError(`can't slice item of type ${typeName(item)}`);
  const idx = [0, length, length];
  indexes.forEach((x, i) => (idx[i] = indexArg(unbox(x), length)));
  if (idx[0] > idx[1]) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new FuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return sliceOf(item, idx[0], idx[1]);
}

function length([target]: unknown[]): number {
  if (target === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  if (target instanceof Iface && target.held === null) throw new FuncError('len of nil pointer');
  const item = unbox(target);
  if (typeof item === 'string') return byteLength(item);
  if (isList(item)) return item.length;
  if (isMap(item)) return mapKeys(item).length;
  throw new FuncError(`len of type ${typeName(item)}`);
}

// html, js and urlquery print their arguments first; a nil prints <no value>.
function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null ? '<no value>' : a)));
}

const HTML_ESCAPES: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c]);
}

const JS_ESCAPES: Record<string, string> = {
  '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D',
};

function jsEscape(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.codePointAt(0) ?? 0;
    if (JS_ESCAPES[c]) out += JS_ESCAPES[c];
    else if (code < 0x20) out += `\\u00${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (code < 0x80 || isPrint(c)) out += c;
    else out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape. */
function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export const BUILTINS: FuncMap = {
  and: fn(['value'], () => undefined, 'value'),
  or: fn(['value'], () => undefined, 'value'),
  not: fn(['value'], ([v]) => !isTrue(v)),
  eq: fn(['value'], eq, 'value'),
  ne: fn(['value', 'value'], (args) => !eq(args)),
  lt: fn(['value', 'value'], ([a, b]) => lt(a, b)),
  le: fn(['value', 'value'], ([a, b]) => lt(a, b) || eq([a, b])),
  gt: fn(['value', 'value'], ([a, b]) => !(lt(a, b) || eq([a, b]))),
  ge: fn(['value', 'value'], ([a, b]) => !lt(a, b)),
  len: fn(['value'], length),
  index: fn(['value'], index, 'value'),
  slice: fn(['value'], slice, 'value'),
  print: fn([], sprint, 'any'),
  printf: fn(['string'], ([format, ...args]) => sprintf(format as string, args), 'any'),
  println: fn([], sprintln, 'any'),
  html: fn([], (args) => htmlEscape(evalArgs(args)), 'any'),
  js: fn([], (args) => jsEscape(evalArgs(args)), 'any'),
  urlquery: fn([], (args) => queryEscape(evalArgs(args)), 'any'),
  call: fn(['value'], ([target]) => {
    const f = unbox(target);
    throw new FuncError(f === undefined ? 'call of nil' : `non-function of type ${typeName(f)}`);
  }, 'value'),
};
