/**
 * PyTorch constructs → model-file layers: module constructors (`nn.Linear(784, 64)`, `nn.Softmax(dim=1)`, ...)
 * and the functional forms a `forward` uses (`F.relu(x)`, `torch.sigmoid(x)`, `x.view(-1, 784)`, ...).
 * Each recognizer gives a layer, or a problem saying why the construct cannot be translated.
 */
import type { LayerSpec } from '../model/spec';
import { exprText, type Expr } from './py/ast';
import type { Scope } from './py/scope';

export interface Note {
  line: number;
  message: string;
  severity: 'error' | 'warning';
}

/** A layer read from the text, with the line it came from. */
export type Draft = LayerSpec & { line: number };

export type ModuleResult =
  | { kind: 'layer'; layer: Draft }
  /** nn.Sequential(...) as a value: its layers (names from an OrderedDict, else none). */
  | { kind: 'sequential'; layers: Draft[]; named: boolean }
  /** nn.Identity and friends: no layer at all. */
  | { kind: 'identity' }
  | { kind: 'unsupported'; message: string };

const SUPPORTED = 'Linear, Sigmoid, ReLU, Tanh, Softmax, LogSoftmax, Flatten, Dropout';

/** Positional argument `i` or keyword `name`. */
export function arg(call: Extract<Expr, { k: 'call' }>, i: number, name: string): Expr | undefined {
  return call.kwargs.find((k) => k.name === name)?.value ?? call.args[i];
}

function intArg(scope: Scope, call: Extract<Expr, { k: 'call' }>, i: number, name: string, notes: Note[], what: string): number | null | undefined {
  const e = arg(call, i, name);
  if (e === undefined) return undefined;
  const v = scope.number(e);
  if (v === null || !Number.isInteger(v)) {
    notes.push({ line: e.line, message: `${what}: ${name}=${exprText(e)} is not a whole number this text gives (write the number)`, severity: 'error' });
    return null;
  }
  return v;
}

function unknownKwargs(call: Extract<Expr, { k: 'call' }>, allowed: string[], what: string, notes: Note[]): void {
  for (const k of call.kwargs) {
    if (!allowed.includes(k.name)) notes.push({ line: k.value.line, message: `${what}: the argument ${k.name}=${exprText(k.value)} has no equivalent in a model file and is left out`, severity: 'warning' });
  }
}

/** A softmax dim, or 1 with a warning when PyTorch's implicit choice applies. */
function softmaxDim(scope: Scope, call: Extract<Expr, { k: 'call' }>, i: number, what: string, notes: Note[]): number {
  const d = intArg(scope, call, i, 'dim', notes, what);
  if (d === undefined) {
    notes.push({ line: call.line, message: `${what} without dim: PyTorch picks dim=1 for 2-D input (with a deprecation warning); the model file says "dim": 1`, severity: 'warning' });
    return 1;
  }
  return d ?? 1;
}

/** The layer a module constructor call builds (`nn.Linear(...)`, `nn.Sequential(...)`, ...). */
export function moduleFromCall(e: Expr, scope: Scope, notes: Note[], depth = 0): ModuleResult {
  if (e.k !== 'call') return { kind: 'unsupported', message: `${exprText(e)} is not a layer` };
  const q = scope.qualify(e.fn);
  const short = q?.replace(/^torch\.nn\.(modules\.\w+\.)?/, 'nn.') ?? exprText(e.fn);
  const line = e.line;
  switch (q?.replace(/^torch\.nn\.modules\.\w+\./, 'torch.nn.')) {
    case 'torch.nn.Linear': {
      const inE = arg(e, 0, 'in_features');
      const inV = inE === undefined ? null : scope.number(inE);
      const out = intArg(scope, e, 1, 'out_features', notes, short);
      unknownKwargs(e, ['in_features', 'out_features', 'bias', 'device', 'dtype'], short, notes);
      if (out === undefined || out === null) return { kind: 'unsupported', message: `${exprText(e)}: out_features is needed` };
      const layer: Draft = { type: 'Linear', out, line };
      if (inV !== null && Number.isInteger(inV)) layer.in = inV;
      else {
        const what = inE === undefined ? 'no in_features' : `in_features=${exprText(inE)} is not a number this text gives`;
        notes.push({ line, message: `${short}: ${what}: left out of the model file, which infers it from the layer before`, severity: 'warning' });
      }
      const b = arg(e, 2, 'bias');
      if (b !== undefined) {
        const bv = scope.bool(b);
        if (bv === null) notes.push({ line: b.line, message: `${short}: bias=${exprText(b)} is not True or False: kept as True`, severity: 'warning' });
        else if (!bv) layer.bias = false;
      }
      return { kind: 'layer', layer };
    }
    case 'torch.nn.Sigmoid':
    case 'torch.nn.ReLU':
    case 'torch.nn.Tanh': {
      unknownKwargs(e, ['inplace'], short, notes);
      return { kind: 'layer', layer: { type: (q as string).split('.').pop() as 'Sigmoid' | 'ReLU' | 'Tanh', line } };
    }
    case 'torch.nn.Softmax':
    case 'torch.nn.LogSoftmax': {
      const type = (q as string).endsWith('LogSoftmax') ? 'LogSoftmax' : 'Softmax';
      return { kind: 'layer', layer: { type, dim: softmaxDim(scope, e, 0, short, notes), line } };
    }
    case 'torch.nn.Flatten': {
      const s = intArg(scope, e, 0, 'start_dim', notes, short);
      const en = intArg(scope, e, 1, 'end_dim', notes, short);
      const layer: Draft = { type: 'Flatten', line };
      if (typeof s === 'number' && s !== 1) layer.startDim = s;
      if (typeof en === 'number' && en !== -1) layer.endDim = en;
      return { kind: 'layer', layer };
    }
    case 'torch.nn.Dropout': {
      unknownKwargs(e, ['p', 'inplace'], short, notes);
      const pe = arg(e, 0, 'p');
      const p = pe === undefined ? 0.5 : scope.number(pe);
      if (p === null || p < 0 || p > 1) {
        notes.push({ line, message: `${short}: p=${pe ? exprText(pe) : ''} is not a probability this text gives: kept as 0.5`, severity: 'error' });
        return { kind: 'layer', layer: { type: 'Dropout', p: 0.5, line } };
      }
      return { kind: 'layer', layer: { type: 'Dropout', p, line } };
    }
    case 'torch.nn.Identity':
      return { kind: 'identity' };
    case 'torch.nn.Sequential':
      return sequentialFromCall(e, scope, notes, depth);
    default:
      if (q && /^torch\.nn\.[A-Z]/.test(q)) return { kind: 'unsupported', message: `${short} is not supported: a model file has ${SUPPORTED}` };
      return { kind: 'unsupported', message: `${exprText(e)} is not a PyTorch layer this importer knows (${SUPPORTED})` };
  }
}

/** The (name, layer) pairs of OrderedDict([...]) / OrderedDict(a=..., ...) / {...}, or null when it is not one. */
function orderedPairs(e: Expr, scope: Scope): [Expr, Expr][] | null {
  const v = scope.resolve(e);
  if (v.k === 'dict') return v.entries;
  if (v.k !== 'call') return null;
  const q = scope.qualify(v.fn);
  if (q !== 'collections.OrderedDict' && q !== 'dict') return null;
  const src = v.args[0] ? scope.resolve(v.args[0]) : undefined;
  const pairs: [Expr, Expr][] = [];
  if (src?.k === 'list' || src?.k === 'tuple') {
    for (const it of src.items) {
      if ((it.k === 'tuple' || it.k === 'list') && it.items.length === 2) pairs.push([it.items[0], it.items[1]]);
      else pairs.push([{ k: 'other', text: exprText(it), line: it.line, col: it.col }, it]);
    }
  } else if (src?.k === 'dict') pairs.push(...src.entries);
  for (const k of v.kwargs) pairs.push([{ k: 'str', value: k.name, line: k.value.line, col: k.value.col }, k.value]);
  return pairs;
}

function sequentialFromCall(e: Extract<Expr, { k: 'call' }>, scope: Scope, notes: Note[], depth: number): ModuleResult {
  if (depth > 10) return { kind: 'unsupported', message: 'nn.Sequential nested too deeply' };
  const layers: Draft[] = [];
  const add = (r: ModuleResult, name: string | null, at: Expr): void => {
    if (r.kind === 'layer') layers.push(name === null ? r.layer : { ...r.layer, name });
    else if (r.kind === 'sequential') {
      notes.push({ line: at.line, message: `a Sequential inside a Sequential is flattened: its parameters are saved as "${name ?? '<index>'}.<i>.weight" in PyTorch, here each layer gets its own name`, severity: 'warning' });
      layers.push(...r.layers);
    } else if (r.kind === 'identity') notes.push({ line: at.line, message: `${exprText(at)} does nothing and is left out`, severity: 'warning' });
    else notes.push({ line: at.line, message: r.message, severity: 'error' });
  };
  const pairs = e.args.length === 1 && !e.starred ? orderedPairs(e.args[0], scope) : null;
  if (pairs) {
    // Python keeps one entry per key: the first one's place, the last one's value.
    const byKey = new Map<string, number>();
    for (let i = 0; i < pairs.length; i++) {
      const k = pairs[i][0];
      if (k.k !== 'str') continue;
      const first = byKey.get(k.value);
      if (first === undefined) byKey.set(k.value, i);
      else {
        notes.push({ line: k.line, message: `the name "${k.value}" appears twice: Python's OrderedDict keeps the later layer in the earlier place`, severity: 'warning' });
        pairs[first] = [pairs[first][0], pairs[i][1]];
        pairs.splice(i--, 1);
      }
    }
    for (const [k, v] of pairs) {
      if (k.k !== 'str') {
        notes.push({ line: k.line, message: `OrderedDict entry ${exprText(k)} is not a ("name", layer) pair`, severity: 'error' });
        continue;
      }
      add(moduleFromCall(v, scope, notes, depth + 1), k.value, v);
    }
    return { kind: 'sequential', layers, named: true };
  }
  let items = e.args;
  if (e.starred && e.args.length === 1 && e.args[0].k === 'other' && e.args[0].text.startsWith('*')) {
    // nn.Sequential(*layers) with `layers = [...]` bound in this text.
    const bound = scope.lookup(e.args[0].text.slice(1));
    if (bound && (bound.k === 'list' || bound.k === 'tuple')) items = bound.items;
    else {
      notes.push({ line: e.line, message: `nn.Sequential(${e.args[0].text}): the layers are built elsewhere; write them inside nn.Sequential(...) or as a list literal`, severity: 'error' });
      items = [];
    }
  }
  const origin: number[] = [];
  items.forEach((it, i) => {
    const before = layers.length;
    add(moduleFromCall(it, scope, notes, depth + 1), null, it);
    for (let j = before; j < layers.length; j++) origin.push(i);
  });
  // A left-out entry shifts PyTorch's index names: keep the original index as the name of the layers after it.
  const shifted = origin.some((o, j) => o !== j);
  if (shifted) {
    for (let j = 0; j < layers.length; j++) if (origin[j] !== j) layers[j].name = String(origin[j]);
  }
  return { kind: 'sequential', layers, named: shifted };
}

/** One step of a forward chain: the layer it applies (null: shape-preserving no-op) and the input expression. */
export type StepResult = { kind: 'step'; layer: Draft | null; input: Expr } | { kind: 'unsupported'; message: string };

const ACTIVATIONS: Record<string, 'Sigmoid' | 'ReLU' | 'Tanh'> = {
  'torch.sigmoid': 'Sigmoid', 'torch.nn.functional.sigmoid': 'Sigmoid', 'torch.special.expit': 'Sigmoid',
  'torch.relu': 'ReLU', 'torch.relu_': 'ReLU', 'torch.nn.functional.relu': 'ReLU', 'torch.nn.functional.relu_': 'ReLU',
  'torch.tanh': 'Tanh', 'torch.nn.functional.tanh': 'Tanh',
};
const METHOD_ACTIVATIONS: Record<string, 'Sigmoid' | 'ReLU' | 'Tanh'> = { sigmoid: 'Sigmoid', sigmoid_: 'Sigmoid', relu: 'ReLU', relu_: 'ReLU', tanh: 'Tanh', tanh_: 'Tanh' };
const NO_OPS = new Set(['float', 'contiguous', 'to', 'cpu', 'cuda', 'clone', 'type_as']);

function isBatchSize(e: Expr, scope: Scope): boolean {
  if (e.k === 'num') return e.value === -1;
  if (e.k === 'call' && e.fn.k === 'attr' && e.fn.name === 'size') return e.args.length === 1 && scope.number(e.args[0]) === 0;
  if (e.k === 'sub' && e.obj.k === 'attr' && e.obj.name === 'shape') return scope.number(e.index) === 0;
  if (e.k === 'call' && scope.qualify(e.fn) === 'len') return true;
  return e.k === 'name' && /batch/i.test(e.id);
}

/** view / reshape to [batch, features]: a Flatten. */
function reshapeStep(call: Extract<Expr, { k: 'call' }>, input: Expr, args: Expr[], scope: Scope, what: string): StepResult {
  const dims = args.length === 1 && (args[0].k === 'tuple' || args[0].k === 'list') ? args[0].items : args;
  if (dims.length === 2 && isBatchSize(dims[0], scope)) return { kind: 'step', layer: { type: 'Flatten', line: call.line }, input };
  return { kind: 'unsupported', message: `${what}(${dims.map((d) => exprText(d)).join(', ')}) is not a flatten to [batch, features]: only x.view(-1, N) / x.view(x.size(0), -1) translate (as Flatten)` };
}

/** A functional call or tensor method applied in forward. `selfTraining` tells `training=self.training`. */
export function stepFromCall(e: Expr, scope: Scope, notes: Note[]): StepResult {
  if (e.k !== 'call') return { kind: 'unsupported', message: `${exprText(e)} is not a call` };
  const what = exprText(e.fn);
  const line = e.line;
  const q = scope.qualify(e.fn);
  const first = arg(e, 0, 'input');
  if (q !== null && q in ACTIVATIONS) {
    if (!first) return { kind: 'unsupported', message: `${what}() has no input` };
    return { kind: 'step', layer: { type: ACTIVATIONS[q], line }, input: first };
  }
  switch (q) {
    case 'torch.softmax':
    case 'torch.nn.functional.softmax':
    case 'torch.log_softmax':
    case 'torch.nn.functional.log_softmax':
      if (!first) return { kind: 'unsupported', message: `${what}() has no input` };
      return { kind: 'step', layer: { type: q.endsWith('log_softmax') ? 'LogSoftmax' : 'Softmax', dim: softmaxDim(scope, e, 1, what, notes), line }, input: first };
    case 'torch.flatten': {
      if (!first) return { kind: 'unsupported', message: `${what}() has no input` };
      const s = intArg(scope, e, 1, 'start_dim', notes, what) ?? 0;
      const en = intArg(scope, e, 2, 'end_dim', notes, what) ?? -1;
      return { kind: 'step', layer: { type: 'Flatten', ...(s !== 1 ? { startDim: s } : {}), ...(en !== -1 ? { endDim: en } : {}), line }, input: first };
    }
    case 'torch.nn.functional.dropout':
    case 'torch.dropout': {
      if (!first) return { kind: 'unsupported', message: `${what}() has no input` };
      const pe = arg(e, 1, 'p');
      const p = pe === undefined ? 0.5 : scope.number(pe);
      const tr = arg(e, 2, q === 'torch.dropout' ? 'train' : 'training');
      const follows = tr !== undefined && tr.k === 'attr' && tr.name === 'training' && tr.obj.k === 'name' && tr.obj.id === 'self';
      if (tr !== undefined && scope.bool(tr) === false) return { kind: 'step', layer: null, input: first };
      if (!follows) notes.push({ line, message: `${what} without training=self.training drops units in eval mode too; the model file's Dropout, like nn.Dropout, is off in eval mode`, severity: 'warning' });
      if (p === null || p < 0 || p > 1) return { kind: 'unsupported', message: `${what}: p=${pe ? exprText(pe) : ''} is not a probability this text gives` };
      return { kind: 'step', layer: { type: 'Dropout', p, line }, input: first };
    }
    default:
      break;
  }
  // Tensor methods: x.relu(), x.view(-1, 784), x.softmax(dim=1), ...
  if (e.fn.k === 'attr') {
    const m = e.fn.name;
    const input = e.fn.obj;
    if (m in METHOD_ACTIVATIONS) return { kind: 'step', layer: { type: METHOD_ACTIVATIONS[m], line }, input };
    if (m === 'softmax' || m === 'log_softmax') return { kind: 'step', layer: { type: m === 'softmax' ? 'Softmax' : 'LogSoftmax', dim: softmaxDim(scope, e, 0, what, notes), line }, input };
    if (m === 'view' || m === 'reshape') return reshapeStep(e, input, e.args, scope, `.${m}`);
    if (m === 'flatten') {
      const s = intArg(scope, e, 0, 'start_dim', notes, what) ?? 0;
      const en = intArg(scope, e, 1, 'end_dim', notes, what) ?? -1;
      return { kind: 'step', layer: { type: 'Flatten', ...(s !== 1 ? { startDim: s } : {}), ...(en !== -1 ? { endDim: en } : {}), line }, input };
    }
    if (NO_OPS.has(m)) return { kind: 'step', layer: null, input };
  }
  return { kind: 'unsupported', message: `${exprText(e)} cannot be translated: a forward may apply layers, F.sigmoid/relu/tanh/softmax/log_softmax/dropout, torch.flatten and x.view(-1, N)` };
}
