/**
 * The training settings a PyTorch script states, read into the model file's `train` and `init`: the loss
 * (`nn.CrossEntropyLoss()`), the optimiser (`optim.SGD(..., lr=0.1, momentum=0.9)`), `torch.manual_seed(N)`,
 * the DataLoader's batch_size and shuffle, `for epoch in range(N)`, and the dataset (MNIST / FashionMNIST).
 */
import type { DatasetName, LossType, OptimizerSpec } from '../model/spec';
import { exprText, type Expr, type Stmt } from './py/ast';
import type { Scope } from './py/scope';
import { arg, type Note } from './import-layers';

export interface TrainHints {
  loss?: { value: LossType; line: number; onProbabilities?: boolean };
  optimizer?: OptimizerSpec;
  seed?: number;
  batchSize?: number;
  shuffle?: boolean;
  epochs?: number;
  dataset?: DatasetName;
}

const LOSSES: Record<string, LossType> = {
  'torch.nn.CrossEntropyLoss': 'cross_entropy',
  'torch.nn.functional.cross_entropy': 'cross_entropy',
  'torch.nn.NLLLoss': 'nll_loss',
  'torch.nn.functional.nll_loss': 'nll_loss',
  'torch.nn.MSELoss': 'mse_loss',
  'torch.nn.functional.mse_loss': 'mse_loss',
};

function visitCalls(e: Expr, f: (c: Extract<Expr, { k: 'call' }>) => void, depth = 0): void {
  if (depth > 60) return;
  const v = (x: Expr): void => visitCalls(x, f, depth + 1);
  switch (e.k) {
    case 'call':
      f(e);
      v(e.fn);
      e.args.forEach(v);
      e.kwargs.forEach((k) => v(k.value));
      return;
    case 'attr':
      return v(e.obj);
    case 'sub':
      v(e.obj);
      return v(e.index);
    case 'tuple':
    case 'list':
      return e.items.forEach(v);
    case 'dict':
      return e.entries.forEach(([a, b]) => (v(a), v(b)));
    case 'binop':
      v(e.a);
      return v(e.b);
    case 'unary':
      return v(e.a);
    default:
      return;
  }
}

function stmtExprs(s: Stmt): Expr[] {
  switch (s.k) {
    case 'assign':
      return [...s.targets, s.value];
    case 'augassign':
      return [s.value];
    case 'return':
      return s.value ? [s.value] : [];
    case 'expr':
      return [s.value];
    case 'for':
      return [s.iter];
    case 'block':
      return s.header ? [s.header] : [];
    default:
      return [];
  }
}

/** Reads the hints from every statement (classes and functions included). */
export function readTrainHints(body: Stmt[], scope: Scope, notes: Note[]): TrainHints {
  const h: TrainHints = {};
  const loaders: { batchSize?: number; shuffle?: boolean }[] = [];
  const num = (e: Expr | undefined): number | undefined => {
    const n = e === undefined ? null : scope.number(e);
    return n === null ? undefined : n;
  };
  const onCall = (c: Extract<Expr, { k: 'call' }>): void => {
    const q = scope.qualify(c.fn) ?? '';
    if (q in LOSSES) {
      if (!h.loss) h.loss = { value: LOSSES[q], line: c.line };
      else if (h.loss.value !== LOSSES[q]) notes.push({ line: c.line, message: `a second loss (${exprText(c.fn)}): the model file keeps the first, ${h.loss.value} (line ${h.loss.line})`, severity: 'warning' });
    } else if (q === 'torch.optim.SGD' || q === 'torch.optim.Adam') {
      if (h.optimizer) return;
      const lr = num(arg(c, 1, 'lr'));
      const wd = num(c.kwargs.find((k) => k.name === 'weight_decay')?.value);
      if (q === 'torch.optim.SGD') {
        const o: OptimizerSpec = { type: 'sgd', lr: lr ?? 0.1, momentum: num(arg(c, 2, 'momentum')) ?? 0 };
        const damp = num(c.kwargs.find((k) => k.name === 'dampening')?.value);
        if (damp) o.dampening = damp;
        const nest = c.kwargs.find((k) => k.name === 'nesterov');
        if (nest && scope.bool(nest.value)) o.nesterov = true;
        if (wd) o.weightDecay = wd;
        if (lr === undefined) notes.push({ line: c.line, message: `${exprText(c.fn)} without a literal lr: the model file uses lr 0.1`, severity: 'warning' });
        h.optimizer = o;
      } else {
        const o: OptimizerSpec = { type: 'adam', lr: lr ?? 0.001 };
        const betas = c.kwargs.find((k) => k.name === 'betas')?.value;
        if (betas && betas.k === 'tuple' && betas.items.length === 2) {
          const b = betas.items.map((x) => scope.number(x));
          if (b[0] !== null && b[1] !== null) o.betas = [b[0], b[1]];
        }
        const eps = num(c.kwargs.find((k) => k.name === 'eps')?.value);
        if (eps !== undefined) o.eps = eps;
        if (wd) o.weightDecay = wd;
        h.optimizer = o;
      }
    } else if (/^torch\.optim\.[A-Z]/.test(q)) {
      notes.push({ line: c.line, message: `${exprText(c.fn)} is not supported (SGD or Adam): the model file uses SGD`, severity: 'warning' });
    } else if (q === 'torch.manual_seed' && h.seed === undefined) {
      const s = num(c.args[0]);
      if (s !== undefined && Number.isSafeInteger(s) && s >= 0) h.seed = s;
    } else if (q.endsWith('DataLoader')) {
      const bs = num(arg(c, 1, 'batch_size'));
      const sh = c.kwargs.find((k) => k.name === 'shuffle');
      loaders.push({ batchSize: bs, shuffle: sh ? (scope.bool(sh.value) ?? undefined) : false });
    } else if (/FashionMNIST$/.test(q)) h.dataset = 'fashion-mnist';
    else if (/(^|\.)MNIST$/.test(q) && !h.dataset) h.dataset = 'mnist';
  };
  const walk = (stmts: Stmt[], depth: number): void => {
    if (depth > 20) return;
    for (const s of stmts) {
      for (const e of stmtExprs(s)) visitCalls(e, onCall);
      if (s.k === 'for' && s.target.k === 'name' && /epoch/i.test(s.target.id) && s.iter.k === 'call' && scope.qualify(s.iter.fn) === 'range' && h.epochs === undefined) {
        const a = s.iter.args.map((x) => scope.number(x));
        const n = a.length === 1 ? a[0] : a.length >= 2 && a[0] !== null && a[1] !== null ? a[1] - a[0] : null;
        if (n !== null && Number.isSafeInteger(n) && n > 0) h.epochs = n;
      }
      if ('body' in s) walk(s.body, depth + 1);
    }
  };
  walk(body, 0);
  const train = loaders.find((l) => l.shuffle) ?? loaders[0];
  if (train?.batchSize !== undefined && Number.isSafeInteger(train.batchSize) && train.batchSize > 0) h.batchSize = train.batchSize;
  if (train?.shuffle !== undefined) h.shuffle = train.shuffle;
  return h;
}
