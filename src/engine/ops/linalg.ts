/**
 * Matrix products: matmul (1-D, 2-D, batched with broadcast batch dims), mm, addmm and the fused Linear.
 * One 2-D dispatcher picks the kernel from the operands' strides (row-major or transposed, no copy) and
 * switches to the sparse kernels when the left operand is mostly zeros (MNIST pixels).
 */
import { Tensor } from '../tensor';
import { record, needsGrad } from '../autograd';
import { Storage, allocStorage, DType, promoteTypes } from '../dtype';
import { broadcastShapes, broadcastStrides, numel, formatShape } from '../shape';
import { gemmNN, gemmNT, gemmTN } from '../kernels/gemm';
import { SparseRows, allFinite, compressRows, spgemmTN, spmmNN, spmmNT } from '../kernels/sparse';
import { contiguousData, unsqueezeRaw, view, t as transpose2d } from './view';
import { sumToShape } from './reduce';
import { add, matmulShapeError } from './matmul-errors';
import { chargeMultiplyAdds } from '../limits';
import { allocPinned, isPinned, wasmKernels, wasmLinearForward, wasmTakes, wasmWeightGrad } from '../kernels/wasm';

/**
 * With the WebAssembly SIMD kernels (which skip zeros in four-wide segments themselves), the CSR JavaScript
 * kernels are only the fallback's sparse path.
 */
function sparsePays(s: Storage): boolean {
  return !(s instanceof Float32Array) || wasmKernels() === null;
}


/** A 2-D operand: element (i, j) at off + i*s0 + j*s1. */
export interface Mat {
  s: Storage;
  off: number;
  rows: number;
  cols: number;
  s0: number;
  s1: number;
}

function matOf(t: Tensor, off = t.offset, dims = t.ndim): Mat {
  return { s: t.storage, off, rows: t.shape[dims - 2], cols: t.shape[dims - 1], s0: t.strides[dims - 2], s1: t.strides[dims - 1] };
}

/** Row-major (N) with leading dim, transposed (T) with leading dim, or null when it needs a copy. */
function form(m: Mat): { trans: boolean; ld: number } | null {
  if (m.s1 === 1 || m.cols <= 1) return { trans: false, ld: m.rows <= 1 ? m.cols : m.s0 };
  if (m.s0 === 1 || m.rows <= 1) return { trans: true, ld: m.cols <= 1 ? m.rows : m.s1 };
  return null;
}

function packed(m: Mat): Mat {
  const out = allocStorage(m.s instanceof Float32Array ? 'float32' : 'float64', m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.s[m.off + i * m.s0 + j * m.s1];
  return { s: out, off: 0, rows: m.rows, cols: m.cols, s0: m.cols, s1: 1 };
}

const SPARSE_MIN_K = 64;

/**
 * C (+)= A·B for 2-D operands, C row-major at cOff with leading dim ldc. `sparseA` may carry a precomputed
 * CSR of A (the Linear saves its input's); otherwise A is compressed when it is large and mostly zeros.
 */
export function mm2d(A: Mat, B: Mat, C: Storage, cOff: number, ldc: number, accumulate: boolean, sparseA?: SparseRows | null): void {
  const M = A.rows, K = A.cols, N = B.cols;
  if (M === 0 || N === 0) return;
  chargeMultiplyAdds(M * K * N);
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return;
  }
  let fa = form(A);
  if (fa === null) { A = packed(A); fa = { trans: false, ld: K }; }
  let fb = form(B);
  if (fb === null) { B = packed(B); fb = { trans: false, ld: N }; }
  if (fa.trans && fb.trans) { A = packed(A); fa = { trans: false, ld: K }; }
  if (wasmTakes(M * N * K, A.s, B.s, C)) {
    // x·Wᵀ and gᵀ·x, the Linear's forward and weight gradient, skip the zeros of x in SIMD segments.
    if (!fa.trans && fb.trans && K >= SPARSE_MIN_K && wasmLinearForward(M, N, K, A.s as Float32Array, A.off, fa.ld, B.s as Float32Array, B.off, fb.ld, C as Float32Array, cOff, ldc, accumulate)) return;
    if (fa.trans && !fb.trans && N >= SPARSE_MIN_K && wasmWeightGrad(M, N, K, A.s as Float32Array, A.off, fa.ld, B.s as Float32Array, B.off, fb.ld, C as Float32Array, cOff, ldc, accumulate)) return;
  }
  if (!fa.trans) {
    let sp = sparseA;
    if (sp === undefined && K >= SPARSE_MIN_K && sparsePays(A.s)) sp = compressRows(A.s, A.off, M, K, fa.ld);
    if (sp && (fb.trans ? allFinite(B.s, B.off, N, K, fb.ld) : allFinite(B.s, B.off, K, N, fb.ld))) {
      if (fb.trans) spmmNT(sp, N, B.s, B.off, fb.ld, C, cOff, ldc, accumulate);
      else spmmNN(sp, N, B.s, B.off, fb.ld, C, cOff, ldc, accumulate);
      return;
    }
    if (fb.trans) gemmNT(M, N, K, A.s, A.off, fa.ld, B.s, B.off, fb.ld, C, cOff, ldc, accumulate);
    else gemmNN(M, N, K, A.s, A.off, fa.ld, B.s, B.off, fb.ld, C, cOff, ldc, accumulate);
    return;
  }
  // A is transposed (Aᵀ stored row-major [K, M]): the weight-gradient shape gᵀ·x. B sparse pays off here too.
  if (N >= SPARSE_MIN_K && sparsePays(B.s)) {
    const sp = compressRows(B.s, B.off, K, N, fb.ld);
    if (sp && allFinite(A.s, A.off, K, M, fa.ld)) {
      spgemmTN(M, A.s, A.off, fa.ld, sp, C, cOff, ldc, accumulate);
      return;
    }
  }
  gemmTN(M, N, K, A.s, A.off, fa.ld, B.s, B.off, fb.ld, C, cOff, ldc, accumulate);
}

function sameDType(a: Tensor, b: Tensor): DType {
  if (a.dtype !== b.dtype) {
    const n = (d: DType) => ({ float32: 'Float', float64: 'Double', int64: 'Long', uint8: 'Byte', bool: 'Bool' })[d];
    throw new TypeError(`expected scalar type ${n(a.dtype)} but found ${n(b.dtype)}`);
  }
  return promoteTypes(a.dtype, b.dtype);
}

/** Batched product of a [..., n, m] and b [..., m, p] with broadcast batch dims (no graph). */
function bmmRaw(a: Tensor, b: Tensor): Tensor {
  const dtype = sameDType(a, b);
  const n = a.shape[a.ndim - 2], m = a.shape[a.ndim - 1], p = b.shape[b.ndim - 1];
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, n, p];
  const out = allocStorage(dtype, numel(shape));
  const aStr = broadcastStrides(a.shape.slice(0, -2), a.strides.slice(0, -2), batch);
  const bStr = broadcastStrides(b.shape.slice(0, -2), b.strides.slice(0, -2), batch);
  const nb = numel(batch);
  const idx = new Array<number>(batch.length).fill(0);
  for (let k = 0; k < nb; k++) {
    let ao = a.offset, bo = b.offset;
    for (let d = 0; d < batch.length; d++) { ao += idx[d] * aStr[d]; bo += idx[d] * bStr[d]; }
    const A: Mat = { s: a.storage, off: ao, rows: n, cols: m, s0: a.strides[a.ndim - 2], s1: a.strides[a.ndim - 1] };
    const B: Mat = { s: b.storage, off: bo, rows: m, cols: p, s0: b.strides[b.ndim - 2], s1: b.strides[b.ndim - 1] };
    mm2d(A, B, out, k * n * p, p, false);
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape, dtype);
}

function swapLast(t: Tensor): Tensor {
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  const n = t.ndim;
  [shape[n - 2], shape[n - 1]] = [shape[n - 1], shape[n - 2]];
  [strides[n - 2], strides[n - 1]] = [strides[n - 1], strides[n - 2]];
  return new Tensor(t.storage, shape, t.dtype, strides, t.offset);
}

/** torch.matmul with PyTorch's grad_fn names for each case. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  const a2 = a.ndim === 1 ? unsqueezeRaw(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueezeRaw(b, 1) : b;
  const m = a2.shape[a2.ndim - 1];
  if (b2.shape[b2.ndim - 2] !== m) throw matmulShapeError(a, b);
  const full = bmmRaw(a2, b2);
  const shape = full.shape.slice();
  if (b.ndim === 1) shape.splice(shape.length - 1, 1);
  if (a.ndim === 1) shape.splice(shape.length - (b.ndim === 1 ? 1 : 2), 1);
  const out = new Tensor(full.storage, shape, full.dtype);
  if (!needsGrad(a, b)) return out;
  const name =
    a.ndim === 1 && b.ndim === 1 ? 'DotBackward0'
      : a.ndim === 2 && b.ndim === 2 ? 'MmBackward0'
        : a.ndim === 2 && b.ndim === 1 ? 'MvBackward0'
          : a.ndim === 1 && b.ndim === 2 ? 'SqueezeBackward3'
            : a.ndim === 2 && b.ndim >= 3 ? 'CloneBackward0' // PyTorch folds, multiplies transposed, then .contiguous()
              : 'UnsafeViewBackward0';
  return record(out, name, [a, b], (g) => {
    const g3 = new Tensor(contiguousData(g), full.shape, g.dtype);
    const ga = a.requiresGrad ? sumToShape(bmmRaw(g3, swapLast(b2)), a2.shape) : null;
    const gb = b.requiresGrad ? sumToShape(bmmRaw(swapLast(a2), g3), b2.shape) : null;
    return [ga && new Tensor(contiguousData(ga), a.shape, ga.dtype), gb && new Tensor(contiguousData(gb), b.shape, gb.dtype)];
  });
}

/** torch.mm: strictly 2-D. */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2) throw new RangeError(`self must be a matrix`);
  if (b.ndim !== 2) throw new RangeError(`mat2 must be a matrix`);
  return matmul(a, b);
}

/** bias + a·b with the bias broadcast over rows (AddmmBackward0). */
export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2) throw new RangeError('addmm: mat1 and mat2 must be matrices');
  if (a.shape[1] !== b.shape[0]) throw matmulShapeError(a, b);
  return addmmFused(bias, a, b);
}

/** Fills out[M, N] with bias broadcast over rows (the `bias` of addmm / Linear). */
function biasRows(bias: Tensor, M: number, N: number, dtype: DType): Storage {
  const out = allocStorage(dtype, M * N);
  let bs: number[];
  try {
    broadcastShapes(bias.shape, [M, N]);
    bs = broadcastStrides(bias.shape, bias.strides, [M, N]);
    if (bias.ndim > 2) throw new RangeError('bias has too many dims');
  } catch {
    throw new RangeError(
      `The expanded size of the tensor (${N}) must match the existing size (${bias.shape[bias.ndim - 1]}) at non-singleton dimension 1.  Target sizes: [${M}, ${N}].  Tensor sizes: ${formatShape(bias.shape)}`,
    );
  }
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[i * N + j] = bias.storage[bias.offset + i * bs[0] + j * bs[1]];
  return out;
}

function addmmFused(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  const dtype = sameDType(a, b);
  const M = a.shape[0], N = b.shape[1];
  const out = biasRows(bias, M, N, dtype);
  mm2d(matOf(a), matOf(b), out, 0, N, true);
  const res = new Tensor(out, [M, N], dtype);
  if (!needsGrad(bias, a, b)) return res;
  return record(res, 'AddmmBackward0', [bias, a, b], (g) => [
    bias.requiresGrad ? sumToShape(g, bias.shape) : null,
    a.requiresGrad ? bmmRaw(g, swapLast(b)) : null,
    b.requiresGrad ? bmmRaw(swapLast(a), g) : null,
  ]);
}

/** The existing .grad of a leaf that a gradient can be added into in place (contiguous, same dtype and shape). */
function accumulationTarget(w: Tensor, dtype: DType): Tensor | null {
  const g = w.grad;
  if (!w.isLeaf || g === null || g.dtype !== dtype || !g.isContiguous() || g.shape.length !== 2) return null;
  return g.shape[0] === w.shape[0] && g.shape[1] === w.shape[1] ? g : null;
}

/**
 * F.linear(x, weight, bias) = x·weightᵀ + bias, taking PyTorch's paths: 2-D input → fused addmm
 * (AddmmBackward0); contiguous 3-D → flattened addmm viewed back (ViewBackward0); otherwise matmul + add.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2) throw new RangeError(`linear(): weight must be 2-D, got ${weight.ndim}-D`);
  const inF = weight.shape[1];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) throw matmulShapeError(x, transpose2d(weight.detach()));
  const wt = transpose2d(weight);
  if (!bias) return matmul(x, wt);
  if (x.ndim === 2) return linear2d(x, weight, bias);
  if (x.ndim === 3 && x.isContiguous()) {
    const flat = view(x, [-1, inF]);
    return view(linear2d(flat, weight, bias), [x.shape[0], x.shape[1], weight.shape[0]]);
  }
  return add(matmul(x, wt), bias);
}

/**
 * The fused Linear on a 2-D batch: out = bias + x·Wᵀ, with x's CSR kept for the backward when x is mostly zeros.
 * The graph node is AddmmBackward0 over (bias, x, weight); the weight gradient is computed directly in
 * weight's [out, in] layout as gᵀ·x, so nothing is transposed or copied on the way to `weight.grad`.
 */
function linear2d(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const dtype = sameDType(x, weight);
  const M = x.shape[0], inF = x.shape[1], outF = weight.shape[0];
  const X = matOf(x);
  const fx = form(X);
  const sp = fx && !fx.trans && inF >= SPARSE_MIN_K && sparsePays(X.s) ? compressRows(X.s, X.off, M, inF, fx.ld) : null;
  const W = matOf(weight);
  const Wt: Mat = { s: W.s, off: W.off, rows: inF, cols: outF, s0: W.s1, s1: W.s0 };
  const out = biasRows(bias, M, outF, dtype);
  mm2d(X, Wt, out, 0, outF, true, sp);
  const res = new Tensor(out, [M, outF], dtype);
  if (!needsGrad(bias, x, weight)) return res;
  return record(res, 'AddmmBackward0', [bias, x, weight], (g) => {
    const gc = g.isContiguous() ? g : new Tensor(contiguousData(g), g.shape, g.dtype);
    let gw: Tensor | null = null;
    if (weight.requiresGrad) {
      // AccumulateGrad fused in: when the leaf weight already has a gradient, gᵀ·x is added straight into it (as
      // PyTorch's in-place accumulation would), touching only the columns the batch's inputs reach.
      const into = accumulationTarget(weight, g.dtype);
      // A pinned weight gets a pinned gradient: the kernels and the optimizer then use both in place.
      const fresh = () => (g.dtype === 'float32' && isPinned(weight.storage) ? allocPinned(outF * inF) : null) ?? allocStorage(g.dtype, outF * inF);
      const o = into ? into.storage : fresh();
      const off = into ? into.offset : 0;
      const acc = into !== null;
      if (sp && allFinite(gc.storage, gc.offset, M, outF, outF)) spgemmTN(outF, gc.storage, gc.offset, outF, sp, o, off, inF, acc, !acc);
      else mm2d({ s: gc.storage, off: gc.offset, rows: outF, cols: M, s0: 1, s1: outF }, X, o, off, inF, acc);
      gw = acc ? null : new Tensor(o, [outF, inF], g.dtype);
    }
    let gx: Tensor | null = null;
    if (x.requiresGrad) {
      const o = allocStorage(g.dtype, M * inF);
      mm2d(matOf(gc), W, o, 0, inF, false);
      gx = new Tensor(o, [M, inF], g.dtype);
    }
    return [bias.requiresGrad ? sumToShape(gc, bias.shape) : null, gx, gw];
  });
}
