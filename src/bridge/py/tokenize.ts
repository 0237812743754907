/**
 * A tokenizer for the Python that defines PyTorch models: names, numbers, strings (prefixes, triple quotes),
 * operators, comments, backslash continuations and implicit continuation inside brackets. It groups the tokens
 * into logical lines with their indentation. It never throws: anything it cannot read (an unterminated string,
 * a stray character, an unmatched bracket) is a problem with its line, and tokenizing goes on.
 */

export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'error';

export interface Token {
  kind: TokenKind;
  /** The source text (for strings, the decoded value is in `value`). */
  text: string;
  /** A string's contents without quotes and prefix (escapes left as written except \\ and quotes). */
  value?: string;
  /** 1-based. */
  line: number;
  col: number;
}

export interface LogicalLine {
  tokens: Token[];
  /** Columns of leading whitespace (a tab advances to the next multiple of 8, as Python does). */
  indent: number;
  line: number;
}

export interface Problem {
  /** 1-based line in the Python text. */
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '->', ':=', '==', '!=', '<=', '>=', '**', '//', '<<', '>>', '+=', '-=', '*=', '/=',
  '%=', '@=', '&=', '|=', '^=', '(', ')', '[', ']', '{', '}', ',', ':', ';', '.', '+', '-', '*', '/', '%', '@', '=',
  '<', '>', '|', '&', '^', '~',
];
/** Operators by first character, longest first. */
const OPERATORS_BY_CHAR = new Map<string, string[]>();
for (const o of OPERATORS) OPERATORS_BY_CHAR.set(o[0], [...(OPERATORS_BY_CHAR.get(o[0]) ?? []), o]);
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Refuse inputs beyond this many characters (a model definition is a few kilobytes). */
export const MAX_SOURCE_CHARS = 1_000_000;

const isAsciiName = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNameStart = (c: string): boolean => isAsciiName(c) || (c > '\x7f' && /[\p{L}\p{Nl}]/u.test(c));
const isNameChar = (c: string): boolean => isAsciiName(c) || (c >= '0' && c <= '9') || (c > '\x7f' && /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u.test(c));
const STRING_START = /^[rRbBuUfF]{0,2}(['"])/;
const NUMBER = /0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?[jJ]?/y;

export function tokenize(src: string, problems: Problem[]): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let current: Token[] = [];
  let indent = 0;
  let startLine = 1;
  let atLineStart = true;
  const brackets: { ch: string; line: number }[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = src.length;
  const push = (kind: TokenKind, text: string, col: number, tokLine = line, value?: string): void => {
    if (current.length === 0) startLine = tokLine;
    current.push(value === undefined ? { kind, text, line: tokLine, col } : { kind, text, value, line: tokLine, col });
  };
  const endLogical = (): void => {
    if (current.length) lines.push({ tokens: current, indent, line: startLine });
    current = [];
  };
  const newline = (): void => {
    line++;
    lineStart = i;
    if (brackets.length === 0) {
      endLogical();
      atLineStart = true;
    }
  };

  while (i < n) {
    if (atLineStart) {
      let w = 0;
      while (i < n && (src[i] === ' ' || src[i] === '\t' || src[i] === '\f')) {
        w = src[i] === '\t' ? (Math.floor(w / 8) + 1) * 8 : src[i] === '\f' ? 0 : w + 1;
        i++;
      }
      indent = w;
      atLineStart = false;
      continue;
    }
    const c = src[i];
    const col = i - lineStart + 1;
    if (c === '\n' || c === '\r') {
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      newline();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n' && src[i] !== '\r') i++;
      continue;
    }
    if (c === '\\') {
      const nl = src[i + 1] === '\r' ? (src[i + 2] === '\n' ? 3 : 2) : src[i + 1] === '\n' ? 2 : 0;
      if (nl) {
        i += nl;
        line++;
        lineStart = i;
        continue;
      }
      problems.push({ line, message: 'a backslash outside a string must end the line (line continuation)', severity: 'error' });
      push('error', c, col);
      i++;
      continue;
    }
    // Strings, with an optional prefix (r, b, u, f, rb, br, fr, rf in any case).
    const pre = c === '"' || c === "'" || 'rRbBuUfF'.includes(c) ? STRING_START.exec(src.slice(i, i + 3)) : null;
    if (pre && (pre[0].length === 1 || /^(r|b|u|f|rb|br|fr|rf)$/i.test(pre[0].slice(0, -1)))) {
      const tokLine = line;
      const quote = pre[1];
      const triple = src.startsWith(quote.repeat(3), i + pre[0].length - 1);
      const delim = triple ? quote.repeat(3) : quote;
      const start = i;
      let j = i + pre[0].length - 1 + delim.length;
      let value = '';
      let closed = false;
      while (j < n) {
        const d = src[j];
        if (d === '\\' && j + 1 < n) {
          const e = src[j + 1];
          value += e === '\\' || e === quote ? e : d + e;
          if (e === '\n') {
            line++;
            lineStart = j + 2;
          }
          j += 2;
          continue;
        }
        if (src.startsWith(delim, j)) {
          closed = true;
          j += delim.length;
          break;
        }
        if (d === '\n' || d === '\r') {
          if (!triple) break;
          line++;
          lineStart = j + 1;
        }
        value += d;
        j++;
      }
      i = j;
      if (!closed) {
        problems.push({ line: tokLine, message: triple ? 'this triple-quoted string is never closed' : 'this string is not closed before the end of the line', severity: 'error' });
        push('error', src.slice(start, j), col, tokLine);
      } else push('string', src.slice(start, j), col, tokLine, value);
      continue;
    }
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < n && isNameChar(src[j])) j++;
      push('name', src.slice(i, j), col);
      i = j;
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && (src[i + 1] ?? '') >= '0' && (src[i + 1] ?? '') <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      const text = m && m[0] ? m[0] : c;
      push('number', text, col);
      i += text.length;
      continue;
    }
    const op = OPERATORS_BY_CHAR.get(c)?.find((o) => src.startsWith(o, i));
    if (op) {
      if (op === '(' || op === '[' || op === '{') brackets.push({ ch: op, line });
      else if (op in CLOSERS) {
        const top = brackets[brackets.length - 1];
        if (!top || top.ch !== CLOSERS[op]) {
          problems.push({ line, message: top ? `"${op}" does not match the "${top.ch}" opened on line ${top.line}` : `"${op}" has no opening bracket`, severity: 'error' });
        } else brackets.pop();
      }
      push('op', op, col);
      i += op.length;
      continue;
    }
    const cp = src.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    problems.push({ line, message: `unexpected character ${JSON.stringify(ch)} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`, severity: 'error' });
    push('error', ch, col);
    i += ch.length;
  }
  for (const b of brackets) problems.push({ line: b.line, message: `"${b.ch}" is never closed`, severity: 'error' });
  endLogical();
  return lines;
}
