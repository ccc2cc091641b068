// Splits template text into tokens the way Go's text/template/parse lexer does,
// including its trim markers ({{- and -}} need a space beside the dash) and
// its error texts, which the parser reports verbatim.
import { isPrint, quote } from './quote.js';

export type TokenType =
  | 'error' | 'bool' | 'char' | 'charConstant' | 'assign' | 'declare' | 'eof' | 'field' | 'identifier'
  | 'leftDelim' | 'leftParen' | 'number' | 'pipe' | 'rawString' | 'rightDelim' | 'rightParen' | 'space'
  | 'string' | 'text' | 'variable'
  // keywords
  | 'block' | 'break' | 'continue' | 'dot' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range' | 'template' | 'with';

export interface Token {
  type: TokenType;
  /** Index of the token in the template text. */
  pos: number;
  val: string;
  /** 1-based line the token starts on. */
  line: number;
}

const KEYWORDS: Record<string, TokenType> = {
  '.': 'dot', block: 'block', break: 'break', continue: 'continue', define: 'define', else: 'else', end: 'end',
  if: 'if', range: 'range', nil: 'nil', template: 'template', with: 'with',
};

function isKeyword(type: TokenType): boolean {
  return Object.values(KEYWORDS).includes(type);
}

/** How Go's item.String() shows a token in "unexpected …" messages. */
export function describeToken(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (isKeyword(t.type)) return `<${t.val}>`;
  const chars = Array.from(t.val);
  return chars.length > 10 ? `${quote(chars.slice(0, 10).join(''))}...` : quote(t.val);
}

const LEFT = '{{';
const RIGHT = '}}';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && /^[_\p{L}\p{Nd}]$/u.test(c);
const hasLeftTrim = (s: string, at: number): boolean => s[at] === '-' && isSpace(s[at + 1]);
const hasRightTrim = (s: string, at: number): boolean => isSpace(s[at]) && s[at + 1] === '-';

class Lexer {
  readonly tokens: Token[] = [];
  private pos = 0;
  private start = 0;
  private parenDepth = 0;

  private readonly newlines: number[] = [];

  constructor(private readonly input: string) {
    for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) this.newlines.push(i);
  }

  private line(at: number): number {
    let low = 0;
    let high = this.newlines.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.newlines[mid] < at) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }

  private emit(type: TokenType): void {
    this.tokens.push({ type, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.line(this.start) });
    this.start = this.pos;
  }

  private fail(message: string): false {
    this.tokens.push({ type: 'error', pos: this.start, val: message, line: this.line(this.start) });
    return false;
  }

  private peek(): string | undefined {
    const code = this.input.codePointAt(this.pos);
    return code === undefined ? undefined : String.fromCodePoint(code);
  }

  private next(): string | undefined {
    const c = this.peek();
    if (c !== undefined) this.pos += c.length;
    return c;
  }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrim(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) return { delim: true, trim: true };
    return { delim: this.input.startsWith(RIGHT, this.pos), trim: false };
  }

  private atTerminator(): boolean {
    const c = this.peek();
    return c === undefined || isSpace(c) || '.,|:()'.includes(c) || this.input.startsWith(RIGHT, this.pos);
  }

  run(): Token[] {
    while (this.text() && this.leftDelim() && this.insideAction());
    return this.tokens;
  }

  /** Text up to the next action; false at the end of input. */
  private text(): boolean {
    const x = this.input.indexOf(LEFT, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit('text');
      this.emit('eof');
      return false;
    }
    let end = x;
    if (hasLeftTrim(this.input, x + LEFT.length)) {
      while (end > this.start && isSpace(this.input[end - 1])) end--;
    }
    this.pos = end;
    if (this.pos > this.start) this.emit('text');
    this.pos = this.start = x;
    return true;
  }

  /** The left delimiter, or a whole comment; true when an action follows. */
  private leftDelim(): boolean {
    this.pos += LEFT.length;
    const trim = hasLeftTrim(this.input, this.pos) ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + trim)) {
      this.start = this.pos += trim;
      return this.comment() && this.text() && this.leftDelim();
    }
    this.emit('leftDelim');
    this.start = this.pos += trim;
    this.parenDepth = 0;
    return true;
  }

  private comment(): boolean {
    const close = this.input.indexOf('*/', this.pos + 2);
    if (close < 0) return this.fail('unclosed comment');
    this.pos = close + 2;
    const { delim, trim } = this.atRightDelim();
    if (!delim) return this.fail('comment ends before closing delimiter');
    this.pos += (trim ? 2 : 0) + RIGHT.length;
    if (trim) while (isSpace(this.input[this.pos])) this.pos++;
    this.start = this.pos;
    return true;
  }

  private rightDelim(trim: boolean): void {
    if (trim) this.start = this.pos += 2;
    this.pos += RIGHT.length;
    this.emit('rightDelim');
    if (trim) {
      while (isSpace(this.input[this.pos])) this.pos++;
      this.start = this.pos;
    }
  }

  /** Tokens inside one action; true once its right delimiter is read. */
  private insideAction(): boolean {
    for (;;) {
      const { delim, trim } = this.atRightDelim();
      if (delim) {
        if (this.parenDepth !== 0) return this.fail('unclosed left paren');
        this.rightDelim(trim);
        return true;
      }
      const c = this.next();
      if (c === undefined) return this.fail('unclosed action');
      if (!this.actionToken(c)) return false;
    }
  }

  private actionToken(c: string): boolean {
    if (isSpace(c)) return this.space();
    if (c === '=') this.emit('assign');
    else if (c === ':') {
      if (this.next() !== '=') return this.fail('expected :=');
      this.emit('declare');
    } else if (c === '|') this.emit('pipe');
    else if (c === '"') return this.quoted();
    else if (c === '`') return this.rawQuoted();
    else if (c === '$') return this.variable();
    else if (c === "'") return this.charConstant();
    else if (c === '.' && !/[0-9]/.test(this.input[this.pos] ?? '')) return this.fieldOrVariable('field');
    else if (c === '.' || c === '+' || c === '-' || /[0-9]/.test(c)) {
      this.pos -= c.length;
      return this.number();
    } else if (isAlphaNumeric(c)) {
      this.pos -= c.length;
      return this.identifier();
    } else if (c === '(') {
      this.emit('leftParen');
      this.parenDepth++;
    } else if (c === ')') {
      this.emit('rightParen');
      if (--this.parenDepth < 0) return this.fail(`unexpected right paren ${describeRune(c)}`);
    } else if (c.length === 1 && c >= '!' && c <= '~') this.emit('char');
    else return this.fail(`unrecognized character in action: ${describeRune(c)}`);
    return true;
  }

  private space(): boolean {
    let count = 1;
    while (isSpace(this.peek())) {
      this.pos++;
      count++;
    }
    // In " -}}" the last space belongs to the trim marker.
    if (hasRightTrim(this.input, this.pos - 1) && this.input.startsWith(RIGHT, this.pos + 1)) {
      this.pos--;
      if (count === 1) return true;
    }
    this.emit('space');
    return true;
  }

  private identifier(): boolean {
    while (isAlphaNumeric(this.peek())) this.next();
    const word = this.input.slice(this.start, this.pos);
    if (!this.atTerminator()) return this.fail(`bad character ${describeRune(this.peek() ?? '')}`);
    const keyword = KEYWORDS[word];
    if (keyword) this.emit(keyword);
    else if (word === 'true' || word === 'false') this.emit('bool');
    else this.emit('identifier');
    return true;
  }

  private variable(): boolean {
    if (this.atTerminator()) {
      this.emit('variable');
      return true;
    }
    return this.fieldOrVariable('variable');
  }

  private fieldOrVariable(type: 'field' | 'variable'): boolean {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return true;
    }
    while (isAlphaNumeric(this.peek())) this.next();
    if (!this.atTerminator()) return this.fail(`bad character ${describeRune(this.peek() ?? '')}`);
    this.emit(type);
    return true;
  }

  private charConstant(): boolean {
    for (;;) {
      let c = this.next();
      if (c === '\\') {
        c = this.next();
        if (c !== undefined && c !== '\n') continue;
      }
      if (c === undefined || c === '\n') return this.fail('unterminated character constant');
      if (c === "'") break;
    }
    this.emit('charConstant');
    return true;
  }

  private quoted(): boolean {
    for (;;) {
      let c = this.next();
      if (c === '\\') {
        c = this.next();
        if (c !== undefined && c !== '\n') continue;
      }
      if (c === undefined || c === '\n') return this.fail('unterminated quoted string');
      if (c === '"') break;
    }
    this.emit('string');
    return true;
  }

  private rawQuoted(): boolean {
    const close = this.input.indexOf('`', this.pos);
    if (close < 0) return this.fail('unterminated raw quoted string');
    this.pos = close + 1;
    this.emit('rawString');
    return true;
  }

  private accept(valid: string): boolean {
    const c = this.input[this.pos];
    if (c !== undefined && valid.includes(c)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  // Go's scanNumber: the lexer is generous, the parser checks the syntax.
  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  private number(): boolean {
    const bad = (): false => this.fail(`bad number syntax: ${quote(this.input.slice(this.start, this.pos))}`);
    if (!this.scanNumber()) return bad();
    const sign = this.input[this.pos];
    if (sign === '+' || sign === '-') {
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') return bad();
      return this.fail(`complex constants are not supported: ${quote(this.input.slice(this.start, this.pos))}`);
    }
    this.emit('number');
    return true;
  }
}

/** Go's %#U: U+002D '-'. */
function describeRune(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(c) ? `${hex} '${c}'` : hex;
}

export function lex(input: string): Token[] {
  return new Lexer(input).run();
}
