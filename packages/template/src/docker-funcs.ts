// The functions Docker adds to every template (docker/cli templates/templates.go),
// and the header variants its table formatter swaps in so that column titles
// come out unchanged.
import { fn, FuncError, type FuncMap } from './func.js';
import { encodeJson } from './json.js';
import { byteLength } from './values.js';

// Go's simple case mapping keeps one code point per code point (ß stays ß),
// where JavaScript's full mapping may grow the string ("SS").
function mapCase(s: string, convert: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const mapped = convert(c);
    out += Array.from(mapped).length === 1 ? mapped : c;
  }
  return out;
}

const upper = (s: string): string => mapCase(s, (c) => c.toUpperCase());
const lower = (s: string): string => mapCase(s, (c) => c.toLowerCase());

// strings.Title: upper-case the first letter of each word; ASCII letters,
// digits and _, and any Unicode letter or digit, continue a word.
function isSeparator(c: string): boolean {
  if (c.charCodeAt(0) <= 0x7f) return !/[0-9A-Za-z_]/.test(c);
  if (/[\p{L}\p{Nd}]/u.test(c)) return false;
  return /\s/u.test(c);
}

function title(s: string): string {
  let out = '';
  let previous = ' ';
  for (const c of s) {
    out += isSeparator(previous) ? upper(c) : c;
    previous = c;
  }
  return out;
}

function repeatSpaces(n: number): string {
  if (n < 0) throw new FuncError('strings: negative Repeat count');
  return ' '.repeat(n);
}

function pad(s: string, prefix: number, suffix: number): string {
  if (s === '') return s;
  return repeatSpaces(prefix) + s + repeatSpaces(suffix);
}

// Docker cuts bytes, not characters: a cut inside a character leaves U+FFFD.
function truncate(s: string, length: number): string {
  if (byteLength(s) < length) return s;
  if (length < 0) throw new FuncError(`runtime error: slice bounds out of range [:${length}]`);
  return Buffer.from(s, 'utf8').subarray(0, length).toString('utf8');
}

function split(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep);
}

const str = (v: unknown): string => v as string;
const int = (v: unknown): number => v as number;

export const DOCKER_FUNCS: FuncMap = {
  json: fn(['any'], ([v]) => encodeJson(v)),
  split: fn(['string', 'string'], ([s, sep]) => split(str(s), str(sep))),
  join: fn(['strings', 'string'], ([list, sep]) => (list as string[]).join(str(sep))),
  title: fn(['string'], ([s]) => title(str(s))),
  lower: fn(['string'], ([s]) => lower(str(s))),
  upper: fn(['string'], ([s]) => upper(str(s))),
  pad: fn(['string', 'int', 'int'], ([s, prefix, suffix]) => pad(str(s), int(prefix), int(suffix))),
  truncate: fn(['string', 'int'], ([s, n]) => truncate(str(s), int(n))),
};

const same = ([v]: unknown[]): unknown => v;

/** templates.HeaderFunctions: the same names returning the column title as is (pad is kept, to keep alignment). */
export const HEADER_FUNCS: FuncMap = {
  ...DOCKER_FUNCS,
  json: fn(['string'], same),
  split: fn(['string', 'string'], same),
  join: fn(['string', 'string'], same),
  title: fn(['string'], same),
  lower: fn(['string'], same),
  upper: fn(['string'], same),
  truncate: fn(['string', 'int'], same),
};
