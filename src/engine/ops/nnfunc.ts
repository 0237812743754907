/** torch.nn.functional: softmax, log_softmax, cross_entropy (fused), nll_loss, mse_loss, dropout. */
import { Tensor } from '../tensor';
import { record, needsGrad } from '../autograd';
import { allocStorage, isFloating } from '../dtype';
import { normDim, numel, formatShape, sameShape } from '../shape';
import { softmaxKernel, softmaxBackwardKernel } from '../kernels/softmax';
import { Generator, defaultGenerator } from '../random';
import { contiguousData, permute } from './view';
import { mul, sub } from './elementwise';
import { sumToShape } from './reduce';

function axis(t: Tensor, dim: number): { outer: number; size: number; inner: number } {
  const d = normDim(dim, t.ndim);
  if (t.ndim === 0) return { outer: 1, size: 1, inner: 1 };
  return { outer: numel(t.shape.slice(0, d)), size: t.shape[d], inner: numel(t.shape.slice(d + 1)) };
}

function softmaxImpl(t: Tensor, dim: number, log: boolean): Tensor {
  if (!isFloating(t.dtype)) {
    throw new TypeError(`"${log ? 'log_softmax' : 'softmax'}_lastdim_kernel_impl" not implemented for 'Long'`);
  }
  const { outer, size, inner } = axis(t, dim);
  const x = contiguousData(t);
  const out = allocStorage(t.dtype, x.length);
  softmaxKernel(x, 0, out, outer, size, inner, log);
  const y = new Tensor(out, t.shape, t.dtype);
  if (!needsGrad(t)) return y;
  return record(y, log ? 'LogSoftmaxBackward0' : 'SoftmaxBackward0', [t], (g) => {
    const gc = contiguousData(g);
    const dx = allocStorage(g.dtype, gc.length);
    softmaxBackwardKernel(gc, 0, out, dx, outer, size, inner, log);
    return [new Tensor(dx, t.shape, g.dtype)];
  });
}

/** F.softmax(x, dim). */
export function softmax(t: Tensor, dim: number): Tensor {
  return softmaxImpl(t, dim, false);
}

/** F.log_softmax(x, dim). */
export function logSoftmax(t: Tensor, dim: number): Tensor {
  return softmaxImpl(t, dim, true);
}

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
  ignoreIndex?: number;
}

function checkReduction(r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new RangeError(`${r} is not a valid value for reduction`);
  return r;
}

/** Rows of class scores [n, C] from input [N, C, d1, ...] (or [C]), with the flattened targets. */
function classRows(input: Tensor, target: Tensor, op: string): { rows: Float32Array | Float64Array; n: number; C: number; t: Float32Array | Float64Array } {
  if (target.dtype !== 'int64' && target.dtype !== 'uint8') {
    throw new TypeError(`expected scalar type Long but found ${target.dtype === 'float64' ? 'Double' : 'Float'}`);
  }
  if (input.ndim === 0) throw new RangeError(`${op}: input must have at least 1 dimension`);
  const unbatched = input.ndim === 1;
  const C = unbatched ? input.shape[0] : input.shape[1];
  const expected = unbatched ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(
      input.ndim === 2
        ? `Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.numel() === 0 ? 0 : target.shape[0] ?? 1}).`
        : `${op}: expected target of shape ${formatShape(expected)} for input of shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  const moved = input.ndim > 2 ? permute(input, [0, ...input.shape.slice(2).map((_, i) => i + 2), 1], true) : input;
  return { rows: contiguousData(moved), n: numel(expected), C, t: contiguousData(target) };
}

/**
 * F.cross_entropy(input, target): log_softmax + nll_loss fused (one pass, stable), grad_fn NllLossBackward0.
 * Targets are class indices (int64) in [0, C) or ignoreIndex (default -100).
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  return negativeLogLikelihood(input, target, opts, 'cross_entropy');
}

/**
 * The loss both cross_entropy and nll_loss are: -logp[i, target[i]] over the rows, reduced. For cross_entropy
 * logp is log_softmax(input) (computed here, fused), for nll_loss the input itself; the gradient differs to match.
 */
function negativeLogLikelihood(input: Tensor, target: Tensor, opts: LossOptions, op: 'cross_entropy' | 'nll_loss'): Tensor {
  const reduction = checkReduction(opts.reduction ?? 'mean');
  const ignore = opts.ignoreIndex ?? -100;
  const { rows, n, C, t } = classRows(input, target, op);
  const fused = op === 'cross_entropy';
  let logp: Float32Array | Float64Array = rows;
  if (fused) {
    logp = allocStorage('float64', n * C);
    softmaxKernel(rows, 0, logp, n, C, 1, true);
  }
  const losses = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const k = t[i];
    if (k === ignore) continue;
    if (!Number.isInteger(k) || k < 0 || k >= C) throw new RangeError(`Target ${k} is out of bounds.`);
    losses[i] = -logp[i * C + k];
    count++;
  }
  const out = reduce(losses, reduction, count, input.dtype, target.shape);
  if (!needsGrad(input)) return out;
  return record(out, nllName(input, reduction), [input], (g) => {
    const gv = contiguousData(g);
    const grad = allocStorage(input.dtype, n * C);
    for (let i = 0; i < n; i++) {
      const k = t[i];
      if (k === ignore) continue;
      const s = reduction === 'none' ? gv[i] : reduction === 'sum' ? gv[0] : gv[0] / count;
      const base = i * C;
      // d/dx of -log_softmax(x)[k] is softmax(x) - onehot(k); of -x[k] it is -onehot(k).
      if (fused) for (let c = 0; c < C; c++) grad[base + c] = Math.exp(logp[base + c]) * s;
      grad[base + k] -= s;
    }
    return [fromRows(grad, input)];
  });
}

/** PyTorch's grad_fn for (log_softmax +) nll_loss: the 2-D kernel (viewed back for 'none') above 2 dims. */
function nllName(input: Tensor, reduction: Reduction): string {
  if (input.ndim <= 2) return 'NllLossBackward0';
  return reduction === 'none' ? 'ViewBackward0' : 'NllLoss2DBackward0';
}

/** Rows [n, C] back to input's layout [N, C, d1, ...]. */
function fromRows(rows: Float32Array | Float64Array, input: Tensor): Tensor {
  if (input.ndim <= 2) return new Tensor(rows, input.shape, input.dtype);
  const spatial = input.shape.slice(2);
  const moved = new Tensor(rows, [input.shape[0], ...spatial, input.shape[1]], input.dtype);
  const back = [0, input.ndim - 1, ...spatial.map((_, i) => i + 1)];
  const p = permute(moved, back, true);
  return new Tensor(contiguousData(p), input.shape, input.dtype);
}

function reduce(losses: Float64Array, reduction: Reduction, count: number, dtype: 'float32' | 'float64' | string, shape: readonly number[]): Tensor {
  const dt = dtype === 'float64' ? 'float64' : 'float32';
  if (reduction === 'none') {
    const s = allocStorage(dt, losses.length);
    s.set(losses);
    return new Tensor(s, shape, dt);
  }
  let total = 0;
  for (let i = 0; i < losses.length; i++) total += losses[i];
  const v = reduction === 'sum' ? total : total / count;
  return new Tensor(allocStorage(dt, 1).fill(v), [], dt);
}

/** F.nll_loss(log_probs, target) (NllLossBackward0). */
export function nllLoss(input: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  return negativeLogLikelihood(input, target, opts, 'nll_loss');
}

/** F.mse_loss(input, target) (MseLossBackward0); shapes broadcast, as PyTorch does (with its warning). */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction(opts.reduction ?? 'mean');
  const diff = sub(input.detach(), target.detach());
  const d = contiguousData(diff);
  let out: Tensor;
  if (reduction === 'none') {
    const s = allocStorage(diff.dtype, d.length);
    for (let i = 0; i < d.length; i++) s[i] = d[i] * d[i];
    out = new Tensor(s, diff.shape, diff.dtype);
  } else {
    let total = 0;
    let largest = 0;
    for (let i = 0; i < d.length; i++) {
      const sq = d[i] * d[i];
      total += sq;
      if (sq > largest) largest = sq;
    }
    // In float32 a square or the sum past 3.4e38 is inf, as PyTorch computes it: a diverging run stops at the same step.
    if (diff.dtype === 'float32' && (Math.fround(largest) === Infinity || Math.fround(total) === Infinity)) total = Infinity;
    out = new Tensor(allocStorage(diff.dtype, 1).fill(reduction === 'sum' ? total : total / d.length), [], diff.dtype);
  }
  if (!needsGrad(input, target)) return out;
  return record(out, 'MseLossBackward0', [input, target], (g) => {
    const scale = reduction === 'mean' ? 2 / d.length : 2;
    const gd = mul(mul(diff, g), scale);
    return [
      input.requiresGrad ? sumToShape(gd, input.shape) : null,
      target.requiresGrad ? sumToShape(mul(gd, -1), target.shape) : null,
    ];
  });
}

/** F.dropout(x, p, training): zeroes with probability p and scales the rest by 1/(1-p) (MulBackward0). */
export function dropout(x: Tensor, p = 0.5, training = true, gen: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  const n = x.numel();
  const mask = allocStorage(x.dtype, n);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  for (let i = 0; i < n; i++) mask[i] = gen.bernoulli(1 - p) * scale;
  return mul(x, new Tensor(mask, x.shape, x.dtype));
}
