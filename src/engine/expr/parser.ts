/**
 * A recursive-descent parser for a Python expression subset: names, attributes, calls with keyword arguments,
 * subscripts with slices/None/..., unary and binary arithmetic (`+ - * / @ **`), comparisons, tuples and lists.
 * Depth is bounded so hostile input cannot exhaust the stack.
 */
import { ExpressionError, Token, tokenize } from './lexer';

export type Node =
  | { kind: 'num'; value: number; isInt: boolean; pos: number }
  | { kind: 'str'; value: string; pos: number }
  | { kind: 'name'; name: string; pos: number }
  | { kind: 'attr'; target: Node; name: string; pos: number }
  | { kind: 'call'; target: Node; args: Node[]; kwargs: [string, Node][]; pos: number }
  | { kind: 'index'; target: Node; items: IndexNode[]; tuple: boolean; pos: number }
  | { kind: 'unary'; op: string; operand: Node; pos: number }
  | { kind: 'binary'; op: string; left: Node; right: Node; pos: number }
  | { kind: 'list'; items: Node[]; tuple: boolean; pos: number };

export type IndexNode =
  | { kind: 'slice'; start: Node | null; stop: Node | null; step: Node | null }
  | { kind: 'ellipsis' }
  | { kind: 'expr'; node: Node };

const MAX_DEPTH = 64;

export function parseExpression(src: string): Node {
  const p = new Parser(tokenize(src));
  if (p.peek().kind === 'end') throw new ExpressionError('empty expression: type a name such as W1.weight', 0);
  const node = p.exprList(false);
  const t = p.peek();
  if (t.kind !== 'end') throw new ExpressionError(`unexpected '${t.text}'`, t.pos);
  return node;
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  peek(): Token {
    return this.toks[this.i];
  }
  private next(): Token {
    return this.toks[this.i++];
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }
  private expect(text: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) {
      throw new ExpressionError(t.kind === 'end' ? `expected '${text}' before the end` : `expected '${text}' but found '${t.text}'`, t.pos);
    }
    return t;
  }
  private enter(pos: number): void {
    if (++this.depth > MAX_DEPTH) throw new ExpressionError(`expression nested more than ${MAX_DEPTH} levels deep`, pos);
  }

  /** `a, b` is a tuple (when `inParens` or at top level). */
  exprList(inParens: boolean): Node {
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(')') || this.peek().kind === 'end') break;
      items.push(this.expr());
    }
    void inParens;
    return { kind: 'list', items, tuple: true, pos: first.pos };
  }

  expr(): Node {
    return this.comparison();
  }

  private comparison(): Node {
    let left = this.additive();
    while (['==', '!=', '<', '>', '<=', '>='].some((o) => this.isOp(o))) {
      const op = this.next();
      left = { kind: 'binary', op: op.text, left, right: this.additive(), pos: op.pos };
    }
    return left;
  }

  private additive(): Node {
    let left = this.term();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next();
      left = { kind: 'binary', op: op.text, left, right: this.term(), pos: op.pos };
    }
    return left;
  }

  private term(): Node {
    let left = this.unary();
    while (['*', '/', '@', '//', '%'].some((o) => this.isOp(o))) {
      const op = this.next();
      left = { kind: 'binary', op: op.text, left, right: this.unary(), pos: op.pos };
    }
    return left;
  }

  private unary(): Node {
    if (this.isOp('-') || this.isOp('+') || this.isOp('~')) {
      const op = this.next();
      this.enter(op.pos);
      const operand = this.unary();
      this.depth--;
      return { kind: 'unary', op: op.text, operand, pos: op.pos };
    }
    return this.power();
  }

  private power(): Node {
    const base = this.postfix();
    if (this.isOp('**')) {
      const op = this.next();
      this.enter(op.pos);
      const exp = this.unary();
      this.depth--;
      return { kind: 'binary', op: '**', left: base, right: exp, pos: op.pos };
    }
    return base;
  }

  private postfix(): Node {
    let node = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        const dot = this.next();
        const name = this.next();
        if (name.kind !== 'name') throw new ExpressionError(`expected an attribute name after '.'`, dot.pos);
        node = { kind: 'attr', target: node, name: name.text, pos: name.pos };
      } else if (this.isOp('(')) {
        const open = this.next();
        this.enter(open.pos);
        node = this.call(node, open.pos);
        this.depth--;
      } else if (this.isOp('[')) {
        const open = this.next();
        this.enter(open.pos);
        node = this.subscript(node, open.pos);
        this.depth--;
      } else return node;
    }
  }

  private call(target: Node, pos: number): Node {
    const args: Node[] = [];
    const kwargs: [string, Node][] = [];
    while (!this.isOp(')')) {
      const t = this.peek();
      if (t.kind === 'name' && this.toks[this.i + 1].kind === 'op' && this.toks[this.i + 1].text === '=') {
        this.i += 2;
        kwargs.push([t.text, this.expr()]);
      } else {
        if (kwargs.length) throw new ExpressionError('positional argument follows keyword argument', t.pos);
        args.push(this.expr());
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expect(')');
    return { kind: 'call', target, args, kwargs, pos };
  }

  private subscript(target: Node, pos: number): Node {
    const items: IndexNode[] = [];
    let tuple = false;
    if (this.isOp(']')) throw new ExpressionError('empty subscript []', pos);
    for (;;) {
      items.push(this.indexItem());
      if (!this.isOp(',')) break;
      this.next();
      tuple = true;
      if (this.isOp(']')) break;
    }
    this.expect(']');
    return { kind: 'index', target, items, tuple, pos };
  }

  private indexItem(): IndexNode {
    if (this.isOp('...')) {
      this.next();
      return { kind: 'ellipsis' };
    }
    const bound = (): Node | null => (this.isOp(':') || this.isOp(',') || this.isOp(']') ? null : this.expr());
    const start = bound();
    if (!this.isOp(':')) {
      if (start === null) throw new ExpressionError('expected an index', this.peek().pos);
      return { kind: 'expr', node: start };
    }
    this.next();
    const stop = bound();
    let step: Node | null = null;
    if (this.isOp(':')) {
      this.next();
      step = bound();
    }
    return { kind: 'slice', start, stop, step };
  }

  private atom(): Node {
    const t = this.next();
    if (t.kind === 'num') {
      const value = Number(t.text);
      if (!Number.isFinite(value)) throw new ExpressionError(`number ${t.text} is too large`, t.pos);
      return { kind: 'num', value, isInt: t.isInt === true, pos: t.pos };
    }
    if (t.kind === 'str') return { kind: 'str', value: t.text, pos: t.pos };
    if (t.kind === 'name') return { kind: 'name', name: t.text, pos: t.pos };
    if (t.kind === 'op' && t.text === '(') {
      this.enter(t.pos);
      const node: Node = this.isOp(')') ? { kind: 'list', items: [], tuple: true, pos: t.pos } : this.exprList(true);
      this.expect(')');
      this.depth--;
      return node;
    }
    if (t.kind === 'op' && t.text === '[') {
      this.enter(t.pos);
      const items: Node[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (!this.isOp(',')) break;
        this.next();
      }
      this.expect(']');
      this.depth--;
      return { kind: 'list', items, tuple: false, pos: t.pos };
    }
    if (t.kind === 'end') throw new ExpressionError('unexpected end of expression', t.pos);
    throw new ExpressionError(`unexpected '${t.text}'`, t.pos);
  }
}
