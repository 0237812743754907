/** Reductions over dims (sum, mean, var, std, max, min, argmax) and the helper that undoes broadcasting. */
import { Tensor } from '../tensor';
import { record, needsGrad } from '../autograd';
import { DType, allocStorage, isFloating, type Storage } from '../dtype';
import { normDim, numel, sameShape } from '../shape';
import { contiguousData, expand, permute, unsqueezeRaw } from './view';
import { mul, sub, div } from './elementwise';
import { wasmColumnSum } from '../kernels/wasm';

export interface VarOptions {
  /** Bessel's correction: 1 (unbiased, PyTorch's default) or 0. */
  correction?: number;
  unbiased?: boolean;
  keepdim?: boolean;
}

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** Sorted, de-duplicated dims to reduce; all dims when `dim` is null/undefined. */
function reduceDims(t: Tensor, dim: number | readonly number[] | null | undefined): number[] {
  if (dim == null) return t.shape.map((_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = new Set<number>();
  for (const d of list) {
    const n = normDim(d, t.ndim);
    if (out.has(n)) throw new RangeError(`dim ${n} appears multiple times in the list of dims`);
    out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

interface Layout {
  /** Values with reduced dims last, contiguous: `outer` rows of `inner` elements. */
  data: Float32Array | Float64Array;
  outer: number;
  inner: number;
  outShape: number[];
  keptShape: number[];
}

function layout(t: Tensor, dims: number[], keepdim: boolean): Layout {
  const kept: number[] = [];
  for (let d = 0; d < t.ndim; d++) if (!dims.includes(d)) kept.push(d);
  const perm = [...kept, ...dims];
  const moved = perm.every((p, i) => p === i) ? t : permute(t, perm, true);
  const data = contiguousData(moved);
  const keptShape = kept.map((d) => t.shape[d]);
  const outShape = keepdim ? t.shape.map((s, d) => (dims.includes(d) ? 1 : s)) : keptShape;
  const inner = numel(dims.map((d) => t.shape[d]));
  return { data, outer: numel(keptShape), inner, outShape, keptShape };
}

function sumRaw(t: Tensor, dims: number[], keepdim: boolean, dtype: DType): Tensor {
  if (t.isContiguous() && dims.length < t.ndim && dims.every((d, i) => d === i)) return sumLeading(t, dims.length, keepdim, dtype);
  const L = layout(t, dims, keepdim);
  const out = allocStorage(dtype, L.outer);
  for (let o = 0; o < L.outer; o++) {
    let s = 0;
    const base = o * L.inner;
    for (let i = 0; i < L.inner; i++) s += L.data[base + i];
    out[o] = s;
  }
  return new Tensor(out, L.outShape, dtype);
}

/**
 * sumRaw over the first `k` dims of a contiguous tensor (a bias gradient: [B, N] → [N]) without moving them
 * innermost: rows are added into float64 accumulators, in the same order, so the sums are the same numbers.
 */
function sumLeading(t: Tensor, k: number, keepdim: boolean, dtype: DType): Tensor {
  const rows = numel(t.shape.slice(0, k));
  const cols = numel(t.shape.slice(k));
  const outShape = keepdim ? t.shape.map((s, d) => (d < k ? 1 : s)) : t.shape.slice(k);
  const out = allocStorage(dtype, cols);
  columnSums(out, t.storage, t.offset, rows, cols);
  return new Tensor(out, outShape, dtype);
}

/**
 * out[c] = Σ_r src[off + r·cols + c], the rows added in order into float64 and rounded once into `out` (the sums
 * sumToShape gives a bias gradient; the fused step's bias gradients too). The kernels' loop is the same arithmetic,
 * two columns per instruction.
 */
export function columnSums(out: Storage, src: Storage, off: number, rows: number, cols: number): void {
  if (wasmColumnSum(out, src, off, rows, cols)) return;
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += src[off + r * cols + c];
    out[c] = s;
  }
}

/** Reduces a gradient of a broadcast result back to `shape` (sums over broadcast dims). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  }
  const s = sumRaw(g, dims, true, g.dtype);
  return new Tensor(s.storage, shape, g.dtype);
}

/** Gradient of a reduction: g (reduced shape) expanded back over the reduced dims of `shape`. */
function expandBack(g: Tensor, shape: readonly number[], dims: number[], keepdim: boolean): Tensor {
  let r = g;
  if (!keepdim) for (const d of dims) r = unsqueezeRaw(r, d);
  return expand(r, shape);
}

function sumDType(t: Tensor): DType {
  return isFloating(t.dtype) ? t.dtype : 'int64';
}

export function sum(t: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  const dims = reduceDims(t, dim);
  const out = sumRaw(t, dims, keepdim, sumDType(t));
  if (!needsGrad(t)) return out;
  const name = dim == null ? 'SumBackward0' : 'SumBackward1';
  return record(out, name, [t], (g) => [contig(expandBack(g, t.shape, dims, keepdim || dim == null))]);
}

function requireFloat(t: Tensor, op: string): void {
  if (!isFloating(t.dtype)) {
    const name = { int64: 'Long', uint8: 'Byte', bool: 'Bool', float32: 'Float', float64: 'Double' }[t.dtype];
    throw new TypeError(`${op}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${name}`);
  }
}

export function mean(t: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  requireFloat(t, 'mean');
  const dims = reduceDims(t, dim);
  const n = numel(dims.map((d) => t.shape[d]));
  const s = sumRaw(t, dims, keepdim, t.dtype);
  for (let i = 0; i < s.storage.length; i++) s.storage[i] = s.storage[i] / n;
  if (!needsGrad(t)) return s;
  const name = dim == null ? 'MeanBackward0' : 'MeanBackward1';
  return record(s, name, [t], (g) => [contig(div(expandBack(g, t.shape, dims, keepdim || dim == null), n))]);
}

function correctionOf(opts: VarOptions): number {
  if (opts.correction !== undefined) return opts.correction;
  if (opts.unbiased !== undefined) return opts.unbiased ? 1 : 0;
  return 1;
}

/** Two-pass variance in float64: mean, then the sum of squared deviations / (N - correction). */
function varRaw(t: Tensor, dims: number[], keepdim: boolean, correction: number): { v: Tensor; mu: Tensor } {
  const L = layout(t, dims, true);
  const v = allocStorage(t.dtype, L.outer);
  const mu = allocStorage(t.dtype, L.outer);
  for (let o = 0; o < L.outer; o++) {
    const base = o * L.inner;
    let s = 0;
    for (let i = 0; i < L.inner; i++) s += L.data[base + i];
    const m = s / L.inner;
    let q = 0;
    for (let i = 0; i < L.inner; i++) {
      const d = L.data[base + i] - m;
      q += d * d;
    }
    mu[o] = m;
    v[o] = q / Math.max(0, L.inner - correction);
  }
  const shape = keepdim ? L.outShape : L.keptShape;
  return { v: new Tensor(v, shape, t.dtype), mu: new Tensor(mu, L.outShape, t.dtype) };
}

export function variance(t: Tensor, dim?: number | readonly number[] | null, opts: VarOptions = {}): Tensor {
  requireFloat(t, 'var');
  const dims = reduceDims(t, dim);
  const keepdim = opts.keepdim ?? false;
  const c = correctionOf(opts);
  const { v, mu } = varRaw(t, dims, keepdim, c);
  if (!needsGrad(t)) return v;
  const n = numel(dims.map((d) => t.shape[d]));
  return record(v, 'VarBackward0', [t], (g) => {
    const ge = expandBack(g, t.shape, dims, keepdim);
    return [contig(mul(ge, div(mul(sub(t.detach(), mu), 2), n - c)))];
  });
}

export function std(t: Tensor, dim?: number | readonly number[] | null, opts: VarOptions = {}): Tensor {
  requireFloat(t, 'std');
  const dims = reduceDims(t, dim);
  const keepdim = opts.keepdim ?? false;
  const c = correctionOf(opts);
  const { v, mu } = varRaw(t, dims, keepdim, c);
  for (let i = 0; i < v.storage.length; i++) v.storage[i] = Math.sqrt(v.storage[i]);
  if (!needsGrad(t)) return v;
  const n = numel(dims.map((d) => t.shape[d]));
  return record(v, 'StdBackward0', [t], (g) => {
    const ge = expandBack(div(g, mul(v, n - c)), t.shape, dims, keepdim);
    return [contig(mul(ge, sub(t.detach(), mu)))];
  });
}

function contig(t: Tensor): Tensor {
  return t.isContiguous() ? t : new Tensor(contiguousData(t), t.shape, t.dtype);
}

/** Index of the max (or min) in a row; NaN wins, ties keep the first, as PyTorch's CPU kernels do. */
function bestIndex(data: Float32Array | Float64Array, base: number, n: number, isMax: boolean): number {
  let best = 0;
  let bv = data[base];
  if (bv !== bv) return 0;
  for (let i = 1; i < n; i++) {
    const v = data[base + i];
    if (v !== v) return i;
    if (isMax ? v > bv : v < bv) {
      bv = v;
      best = i;
    }
  }
  return best;
}

function emptyCheck(t: Tensor, op: string, dim?: number): void {
  if (t.numel() === 0) {
    throw new RangeError(
      dim === undefined
        ? `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`
        : `${op}(): Expected reduction dim ${dim} to have non-zero size.`,
    );
  }
}

/** t.max() / t.min() over everything (MaxBackward1: the gradient is shared evenly among tied maxima). */
export function maxAll(t: Tensor, which: 'max' | 'min'): Tensor {
  emptyCheck(t, which);
  const data = contiguousData(t);
  const k = bestIndex(data, 0, data.length, which === 'max');
  const out = new Tensor(allocStorage(t.dtype, 1), [], t.dtype);
  out.storage[0] = data[k];
  if (!needsGrad(t)) return out;
  return record(out, which === 'max' ? 'MaxBackward1' : 'MinBackward1', [t], (g) => {
    const m = allocStorage(t.dtype, data.length);
    let count = 0;
    for (let i = 0; i < data.length; i++) if (data[i] === data[k] || (data[k] !== data[k] && data[i] !== data[i])) count++;
    const gv = g.item() / count;
    for (let i = 0; i < data.length; i++) if (data[i] === data[k] || (data[k] !== data[k] && data[i] !== data[i])) m[i] = gv;
    return [new Tensor(m, t.shape, t.dtype)];
  });
}

/** t.max(dim) → (values, indices) (MaxBackward0: the gradient goes to the selected index). */
export function maxDim(t: Tensor, dim: number, keepdim: boolean, which: 'max' | 'min'): ValuesIndices {
  const d = normDim(dim, t.ndim);
  if (t.ndim > 0) emptyCheck(t, which, d);
  const L = layout(t, t.ndim === 0 ? [] : [d], keepdim);
  const vals = allocStorage(t.dtype, L.outer);
  const idx = new Float64Array(L.outer);
  for (let o = 0; o < L.outer; o++) {
    const k = bestIndex(L.data, o * L.inner, L.inner, which === 'max');
    idx[o] = k;
    vals[o] = L.data[o * L.inner + k];
  }
  const values = new Tensor(vals, L.outShape, t.dtype);
  const indices = new Tensor(idx, L.outShape, 'int64');
  if (needsGrad(t)) {
    record(values, which === 'max' ? 'MaxBackward0' : 'MinBackward0', [t], (g) => {
      const gk = contig(keepdim || t.ndim === 0 ? g : unsqueezeRaw(g, d));
      const out = allocStorage(t.dtype, t.numel());
      const strides = t.shape.map((_, i) => numel(t.shape.slice(i + 1)));
      const after = t.ndim === 0 ? 1 : numel(t.shape.slice(d + 1));
      for (let o = 0; o < L.outer; o++) {
        const outerIdx = Math.floor(o / after);
        const innerIdx = o % after;
        const pos = t.ndim === 0 ? 0 : outerIdx * t.shape[d] * after + idx[o] * strides[d] + innerIdx;
        out[pos] += gk.storage[gk.offset + o];
      }
      return [new Tensor(out, t.shape, t.dtype)];
    });
  }
  return { values, indices };
}

/** argmax/argmin: over the flattened tensor when dim is null, else along dim. No gradient. */
export function argmax(t: Tensor, dim: number | null | undefined, keepdim: boolean, which: 'max' | 'min'): Tensor {
  if (dim == null) {
    emptyCheck(t, which === 'max' ? 'argmax' : 'argmin');
    const data = contiguousData(t);
    const k = bestIndex(data, 0, data.length, which === 'max');
    const shape = keepdim ? t.shape.map(() => 1) : [];
    return new Tensor(Float64Array.of(k), shape, 'int64');
  }
  return maxDim(t.detach(), dim, keepdim, which).indices;
}


/** t.norm(p, dim, keepdim): the vector p-norm (p = 2, 1 or Infinity) over all elements or the given dims (NormBackward1). */
export function norm(t: Tensor, p = 2, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  requireFloat(t, 'norm');
  if (p !== 1 && p !== 2 && p !== Infinity) throw new RangeError(`norm: only p = 1, 2 and inf are supported, got ${p}`);
  const dims = reduceDims(t, dim);
  const L = layout(t, dims, keepdim);
  const out = allocStorage(t.dtype, L.outer);
  for (let o = 0; o < L.outer; o++) {
    let s = 0;
    const base = o * L.inner;
    for (let i = 0; i < L.inner; i++) {
      const v = L.data[base + i];
      if (p === 2) s += v * v;
      else if (p === 1) s += Math.abs(v);
      else s = Math.max(s, Math.abs(v));
    }
    out[o] = p === 2 ? Math.sqrt(s) : s;
  }
  const res = new Tensor(out, L.outShape, t.dtype);
  if (!needsGrad(t)) return res;
  return record(res, 'NormBackward1', [t], (g) => {
    const x = t.detach();
    const n = expandBack(res.detach(), t.shape, dims, keepdim || dim == null);
    const ge = expandBack(g, t.shape, dims, keepdim || dim == null);
    const xs = contiguousData(x);
    const ns = contiguousData(contig(n));
    const gs = contiguousData(contig(ge));
    const dx = allocStorage(t.dtype, xs.length);
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i];
      if (p === 2) dx[i] = ns[i] === 0 ? 0 : (gs[i] * v) / ns[i];
      else if (p === 1) dx[i] = gs[i] * Math.sign(v);
      else dx[i] = Math.abs(v) === ns[i] ? gs[i] * Math.sign(v) : 0;
    }
    return [new Tensor(dx, t.shape, t.dtype)];
  });
}
