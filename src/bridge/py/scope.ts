/**
 * What names mean in the imported text: import aliases (`nn` → `torch.nn`, `from torch.nn import Linear`), and
 * numbers bound to names (`HIDDEN = 64`, `def __init__(self, hidden=64)`, `self.hidden = hidden`), so
 * `nn.Linear(28 * 28, HIDDEN)` reads as Linear(784, 64). Nothing is executed: only literal arithmetic folds.
 */
import type { Expr, Stmt } from './ast';

/** Aliases a selection without its imports most likely means (the PyTorch tutorials' conventions). */
const DEFAULT_ALIASES: Record<string, string> = {
  torch: 'torch',
  nn: 'torch.nn',
  F: 'torch.nn.functional',
  optim: 'torch.optim',
  OrderedDict: 'collections.OrderedDict',
  collections: 'collections',
  math: 'math',
};

export class Scope {
  private readonly aliases = new Map<string, string>(Object.entries(DEFAULT_ALIASES));
  /** Names bound to expressions, innermost scope last. */
  private readonly frames: Map<string, Expr>[] = [new Map()];
  /** `self.x = ...` of the class being read, visible in all its methods. */
  private selfAttrs = new Map<string, Expr>();

  /** Records the imports and simple module-level bindings of `body` (imports anywhere, bindings at the top). */
  addModule(body: Stmt[]): void {
    this.addImports(body, 0);
    for (const s of body) this.bindFrom(s, this.frames[0]);
  }

  private addImports(body: Stmt[], depth: number): void {
    if (depth > 20) return;
    for (const s of body) {
      if (s.k === 'import') for (const n of s.names) this.aliases.set(n.alias, n.alias === n.module.split('.')[0] ? n.alias : n.module);
      else if (s.k === 'from') for (const n of s.names) if (n.name !== '*') this.aliases.set(n.alias, `${s.module}.${n.name}`);
      if ('body' in s) this.addImports(s.body, depth + 1);
    }
  }

  private bindFrom(s: Stmt, frame: Map<string, Expr>): void {
    if (s.k !== 'assign') return;
    for (const t of s.targets) {
      if ((t.k === 'tuple' || t.k === 'list') && (s.value.k === 'tuple' || s.value.k === 'list') && t.items.length === s.value.items.length) {
        t.items.forEach((x, i) => x.k === 'name' && frame.set(x.id, (s.value as { items: Expr[] }).items[i]));
      } else if (t.k === 'name') frame.set(t.id, s.value);
      else if (t.k === 'attr' && t.obj.k === 'name' && t.obj.id === 'self') this.selfAttrs.set(t.name, s.value);
    }
  }

  /** Enters a function: its parameters' defaults and its simple assignments become visible. */
  push(params: { name: string; default: Expr | null }[], body: Stmt[]): void {
    const f = new Map<string, Expr>();
    for (const p of params) if (p.default) f.set(p.name, p.default);
    for (const s of body) this.bindFrom(s, f);
    this.frames.push(f);
  }

  pop(): void {
    if (this.frames.length > 1) this.frames.pop();
  }

  /** Starts reading another class: forgets the attributes of the last one. */
  resetSelf(): void {
    this.selfAttrs = new Map();
  }

  lookup(name: string): Expr | undefined {
    if (name.startsWith('self.')) return this.selfAttrs.get(name.slice(5));
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const v = this.frames[i].get(name);
      if (v) return v;
    }
    return undefined;
  }

  /** The dotted name an expression refers to: `nn.Linear` → `torch.nn.Linear`; null for anything else. */
  qualify(e: Expr, depth = 0): string | null {
    if (depth > 30) return null;
    if (e.k === 'name') return this.aliases.get(e.id) ?? e.id;
    if (e.k === 'attr') {
      const base = this.qualify(e.obj, depth + 1);
      return base === null ? null : `${base}.${e.name}`;
    }
    return null;
  }

  /** The number an expression folds to (literals, + - * / // % **, names bound to numbers), or null. */
  number(e: Expr, depth = 0): number | null {
    if (depth > 30) return null;
    const n = (x: Expr): number | null => this.number(x, depth + 1);
    switch (e.k) {
      case 'num':
        return e.value;
      case 'const':
        return typeof e.value === 'boolean' ? Number(e.value) : null;
      case 'name': {
        const v = this.lookup(e.id);
        return v ? n(v) : null;
      }
      case 'attr': {
        if (e.obj.k === 'name' && e.obj.id === 'self') {
          const v = this.lookup(`self.${e.name}`);
          return v ? n(v) : null;
        }
        return null;
      }
      case 'unary': {
        const a = n(e.a);
        return a === null ? null : e.op === '-' ? -a : e.op === '+' ? a : null;
      }
      case 'binop': {
        const a = n(e.a);
        const b = n(e.b);
        if (a === null || b === null) return null;
        switch (e.op) {
          case '+': return a + b;
          case '-': return a - b;
          case '*': return a * b;
          case '/': return b === 0 ? null : a / b;
          case '//': return b === 0 ? null : Math.floor(a / b);
          case '%': return b === 0 ? null : a - b * Math.floor(a / b);
          case '**': return a ** b;
          default: return null;
        }
      }
      case 'call': {
        const q = this.qualify(e.fn);
        if ((q === 'int' || q === 'float') && e.args.length === 1) {
          const a = n(e.args[0]);
          return a === null ? null : q === 'int' ? Math.trunc(a) : a;
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** A boolean literal (or a name bound to one), or null. */
  bool(e: Expr, depth = 0): boolean | null {
    if (depth > 30) return null;
    if (e.k === 'const' && typeof e.value === 'boolean') return e.value;
    if (e.k === 'name') {
      const v = this.lookup(e.id);
      return v ? this.bool(v, depth + 1) : null;
    }
    return null;
  }

  /** The expression a name is bound to, followed through plain name-to-name bindings. */
  resolve(e: Expr): Expr {
    let cur = e;
    for (let i = 0; i < 20 && (cur.k === 'name' || (cur.k === 'attr' && cur.obj.k === 'name' && cur.obj.id === 'self')); i++) {
      const v = this.lookup(cur.k === 'name' ? cur.id : `self.${cur.name}`);
      if (!v) break;
      cur = v;
    }
    return cur;
  }
}
