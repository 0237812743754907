/** Tensor attributes and methods reachable from an inspector expression (`W1.weight.view(28, 28).T`). */
import { Tensor } from '../tensor';
import * as V from '../ops/view';
import * as E from '../ops/elementwise';
import * as R from '../ops/reduce';
import { ExpressionError } from './lexer';
import { Args, MAX_LIST_ELEMENTS, shapeArgs, toIntList, toNum, toTensor } from './args';
import { DTypeValue, Fn, NamedTuple, PyNum, Seq, Value } from './values';

type Method = (t: Tensor, args: Value[], kw: Map<string, Value>) => Value;

function operand(v: Value, what: string): Tensor | number {
  if (v instanceof Tensor) return v;
  return toNum(v, what);
}

function pyNumber(t: Tensor): PyNum | boolean {
  const v = t.item();
  if (t.dtype === 'bool') return v !== 0;
  return new PyNum(v, !(t.dtype === 'float32' || t.dtype === 'float64'));
}

function toPyList(t: Tensor): Value {
  if (t.ndim === 0) return pyNumber(t);
  const out: Value[] = [];
  for (let i = 0; i < t.shape[0]; i++) out.push(toPyList(V.select(t.detach(), 0, i)));
  return new Seq(out, false);
}

function reduction(kind: 'max' | 'min'): Method {
  return (t, a, kw) => {
    const args = new Args(kind, a, kw, ['dim', 'keepdim']);
    if (!args.has('dim')) return R.maxAll(t, kind);
    const r = R.maxDim(t, args.int('dim'), args.bool('keepdim', false), kind);
    return new NamedTuple(`torch.return_types.${kind}`, [['values', r.values], ['indices', r.indices]]);
  };
}

const unary = (f: (t: Tensor) => Tensor): Method => (t, a, kw) => {
  new Args('method', a, kw, []);
  return f(t);
};

const binary = (name: string, f: (t: Tensor, o: Tensor | number) => Tensor): Method => (t, a, kw) => {
  const args = new Args(name, a, kw, ['other']);
  return f(t, operand(args.required('other'), `${name}(): argument 'other'`));
};

const compare = (op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'): Method => binary(op, (t, o) => E.compare(t, o, op));

export const TENSOR_METHODS: Record<string, Method> = {
  size: (t, a, kw) => {
    const args = new Args('size', a, kw, ['dim']);
    return args.has('dim') ? new PyNum(t.size(args.int('dim')), true) : t.shape;
  },
  dim: (t) => new PyNum(t.ndim, true),
  numel: (t) => new PyNum(t.numel(), true),
  item: (t) => pyNumber(t),
  tolist: (t) => {
    const n = t.numel();
    if (n > MAX_LIST_ELEMENTS) throw new ExpressionError(`tolist(): refusing to make a list of ${n.toLocaleString('en-US')} numbers (the inspector's limit is ${MAX_LIST_ELEMENTS.toLocaleString('en-US')}): take a part first, e.g. t[:10].tolist()`);
    return toPyList(t);
  },
  view: (t, a) => V.view(t, shapeArgs('view', a)),
  reshape: (t, a) => V.reshape(t, shapeArgs('reshape', a)),
  flatten: (t, a, kw) => {
    const args = new Args('flatten', a, kw, ['start_dim', 'end_dim']);
    return V.flatten(t, args.int('start_dim', 0), args.int('end_dim', -1));
  },
  unsqueeze: (t, a, kw) => V.unsqueeze(t, new Args('unsqueeze', a, kw, ['dim']).int('dim')),
  squeeze: (t, a, kw) => {
    const args = new Args('squeeze', a, kw, ['dim']);
    return V.squeeze(t, args.has('dim') ? args.int('dim') : undefined);
  },
  t: (t) => V.t(t),
  transpose: (t, a, kw) => {
    const args = new Args('transpose', a, kw, ['dim0', 'dim1']);
    return V.transpose(t, args.int('dim0'), args.int('dim1'));
  },
  permute: (t, a) => V.permute(t, a.length === 1 ? toIntList(a[0], 'permute(): dims') : a.map((x, i) => toIntList(x, `permute(): dims[${i}]`)[0])),
  contiguous: unary(V.contiguous),
  clone: unary(V.clone),
  detach: unary(V.detach),
  float: unary((t) => V.toDType(t, 'float32')),
  double: unary((t) => V.toDType(t, 'float64')),
  long: unary((t) => V.toDType(t, 'int64')),
  to: (t, a, kw) => {
    const args = new Args('to', a, kw, ['dtype']);
    const d = args.dtype('dtype');
    if (!d) throw new ExpressionError('to(): expected a dtype such as torch.float64');
    return V.toDType(t, d);
  },
  sum: (t, a, kw) => {
    const args = new Args('sum', a, kw, ['dim', 'keepdim', 'dtype']);
    return R.sum(t, args.dims('dim'), args.bool('keepdim', false));
  },
  mean: (t, a, kw) => {
    const args = new Args('mean', a, kw, ['dim', 'keepdim']);
    return R.mean(t, args.dims('dim'), args.bool('keepdim', false));
  },
  std: (t, a, kw) => {
    const args = new Args('std', a, kw, ['dim', 'unbiased', 'keepdim', 'correction']);
    return R.std(t, args.dims('dim'), varOpts(args));
  },
  var: (t, a, kw) => {
    const args = new Args('var', a, kw, ['dim', 'unbiased', 'keepdim', 'correction']);
    return R.variance(t, args.dims('dim'), varOpts(args));
  },
  norm: (t, a, kw) => {
    const args = new Args('norm', a, kw, ['p', 'dim', 'keepdim']);
    const p = args.raw('p');
    const pv = typeof p === 'string' ? (p === 'fro' ? 2 : NaN) : args.num('p', 2);
    return R.norm(t, pv, args.dims('dim'), args.bool('keepdim', false));
  },
  max: reduction('max'),
  min: reduction('min'),
  argmax: (t, a, kw) => {
    const args = new Args('argmax', a, kw, ['dim', 'keepdim']);
    return R.argmax(t, args.has('dim') ? args.int('dim') : null, args.bool('keepdim', false), 'max');
  },
  argmin: (t, a, kw) => {
    const args = new Args('argmin', a, kw, ['dim', 'keepdim']);
    return R.argmax(t, args.has('dim') ? args.int('dim') : null, args.bool('keepdim', false), 'min');
  },
  abs: unary(E.abs),
  exp: unary(E.exp),
  log: unary(E.log),
  sqrt: unary(E.sqrt),
  neg: unary(E.neg),
  sigmoid: unary(E.sigmoid),
  tanh: unary(E.tanh),
  relu: unary(E.relu),
  softmax: (t, a, kw) => t.softmax(new Args('softmax', a, kw, ['dim']).int('dim')),
  log_softmax: (t, a, kw) => t.logSoftmax(new Args('log_softmax', a, kw, ['dim']).int('dim')),
  matmul: (t, a, kw) => t.matmul(new Args('matmul', a, kw, ['other']).tensor('other')),
  mm: (t, a, kw) => t.mm(new Args('mm', a, kw, ['mat2']).tensor('mat2')),
  add: binary('add', E.add),
  sub: binary('sub', E.sub),
  mul: binary('mul', E.mul),
  div: binary('div', E.div),
  pow: binary('pow', E.pow),
  clamp: (t, a, kw) => {
    const args = new Args('clamp', a, kw, ['min', 'max']);
    return E.clamp(t, args.optNum('min'), args.optNum('max'));
  },
  eq: compare('eq'), ne: compare('ne'), lt: compare('lt'), le: compare('le'), gt: compare('gt'), ge: compare('ge'),
  expand: (t, a) => V.expand(t, shapeArgs('expand', a)),
};

function varOpts(args: Args): { correction?: number; unbiased?: boolean; keepdim?: boolean } {
  return {
    correction: args.has('correction') ? args.int('correction') : undefined,
    unbiased: args.has('unbiased') ? args.bool('unbiased', true) : undefined,
    keepdim: args.bool('keepdim', false),
  };
}

/** `t.<name>`: an attribute value, or a bound method. */
export function tensorAttr(t: Tensor, name: string): Value {
  switch (name) {
    case 'shape': return t.shape;
    case 'T': return t.T;
    case 'mT': return t.ndim < 2 ? t : V.transpose(t, -2, -1);
    case 'grad': return t.grad;
    case 'data': return t.data;
    case 'dtype': return new DTypeValue(t.dtype);
    case 'ndim': return new PyNum(t.ndim, true);
    case 'requires_grad': return t.requiresGrad;
    case 'is_leaf': return t.isLeaf;
    case 'grad_fn': return t.gradFn;
    case 'device': return 'cpu';
  }
  const m = TENSOR_METHODS[name];
  if (!m) throw new ExpressionError(`'${t.isParameter ? 'Parameter' : 'Tensor'}' object has no attribute '${name}'`);
  return new Fn(name, (args, kw) => m(t, args, kw));
}

export { toTensor };
