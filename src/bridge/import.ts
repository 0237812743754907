/**
 * Import from PyTorch: Python text (a file or a selection) → `*.nn.json` text, without running any Python.
 * It finds an `nn.Sequential(...)` (positional or `OrderedDict([...])`) or a `class Net(nn.Module)` whose
 * `__init__` assigns layers and whose `forward` applies them in a chain, translates the layers, the training
 * settings the script states, and lists every construct it could not translate with its line. It never throws.
 */
import { analyzeModel } from '../model/analyze';
import { DEFAULT_TRAIN } from '../model/read';
import { freshName } from '../model/names';
import type { LayerSpec, ModelSpec } from '../model/spec';
import type { Expr, Stmt } from './py/ast';
import { parsePython } from './py/parse';
import { Scope } from './py/scope';
import { MAX_SOURCE_CHARS } from './py/tokenize';
import { moduleFromCall, type Draft, type Note } from './import-layers';
import { translateClass } from './import-class';
import { readTrainHints } from './import-train';
import { modelJsonText } from './model-json';

export interface ImportProblem {
  /** 1-based line of the Python text (plus `lineOffset`). */
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface ImportOptions {
  /** The model's name (default: the class or variable name). */
  name?: string;
  /** Named in the comment at the top of the model file. */
  fileName?: string;
  /** Added to every line number: the selection's first line minus one, when importing a selection. */
  lineOffset?: number;
}

export interface ImportResult {
  /** The model file text, or null when the text holds no model to translate. */
  modelJson: string | null;
  /** What could not be translated (errors) or was translated with a caveat (warnings), by line. */
  problems: ImportProblem[];
  /** What was translated: the Sequential's variable or the class, and where. */
  source?: { kind: 'sequential' | 'class'; name: string; line: number };
  /** The layers as written to the file (for callers that want the structure). */
  layers?: LayerSpec[];
}

interface Candidate {
  kind: 'sequential' | 'class';
  name: string;
  line: number;
  stmt: Stmt;
  expr?: Expr;
  /** Enclosing functions, outermost first (their bindings are visible to the Sequential). */
  defs: Extract<Stmt, { k: 'def' }>[];
}

/** The nn.Sequential(...) call inside `e` (`nn.Sequential(...).to(device)` included), or null. */
function findSequential(e: Expr, scope: Scope, depth = 0): Extract<Expr, { k: 'call' }> | null {
  if (depth > 30 || e.k !== 'call') return null;
  if (scope.qualify(e.fn) === 'torch.nn.Sequential') return e;
  return e.fn.k === 'attr' ? findSequential(e.fn.obj, scope, depth + 1) : null;
}

function isModuleClass(s: Extract<Stmt, { k: 'class' }>, scope: Scope): boolean {
  return s.bases.some((b) => /^torch\.nn\.(modules\.module\.)?Module$/.test(scope.qualify(b) ?? ''));
}

function findCandidates(body: Stmt[], scope: Scope): Candidate[] {
  const out: Candidate[] = [];
  const walk = (stmts: Stmt[], defs: Extract<Stmt, { k: 'def' }>[], depth: number): void => {
    if (depth > 20) return;
    for (const s of stmts) {
      if (s.k === 'class') {
        if (isModuleClass(s, scope)) out.push({ kind: 'class', name: s.name, line: s.line, stmt: s, defs });
        else walk(s.body, defs, depth + 1);
        continue;
      }
      const value = s.k === 'assign' ? s.value : s.k === 'return' || s.k === 'expr' ? s.value : null;
      const seq = value ? findSequential(value, scope) : null;
      if (seq) {
        const target = s.k === 'assign' ? s.targets[0] : null;
        const name = target && target.k === 'name' ? target.id : s.k === 'return' && defs.length ? defs[defs.length - 1].name : 'model';
        out.push({ kind: 'sequential', name, line: s.line, stmt: s, expr: seq, defs });
      }
      if (s.k === 'def') walk(s.body, [...defs, s], depth + 1);
      else if ('body' in s) walk(s.body, defs, depth + 1);
    }
  };
  walk(body, [], 0);
  return out;
}

/** Lines the parser could not read, outside `skip` (whose own lines the translation reports). */
function unreadableLines(body: Stmt[], skip: Stmt | null, notes: Note[], severity: Note['severity'], suffix: string): void {
  const walk = (stmts: Stmt[], depth: number): void => {
    if (depth > 20) return;
    for (const s of stmts) {
      if (s === skip) continue;
      if (s.k === 'other' && s.text.startsWith('cannot read')) notes.push({ line: s.line, message: `${s.text}${suffix}`, severity });
      if ('body' in s) walk(s.body, depth + 1);
    }
  };
  walk(body, 0);
}

/**
 * Unique names. A Linear keeps its name (its state_dict prefix): a layer without parameters in its way gets
 * another one; a repeated Linear name gets the next free name, with a warning.
 */
function uniqueNames(layers: Draft[], notes: Note[]): void {
  const effective = (l: Draft, i: number): string => l.name ?? String(i);
  const order = [...layers.keys()].sort((a, b) => Number(layers[b].type === 'Linear') - Number(layers[a].type === 'Linear') || a - b);
  const taken = new Set<string>();
  for (const i of order) {
    const l = layers[i];
    const name = effective(l, i);
    if (!taken.has(name)) {
      taken.add(name);
      continue;
    }
    const all = new Set([...taken, ...layers.map(effective)]);
    const own = l.type.toLowerCase();
    const fresh = l.type !== 'Linear' && l.name === undefined && !all.has(own) ? own : freshName(l.name === undefined && l.type !== 'Linear' ? own : name, all);
    if (l.name !== undefined) notes.push({ line: l.line, message: `the name "${name}" is taken by another layer: this one is "${fresh}"`, severity: 'warning' });
    l.name = fresh;
    taken.add(fresh);
  }
}

function inputShape(layers: Draft[]): number[] {
  const firstLinear = layers.findIndex((l) => l.type === 'Linear');
  const lin = layers[firstLinear];
  const inF = lin && lin.type === 'Linear' ? lin.in : undefined;
  const flattened = layers.slice(0, Math.max(0, firstLinear)).some((l) => l.type === 'Flatten' && (l.startDim ?? 1) === 1 && (l.endDim ?? -1) === -1);
  if (flattened && inF === 784) return [1, 28, 28];
  return [inF ?? 784];
}

/** Python text → model file text and problems. Never throws. */
export function importFromPython(text: string, opts: ImportOptions = {}): ImportResult {
  const off = opts.lineOffset ?? 0;
  const done = (r: ImportResult): ImportResult => ({
    ...r,
    problems: r.problems.map((p) => ({ ...p, line: Math.max(1, p.line) + off })).sort((a, b) => a.line - b.line),
  });
  if (text.length > MAX_SOURCE_CHARS) {
    return done({ modelJson: null, problems: [{ line: 1, message: `the text is ${text.length} characters long: more than the ${MAX_SOURCE_CHARS} a model definition can need`, severity: 'error' }] });
  }
  try {
    return done(translate(text, opts));
  } catch (e) {
    // A bug, not the input's fault: still an answer, never an exception.
    return done({ modelJson: null, problems: [{ line: 1, message: `internal error while importing: ${(e as Error).message}`, severity: 'error' }] });
  }
}

function translate(text: string, opts: ImportOptions): ImportResult {
  const parsed = parsePython(text);
  const notes: Note[] = parsed.problems.map((p) => ({ ...p }));
  const scope = new Scope();
  scope.addModule(parsed.body);
  const candidates = findCandidates(parsed.body, scope);
  if (candidates.length === 0) {
    unreadableLines(parsed.body, null, notes, 'error', '');
    notes.push({ line: 1, message: 'found no nn.Sequential(...) and no class deriving from nn.Module: nothing to import', severity: 'error' });
    return { modelJson: null, problems: notes };
  }
  const pick = candidates[0];
  if (candidates.length > 1) {
    const others = candidates.slice(1).map((c) => `${c.kind === 'class' ? 'class ' : ''}${c.name} (line ${c.line})`);
    notes.push({ line: pick.line, message: `imported ${pick.kind === 'class' ? 'class ' : ''}${pick.name}; also found ${others.join(', ')}: select one to import it instead`, severity: 'warning' });
  }
  unreadableLines(parsed.body, pick.kind === 'class' ? pick.stmt : null, notes, 'warning', ' (outside the model, which may still be complete)');
  for (const d of pick.defs) scope.push(d.params, d.body);
  let layers: Draft[];
  if (pick.kind === 'class') layers = translateClass(pick.stmt as Extract<Stmt, { k: 'class' }>, scope, notes);
  else {
    const r = moduleFromCall(pick.expr as Expr, scope, notes);
    layers = r.kind === 'sequential' ? r.layers : [];
    if (r.kind === 'unsupported') notes.push({ line: pick.line, message: r.message, severity: 'error' });
  }
  for (let i = 0; i < pick.defs.length; i++) scope.pop();
  if (!layers.some((l) => l.type === 'Linear')) {
    notes.push({ line: pick.line, message: `${pick.name} has no Linear layer that could be translated: no model file written`, severity: 'error' });
    return { modelJson: null, problems: notes, source: { kind: pick.kind, name: pick.name, line: pick.line } };
  }
  uniqueNames(layers, notes);
  const hints = readTrainHints(parsed.body, scope, notes);
  const last = layers[layers.length - 1].type;
  const loss = hints.loss?.value ?? (last === 'LogSoftmax' ? 'nll_loss' : 'cross_entropy');
  if (hints.loss?.value === 'cross_entropy' && last === 'Softmax') {
    notes.push({
      line: hints.loss.line,
      message: 'nn.CrossEntropyLoss applied to the output of a final Softmax computes softmax twice; NN Lens computes cross_entropy on the logits before the final Softmax, which is what nn.CrossEntropyLoss expects, so training here can differ from this script',
      severity: 'warning',
    });
  }
  const spec: ModelSpec = {
    name: opts.name ?? pick.name,
    input: { shape: inputShape(layers), dataset: hints.dataset ?? 'mnist' },
    layers: layers.map(({ line: _line, ...l }) => l as LayerSpec),
    init: { seed: hints.seed ?? 0, scheme: 'pytorch' },
    train: {
      batchSize: hints.batchSize ?? DEFAULT_TRAIN.batchSize,
      epochs: hints.epochs ?? DEFAULT_TRAIN.epochs,
      shuffle: hints.shuffle ?? DEFAULT_TRAIN.shuffle,
      loss,
      optimizer: hints.optimizer ?? { ...DEFAULT_TRAIN.optimizer },
    },
  };
  const what = pick.kind === 'class' ? `class ${pick.name}` : pick.name;
  const modelJson = modelJsonText(spec, [`Imported by NN Lens from ${opts.fileName ?? 'Python'} (${what}, line ${pick.line + (opts.lineOffset ?? 0)}).`]);
  // What the model file's own checks say (a shape that does not chain, an input that is not 784 pixels, ...).
  const a = analyzeModel(modelJson);
  for (const d of a.diagnostics) {
    if (d.severity !== 'error') continue;
    const line = d.layer !== undefined && layers[d.layer] ? layers[d.layer].line : pick.line;
    notes.push({ line, message: `in the model file: ${d.message}`, severity: 'error' });
  }
  return { modelJson, problems: notes, source: { kind: pick.kind, name: pick.name, line: pick.line }, layers: spec.layers };
}
