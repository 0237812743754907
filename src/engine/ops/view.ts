/** Views that share storage (view, reshape, transpose, permute, unsqueeze, squeeze, expand, select, slice) and copies. */
import { Tensor } from '../tensor';
import { record, needsGrad } from '../autograd';
import { DType, Storage, allocStorage, castValue, isFloating } from '../dtype';
import {
  contiguousStrides, formatShape, inferShape, normDim, numel, sameShape, viewStrides, broadcastStrides,
} from '../shape';
import { Bin, binaryKernel } from '../kernels/binary';
import { sumToShape } from './reduce';
import { isPinned } from '../kernels/wasm';

/**
 * The values in row-major order. May alias t's storage when t is contiguous: read it, never write it. Part of a
 * pinned storage (kernels/wasm.ts) is copied, never a subarray: a view that outlived its storage would read a
 * block the arena has given to another tensor.
 */
export function contiguousData(t: Tensor): Storage {
  const n = t.numel();
  if (t.isContiguous()) {
    if (t.offset === 0 && t.storage.length === n) return t.storage;
    if (isPinned(t.storage)) return t.storage.slice(t.offset, t.offset + n);
    return t.storage.subarray(t.offset, t.offset + n);
  }
  const out = allocStorage(t.dtype, n);
  binaryKernel(Bin.Copy, t.shape, out, 0, contiguousStrides(t.shape), out, 0, contiguousStrides(t.shape),
    t.storage, t.offset, t.strides);
  return out;
}

/** A new tensor over the same storage (no graph). */
function alias(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(t.storage, shape, t.dtype, strides, offset);
}

export function detach(t: Tensor): Tensor {
  return alias(t, t.shape, t.strides, t.offset);
}

export function clone(t: Tensor): Tensor {
  const src = contiguousData(t);
  const out = new Tensor(src === t.storage || src.buffer === t.storage.buffer ? src.slice() : src, t.shape, t.dtype);
  if (!needsGrad(t)) return out;
  return record(out, 'CloneBackward0', [t], (g) => [g]);
}

export function contiguous(t: Tensor): Tensor {
  return t.isContiguous() ? t : clone(t);
}

export function onesLike(t: Tensor): Tensor {
  return new Tensor(allocStorage(t.dtype, t.numel()).fill(1), t.shape, t.dtype);
}

export function zerosLike(t: Tensor): Tensor {
  return new Tensor(allocStorage(t.dtype, t.numel()), t.shape, t.dtype);
}

/** Materialises g (a gradient) contiguous with the given shape. */
function reshapeGrad(g: Tensor, shape: readonly number[]): Tensor {
  return new Tensor(contiguousData(g), shape, g.dtype);
}

export function view(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.numel());
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides === null) {
    throw new Error(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two " +
        'contiguous subspaces). Use .reshape(...) instead.',
    );
  }
  const out = alias(t, target, strides, t.offset);
  if (!needsGrad(t)) return out;
  return record(out, 'ViewBackward0', [t], (g) => [reshapeGrad(g, t.shape)]);
}

export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.numel());
  const strides = viewStrides(t.shape, t.strides, target);
  if (strides !== null) {
    const out = alias(t, target, strides, t.offset);
    if (!needsGrad(t)) return out;
    return record(out, 'ReshapeAliasBackward0', [t], (g) => [reshapeGrad(g, t.shape)]);
  }
  const out = new Tensor(contiguousData(t), target, t.dtype);
  if (!needsGrad(t)) return out;
  return record(out, 'UnsafeViewBackward0', [t], (g) => [reshapeGrad(g, t.shape)]);
}

export function flatten(t: Tensor, startDim = 0, endDim = -1): Tensor {
  if (t.ndim === 0) return reshape(t, [1]);
  const s = normDim(startDim, t.ndim);
  const e = normDim(endDim, t.ndim);
  if (s > e) throw new RangeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return t;
  const shape = [...t.shape.slice(0, s), numel(t.shape.slice(s, e + 1)), ...t.shape.slice(e + 1)];
  return reshape(t, shape);
}

export function permute(t: Tensor, dims: readonly number[], raw = false): Tensor {
  if (dims.length !== t.ndim) {
    throw new RangeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${t.ndim} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const nd = dims.map((d) => normDim(d, t.ndim));
  if (new Set(nd).size !== nd.length) throw new RangeError('permute(): duplicate dims are not allowed.');
  const out = alias(t, nd.map((d) => t.shape[d]), nd.map((d) => t.strides[d]), t.offset);
  if (raw || !needsGrad(t)) return out;
  const inv = new Array<number>(nd.length);
  nd.forEach((d, i) => (inv[d] = i));
  return record(out, 'PermuteBackward0', [t], (g) => [permute(g, inv, true)]);
}

function swapped(t: Tensor, d0: number, d1: number): Tensor {
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  [shape[d0], shape[d1]] = [shape[d1], shape[d0]];
  [strides[d0], strides[d1]] = [strides[d1], strides[d0]];
  return alias(t, shape, strides, t.offset);
}

export function transpose(t: Tensor, dim0: number, dim1: number): Tensor {
  const d0 = normDim(dim0, t.ndim);
  const d1 = normDim(dim1, t.ndim);
  const out = swapped(t, d0, d1);
  if (!needsGrad(t)) return out;
  return record(out, 'TransposeBackward0', [t], (g) => [swapped(g, d0, d1)]);
}

/** t.t(): 2-D transpose (TBackward0); 0-D and 1-D tensors come back as they are. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  if (x.ndim < 2) return x;
  const out = swapped(x, 0, 1);
  if (!needsGrad(x)) return out;
  return record(out, 'TBackward0', [x], (g) => [swapped(g, 0, 1)]);
}

/** `.T`: reverses all dims (PermuteBackward0); 0-D and 1-D tensors come back as they are. */
export function numpyT(x: Tensor): Tensor {
  if (x.ndim < 2) return x;
  return permute(x, x.shape.map((_, i) => x.ndim - 1 - i));
}

export function unsqueezeRaw(t: Tensor, dim: number): Tensor {
  const d = normDim(dim, t.ndim + 1);
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  const stride = d < t.ndim ? t.shape[d] * t.strides[d] : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return alias(t, shape, strides, t.offset);
}

export function unsqueeze(t: Tensor, dim: number): Tensor {
  const out = unsqueezeRaw(t, dim);
  if (!needsGrad(t)) return out;
  return record(out, 'UnsqueezeBackward0', [t], (g) => [reshapeGrad(g, t.shape)]);
}

export function squeeze(t: Tensor, dim?: number): Tensor {
  let keep: number[];
  if (dim === undefined) keep = t.shape.map((_, i) => i).filter((i) => t.shape[i] !== 1);
  else {
    const d = t.ndim === 0 ? normDim(dim, 1) : normDim(dim, t.ndim);
    keep = t.shape.map((_, i) => i).filter((i) => i !== d || t.shape[i] !== 1);
  }
  const out = alias(t, keep.map((i) => t.shape[i]), keep.map((i) => t.strides[i]), t.offset);
  if (!needsGrad(t)) return out;
  return record(out, dim === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1', [t], (g) => [reshapeGrad(g, t.shape)]);
}

export function expand(t: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < t.ndim) {
    throw new RangeError(
      `expand(torch.FloatTensor{${formatShape(t.shape)}}, size=${formatShape(shape)}): the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${t.ndim})`,
    );
  }
  const lead = shape.length - t.ndim;
  const target = shape.map((s, i) => {
    const own = i >= lead ? t.shape[i - lead] : 1;
    if (s === -1) {
      if (i < lead) throw new RangeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return own;
    }
    if (own !== 1 && own !== s) {
      throw new RangeError(
        `The expanded size of the tensor (${s}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(shape)}.  Tensor sizes: ${formatShape(t.shape)}`,
      );
    }
    return s;
  });
  if (sameShape(target, t.shape)) return needsGrad(t) ? record(alias(t, t.shape, t.strides, t.offset), 'ExpandBackward0', [t], (g) => [g]) : t;
  const out = alias(t, target, broadcastStrides(t.shape, t.strides, target), t.offset);
  if (!needsGrad(t)) return out;
  return record(out, 'ExpandBackward0', [t], (g) => [sumToShape(g, t.shape)]);
}

export function toDType(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const src = contiguousData(t);
  const out = allocStorage(dtype, src.length);
  if (dtype === 'float32' || dtype === 'float64') out.set(src);
  else for (let i = 0; i < src.length; i++) out[i] = castValue(dtype, src[i]);
  const r = new Tensor(out, t.shape, dtype);
  if (!needsGrad(t) || !isFloating(dtype)) return r;
  return record(r, 'ToCopyBackward0', [t], (g) => [toDType(g, t.dtype)]);
}

/** Backward of a view that picks part of t: zeros of t's shape with g written into the same part. */
function scatterGrad(g: Tensor, t: Tensor, part: (z: Tensor) => Tensor): Tensor {
  const zt = new Tensor(allocStorage(g.dtype, t.numel()), t.shape, g.dtype);
  const dst = part(zt);
  binaryKernel(Bin.Copy, dst.shape, dst.storage, dst.offset, dst.strides, dst.storage, dst.offset, dst.strides,
    g.storage, g.offset, broadcastStrides(g.shape, g.strides, dst.shape));
  return zt;
}

function selectRaw(t: Tensor, d: number, i: number): Tensor {
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  const off = t.offset + i * strides[d];
  shape.splice(d, 1);
  strides.splice(d, 1);
  return alias(t, shape, strides, off);
}

/** t.select(dim, i) / `t[i]` (SelectBackward0). */
export function select(t: Tensor, dim: number, index: number): Tensor {
  if (t.ndim === 0) throw new RangeError('select() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, t.ndim);
  const n = t.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new RangeError(`index ${index} is out of bounds for dimension ${d} with size ${n}`);
  }
  const i = index < 0 ? index + n : index;
  const out = selectRaw(t, d, i);
  if (!needsGrad(t)) return out;
  return record(out, 'SelectBackward0', [t], (g) => [scatterGrad(g, t, (z) => selectRaw(z, d, i))]);
}

function sliceRaw(t: Tensor, d: number, start: number, len: number, step: number): Tensor {
  const shape = t.shape.slice();
  const strides = t.strides.slice();
  shape[d] = len;
  const off = t.offset + (len > 0 ? start * strides[d] : 0);
  strides[d] *= step;
  return alias(t, shape, strides, off);
}

/** Python slice bounds clamped as PyTorch does (start/stop may be null). Returns [start, length]. */
export function sliceBounds(n: number, start: number | null, stop: number | null, step: number): [number, number] {
  let s = start === null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
  let e = stop === null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
  if (e < s) e = s;
  s = Math.min(s, n);
  return [s, Math.ceil((e - s) / step)];
}

/** t[start:stop:step] along dim (SliceBackward0); negative steps are an error, as in PyTorch. */
export function sliceDim(t: Tensor, dim: number, start: number | null, stop: number | null, step = 1): Tensor {
  if (t.ndim === 0) throw new RangeError('slice() cannot be applied to a 0-dim tensor.');
  if (!Number.isInteger(step) || step <= 0) throw new RangeError('step must be greater than zero');
  const d = normDim(dim, t.ndim);
  const [s, len] = sliceBounds(t.shape[d], start, stop, step);
  const out = sliceRaw(t, d, s, len, step);
  if (!needsGrad(t)) return out;
  return record(out, 'SliceBackward0', [t], (g) => [scatterGrad(g, t, (z) => sliceRaw(z, d, s, len, step))]);
}

/** A new tensor object over the same view (AliasBackward0), as `t[...]` gives. */
export function aliasOf(t: Tensor): Tensor {
  const out = alias(t, t.shape, t.strides, t.offset);
  if (!needsGrad(t)) return out;
  return record(out, 'AliasBackward0', [t], (g) => [g]);
}

/** torch.cat (CatBackward0). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('torch.cat(): expected a non-empty list of Tensors');
  const first = tensors[0];
  const d = normDim(dim, first.ndim);
  let total = 0;
  let dtype = first.dtype;
  for (const [k, x] of tensors.entries()) {
    if (x.ndim !== first.ndim) {
      throw new RangeError(`Tensors must have same number of dimensions: got ${first.ndim} and ${x.ndim}`);
    }
    for (let i = 0; i < x.ndim; i++) {
      if (i !== d && x.shape[i] !== first.shape[i]) {
        throw new RangeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[i]} but got size ${x.shape[i]} for tensor number ${k} in the list.`,
        );
      }
    }
    total += x.shape[d];
    if (isFloating(x.dtype) && !isFloating(dtype)) dtype = x.dtype;
    else if (x.dtype === 'float64') dtype = 'float64';
  }
  const shape = first.shape.slice();
  shape[d] = total;
  const out = new Tensor(allocStorage(dtype, numel(shape)), shape, dtype);
  let at = 0;
  for (const x of tensors) {
    const dst = sliceRaw(out, d, at, x.shape[d], 1);
    binaryKernel(Bin.Copy, x.shape, dst.storage, dst.offset, dst.strides, dst.storage, dst.offset, dst.strides,
      x.storage, x.offset, x.strides);
    at += x.shape[d];
  }
  if (!tensors.some((x) => needsGrad(x))) return out;
  const sizes = tensors.map((x) => x.shape[d]);
  return record(out, 'CatBackward0', tensors, (g) => {
    let pos = 0;
    return tensors.map((x, k) => {
      const part = sliceRaw(g, d, pos, sizes[k], 1);
      pos += sizes[k];
      return new Tensor(contiguousData(part), part.shape, x.dtype);
    });
  });
}

/** torch.stack (StackBackward0). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack expects a non-empty TensorList');
  const shape = tensors[0].shape;
  tensors.forEach((x, k) => {
    if (!sameShape(x.shape, shape)) {
      throw new RangeError(
        `stack expects each tensor to be equal size, but got ${formatShape(shape)} at entry 0 and ${formatShape(x.shape)} at entry ${k}`,
      );
    }
  });
  const d = normDim(dim, shape.length + 1);
  const parts = tensors.map((x) => unsqueezeRaw(x.detach(), d));
  const out = cat(parts, d);
  if (!tensors.some((x) => needsGrad(x))) return out;
  return record(out, 'StackBackward0', tensors, (g) =>
    tensors.map((_, k) => new Tensor(contiguousData(selectRaw(g, d, k)), shape, g.dtype)),
  );
}

