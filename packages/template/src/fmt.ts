// Go's fmt for the values a template handles: Sprint (how {{.}} prints),
// Sprintln and Sprintf, including Go's in-band error notes such as
// %!d(string=x), %!s(MISSING) and %!(EXTRA int=1).
import { formatFloatAbs } from './float-format.js';
import { quote, quoteRune } from './quote.js';
import { floatValue, isFloat, isInt, isList, isMap, mapKeys, typeName } from './values.js';

/** The flags, width and precision of one verb. */
interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const plain = (): Spec => ({ minus: false, plus: false, sharp: false, space: false, zero: false });

function padding(n: number, zero: boolean): string {
  return n > 0 ? (zero ? '0' : ' ').repeat(n) : '';
}

function pad(s: string, spec: Spec, zero = spec.zero): string {
  if (spec.width === undefined || spec.width === 0) return s;
  const fill = padding(spec.width - Array.from(s).length, zero);
  return spec.minus ? s + fill : fill + s;
}

function truncate(s: string, spec: Spec): string {
  return spec.prec === undefined ? s : Array.from(s).slice(0, spec.prec).join('');
}

function badVerb(verb: string, arg: unknown, spec: Spec): string {
  const shown = arg === null || arg === undefined ? '<nil>' : `${typeName(arg)}=${printArg(arg, 'v', spec)}`;
  return `%!${verb}(${shown})`;
}

function fmtInteger(v: number, verb: string, spec: Spec): string {
  const base = verb === 'x' || verb === 'X' ? 16 : verb === 'o' || verb === 'O' ? 8 : verb === 'b' ? 2 : 10;
  const negative = v < 0;
  const u = Math.abs(v);
  let prec = 0;
  if (spec.prec !== undefined) {
    prec = spec.prec;
    if (prec === 0 && u === 0) return padding(spec.width ?? 0, false);
  } else if (spec.zero && spec.width !== undefined) {
    prec = spec.width - (negative || spec.plus || spec.space ? 1 : 0);
  }
  let digits = u.toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  digits = digits.padStart(prec, '0');
  if (spec.sharp && base === 2) digits = `0b${digits}`;
  if (spec.sharp && base === 8 && digits[0] !== '0') digits = `0${digits}`;
  if (spec.sharp && base === 16) digits = `0${verb}${digits}`;
  if (verb === 'O') digits = `0o${digits}`;
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return pad(sign + digits, spec, false);
}

function fmtRune(v: number, verb: string, spec: Spec): string {
  const valid = v >= 0 && v <= 0x10ffff && !(v >= 0xd800 && v < 0xe000);
  if (verb === 'c') return pad(String.fromCodePoint(valid ? v : 0xfffd), spec);
  if (verb === 'q') return pad(quoteRune(v), spec);
  return pad(`U+${v.toString(16).toUpperCase().padStart(4, '0')}`, spec);
}

function printInt(v: number, verb: string, spec: Spec): string {
  if ('vdbOoxX'.includes(verb)) return fmtInteger(v, verb === 'v' ? 'd' : verb, spec);
  if ('cqU'.includes(verb)) return fmtRune(v, verb, spec);
  return badVerb(verb, v, spec);
}

function printFloat(v: number, verb: string, spec: Spec): string {
  const formats: Record<string, ['e' | 'E' | 'f' | 'g' | 'G', number]> = {
    v: ['g', -1], g: ['g', -1], G: ['G', -1], e: ['e', 6], E: ['E', 6], f: ['f', 6], F: ['f', 6],
  };
  const format = formats[verb];
  if (!format) return badVerb(verb, v, spec);
  const body = formatFloatAbs(v, format[0], spec.prec ?? format[1]);
  let num = (v < 0 || Object.is(v, -0) ? '-' : '+') + body;
  if (spec.space && num[0] === '+' && !spec.plus) num = ` ${body}`;
  if (body === 'Inf' || body === 'NaN') {
    if (body === 'NaN' && !spec.space && !spec.plus) num = body;
    return pad(num, spec, false);
  }
  if (spec.plus || num[0] !== '+') {
    if (spec.zero && spec.width !== undefined && spec.width > num.length) {
      return num[0] + padding(spec.width - num.length, true) + num.slice(1);
    }
    return pad(num, spec);
  }
  return pad(num.slice(1), spec);
}

function fmtHex(s: string, upper: boolean, spec: Spec): string {
  let bytes = [...Buffer.from(s, 'utf8')];
  if (spec.prec !== undefined && spec.prec < bytes.length) bytes = bytes.slice(0, spec.prec);
  if (bytes.length === 0) return padding(spec.width ?? 0, spec.zero);
  const prefix = spec.sharp ? (upper ? '0X' : '0x') : '';
  const parts = bytes.map((b) => b.toString(16).padStart(2, '0'));
  let body = spec.space ? parts.map((p) => prefix + p).join(' ') : prefix + parts.join('');
  if (upper) body = body.toUpperCase();
  const fill = padding((spec.width ?? 0) - body.length, spec.zero);
  return spec.minus ? body + fill : fill + body;
}

function printString(s: string, verb: string, spec: Spec): string {
  if (verb === 'v' || verb === 's') return pad(truncate(s, spec), spec);
  if (verb === 'q') return pad(quote(truncate(s, spec)), spec);
  if (verb === 'x' || verb === 'X') return fmtHex(s, verb === 'X', spec);
  return badVerb(verb, s, spec);
}

// Elements of a composite: a nil interface prints <nil> whatever the verb.
function printElement(raw: unknown, verb: string, spec: Spec): string {
  return raw === null || raw === undefined ? pad('<nil>', spec) : printArg(raw, verb, spec);
}

function printArg(arg: unknown, verb: string, spec: Spec): string {
  if (arg === null || arg === undefined) return verb === 'v' || verb === 'T' ? pad('<nil>', spec) : badVerb(verb, arg, spec);
  if (verb === 'T') return pad(typeName(arg), spec);
  if (typeof arg === 'boolean') return verb === 'v' || verb === 't' ? pad(String(arg), spec) : badVerb(verb, arg, spec);
  if (isInt(arg)) return printInt(arg, verb, spec);
  if (isFloat(arg)) return printFloat(floatValue(arg), verb, spec);
  if (typeof arg === 'string') return printString(arg, verb, spec);
  if (isList(arg)) return `[${arg.map((e) => printElement(e, verb, spec)).join(' ')}]`;
  if (isMap(arg)) {
    const entries = mapKeys(arg).map((k) => `${printArg(k, verb, spec)}:${printElement(arg[k], verb, spec)}`);
    return `map[${entries.join(' ')}]`;
  }
  return badVerb(verb, arg, spec);
}

/** fmt.Sprint: operands are separated by a space when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  let previousString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !previousString) out += ' ';
    out += printArg(arg, 'v', plain());
    previousString = isString;
  });
  return out;
}

/** fmt.Sprintln: operands always separated by a space, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((arg) => printArg(arg, 'v', plain())).join(' ')}\n`;
}

/** How a template action prints a value (fmt.Fprint of one operand). */
export function formatValue(v: unknown): string {
  return printArg(v, 'v', plain());
}

/** fmt.Sprintf for the verbs v s d q t x X o O b c U e E f F g G T and %%, with flags, width and precision (including *). */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let i = 0;
  const readNumber = (): number | undefined => {
    const start = i;
    while (i < format.length && format[i] >= '0' && format[i] <= '9') i++;
    return i > start ? Number(format.slice(start, i)) : undefined;
  };
  while (i < format.length) {
    const next = format.indexOf('%', i);
    if (next < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, next);
    i = next + 1;
    const spec = plain();
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '#') spec.sharp = true;
      else if (c === '0') spec.zero = !spec.minus;
      else if (c === '+') spec.plus = true;
      else if (c === '-') [spec.minus, spec.zero] = [true, false];
      else if (c === ' ') spec.space = true;
      else break;
    }
    if (format[i] === '*') {
      i++;
      const arg = args[argNum++];
      if (isInt(arg)) {
        spec.width = Math.abs(arg);
        if (arg < 0) [spec.minus, spec.zero] = [true, false];
      } else out += '%!(BADWIDTH)';
    } else spec.width = readNumber();
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const arg = args[argNum++];
        if (isInt(arg) && arg >= 0) spec.prec = arg;
        else out += '%!(BADPREC)';
      } else spec.prec = readNumber() ?? 0;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') out += '%';
    else if (argNum >= args.length) out += `%!${verb}(MISSING)`;
    else out += printArg(args[argNum++], verb, spec);
  }
  if (argNum < args.length) {
    const extra = args.slice(argNum).map((arg) => (arg === null || arg === undefined ? '<nil>' : `${typeName(arg)}=${formatValue(arg)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}
