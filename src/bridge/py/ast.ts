/** The syntax tree of the Python subset the importer reads: expressions in full enough detail, statements by shape. */

interface At {
  line: number;
  col: number;
}

export type Expr =
  | (At & { k: 'name'; id: string })
  | (At & { k: 'num'; value: number; isInt: boolean })
  | (At & { k: 'str'; value: string })
  | (At & { k: 'const'; value: boolean | null })
  | (At & { k: 'attr'; obj: Expr; name: string })
  | (At & { k: 'call'; fn: Expr; args: Expr[]; kwargs: KwArg[]; starred: boolean })
  | (At & { k: 'sub'; obj: Expr; index: Expr })
  | (At & { k: 'tuple' | 'list'; items: Expr[] })
  | (At & { k: 'dict'; entries: [Expr, Expr][] })
  | (At & { k: 'binop'; op: string; a: Expr; b: Expr })
  | (At & { k: 'unary'; op: string; a: Expr })
  /** Something read but not modelled (a lambda, a comprehension, a slice): `text` shows it in messages. */
  | (At & { k: 'other'; text: string });

export interface KwArg {
  name: string;
  value: Expr;
}

export type Stmt =
  | (At & { k: 'class'; name: string; bases: Expr[]; body: Stmt[] })
  | (At & { k: 'def'; name: string; params: Param[]; body: Stmt[] })
  | (At & { k: 'assign'; targets: Expr[]; value: Expr })
  | (At & { k: 'augassign'; target: Expr; op: string; value: Expr })
  | (At & { k: 'return'; value: Expr | null })
  | (At & { k: 'expr'; value: Expr })
  | (At & { k: 'import'; names: { module: string; alias: string }[] })
  | (At & { k: 'from'; module: string; names: { name: string; alias: string }[] })
  /** `for NAME in ITER:` with its body. */
  | (At & { k: 'for'; target: Expr; iter: Expr; body: Stmt[] })
  /** Any other compound statement (if, while, with, try, ...), with its body. */
  | (At & { k: 'block'; keyword: string; header: Expr | null; body: Stmt[] })
  | (At & { k: 'pass' | 'other'; text: string });

export interface Param {
  name: string;
  default: Expr | null;
}

/** Python-like source text of an expression, for messages. */
export function exprText(e: Expr, depth = 0): string {
  if (depth > 20) return '…';
  const t = (x: Expr): string => exprText(x, depth + 1);
  switch (e.k) {
    case 'name':
      return e.id;
    case 'num':
      return String(e.value);
    case 'str':
      return JSON.stringify(e.value);
    case 'const':
      return e.value === null ? 'None' : e.value ? 'True' : 'False';
    case 'attr':
      return `${t(e.obj)}.${e.name}`;
    case 'call':
      return `${t(e.fn)}(${[...e.args.map(t), ...e.kwargs.map((k) => `${k.name}=${t(k.value)}`)].join(', ')})`;
    case 'sub':
      return `${t(e.obj)}[${t(e.index)}]`;
    case 'tuple':
      return `(${e.items.map(t).join(', ')}${e.items.length === 1 ? ',' : ''})`;
    case 'list':
      return `[${e.items.map(t).join(', ')}]`;
    case 'dict':
      return `{${e.entries.map(([a, b]) => `${t(a)}: ${t(b)}`).join(', ')}}`;
    case 'binop':
      return `${t(e.a)} ${e.op} ${t(e.b)}`;
    case 'unary':
      return `${e.op}${e.op === 'not' ? ' ' : ''}${t(e.a)}`;
    case 'other':
      return e.text;
  }
}
