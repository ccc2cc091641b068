// Builds the parse tree from tokens, following Go's text/template/parse
// grammar, scoping of variables and error messages
// ("template: :1: unexpected EOF").
import { TemplateError } from './errors.js';
import { describeToken, lex, type Token, type TokenType } from './lexer.js';
import {
  isDelimiter, isEmptyTree, nodeString,
  type ArgNode, type BranchNode, type CommandNode, type DelimiterNode, type ListNode, type Node, type PipeNode,
  type TemplateNode, type VariableNode,
} from './nodes.js';
import { numberNode } from './number-literal.js';
import { quote, unquote } from './quote.js';

/** Every named tree of one template text; the text's own tree is under its name. */
export type TreeSet = Map<string, ListNode>;

const OPERAND_START: ReadonlySet<TokenType> = new Set([
  'bool', 'charConstant', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen',
]);
const NON_EXECUTABLE: ReadonlySet<string> = new Set(['bool', 'dot', 'nil', 'number', 'string']);

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private furthest = 0;
  private vars = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  readonly trees: TreeSet = new Map();

  constructor(
    private readonly name: string,
    text: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.tokens = lex(text);
  }

  // Token stream. Go reports the line of the furthest token read so far.
  private next(): Token {
    const at = Math.min(this.index, this.tokens.length - 1);
    this.index++;
    this.furthest = Math.max(this.furthest, at);
    return this.tokens[at];
  }

  private backup(n = 1): void {
    this.index -= n;
  }

  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private errorf(message: string): never {
    throw new TemplateError('parse', `template: ${this.name}:${this.tokens[this.furthest].line}: ${message}`);
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.name}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(t.val + extra);
    }
    this.errorf(`unexpected ${describeToken(t)} in ${context}`);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private unquoted(t: Token): string {
    try {
      return unquote(t.val);
    } catch (err) {
      return this.errorf((err as Error).message);
    }
  }

  private addTree(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (!existing || isEmptyTree(existing)) this.trees.set(name, root);
    else if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${quote(name)}`);
  }

  /** Parses a nested tree (define, block) with its own variables. */
  private subtree(context: string): ListNode {
    const [vars, rangeDepth] = [this.vars, this.rangeDepth];
    [this.vars, this.rangeDepth] = [['$'], 0];
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    [this.vars, this.rangeDepth] = [vars, rangeDepth];
    return list;
  }

  parse(): TreeSet {
    const root: ListNode = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const start = this.index;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.definition();
          continue;
        }
        this.index = start;
      }
      const n = this.textOrAction();
      if (isDelimiter(n)) return this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    this.addTree(this.name, root);
    return this.trees;
  }

  private definition(): void {
    const t = this.nextNonSpace();
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, 'define clause');
    const name = this.unquoted(t);
    this.expect('rightDelim', 'define clause');
    this.addTree(name, this.subtree('define clause'));
  }

  private itemList(): [ListNode, DelimiterNode] {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (isDelimiter(n)) return [list, n];
      list.nodes.push(n);
    }
    return this.errorf('unexpected EOF');
  }

  private textOrAction(): Node | DelimiterNode {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { kind: 'text', pos: t.pos, text: t.val };
    if (t.type !== 'leftDelim') this.unexpected(t, 'input');
    this.actionLine = t.line;
    try {
      return this.action();
    } finally {
      this.actionLine = 0;
    }
  }

  private action(): Node | DelimiterNode {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block': return this.block();
      case 'break':
      case 'continue': return this.loopControl(t);
      case 'else': return this.elseControl();
      case 'end': return { kind: 'end', pos: this.expect('rightDelim', 'end').pos };
      case 'if':
      case 'range':
      case 'with': return this.control(t.type);
      case 'template': return this.templateControl();
    }
    this.backup();
    const start = this.peek();
    return { kind: 'action', pos: start.pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private loopControl(t: Token): Node {
    const kind = t.type as 'break' | 'continue';
    const after = this.nextNonSpace();
    if (after.type !== 'rightDelim') this.unexpected(after, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { kind, pos: t.pos };
  }

  private elseControl(): DelimiterNode {
    const peek = this.peekNonSpace();
    if (peek.type === 'if') return { kind: 'else', pos: peek.pos };
    return { kind: 'else', pos: this.expect('rightDelim', 'else').pos };
  }

  private control(kind: 'if' | 'range' | 'with'): BranchNode {
    const varCount = this.vars.length;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      const [list, next] = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.kind === 'else') {
        if (kind === 'if' && this.peek().type === 'if') {
          this.next();
          elseList = { kind: 'list', pos: next.pos, nodes: [this.control('if')] };
        } else {
          let end: DelimiterNode;
          [elseList, end] = this.itemList();
          if (end.kind !== 'end') this.errorf(`expected end; found ${nodeString(end)}`);
        }
      }
      return { kind, pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = varCount;
    }
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    return this.unquoted(t);
  }

  private block(): TemplateNode {
    const t = this.nextNonSpace();
    const name = this.templateName(t, 'block clause');
    const pipe = this.pipeline('block clause', 'rightDelim');
    this.addTree(name, this.subtree('block clause'));
    return { kind: 'template', pos: t.pos, name, pipe };
  }

  private templateControl(): TemplateNode {
    const t = this.nextNonSpace();
    const name = this.templateName(t, 'template clause');
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline('template clause', 'rightDelim');
    }
    return { kind: 'template', pos: t.pos, name, pipe };
  }

  private pipeline(context: string, end: TokenType): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: start.pos, isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (!OPERAND_START.has(t.type)) this.unexpected(t, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  // `$x :=`, `$x =`, and range's `$i, $v :=`.
  private declarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') return;
      const before = this.index;
      this.next();
      const next = this.peekNonSpace();
      const variable: VariableNode = { kind: 'variable', pos: v.pos, ident: [v.val] };
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(variable);
        this.vars.push(v.val);
        return;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(variable);
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const following = this.peekNonSpace().type;
          if (following === 'variable' || following === 'rightDelim' || following === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.index = before;
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      if (NON_EXECUTABLE.has(c.args[0].kind)) this.errorf(`non executable command in pipeline stage ${i + 2}`);
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (!node || this.peek().type !== 'field') return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field': return { kind: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable': return { kind: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot': return this.errorf(`unexpected . after term ${quote(nodeString(node))}`);
      default: return { kind: 'chain', pos, node, fields };
    }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.hasFunction(t.val)) this.errorf(`function ${quote(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos, name: t.val };
      case 'dot': return { kind: 'dot', pos: t.pos };
      case 'nil': return { kind: 'nil', pos: t.pos };
      case 'variable':
        if (!this.vars.includes(t.val)) this.errorf(`undefined variable ${quote(t.val)}`);
        return { kind: 'variable', pos: t.pos, ident: [t.val] };
      case 'field': return { kind: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool': return { kind: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant':
      case 'number':
        try {
          return numberNode(t.pos, t.val, t.type === 'charConstant');
        } catch (err) {
          return this.errorf((err as Error).message);
        }
      case 'leftParen': return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString': return { kind: 'string', pos: t.pos, quoted: t.val, text: this.unquoted(t) };
    }
    this.backup();
    return undefined;
  }
}

/** Parses template text into its named trees; throws a parse-phase TemplateError. */
export function parse(name: string, text: string, hasFunction: (name: string) => boolean): TreeSet {
  return new Parser(name, text, hasFunction).parse();
}
