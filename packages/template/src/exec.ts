// Walks a parse tree over data, following Go's text/template exec.go step by
// step: the node it is "at" when something fails is the node Go's error names,
// so the messages (and their line:column) come out the same.
import { BUILTINS } from './builtins.js';
import { location, TemplateError } from './errors.js';
import { formatValue } from './fmt.js';
import { FuncError, PARAM_TYPE_NAMES, type FuncMap, type GoFunc, type ParamType } from './func.js';
import {
  nodeString,
  type AnyNode, type ArgNode, type BranchNode, type ChainNode, type CommandNode, type FieldNode, type IdentifierNode,
  type ListNode, type Node, type NumberNode, type PipeNode, type TemplateNode, type VariableNode,
} from './nodes.js';
import type { TreeSet } from './parser.js';
import { quote } from './quote.js';
import { element, Float, holdsStrings, Iface, isInt, isList, isMap, isTrue, mapEntry, mapKeys, typeName, unbox } from './values.js';

export interface ExecContext {
  /** Name of the template, shown in errors (Docker's is ""). */
  name: string;
  text: string;
  trees: TreeSet;
  funcs: FuncMap;
  missingKey: 'default' | 'error';
}

/** Go's missingVal: no value piped in from a previous command. */
const NO_FINAL = Symbol('no final argument');
type Final = unknown;

class LoopSignal {}
const BREAK = new LoopSignal();
const CONTINUE = new LoopSignal();

/** Go allows 100000 nested {{template}} calls; JavaScript's stack holds far fewer. */
const MAX_TEMPLATE_DEPTH = 1000;

interface Variable {
  name: string;
  value: unknown;
}

export class Executor {
  private node: AnyNode | undefined;
  private vars: Variable[] = [];
  private depth = 0;
  private current: string;
  readonly out: string[] = [];

  constructor(private readonly ctx: ExecContext) {
    this.current = ctx.name;
  }

  run(data: unknown): void {
    const dot = data === null ? undefined : data;
    this.vars = [{ name: '$', value: dot }];
    this.walk(dot, this.ctx.trees.get(this.ctx.name) as ListNode);
  }

  private at(node: AnyNode): void {
    this.node = node;
  }

  private errorf(message: string): never {
    const name = quote(this.current);
    if (!this.node) throw new TemplateError('exec', `template: ${this.current}: ${message}`);
    const where = location(this.ctx.name, this.ctx.text, this.node.pos);
    throw new TemplateError('exec', `template: ${where}: executing ${name} at <${nodeString(this.node)}>: ${message}`);
  }

  private varValue(name: string): unknown {
    const v = this.vars.findLast((x) => x.name === name);
    if (!v) this.errorf(`undefined variable: ${name}`);
    return v.value;
  }

  private walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out.push(value === undefined ? '<no value>' : formatValue(value));
        return;
      }
      case 'break': throw BREAK;
      case 'continue': throw CONTINUE;
      case 'if':
      case 'with': return this.walkIfOrWith(dot, node);
      case 'list': return node.nodes.forEach((n) => this.walk(dot, n));
      case 'range': return this.walkRange(dot, node);
      case 'template': return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(value)) this.walk(node.kind === 'with' ? value : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, node: BranchNode): void {
    this.at(node);
    const outer = this.vars.length;
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.vars.length;
      const iteration = (index: unknown, elem: unknown): void => {
        if (node.pipe.decl.length > 0) this.vars[this.vars.length - 1].value = elem;
        if (node.pipe.decl.length > 1) this.vars[this.vars.length - 2].value = index;
        try {
          this.walk(elem, node.list);
        } catch (err) {
          if (err !== CONTINUE) throw err;
        } finally {
          this.vars.length = mark;
        }
      };
      if (isList(value) && value.length > 0) return value.forEach((raw, i) => iteration(i, element(value, raw)));
      if (isMap(value)) {
        const keys = mapKeys(value);
        if (keys.length > 0) return keys.forEach((k) => iteration(k, mapEntry(value, k)));
      } else if (value !== undefined && !isList(value)) {
        this.errorf(`range can't iterate over ${formatValue(value)}`);
      }
      if (node.elseList) this.walk(dot, node.elseList);
    } catch (err) {
      if (err !== BREAK) throw err;
    } finally {
      this.vars.length = outer;
    }
  }

  private walkTemplate(dot: unknown, node: TemplateNode): void {
    this.at(node);
    const tree = this.ctx.trees.get(node.name);
    if (!tree) this.errorf(`template ${quote(node.name)} not defined`);
    if (this.depth === MAX_TEMPLATE_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
    const value = this.evalPipeline(dot, node.pipe);
    const saved = { vars: this.vars, current: this.current };
    this.vars = [{ name: '$', value }];
    this.current = node.name;
    this.depth++;
    try {
      this.walk(value, tree);
    } finally {
      this.depth--;
      ({ vars: this.vars, current: this.current } = saved);
    }
  }

  private evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (!pipe) return undefined;
    this.at(pipe);
    let value: unknown = NO_FINAL;
    // Go digs one level into an interface{} result after each command.
    for (const cmd of pipe.cmds) value = unbox(this.evalCommand(dot, cmd, value));
    for (const v of pipe.decl) {
      if (!pipe.isAssign) this.vars.push({ name: v.ident[0], value });
      else {
        const target = this.vars.findLast((x) => x.name === v.ident[0]);
        if (!target) this.errorf(`undefined variable: ${v.ident[0]}`);
        target.value = value;
      }
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== NO_FINAL) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.kind) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': return this.errorf('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    const hexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    if (n.isFloat && !hexInt && n.text[0] !== "'" && /[.eEpP]/.test(n.text)) {
      return Number.isInteger(n.float) ? new Float(n.float) : n.float;
    }
    if (n.isInt) return n.int;
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: ArgNode[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: ArgNode[], final: Final): unknown {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(receiver, chain.fields, args, final);
  }

  private evalVariableNode(v: VariableNode, args: ArgNode[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(value, v.ident.slice(1), args, final);
  }

  private evalFieldChain(receiver: unknown, ident: string[], args: ArgNode[], final: Final): unknown {
    let value = receiver;
    ident.forEach((name, i) => {
      const last = i === ident.length - 1;
      value = this.evalField(name, last ? args : [], last ? final : NO_FINAL, value);
    });
    return value;
  }

  private evalField(fieldName: string, args: ArgNode[], final: Final, receiver: unknown): unknown {
    const missingIsError = this.ctx.missingKey === 'error';
    if (receiver === undefined) {
      if (missingIsError) this.errorf(`nil data; no entry for key ${quote(fieldName)}`);
      return undefined;
    }
    const type = typeName(receiver);
    const target = receiver instanceof Iface ? receiver.held : receiver;
    if (target === null) this.errorf(`nil pointer evaluating ${type}.${fieldName}`);
    if (isMap(target)) {
      if (args.length > 1 || final !== NO_FINAL) this.errorf(`${fieldName} is not a method but has arguments`);
      const result = mapEntry(target, fieldName);
      if (result === undefined && missingIsError) this.errorf(`map has no entry for key ${quote(fieldName)}`);
      return result;
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${type}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: AnyNode, args: ArgNode[], final: Final): unknown {
    this.at(node);
    const name = node.name;
    const fn = this.ctx.funcs[name] ?? BUILTINS[name];
    if (!fn) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, name, args.slice(1), final);
  }

  private evalCall(dot: unknown, fn: GoFunc, node: AnyNode, name: string, args: ArgNode[], final: Final): unknown {
    const numIn = args.length + (final !== NO_FINAL ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic) {
      numFixed = fn.params.length;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`);
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }
    if (fn === BUILTINS.and || fn === BUILTINS.or) {
      // Evaluated left to right, stopping at the first argument that decides.
      let v: unknown;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== NO_FINAL) v = final;
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i], args[i]));
    if (fn.variadic) for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]));
    if (final !== NO_FINAL) {
      const type = fn.variadic && numIn - 1 >= numFixed ? fn.variadic : fn.params[numIn - 1];
      argv.push(this.validateType(final, type));
    }
    try {
      return fn.call(argv);
    } catch (err) {
      if (!(err instanceof FuncError)) throw err;
      this.at(node);
      return this.errorf(`error calling ${name}: ${err.message}`);
    }
  }

  /** Converts a value to a parameter type, as Go's validateType does (`undefined` type: keep it as is). */
  private validateType(value: unknown, type: ParamType | undefined): unknown {
    if (value === undefined) {
      if (type === 'string' || type === 'int') this.errorf(`invalid value; expected ${type}`);
      return type === 'any' ? null : type === 'strings' ? [] : undefined;
    }
    if (type === undefined || type === 'value') return value;
    const held = value instanceof Iface ? value.held : value;
    if (type === 'any') return held;
    const fits = type === 'string' ? typeof held === 'string' : type === 'int' ? isInt(held) : isList(held) && holdsStrings(held);
    if (fits && held !== null) return held;
    const got = held === null ? 'interface {}' : typeName(held);
    return this.errorf(`wrong type for value; expected ${PARAM_TYPE_NAMES[type]}; got ${got}`);
  }

  private evalArg(dot: unknown, type: ParamType | undefined, n: ArgNode): unknown {
    this.at(n);
    switch (n.kind) {
      case 'dot': return this.validateType(dot, type);
      case 'nil':
        if (type === 'string' || type === 'int') this.errorf(`cannot assign nil to ${type}`);
        return type === 'any' ? null : type === 'strings' ? [] : undefined;
      case 'field': return this.validateType(this.evalFieldNode(dot, n, [n], NO_FINAL), type);
      case 'variable': return this.validateType(this.evalVariableNode(n, [], NO_FINAL), type);
      case 'pipe': return this.validateType(this.evalPipeline(dot, n), type);
      case 'identifier': return this.validateType(this.evalFunction(dot, n, n, [], NO_FINAL), type);
      case 'chain': return this.validateType(this.evalChainNode(dot, n, [], NO_FINAL), type);
    }
    if (type === 'int') {
      if (n.kind === 'number' && n.isInt) return n.int;
      return this.errorf(`expected integer; found ${nodeString(n)}`);
    }
    if (type === 'string') {
      if (n.kind === 'string') return n.text;
      return this.errorf(`expected string; found ${nodeString(n)}`);
    }
    if (type === 'strings') return this.errorf(`can't handle ${nodeString(n)} for arg of type []string`);
    // interface{} and reflect.Value parameters take the constant itself.
    this.at(n);
    if (n.kind === 'bool') return n.value;
    if (n.kind === 'number') return this.idealConstant(n);
    return n.text;
  }
}
