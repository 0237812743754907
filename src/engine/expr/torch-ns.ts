/** The `torch` and `F` (torch.nn.functional) namespaces of inspector expressions. */
import { Tensor } from '../tensor';
import * as C from '../creation';
import * as V from '../ops/view';
import * as E from '../ops/elementwise';
import * as L from '../ops/linalg';
import * as N from '../ops/nnfunc';
import { manualSeed } from '../random';
import { ExpressionError } from './lexer';
import { Args, DTYPE_NAMES, hasFloat, shapeArgs, toIntList, toNested, toTensor, MAX_ELEMENTS } from './args';
import { Size } from '../shape';
import { TENSOR_METHODS } from './tensor-methods';
import { DTypeValue, Fn, Namespace, PyNum, Seq, Value } from './values';

/** torch.<name>(x, ...) for the Tensor methods that are also functions (`torch.sigmoid(z1)`). */
function asFunction(name: string): Fn {
  const m = TENSOR_METHODS[name];
  return new Fn(name, (args, kw) => {
    const [first, ...rest] = args;
    let input = first;
    if (input === undefined && kw.has('input')) {
      input = kw.get('input') as Value;
      kw = new Map([...kw].filter(([k]) => k !== 'input'));
    }
    if (input === undefined) throw new ExpressionError(`${name}() missing required argument: 'input'`);
    return m(toTensor(input, `${name}(): argument 'input'`), rest, kw);
  });
}

function tensorList(v: Value | undefined, fn: string): Tensor[] {
  if (!(v instanceof Seq)) throw new ExpressionError(`${fn}(): argument 'tensors' must be a tuple or list of Tensors`);
  return v.items.map((x, i) => toTensor(x, `${fn}(): tensors[${i}]`));
}

function sized(fn: string, make: (shape: number[], dtype?: ReturnType<Args['dtype']>) => Tensor): Fn {
  return new Fn(fn, (args, kw) => {
    const a = new Args(fn, [], kw, ['dtype', 'requires_grad']);
    const t = make(shapeArgs(fn, args), a.dtype('dtype'));
    if (a.bool('requires_grad', false)) t.requiresGrad = true;
    return t;
  });
}

const FUNCTIONS = [
  'sigmoid', 'tanh', 'relu', 'exp', 'log', 'sqrt', 'abs', 'neg', 'sum', 'mean', 'std', 'var', 'norm', 'max', 'min',
  'argmax', 'argmin', 'flatten', 'reshape', 'transpose', 'permute', 'unsqueeze', 'squeeze', 'clamp', 't', 'clone',
  'matmul', 'mm', 'add', 'sub', 'mul', 'div', 'pow', 'softmax', 'log_softmax', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
];

function checkCount(n: number, fn: string): void {
  if (!Number.isFinite(n)) throw new ExpressionError(`${fn}(): these arguments give no finite number of elements`);
  if (!(n <= MAX_ELEMENTS)) throw new ExpressionError(`${fn}(): refusing to make ${n.toLocaleString('en-US')} elements (the inspector's limit is ${MAX_ELEMENTS.toLocaleString('en-US')})`);
}

export function makeFunctional(): Namespace {
  const loss = (fn: string, f: (i: Tensor, t: Tensor, r: N.Reduction) => Tensor) =>
    new Fn(fn, (args, kw) => {
      const a = new Args(fn, args, kw, ['input', 'target', 'reduction']);
      const r = a.raw('reduction') ?? 'mean';
      if (typeof r !== 'string') throw new ExpressionError(`${fn}(): reduction must be a string`);
      return f(a.tensor('input'), a.tensor('target'), r as N.Reduction);
    });
  return new Namespace('torch.nn.functional', {
    sigmoid: asFunction('sigmoid'), tanh: asFunction('tanh'), relu: asFunction('relu'),
    softmax: asFunction('softmax'), log_softmax: asFunction('log_softmax'),
    cross_entropy: loss('cross_entropy', (i, t, reduction) => N.crossEntropy(i, t, { reduction })),
    nll_loss: loss('nll_loss', (i, t, reduction) => N.nllLoss(i, t, { reduction })),
    mse_loss: loss('mse_loss', (i, t, reduction) => N.mseLoss(i, t, { reduction })),
    linear: new Fn('linear', (args, kw) => {
      const a = new Args('linear', args, kw, ['input', 'weight', 'bias']);
      return L.linear(a.tensor('input'), a.tensor('weight'), a.has('bias') ? a.tensor('bias') : null);
    }),
    dropout: new Fn('dropout', (args, kw) => {
      const a = new Args('dropout', args, kw, ['input', 'p', 'training']);
      return N.dropout(a.tensor('input'), a.num('p', 0.5), a.bool('training', true));
    }),
  });
}

export function makeTorch(): Namespace {
  const members: Record<string, Value> = {};
  for (const f of FUNCTIONS) members[f] = asFunction(f);
  for (const [k, d] of Object.entries(DTYPE_NAMES)) members[k] = new DTypeValue(d);
  Object.assign(members, {
    tensor: new Fn('tensor', (args, kw) => {
      const a = new Args('tensor', args, kw, ['data', 'dtype', 'requires_grad']);
      const data = a.required('data');
      const nested = toNested(data, 'tensor()');
      const dtype = a.dtype('dtype') ?? (hasFloat(data) ? 'float32' : undefined);
      const t = C.tensor(nested as Parameters<typeof C.tensor>[0], { dtype });
      checkCount(t.numel(), 'tensor');
      if (a.bool('requires_grad', false)) t.requiresGrad = true;
      return t;
    }),
    zeros: sized('zeros', (s, dtype) => C.zeros(s, { dtype })),
    ones: sized('ones', (s, dtype) => C.ones(s, { dtype })),
    rand: sized('rand', (s, dtype) => C.rand(s, { dtype })),
    randn: sized('randn', (s, dtype) => C.randn(s, { dtype })),
    empty: sized('empty', (s, dtype) => C.zeros(s, { dtype })),
    zeros_like: new Fn('zeros_like', (args, kw) => C.zerosLike(new Args('zeros_like', args, kw, ['input']).tensor('input'))),
    ones_like: new Fn('ones_like', (args, kw) => C.onesLike(new Args('ones_like', args, kw, ['input']).tensor('input'))),
    full: new Fn('full', (args, kw) => {
      const a = new Args('full', args, kw, ['size', 'fill_value', 'dtype']);
      const v = a.required('fill_value');
      const shape = shapeArgs('full', [a.required('size')]);
      const isInt = v instanceof PyNum && v.isInt;
      return C.full(shape, typeof v === 'boolean' ? v : a.num('fill_value'), { dtype: a.dtype('dtype') ?? (isInt || typeof v === 'boolean' ? undefined : 'float32') });
    }),
    arange: new Fn('arange', (args, kw) => {
      const a = new Args('arange', args, kw, ['start', 'end', 'step', 'dtype']);
      const anyFloat = args.some((x) => x instanceof PyNum && !x.isInt);
      const [s, e] = a.has('end') ? [a.num('start'), a.num('end')] : [0, a.num('start')];
      const step = a.num('step', 1);
      if (step === 0) throw new ExpressionError('step must be nonzero');
      checkCount(Math.ceil((e - s) / step), 'arange');
      return C.arange(s, e, step, { dtype: a.dtype('dtype') ?? (anyFloat ? 'float32' : undefined) });
    }),
    linspace: new Fn('linspace', (args, kw) => {
      const a = new Args('linspace', args, kw, ['start', 'end', 'steps', 'dtype']);
      checkCount(a.int('steps'), 'linspace');
      return C.linspace(a.num('start'), a.num('end'), a.int('steps'), { dtype: a.dtype('dtype') });
    }),
    eye: new Fn('eye', (args, kw) => {
      const a = new Args('eye', args, kw, ['n', 'm', 'dtype']);
      const n = a.int('n');
      const m = a.int('m', n);
      checkCount(n * m, 'eye');
      return C.eye(n, m, { dtype: a.dtype('dtype') });
    }),
    randint: new Fn('randint', (args, kw) => {
      const a = args.length === 2 ? new Args('randint', [new PyNum(0, true), ...args], kw, ['low', 'high', 'size']) : new Args('randint', args, kw, ['low', 'high', 'size']);
      return C.randint(a.int('low'), a.int('high'), shapeArgs('randint', [a.required('size')]));
    }),
    randperm: new Fn('randperm', (args, kw) => {
      const n = new Args('randperm', args, kw, ['n']).int('n');
      checkCount(n, 'randperm');
      return C.randperm(n);
    }),
    manual_seed: new Fn('manual_seed', (args, kw) => {
      manualSeed(new Args('manual_seed', args, kw, ['seed']).int('seed'));
      return null;
    }),
    cat: new Fn('cat', (args, kw) => {
      const a = new Args('cat', args, kw, ['tensors', 'dim']);
      return V.cat(tensorList(a.raw('tensors'), 'cat'), a.int('dim', 0));
    }),
    stack: new Fn('stack', (args, kw) => {
      const a = new Args('stack', args, kw, ['tensors', 'dim']);
      return V.stack(tensorList(a.raw('tensors'), 'stack'), a.int('dim', 0));
    }),
    maximum: new Fn('maximum', (args, kw) => {
      const a = new Args('maximum', args, kw, ['input', 'other']);
      return E.maximum(a.tensor('input'), a.tensor('other'), 'max');
    }),
    minimum: new Fn('minimum', (args, kw) => {
      const a = new Args('minimum', args, kw, ['input', 'other']);
      return E.maximum(a.tensor('input'), a.tensor('other'), 'min');
    }),
    Size: new Fn('Size', (args, kw) => Size.make(toIntList(new Args('Size', args, kw, ['sizes']).raw('sizes') ?? new Seq([], true), 'Size()'))),
  });
  const nn = new Namespace('torch.nn', { functional: makeFunctional() });
  members.nn = nn;
  return new Namespace('torch', members);
}
