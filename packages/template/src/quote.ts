// Go string quoting and unquoting (strconv.Quote, QuoteRune, Unquote,
// UnquoteChar): templates are written with Go literals, and %q and error
// messages print Go-quoted strings.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(char: string): boolean {
  return PRINTABLE.test(char);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(char: string, quote: string): string {
  if (char === quote || char === '\\') return `\\${char}`;
  if (isPrint(char)) return char;
  const simple = SIMPLE_ESCAPES[char];
  if (simple) return simple;
  let code = char.codePointAt(0) ?? 0xfffd;
  if (code < 0x20 || code === 0x7f) return `\\x${hex(code, 2)}`;
  if (code >= 0xd800 && code < 0xe000) code = 0xfffd;
  return code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`;
}

/** strconv.Quote. */
export function quote(s: string): string {
  let out = '"';
  for (const char of s) out += escapeRune(char, '"');
  return `${out}"`;
}

/** strconv.QuoteRune, for %q of an integer. */
export function quoteRune(code: number): string {
  const valid = code >= 0 && code <= 0x10ffff && !(code >= 0xd800 && code < 0xe000);
  return `'${escapeRune(String.fromCodePoint(valid ? code : 0xfffd), "'")}'`;
}

/** Thrown by unquote on a malformed literal; Go reports it as "invalid syntax". */
class QuoteSyntaxError extends Error {
  constructor() {
    super('invalid syntax');
  }
}

const SIMPLE_UNESCAPES: Record<string, number> = {
  a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, "'": 39, '"': 34,
};

/**
 * strconv.UnquoteChar: decodes one character or escape at the start of `s`
 * and returns its value (a code point, or a byte for \x and octal escapes).
 */
export function unquoteChar(s: string, quoteChar: string): { value: number; isByte: boolean; rest: string } {
  const first = s.codePointAt(0);
  if (first === undefined) throw new QuoteSyntaxError();
  const char = String.fromCodePoint(first);
  if (char === quoteChar && (quoteChar === "'" || quoteChar === '"')) throw new QuoteSyntaxError();
  if (char !== '\\') return { value: first, isByte: false, rest: s.slice(char.length) };
  const kind = s[1];
  if (kind === undefined) throw new QuoteSyntaxError();
  const simple = SIMPLE_UNESCAPES[kind];
  if (simple !== undefined) {
    if ((kind === "'" || kind === '"') && kind !== quoteChar) throw new QuoteSyntaxError();
    return { value: simple, isByte: false, rest: s.slice(2) };
  }
  const hexLength = kind === 'x' ? 2 : kind === 'u' ? 4 : kind === 'U' ? 8 : 0;
  if (hexLength > 0) {
    const digits = s.slice(2, 2 + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) throw new QuoteSyntaxError();
    const value = parseInt(digits, 16);
    if (kind !== 'x' && (value > 0x10ffff || (value >= 0xd800 && value < 0xe000))) throw new QuoteSyntaxError();
    return { value, isByte: kind === 'x', rest: s.slice(2 + hexLength) };
  }
  if (/^[0-7]{3}$/.test(s.slice(1, 4))) {
    const value = parseInt(s.slice(1, 4), 8);
    if (value > 255) throw new QuoteSyntaxError();
    return { value, isByte: true, rest: s.slice(4) };
  }
  throw new QuoteSyntaxError();
}

/** strconv.Unquote for "…" and `…` literals; byte escapes are decoded as UTF-8. */
export function unquote(literal: string): string {
  const q = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== q) throw new QuoteSyntaxError();
  const body = literal.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new QuoteSyntaxError();
    return body.replaceAll('\r', '');
  }
  if (q !== '"' || body.includes('\n')) throw new QuoteSyntaxError();
  const bytes: number[] = [];
  let rest = body;
  while (rest.length > 0) {
    const { value, isByte, rest: next } = unquoteChar(rest, '"');
    if (isByte) bytes.push(value);
    else bytes.push(...Buffer.from(String.fromCodePoint(value), 'utf8'));
    rest = next;
  }
  return Buffer.from(bytes).toString('utf8');
}
