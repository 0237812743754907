/** Tokens of the Python-like expressions users type in the tensor inspector (`W1.weight[:2, :3]`). */

export type TokenKind = 'num' | 'name' | 'str' | 'op' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based column in the expression. */
  pos: number;
  /** For numbers: whether the literal is a Python int (`3`) rather than a float (`3.`, `3e0`). */
  isInt?: boolean;
}

/** An error in what the user typed, with the column it concerns. */
export class ExpressionError extends Error {
  constructor(message: string, readonly pos?: number) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const OPS = ['...', '**', '//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '@', '%', '(', ')', '[', ']', ',', '.', ':', '=', '<', '>', '~', '&', '|'];
const NUM = /^(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export const MAX_EXPRESSION_LENGTH = 2000;

export function tokenize(src: string): Token[] {
  if (src.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is ${src.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}`);
  }
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const num = NUM.exec(rest);
    if (num && !(rest.startsWith('...'))) {
      const text = num[0];
      out.push({ kind: 'num', text, pos: i, isInt: /^\d+$/.test(text) });
      i += text.length;
      if (NAME.test(src.slice(i))) throw new ExpressionError(`invalid number '${text}${src.slice(i).match(NAME)?.[0]}'`, i);
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      out.push({ kind: 'name', text: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError('unterminated string', i);
      out.push({ kind: 'str', text: src.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (!op) throw new ExpressionError(`unexpected character '${c}'`, i);
    out.push({ kind: 'op', text: op, pos: i });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}
