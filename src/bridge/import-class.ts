/**
 * A `class Net(nn.Module)` → layers: the modules `__init__` assigns to `self`, in the order `forward` applies
 * them, with the functional steps between (`F.relu`, `x.view(-1, 784)`, ...). Anything that is not a chain of
 * layers (arithmetic, skip connections, control flow) is reported at its line.
 */
import { exprText, type Expr, type Stmt } from './py/ast';
import type { Scope } from './py/scope';
import { moduleFromCall, stepFromCall, type Draft, type ModuleResult, type Note } from './import-layers';

interface ChainLayer {
  layer: Draft;
  /** The attribute it came from (`self.fc1`), for naming. */
  attr?: string;
}

/** Translates a class: layers assigned in __init__, applied in forward. */
export function translateClass(cls: Extract<Stmt, { k: 'class' }>, scope: Scope, notes: Note[]): Draft[] {
  scope.resetSelf();
  const init = cls.body.find((s): s is Extract<Stmt, { k: 'def' }> => s.k === 'def' && s.name === '__init__');
  const forward = cls.body.find((s): s is Extract<Stmt, { k: 'def' }> => s.k === 'def' && s.name === 'forward');
  const attrs = new Map<string, { r: ModuleResult; line: number; uses: number }>();
  if (init) {
    scope.push(init.params, init.body);
    for (const s of init.body) {
      if (s.k === 'assign' && s.targets.length === 1) {
        const t = s.targets[0];
        if (t.k === 'attr' && t.obj.k === 'name' && t.obj.id === 'self') {
          if (s.value.k === 'call' && !isHelperCall(s.value, scope)) attrs.set(t.name, { r: moduleFromCall(s.value, scope, notes), line: s.line, uses: 0 });
          continue;
        }
      }
      if (s.k === 'expr' && (s.value.k === 'str' || isSuperInit(s.value))) continue;
      if (s.k === 'pass') continue;
      notes.push({ line: s.line, message: `ignored in __init__: ${stmtLabel(s)}`, severity: 'warning' });
    }
    scope.pop();
  } else notes.push({ line: cls.line, message: `class ${cls.name} has no __init__: no layers to read`, severity: 'error' });
  if (!forward) {
    notes.push({ line: cls.line, message: `class ${cls.name} has no forward method: the order of its layers is unknown`, severity: 'error' });
    return [];
  }
  scope.push(forward.params, forward.body);
  const input = forward.params[1]?.name;
  const chain: ChainLayer[] = [];
  let current = input ?? 'x';
  let returned = false;
  const apply = (e: Expr, depth: number): ChainLayer[] | null => {
    if (depth > 200) {
      notes.push({ line: e.line, message: 'the expression is nested too deeply', severity: 'error' });
      return null;
    }
    if (e.k === 'name') {
      if (e.id === current) return [];
      notes.push({ line: e.line, message: `uses ${e.id}, not ${current} (the output of the step before): only a chain of layers can be translated`, severity: 'error' });
      return null;
    }
    if (e.k !== 'call') {
      notes.push({ line: e.line, message: `${exprText(e)} cannot be translated: only a chain of layers (no arithmetic, no skip connections)`, severity: 'error' });
      return null;
    }
    const fn = e.fn;
    if (fn.k === 'attr' && fn.obj.k === 'name' && fn.obj.id === 'self' && e.args.length >= 1) {
      const a = attrs.get(fn.name);
      const inner = apply(e.args[0], depth + 1);
      if (inner === null) return null;
      if (!a) {
        notes.push({ line: e.line, message: `self.${fn.name} is not a layer assigned in __init__`, severity: 'error' });
        return null;
      }
      a.uses++;
      return [...inner, ...moduleLayers(a.r, fn.name, e, notes)];
    }
    if (fn.k === 'call' && e.args.length >= 1) {
      const r = moduleFromCall(fn, scope, notes);
      const inner = apply(e.args[0], depth + 1);
      return inner === null ? null : [...inner, ...moduleLayers(r, undefined, e, notes)];
    }
    const st = stepFromCall(e, scope, notes);
    if (st.kind === 'unsupported') {
      notes.push({ line: e.line, message: st.message, severity: 'error' });
      return null;
    }
    const inner = apply(st.input, depth + 1);
    return inner === null ? null : st.layer ? [...inner, { layer: st.layer }] : inner;
  };
  for (const s of forward.body) {
    if (returned) break;
    if (s.k === 'expr' && s.value.k === 'str') continue;
    if (s.k === 'assign' && s.targets.length === 1 && s.targets[0].k === 'name') {
      const got = apply(s.value, 0);
      if (got) chain.push(...got);
      current = s.targets[0].id;
    } else if (s.k === 'return') {
      returned = true;
      if (!s.value) notes.push({ line: s.line, message: 'forward returns nothing', severity: 'error' });
      else {
        const got = apply(s.value, 0);
        if (got) chain.push(...got);
      }
    } else if (s.k === 'expr' || s.k === 'pass') {
      if (s.k === 'expr') notes.push({ line: s.line, message: `ignored in forward: ${exprText(s.value)}`, severity: 'warning' });
    } else notes.push({ line: s.line, message: `${stmtLabel(s)} in forward cannot be translated: a model file is a chain of layers`, severity: 'error' });
  }
  if (!returned) notes.push({ line: forward.line, message: 'forward has no return', severity: 'error' });
  scope.pop();
  const referenced = selfReferences(forward.body);
  for (const [name, a] of attrs) {
    if (a.uses > 0 || referenced.has(name)) continue;
    const params = a.r.kind === 'layer' ? a.r.layer.type === 'Linear' : a.r.kind === 'sequential' && a.r.layers.some((l) => l.type === 'Linear');
    if (params) notes.push({ line: a.line, message: `self.${name} is never used in forward and is left out (a state dict saved from this class holds its weights too)`, severity: 'warning' });
  }
  // Names: a Linear keeps its attribute name (its state_dict prefix); an activation module used once keeps its own.
  const useCount = new Map<string, number>();
  for (const c of chain) if (c.attr) useCount.set(c.attr, (useCount.get(c.attr) ?? 0) + 1);
  const seen = new Set<string>();
  return chain.map((c) => {
    if (!c.attr || c.layer.name !== undefined) return c.layer;
    if (seen.has(c.attr)) {
      if (c.layer.type === 'Linear') notes.push({ line: c.layer.line, message: `self.${c.attr} is applied twice: shared weights cannot be written in a model file, so the second use is a separate Linear`, severity: 'error' });
      return c.layer;
    }
    seen.add(c.attr);
    return c.layer.type === 'Linear' || useCount.get(c.attr) === 1 ? { ...c.layer, name: c.attr } : c.layer;
  });
}

/** The layers a module attribute contributes when it is called. */
function moduleLayers(r: ModuleResult, attr: string | undefined, at: Expr, notes: Note[]): ChainLayer[] {
  switch (r.kind) {
    case 'layer':
      return [{ layer: { ...r.layer }, attr }];
    case 'identity':
      return [];
    case 'sequential':
      if (!attr) return r.layers.map((l) => ({ layer: { ...l } }));
      if (r.layers.some((l) => l.type === 'Linear')) {
        const keys = r.layers.map((l, i) => [l, l.name ?? String(i)] as const).filter(([l]) => l.type === 'Linear');
        const shown = keys.slice(0, 2).map(([, n]) => `"${attr}.${n}.weight"`).join(', ');
        notes.push({ line: at.line, message: `PyTorch saves the parameters of self.${attr} as ${shown}, ...; the model file keeps the names inside the Sequential, so its keys are the same without the "${attr}." prefix`, severity: 'warning' });
      }
      // The index inside the Sequential is the state_dict name: keep it whatever comes before.
      return r.layers.map((l, i) => ({ layer: { ...l, name: l.name ?? String(i) } }));
    case 'unsupported':
      notes.push({ line: at.line, message: r.message, severity: 'error' });
      return [];
  }
}

/** Every `self.NAME` a forward mentions, translated or not. */
function selfReferences(body: Stmt[]): Set<string> {
  const out = new Set<string>();
  const visit = (e: Expr, depth: number): void => {
    if (depth > 200) return;
    const v = (x: Expr): void => visit(x, depth + 1);
    switch (e.k) {
      case 'attr':
        if (e.obj.k === 'name' && e.obj.id === 'self') out.add(e.name);
        return v(e.obj);
      case 'call':
        v(e.fn);
        e.args.forEach(v);
        return e.kwargs.forEach((k) => v(k.value));
      case 'sub':
        v(e.obj);
        return v(e.index);
      case 'tuple':
      case 'list':
        return e.items.forEach(v);
      case 'binop':
        v(e.a);
        return v(e.b);
      case 'unary':
        return v(e.a);
      default:
        return;
    }
  };
  const walk = (stmts: Stmt[], depth: number): void => {
    if (depth > 20) return;
    for (const s of stmts) {
      if (s.k === 'assign' || s.k === 'augassign' || s.k === 'expr') visit(s.value, 0);
      else if (s.k === 'return' && s.value) visit(s.value, 0);
      else if (s.k === 'block' && s.header) visit(s.header, 0);
      if ('body' in s) walk(s.body, depth + 1);
    }
  };
  walk(body, 0);
  return out;
}

function isSuperInit(e: Expr): boolean {
  return e.k === 'call' && e.fn.k === 'attr' && e.fn.name === '__init__';
}

/** Calls in __init__ that assign values, not layers (`self.hidden = int(h)`). */
function isHelperCall(e: Expr, scope: Scope): boolean {
  const q = e.k === 'call' ? scope.qualify(e.fn) : null;
  return q === 'int' || q === 'float' || q === 'len';
}

function stmtLabel(s: Stmt): string {
  switch (s.k) {
    case 'assign':
      return `${s.targets.map((t) => exprText(t)).join(' = ')} = ${exprText(s.value)}`;
    case 'augassign':
      return `${exprText(s.target)} ${s.op} ${exprText(s.value)}`;
    case 'expr':
      return exprText(s.value);
    case 'block':
      return `an "${s.keyword}" block`;
    case 'for':
      return 'a "for" loop';
    case 'def':
      return `def ${s.name}`;
    case 'class':
      return `class ${s.name}`;
    case 'return':
      return 'return';
    case 'import':
    case 'from':
      return 'an import';
    default:
      return s.text;
  }
}

