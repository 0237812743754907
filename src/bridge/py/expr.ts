/**
 * Python expressions from tokens: names, numbers, strings, attribute access, calls with keyword and starred
 * arguments, subscripts, tuples, lists, dicts, unary and binary operators with Python's precedence. Lambdas,
 * conditional expressions, comprehensions and slices are read (so the rest of the line parses) as `other`.
 * Nesting deeper than 100 levels is a ParseFail, never a stack overflow.
 */
import type { Expr, KwArg } from './ast';
import type { Token } from './tokenize';

export class ParseFail extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export const KEYWORDS = new Set(['and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield']);
const COMPARE = new Set(['<', '>', '==', '!=', '<=', '>=']);
const BINARY_LEVELS: string[][] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%', '@']];
const MAX_DEPTH = 100;

/** Parses expressions from tokens[pos, end). */
class ExprParser {
  private depth = 0;

  constructor(private readonly toks: Token[], public pos: number, private readonly end: number) {}

  private peek(o = 0): Token | undefined {
    return this.pos + o < this.end ? this.toks[this.pos + o] : undefined;
  }

  private isOp(t: Token | undefined, op: string): boolean {
    return t !== undefined && t.kind === 'op' && t.text === op;
  }

  private isKw(t: Token | undefined, kw: string): boolean {
    return t !== undefined && t.kind === 'name' && t.text === kw;
  }

  private fail(msg: string, t = this.peek() ?? this.toks[Math.min(this.end, this.toks.length) - 1]): never {
    throw new ParseFail(msg, t?.line ?? 0);
  }

  private next(): Token {
    const t = this.peek();
    if (!t) this.fail('the expression ends too early');
    this.pos++;
    return t;
  }

  expect(op: string): Token {
    const t = this.peek();
    if (!this.isOp(t, op)) this.fail(`expected "${op}"${t ? `, found "${t.text}"` : ' at the end of the line'}`);
    this.pos++;
    return t as Token;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Skips to after the bracket that closes the one just consumed; returns the skipped text. */
  private skipBalanced(open: Token): string {
    let depth = 1;
    const start = this.pos;
    while (this.pos < this.end && depth > 0) {
      const t = this.toks[this.pos++];
      if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
      else if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--;
    }
    if (depth > 0) this.fail(`"${open.text}" is never closed`, open);
    return this.toks.slice(start, this.pos - 1).map((t) => t.text).join(' ');
  }

  parseExpr(): Expr {
    if (++this.depth > MAX_DEPTH) this.fail('the expression is nested too deeply');
    try {
      const t = this.peek();
      if (this.isKw(t, 'lambda')) {
        this.next();
        while (!this.atEnd() && !this.isOp(this.peek(), ':')) this.next();
        this.expect(':');
        this.parseExpr();
        return { k: 'other', text: 'lambda', line: (t as Token).line, col: (t as Token).col };
      }
      const a = this.parseOr();
      if (this.isKw(this.peek(), 'if')) {
        this.next();
        this.parseOr();
        if (!this.isKw(this.peek(), 'else')) this.fail('expected "else" in a conditional expression');
        this.next();
        this.parseExpr();
        return { k: 'other', text: 'a conditional expression (… if … else …)', line: a.line, col: a.col };
      }
      return a;
    } finally {
      this.depth--;
    }
  }

  private parseOr(): Expr {
    let a = this.parseAnd();
    while (this.isKw(this.peek(), 'or')) {
      this.next();
      a = { k: 'binop', op: 'or', a, b: this.parseAnd(), line: a.line, col: a.col };
    }
    return a;
  }

  private parseAnd(): Expr {
    let a = this.parseNot();
    while (this.isKw(this.peek(), 'and')) {
      this.next();
      a = { k: 'binop', op: 'and', a, b: this.parseNot(), line: a.line, col: a.col };
    }
    return a;
  }

  private parseNot(): Expr {
    const t = this.peek();
    if (this.isKw(t, 'not')) {
      this.next();
      if (++this.depth > MAX_DEPTH) this.fail('the expression is nested too deeply');
      try {
        return { k: 'unary', op: 'not', a: this.parseNot(), line: (t as Token).line, col: (t as Token).col };
      } finally {
        this.depth--;
      }
    }
    let a = this.parseBinary(0);
    for (;;) {
      const u = this.peek();
      let op: string | null = null;
      if (u && u.kind === 'op' && COMPARE.has(u.text)) op = u.text;
      else if (this.isKw(u, 'in') || this.isKw(u, 'is')) op = u?.text ?? null;
      else if (this.isKw(u, 'not') && this.isKw(this.peek(1), 'in')) op = 'not in';
      if (op === null) return a;
      this.next();
      if (op === 'not in' || (op === 'is' && this.isKw(this.peek(), 'not'))) this.next();
      a = { k: 'binop', op, a, b: this.parseBinary(0), line: a.line, col: a.col };
    }
  }

  private parseBinary(level: number): Expr {
    if (level >= BINARY_LEVELS.length) return this.parseUnary();
    let a = this.parseBinary(level + 1);
    for (;;) {
      const t = this.peek();
      if (!t || t.kind !== 'op' || !BINARY_LEVELS[level].includes(t.text)) return a;
      this.next();
      a = { k: 'binop', op: t.text, a, b: this.parseBinary(level + 1), line: a.line, col: a.col };
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t && t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      this.next();
      if (++this.depth > MAX_DEPTH) this.fail('the expression is nested too deeply');
      try {
        const a = this.parseUnary();
        if (a.k === 'num' && t.text !== '~') return { ...a, value: t.text === '-' ? -a.value : a.value, line: t.line, col: t.col };
        return { k: 'unary', op: t.text, a, line: t.line, col: t.col };
      } finally {
        this.depth--;
      }
    }
    if (this.isKw(t, 'await')) this.next();
    const a = this.parsePrimary();
    if (this.isOp(this.peek(), '**')) {
      this.next();
      return { k: 'binop', op: '**', a, b: this.parseUnary(), line: a.line, col: a.col };
    }
    return a;
  }

  private parsePrimary(): Expr {
    let e = this.parseAtom();
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'name') this.fail(`expected a name after ".", found "${name.text}"`, name);
        e = { k: 'attr', obj: e, name: name.text, line: e.line, col: e.col };
      } else if (this.isOp(t, '(')) {
        this.next();
        e = this.parseCall(e, t as Token);
      } else if (this.isOp(t, '[')) {
        this.next();
        e = { k: 'sub', obj: e, index: this.parseSubscript(t as Token), line: e.line, col: e.col };
      } else return e;
    }
  }

  private parseCall(fn: Expr, open: Token): Expr {
    const args: Expr[] = [];
    const kwargs: KwArg[] = [];
    let starred = false;
    while (!this.isOp(this.peek(), ')')) {
      const t = this.peek();
      if (!t) this.fail(`"(" is never closed`, open);
      if (this.isOp(t, '*') || this.isOp(t, '**')) {
        this.next();
        starred = true;
        args.push({ k: 'other', text: `${t.text}${exprTextOf(this.parseExpr())}`, line: t.line, col: t.col });
      } else if (t.kind === 'name' && this.isOp(this.peek(1), '=')) {
        this.next();
        this.next();
        kwargs.push({ name: t.text, value: this.parseExpr() });
      } else {
        const a = this.parseExpr();
        if (this.isKw(this.peek(), 'for')) {
          this.skipBalanced(open);
          return { k: 'call', fn, args: [{ k: 'other', text: 'a generator expression', line: a.line, col: a.col }], kwargs, starred, line: fn.line, col: fn.col };
        }
        args.push(a);
      }
      if (!this.isOp(this.peek(), ',')) break;
      this.next();
    }
    this.expect(')');
    return { k: 'call', fn, args, kwargs, starred, line: fn.line, col: fn.col };
  }

  private parseSubscript(open: Token): Expr {
    const items: Expr[] = [];
    let slice = false;
    while (!this.isOp(this.peek(), ']')) {
      if (!this.peek()) this.fail('"[" is never closed', open);
      if (this.isOp(this.peek(), ':')) {
        slice = true;
        this.next();
        continue;
      }
      items.push(this.parseExpr());
      if (this.isOp(this.peek(), ':')) continue;
      if (!this.isOp(this.peek(), ',')) break;
      this.next();
    }
    this.expect(']');
    if (slice) return { k: 'other', text: 'a slice', line: open.line, col: open.col };
    return items.length === 1 ? items[0] : { k: 'tuple', items, line: open.line, col: open.col };
  }

  private parseAtom(): Expr {
    const t = this.next();
    const at = { line: t.line, col: t.col };
    if (t.kind === 'name') {
      if (t.text === 'True' || t.text === 'False') return { k: 'const', value: t.text === 'True', ...at };
      if (t.text === 'None') return { k: 'const', value: null, ...at };
      if (KEYWORDS.has(t.text)) this.fail(`unexpected "${t.text}"`, t);
      return { k: 'name', id: t.text, ...at };
    }
    if (t.kind === 'number') return numberExpr(t);
    if (t.kind === 'string') {
      let value = t.value ?? '';
      while (this.peek()?.kind === 'string') value += this.next().value ?? '';
      return { k: 'str', value, ...at };
    }
    if (t.kind === 'op') {
      if (t.text === '...') return { k: 'other', text: '...', ...at };
      if (t.text === '(') return this.parseParen(t);
      if (t.text === '[') return this.parseList(t);
      if (t.text === '{') return this.parseBrace(t);
    }
    return this.fail(`unexpected "${t.text}"`, t);
  }

  private parseParen(open: Token): Expr {
    const at = { line: open.line, col: open.col };
    if (this.isOp(this.peek(), ')')) {
      this.next();
      return { k: 'tuple', items: [], ...at };
    }
    const first = this.parseExpr();
    if (this.isKw(this.peek(), 'for')) return { k: 'other', text: `a generator expression (${this.skipBalanced(open)})`, ...at };
    if (this.isOp(this.peek(), ')')) {
      this.next();
      return first;
    }
    const items = [first];
    while (this.isOp(this.peek(), ',')) {
      this.next();
      if (this.isOp(this.peek(), ')')) break;
      items.push(this.parseExpr());
    }
    this.expect(')');
    return { k: 'tuple', items, ...at };
  }

  private parseList(open: Token): Expr {
    const at = { line: open.line, col: open.col };
    const items: Expr[] = [];
    while (!this.isOp(this.peek(), ']')) {
      if (!this.peek()) this.fail('"[" is never closed', open);
      if (this.isOp(this.peek(), '*')) {
        this.next();
        items.push({ k: 'other', text: `*${exprTextOf(this.parseExpr())}`, ...at });
      } else items.push(this.parseExpr());
      if (this.isKw(this.peek(), 'for')) {
        this.skipBalanced(open);
        return { k: 'other', text: 'a list comprehension', ...at };
      }
      if (!this.isOp(this.peek(), ',')) break;
      this.next();
    }
    this.expect(']');
    return { k: 'list', items, ...at };
  }

  private parseBrace(open: Token): Expr {
    const at = { line: open.line, col: open.col };
    const entries: [Expr, Expr][] = [];
    while (!this.isOp(this.peek(), '}')) {
      if (!this.peek()) this.fail('"{" is never closed', open);
      if (this.isOp(this.peek(), '**')) return { k: 'other', text: `{${this.skipBalanced(open)}}`, ...at };
      const key = this.parseExpr();
      if (!this.isOp(this.peek(), ':')) return { k: 'other', text: `{${this.skipBalanced(open)}}`, ...at };
      this.next();
      const value = this.parseExpr();
      if (this.isKw(this.peek(), 'for')) return { k: 'other', text: `{${this.skipBalanced(open)}}`, ...at };
      entries.push([key, value]);
      if (!this.isOp(this.peek(), ',')) break;
      this.next();
    }
    this.expect('}');
    return { k: 'dict', entries, ...at };
  }
}

function exprTextOf(e: Expr): string {
  return e.k === 'name' ? e.id : e.k === 'other' ? e.text : '…';
}

function numberExpr(t: Token): Expr {
  const at = { line: t.line, col: t.col };
  const s = t.text.replace(/_/g, '');
  if (/[jJ]$/.test(s)) return { k: 'other', text: t.text, ...at };
  if (/^0[xXoObB]/.test(s)) return { k: 'num', value: Number(s.toLowerCase()), isInt: true, ...at };
  const v = Number(s);
  if (Number.isNaN(v)) throw new ParseFail(`cannot read the number "${t.text}"`, t.line);
  return { k: 'num', value: v, isInt: /^[0-9]+$/.test(s), ...at };
}

/** Splits tokens at top-level occurrences of `op`. */
export function splitTop(toks: Token[], op: string): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    else if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) depth = Math.max(0, depth - 1);
    if (depth === 0 && t.kind === 'op' && t.text === op) parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts;
}

/** Index of the first top-level token matching `pred`, or -1. */
export function findTop(toks: Token[], pred: (t: Token) => boolean, from = 0): number {
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i];
    if (depth === 0 && pred(t)) return i;
    if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    else if (t.kind === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) depth = Math.max(0, depth - 1);
  }
  return -1;
}

/** A whole expression from tokens; throws ParseFail when tokens remain. */
export function parseExprTokens(toks: Token[]): Expr {
  if (toks.length === 0) throw new ParseFail('an expression is missing', 0);
  const p = new ExprParser(toks, 0, toks.length);
  let e = p.parseExpr();
  if (!p.atEnd() && toks[p.pos].kind === 'op' && toks[p.pos].text === ',') {
    const items = [e];
    while (!p.atEnd()) {
      p.expect(',');
      if (p.atEnd()) break;
      items.push(p.parseExpr());
    }
    e = { k: 'tuple', items, line: e.line, col: e.col };
  }
  if (!p.atEnd()) throw new ParseFail(`unexpected "${toks[p.pos].text}"`, toks[p.pos].line);
  return e;
}
