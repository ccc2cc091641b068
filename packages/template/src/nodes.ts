// The parse tree, shaped like Go's text/template/parse nodes, and their String()
// forms: execution errors quote the node they were at (`at <.Foo.Bar>`).
import { quote } from './quote.js';

interface At {
  /** Index of the node in the template text. */
  pos: number;
}

export interface ListNode extends At { kind: 'list'; nodes: Node[] }
export interface TextNode extends At { kind: 'text'; text: string }
export interface ActionNode extends At { kind: 'action'; pipe: PipeNode }
export interface PipeNode extends At { kind: 'pipe'; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode extends At { kind: 'command'; args: ArgNode[] }
export interface IdentifierNode extends At { kind: 'identifier'; name: string }
export interface VariableNode extends At { kind: 'variable'; ident: string[] }
export interface DotNode extends At { kind: 'dot' }
export interface NilNode extends At { kind: 'nil' }
export interface FieldNode extends At { kind: 'field'; ident: string[] }
export interface ChainNode extends At { kind: 'chain'; node: ArgNode; fields: string[] }
export interface BoolNode extends At { kind: 'bool'; value: boolean }
export interface NumberNode extends At {
  kind: 'number';
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  /** The value as an integer, when isInt or isUint. */
  int: number;
  /** The value as a float, when isFloat. */
  float: number;
}
export interface StringNode extends At { kind: 'string'; quoted: string; text: string }
export interface BranchNode extends At { kind: 'if' | 'range' | 'with'; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface TemplateNode extends At { kind: 'template'; name: string; pipe?: PipeNode }
export interface LoopControlNode extends At { kind: 'break' | 'continue' }
/** `{{end}}` and `{{else}}` only live while parsing. */
export interface DelimiterNode extends At { kind: 'end' | 'else' }

export function isDelimiter(n: Node | DelimiterNode): n is DelimiterNode {
  return n.kind === 'end' || n.kind === 'else';
}

export type ArgNode =
  | IdentifierNode | VariableNode | DotNode | NilNode | FieldNode | ChainNode | BoolNode | NumberNode | StringNode | PipeNode;
export type Node = ListNode | TextNode | ActionNode | BranchNode | TemplateNode | LoopControlNode;
export type AnyNode = Node | ArgNode | CommandNode | DelimiterNode;

function pipeString(p: PipeNode): string {
  // Go prints " := " for assignments too.
  const decl = p.decl.length > 0 ? `${p.decl.map(nodeString).join(', ')} := ` : '';
  return decl + p.cmds.map(nodeString).join(' | ');
}

function argString(a: ArgNode): string {
  return a.kind === 'pipe' ? `(${pipeString(a)})` : nodeString(a);
}

/** Go's Node.String(). */
export function nodeString(n: AnyNode): string {
  switch (n.kind) {
    case 'list': return n.nodes.map(nodeString).join('');
    case 'text': return n.text;
    case 'action': return `{{${pipeString(n.pipe)}}}`;
    case 'pipe': return pipeString(n);
    case 'command': return n.args.map(argString).join(' ');
    case 'identifier': return n.name;
    case 'variable': return n.ident.join('.');
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'field': return n.ident.map((i) => `.${i}`).join('');
    case 'chain': return argString(n.node) + n.fields.map((f) => `.${f}`).join('');
    case 'bool': return String(n.value);
    case 'number': return n.text;
    case 'string': return n.quoted;
    case 'if':
    case 'range':
    case 'with': {
      const otherwise = n.elseList ? `{{else}}${nodeString(n.elseList)}` : '';
      return `{{${n.kind} ${pipeString(n.pipe)}}}${nodeString(n.list)}${otherwise}{{end}}`;
    }
    case 'template': return `{{template ${quote(n.name)}${n.pipe ? ` ${pipeString(n.pipe)}` : ''}}}`;
    case 'break':
    case 'continue':
    case 'end':
    case 'else': return `{{${n.kind}}}`;
  }
}

/** Whether a tree has nothing but whitespace text (Go's IsEmptyTree). */
export function isEmptyTree(n: Node): boolean {
  if (n.kind === 'list') return n.nodes.every(isEmptyTree);
  if (n.kind === 'text') return n.text.trim() === '';
  return false;
}
