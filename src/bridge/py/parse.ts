/**
 * Logical lines → statements (nested by indentation) with parsed expressions. The statement forms the importer
 * needs are modelled (class, def, assignments, return, imports, for); other compound statements keep their body.
 * A line it cannot read becomes an `other` statement carrying the reason, so one strange line never stops the
 * rest; the importer reports it when the line matters (inside a model's __init__ or forward).
 */
import type { Expr, Param, Stmt } from './ast';
import { findTop, KEYWORDS, ParseFail, parseExprTokens, splitTop } from './expr';
import { tokenize, type LogicalLine, type Problem, type Token } from './tokenize';

export { ParseFail } from './expr';

const BLOCK_KEYWORDS = new Set(['if', 'elif', 'else', 'while', 'with', 'try', 'except', 'finally', 'match', 'case']);
const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '@=', '&=', '|=', '^=', '>>=', '<<=', '**=']);

const colonIndex = (toks: Token[]): number => findTop(toks, (t) => t.kind === 'op' && t.text === ':');

function dotted(toks: Token[], line: number): string {
  if (toks.length === 0 || !toks.every((t, i) => (i % 2 === 0 ? t.kind === 'name' : t.kind === 'op' && t.text === '.'))) {
    throw new ParseFail(`expected a dotted module name, found "${toks.map((t) => t.text).join('')}"`, line);
  }
  return toks.map((t) => t.text).join('');
}

function parseParams(toks: Token[], line: number): Param[] {
  const out: Param[] = [];
  for (const part of splitTop(toks, ',')) {
    if (part.length === 0) continue;
    if (part[0].kind === 'op' && (part[0].text === '*' || part[0].text === '**' || part[0].text === '/')) continue;
    if (part[0].kind !== 'name') throw new ParseFail(`cannot read the parameter "${part.map((t) => t.text).join(' ')}"`, line);
    const eq = findTop(part, (t) => t.kind === 'op' && t.text === '=');
    out.push({ name: part[0].text, default: eq >= 0 ? parseExprTokens(part.slice(eq + 1)) : null });
  }
  return out;
}

/** One simple or compound-header statement; `inline` receives the tokens after a header's colon. */
function parseStatement(toks: Token[]): { stmt: Stmt; compound: boolean; inline: Token[] } {
  const first = toks[0];
  const at = { line: first.line, col: first.col };
  const kw = first.kind === 'name' ? first.text : '';
  const simple = (stmt: Stmt): { stmt: Stmt; compound: boolean; inline: Token[] } => ({ stmt, compound: false, inline: [] });
  const header = (): { head: Token[]; inline: Token[] } => {
    const c = colonIndex(toks);
    if (c < 0) throw new ParseFail(`"${kw}" line without ":"`, first.line);
    return { head: toks.slice(1, c), inline: toks.slice(c + 1) };
  };
  if (kw === 'async' && toks.length > 1) return parseStatement(toks.slice(1));
  if (kw === 'class') {
    const { head, inline } = header();
    if (head[0]?.kind !== 'name') throw new ParseFail('expected a class name', first.line);
    let bases: Expr[] = [];
    if (head.length > 1) {
      const call = parseExprTokens([{ ...head[0], kind: 'name' }, ...head.slice(1)]);
      if (call.k !== 'call') throw new ParseFail('cannot read the class bases', first.line);
      bases = call.args;
    }
    return { stmt: { k: 'class', name: head[0].text, bases, body: [], ...at }, compound: true, inline };
  }
  if (kw === 'def') {
    const { head, inline } = header();
    if (head[0]?.kind !== 'name' || head[1]?.text !== '(') throw new ParseFail('expected "def name(...)"', first.line);
    const close = findTop(head, (t) => t.kind === 'op' && t.text === ')', 2);
    const params = parseParams(head.slice(2, close < 0 ? head.length : close), first.line);
    return { stmt: { k: 'def', name: head[0].text, params, body: [], ...at }, compound: true, inline };
  }
  if (kw === 'for') {
    const { head, inline } = header();
    const inAt = findTop(head, (t) => t.kind === 'name' && t.text === 'in');
    if (inAt < 0) throw new ParseFail('"for" without "in"', first.line);
    return { stmt: { k: 'for', target: parseExprTokens(head.slice(0, inAt)), iter: parseExprTokens(head.slice(inAt + 1)), body: [], ...at }, compound: true, inline };
  }
  if (BLOCK_KEYWORDS.has(kw) && colonIndex(toks) >= 0) {
    const { head, inline } = header();
    let h: Expr | null = null;
    try {
      h = head.length ? parseExprTokens(head) : null;
    } catch {
      h = null;
    }
    return { stmt: { k: 'block', keyword: kw, header: h, body: [], ...at }, compound: true, inline };
  }
  if (kw === 'return') return simple({ k: 'return', value: toks.length > 1 ? parseExprTokens(toks.slice(1)) : null, ...at });
  if (kw === 'pass') return simple({ k: 'pass', text: 'pass', ...at });
  if (kw === 'import') {
    const names = splitTop(toks.slice(1), ',').map((part) => {
      const as = part.findIndex((t) => t.kind === 'name' && t.text === 'as');
      const module = dotted(as < 0 ? part : part.slice(0, as), first.line);
      return { module, alias: as < 0 ? module.split('.')[0] : (part[as + 1]?.text ?? module) };
    });
    return simple({ k: 'import', names, ...at });
  }
  if (kw === 'from') {
    const imp = toks.findIndex((t) => t.kind === 'name' && t.text === 'import');
    if (imp < 0) throw new ParseFail('"from" without "import"', first.line);
    const module = toks.slice(1, imp).map((t) => t.text).join('');
    const rest = toks.slice(imp + 1).filter((t) => !(t.kind === 'op' && (t.text === '(' || t.text === ')')));
    const names = splitTop(rest, ',')
      .filter((p) => p.length)
      .map((part) => ({ name: part[0].text, alias: part[1]?.text === 'as' ? (part[2]?.text ?? part[0].text) : part[0].text }));
    return simple({ k: 'from', module, names, ...at });
  }
  if (KEYWORDS.has(kw)) return simple({ k: 'other', text: kw, ...at });
  const aug = findTop(toks, (t) => t.kind === 'op' && AUG_OPS.has(t.text));
  if (aug > 0) return simple({ k: 'augassign', target: parseExprTokens(toks.slice(0, aug)), op: toks[aug].text, value: parseExprTokens(toks.slice(aug + 1)), ...at });
  const parts = splitTop(toks, '=');
  if (parts.length > 1) {
    const targets = parts.slice(0, -1).map((p) => {
      const c = colonIndex(p);
      return parseExprTokens(c >= 0 ? p.slice(0, c) : p);
    });
    return simple({ k: 'assign', targets, value: parseExprTokens(parts[parts.length - 1]), ...at });
  }
  const c = colonIndex(toks);
  if (c > 0) return simple({ k: 'other', text: 'an annotation', ...at });
  return simple({ k: 'expr', value: parseExprTokens(toks), ...at });
}

/** Statements of one logical line (split at top-level ";"); a header's inline body becomes its body. */
function lineStatements(toks: Token[], problemsIfFail: (line: number, msg: string) => Stmt): { stmt: Stmt; open: boolean }[] {
  const out: { stmt: Stmt; open: boolean }[] = [];
  for (const seg of splitTop(toks, ';')) {
    if (seg.length === 0) continue;
    if (seg[0].kind === 'op' && seg[0].text === '@') continue;
    try {
      const { stmt, compound, inline } = parseStatement(seg);
      if (compound && 'body' in stmt && inline.length) {
        for (const s of lineStatements(inline, problemsIfFail)) stmt.body.push(s.stmt);
        out.push({ stmt, open: false });
      } else out.push({ stmt, open: compound });
    } catch (e) {
      if (!(e instanceof ParseFail)) throw e;
      out.push({ stmt: problemsIfFail(e.line || seg[0].line, e.message), open: false });
    }
  }
  return out;
}

export interface ParsedPython {
  body: Stmt[];
  /** Problems of the text itself (unterminated strings, unmatched brackets, stray characters). */
  problems: Problem[];
}

/** Parses a whole file or a selection. Never throws for any text. */
export function parsePython(src: string): ParsedPython {
  const problems: Problem[] = [];
  const lines: LogicalLine[] = tokenize(src, problems);
  const body: Stmt[] = [];
  const stack: { indent: number; stmt: Stmt & { body: Stmt[] } }[] = [];
  // A selection copied from inside a class keeps its indentation: measure blocks from the first line's indent.
  for (const l of lines) {
    while (stack.length && stack[stack.length - 1].indent >= l.indent) stack.pop();
    const parent = stack.length ? stack[stack.length - 1].stmt.body : body;
    const fail = (line: number, msg: string): Stmt => ({ k: 'other', text: `cannot read this line: ${msg}`, line, col: 1 });
    for (const { stmt, open } of lineStatements(l.tokens, fail)) {
      parent.push(stmt);
      if (open && 'body' in stmt) stack.push({ indent: l.indent, stmt });
    }
  }
  return { body, problems };
}
