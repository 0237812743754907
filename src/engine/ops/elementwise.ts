/** Elementwise ops with broadcasting and their gradients (forward and backward side by side). */
import { Tensor, Operand } from '../tensor';
import { Bin, binaryKernel } from '../kernels/binary';
import { Un, unaryKernel, sigmoidBackward, tanhBackward, reluBackward } from '../kernels/unary';
import { record, needsGrad, isGradEnabled } from '../autograd';
import { DType, allocStorage, promoteTypes, promoteWithScalar, isFloating } from '../dtype';
import { broadcastShapes, broadcastStrides, contiguousStrides, numel, formatShape, sameShape } from '../shape';
import { sumToShape } from './reduce';
import { contiguousData, toDType } from './view';
import { wasmZero } from '../kernels/wasm';

function category(d: DType): number {
  return d === 'bool' ? 0 : isFloating(d) ? 2 : 1;
}

/** Result dtype of a binary op, with PyTorch's rule that a 0-dim tensor does not widen its own category. */
export function resultType(a: Tensor, b: Operand): DType {
  if (!(b instanceof Tensor)) return promoteWithScalar(a.dtype, b);
  if (a.ndim === 0 && b.ndim > 0 && category(a.dtype) <= category(b.dtype)) return b.dtype;
  if (b.ndim === 0 && a.ndim > 0 && category(b.dtype) <= category(a.dtype)) return a.dtype;
  return promoteTypes(a.dtype, b.dtype);
}

/** Raw broadcasting binary op (no graph). */
export function binaryRaw(op: Bin, a: Tensor, b: Operand, dtype: DType): Tensor {
  const bt = b instanceof Tensor ? b : null;
  const shape = bt ? broadcastShapes(a.shape, bt.shape) : a.shape.slice();
  const out = allocStorage(dtype, numel(shape));
  const bs = bt ? bt.storage : Float64Array.of(b as number);
  binaryKernel(
    op, shape, out, 0, contiguousStrides(shape),
    a.storage, a.offset, broadcastStrides(a.shape, a.strides, shape),
    bs, bt ? bt.offset : 0, bt ? broadcastStrides(bt.shape, bt.strides, shape) : new Array(shape.length).fill(0),
  );
  if (!isFloating(dtype) && (op === Bin.Pow || op === Bin.Div)) truncate(out);
  return new Tensor(out, shape, dtype);
}

function truncate(s: Float32Array | Float64Array): void {
  for (let i = 0; i < s.length; i++) s[i] = Math.trunc(s[i]);
}

/** The gradient for input `t`: broadcasting undone, cast back to t's dtype. */
function gradFor(g: Tensor, t: Tensor): Tensor {
  const r = sumToShape(g, t.shape);
  return r.dtype === t.dtype ? r : toDType(r, t.dtype);
}

function asTensor(b: Operand): Tensor | null {
  return b instanceof Tensor ? b : null;
}

export function add(a: Tensor, b: Operand): Tensor {
  const out = binaryRaw(Bin.Add, a, b, resultType(a, b));
  const bt = asTensor(b);
  if (!needsGrad(a, bt)) return out;
  return record(out, 'AddBackward0', [a, bt], (g) => [gradFor(g, a), bt ? gradFor(g, bt) : null]);
}

export function sub(a: Tensor, b: Operand): Tensor {
  const out = binaryRaw(Bin.Sub, a, b, resultType(a, b));
  const bt = asTensor(b);
  if (!needsGrad(a, bt)) return out;
  return record(out, 'SubBackward0', [a, bt], (g) => [gradFor(g, a), bt ? gradFor(neg(g), bt) : null]);
}

/** `s - a` for a Python scalar s (`1 - x`): RsubBackward1. */
export function rsub(a: Tensor, s: number): Tensor {
  const out = binaryRaw(Bin.RSub, a, s, resultType(a, s));
  if (!needsGrad(a)) return out;
  return record(out, 'RsubBackward1', [a], (g) => [gradFor(neg(g), a)]);
}

export function mul(a: Tensor, b: Operand): Tensor {
  const out = binaryRaw(Bin.Mul, a, b, resultType(a, b));
  const bt = asTensor(b);
  if (!needsGrad(a, bt)) return out;
  return record(out, 'MulBackward0', [a, bt], (g) => [
    a.requiresGrad ? gradFor(mul(g, b), a) : null,
    bt && bt.requiresGrad ? gradFor(mul(g, a), bt) : null,
  ]);
}

export function div(a: Tensor, b: Operand): Tensor {
  let dtype = resultType(a, b);
  if (!isFloating(dtype)) dtype = 'float32';
  const out = binaryRaw(Bin.Div, a, b, dtype);
  const bt = asTensor(b);
  if (!needsGrad(a, bt)) return out;
  return record(out, 'DivBackward0', [a, bt], (g) => [
    a.requiresGrad ? gradFor(div(g, b), a) : null,
    bt && bt.requiresGrad ? gradFor(neg(div(mul(g, a), mul(bt, bt))), bt) : null,
  ]);
}

/** 1 / a (ReciprocalBackward0); `s / x` in Python is `x.reciprocal() * s`. */
export function reciprocal(a: Tensor): Tensor {
  const out = unaryRaw(Un.Reciprocal, a, isFloating(a.dtype) ? a.dtype : 'float32');
  if (!needsGrad(a)) return out;
  return record(out, 'ReciprocalBackward0', [a], (g) => [neg(mul(g, mul(out, out)))]);
}

export function pow(a: Tensor, b: Operand): Tensor {
  const out = binaryRaw(Bin.Pow, a, b, resultType(a, b));
  const bt = asTensor(b);
  if (!needsGrad(a, bt)) return out;
  if (bt === null) {
    const e = b as number;
    return record(out, 'PowBackward0', [a], (g) => [e === 0 ? mul(g, 0) : mul(mul(g, e), pow(a, e - 1))]);
  }
  return record(out, 'PowBackward1', [a, bt], (g) => [
    a.requiresGrad ? gradFor(mul(mul(g, bt), pow(a, sub(bt, 1))), a) : null,
    bt.requiresGrad ? gradFor(mul(g, mul(out, logSafe(a, bt))), bt) : null,
  ]);
}

/** `s ** x` for a Python scalar base (PowBackward1 on the exponent). */
export function rpow(s: number, x: Tensor): Tensor {
  const base = new Tensor(Float64Array.of(s), [], x.dtype === 'float64' ? 'float64' : isFloating(x.dtype) ? x.dtype : 'float32');
  const out = binaryRaw(Bin.Pow, base, x, isFloating(x.dtype) ? x.dtype : promoteWithScalar(x.dtype, s));
  if (!needsGrad(x)) return out;
  return record(out, 'PowBackward1', [x], (g) => [mul(mul(g, out), Math.log(s))]);
}

/** log(a) where it matters for d(a^b)/db; 0 where a == 0 and b >= 0 (as PyTorch masks it). */
function logSafe(a: Tensor, b: Tensor): Tensor {
  const l = log(a);
  const mask = binaryRaw(Bin.Eq, a, 0, 'bool');
  const bpos = binaryRaw(Bin.Ge, b, 0, 'bool');
  const m = binaryRaw(Bin.Mul, mask, bpos, 'float32');
  return binaryRaw(Bin.Mul, l, binaryRaw(Bin.RSub, m, 1, 'float32'), l.dtype);
}

function unaryRaw(op: Un, a: Tensor, dtype: DType, lo = NaN, hi = NaN): Tensor {
  const n = a.numel();
  const out = allocStorage(dtype, n);
  const src = a.isContiguous() ? a.storage : contiguousData(a);
  unaryKernel(op, n, out, src, a.isContiguous() ? a.offset : 0, lo, hi);
  return new Tensor(out, a.shape, dtype);
}

/** Float ops on integer tensors give float32, as in PyTorch. */
function floatType(a: Tensor): DType {
  return isFloating(a.dtype) ? a.dtype : 'float32';
}

export function neg(a: Tensor): Tensor {
  if (a.dtype === 'bool') {
    throw new TypeError('Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.');
  }
  const out = unaryRaw(Un.Neg, a, a.dtype);
  if (!needsGrad(a)) return out;
  return record(out, 'NegBackward0', [a], (g) => [neg(g)]);
}

export function exp(a: Tensor): Tensor {
  const out = unaryRaw(Un.Exp, a, floatType(a));
  if (!needsGrad(a)) return out;
  return record(out, 'ExpBackward0', [a], (g) => [mul(g, out)]);
}

export function log(a: Tensor): Tensor {
  const out = unaryRaw(Un.Log, a, floatType(a));
  if (!needsGrad(a)) return out;
  return record(out, 'LogBackward0', [a], (g) => [div(g, a)]);
}

export function sqrt(a: Tensor): Tensor {
  const out = unaryRaw(Un.Sqrt, a, floatType(a));
  if (!needsGrad(a)) return out;
  return record(out, 'SqrtBackward0', [a], (g) => [div(g, mul(out, 2))]);
}

export function abs(a: Tensor): Tensor {
  const out = unaryRaw(Un.Abs, a, a.dtype);
  if (!needsGrad(a)) return out;
  return record(out, 'AbsBackward0', [a], (g) => [mul(g, unaryRaw(Un.Sign, a, a.dtype))]);
}

export function clamp(a: Tensor, min?: number | null, max?: number | null): Tensor {
  if (min == null && max == null) throw new TypeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  const lo = min ?? NaN;
  const hi = max ?? NaN;
  const fractional = (min != null && !Number.isInteger(min)) || (max != null && !Number.isInteger(max));
  const dtype = !isFloating(a.dtype) && fractional ? 'float32' : a.dtype;
  const out = unaryRaw(Un.Clamp, a, dtype, lo, hi);
  if (!needsGrad(a)) return out;
  return record(out, 'ClampBackward1', [a], (g) => {
    let m = min != null ? binaryRaw(Bin.Ge, a, min, 'float32') : null;
    if (max != null) {
      const mx = binaryRaw(Bin.Le, a, max, 'float32');
      m = m ? binaryRaw(Bin.Mul, m, mx, 'float32') : mx;
    }
    return [binaryRaw(Bin.Mul, g, m as Tensor, g.dtype)];
  });
}

type ActKernel = (n: number, out: Float32Array | Float64Array, g: Float32Array | Float64Array, gOff: number,
  y: Float32Array | Float64Array, yOff: number) => void;

function activation(a: Tensor, op: Un, name: string, backward: ActKernel, dtype: DType): Tensor {
  const out = unaryRaw(op, a, dtype);
  if (!needsGrad(a)) return out;
  return record(out, name, [a], (g) => {
    const n = g.numel();
    const dx = allocStorage(g.dtype, n);
    const gc = g.isContiguous() ? g : new Tensor(contiguousData(g), g.shape, g.dtype);
    backward(n, dx, gc.storage, gc.offset, out.storage, 0);
    return [new Tensor(dx, g.shape, g.dtype)];
  });
}

export function sigmoid(a: Tensor): Tensor {
  return activation(a, Un.Sigmoid, 'SigmoidBackward0', sigmoidBackward, floatType(a));
}
export function tanh(a: Tensor): Tensor {
  return activation(a, Un.Tanh, 'TanhBackward0', tanhBackward, floatType(a));
}
export function relu(a: Tensor): Tensor {
  if (a.dtype === 'bool') throw new TypeError('"clamp_min_cpu" not implemented for \'Bool\'');
  return activation(a, Un.Relu, 'ReluBackward0', reluBackward, a.dtype);
}

const COMPARE = { eq: Bin.Eq, ne: Bin.Ne, lt: Bin.Lt, le: Bin.Le, gt: Bin.Gt, ge: Bin.Ge } as const;

/** Comparisons give bool tensors and no gradient. */
export function compare(a: Tensor, b: Operand, op: keyof typeof COMPARE): Tensor {
  return binaryRaw(COMPARE[op], a, b, 'bool');
}

/** torch.maximum / torch.minimum (NaN-propagating), MaximumBackward0 / MinimumBackward0. */
export function maximum(a: Tensor, b: Tensor, which: 'max' | 'min' = 'max'): Tensor {
  const out = binaryRaw(which === 'max' ? Bin.Max : Bin.Min, a, b, resultType(a, b));
  if (!needsGrad(a, b)) return out;
  const name = which === 'max' ? 'MaximumBackward0' : 'MinimumBackward0';
  return record(out, name, [a, b], (g) => {
    const wins = binaryRaw(which === 'max' ? Bin.Gt : Bin.Lt, a, b, 'float32');
    const ties = binaryRaw(Bin.Eq, a, b, 'float32');
    const wa = binaryRaw(Bin.Add, wins, binaryRaw(Bin.Mul, ties, 0.5, 'float32'), 'float32');
    const wb = binaryRaw(Bin.RSub, wa, 1, 'float32');
    return [gradFor(mul(g, wa), a), gradFor(mul(g, wb), b)];
  });
}

export type InPlaceOp = 'add' | 'mul' | 'div' | 'copy';

/** `t.add_(o, alpha)`, `mul_`, `div_`, `copy_`, `fill_`: writes through t's strides into its storage. */
export function inPlace(t: Tensor, o: Operand, op: InPlaceOp, alpha: number): void {
  if (isGradEnabled() && t.requiresGrad) {
    throw new Error(
      t.isLeaf
        ? 'a leaf Variable that requires grad is being used in an in-place operation.'
        : 'in-place operations on tensors that are part of an autograd graph are not supported',
    );
  }
  const ot = asTensor(o);
  if (ot) {
    const shape = broadcastShapes(t.shape, ot.shape);
    if (!sameShape(shape, t.shape)) {
      throw new RangeError(`output with shape ${formatShape(t.shape)} doesn't match the broadcast shape ${formatShape(shape)}`);
    }
  }
  const rt = op === 'copy' ? t.dtype : op === 'div' && !isFloating(t.dtype) ? 'float32' : resultType(t, o);
  if (promoteTypes(rt, t.dtype) !== t.dtype) {
    throw new TypeError(`result type ${torchName(rt)} can't be cast to the desired output type ${torchName(t.dtype)}`);
  }
  if (isFloating(t.dtype) && t.isContiguous() && (ot === null || (ot.isContiguous() && sameShape(ot.shape, t.shape)))) {
    inPlaceFlat(t, ot ?? (o as number), op, alpha);
    return;
  }
  const bin = op === 'add' ? Bin.Add : op === 'mul' ? Bin.Mul : op === 'div' ? Bin.Div : Bin.Copy;
  const bs = ot ? ot.storage : Float64Array.of(o as number);
  binaryKernel(
    bin, t.shape, t.storage, t.offset, t.strides, t.storage, t.offset, t.strides,
    bs, ot ? ot.offset : 0, ot ? broadcastStrides(ot.shape, ot.strides, t.shape) : new Array(t.ndim).fill(0), alpha,
  );
  if (!isFloating(t.dtype)) fixIntegers(t);
}

/** The common case of an in-place op (zero_grad, gradient accumulation, optimiser buffers): flat loops. */
function inPlaceFlat(t: Tensor, o: Tensor | number, op: InPlaceOp, alpha: number): void {
  const w = t.storage;
  const n = t.numel();
  const a = t.offset;
  if (typeof o === 'number') {
    if (op === 'copy') {
      if (!Object.is(o, 0) || !wasmZero(w, a, n, t.shape[t.ndim - 1] ?? n)) w.fill(o, a, a + n); // +0 only: memory.fill writes +0
    }
    else if (op === 'add') for (let i = 0; i < n; i++) w[a + i] += alpha * o;
    else if (op === 'mul') for (let i = 0; i < n; i++) w[a + i] *= o;
    else for (let i = 0; i < n; i++) w[a + i] /= o;
    return;
  }
  const s = o.storage;
  const b = o.offset;
  if (op === 'copy') {
    if (s instanceof Float32Array === w instanceof Float32Array) w.set(s.subarray(b, b + n), a);
    else for (let i = 0; i < n; i++) w[a + i] = s[b + i];
  } else if (op === 'add') {
    if (alpha === 1) for (let i = 0; i < n; i++) w[a + i] += s[b + i];
    else for (let i = 0; i < n; i++) w[a + i] += alpha * s[b + i];
  } else if (op === 'mul') for (let i = 0; i < n; i++) w[a + i] *= s[b + i];
  else for (let i = 0; i < n; i++) w[a + i] /= s[b + i];
}

function torchName(d: DType): string {
  return { float32: 'Float', float64: 'Double', int64: 'Long', uint8: 'Byte', bool: 'Bool' }[d];
}

/** After an in-place op on an integer tensor, restore integer values (truncation, uint8 wrap, bool). */
function fixIntegers(t: Tensor): void {
  const idx = new Array<number>(t.ndim).fill(0);
  const n = t.numel();
  for (let k = 0; k < n; k++) {
    let off = t.offset;
    for (let d = 0; d < t.ndim; d++) off += idx[d] * t.strides[d];
    const v = t.storage[off];
    t.storage[off] = t.dtype === 'bool' ? (v !== 0 ? 1 : 0) : t.dtype === 'uint8' ? ((Math.trunc(v) % 256) + 256) % 256 : Math.trunc(v);
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++idx[d] < t.shape[d]) break;
      idx[d] = 0;
    }
  }
}

