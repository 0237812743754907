/** Tensor factories: tensor(), zeros, ones, full, empty, arange, linspace, eye, rand, randn, randint, randperm. */
import { Tensor } from './tensor';
import { DType, Storage, allocStorage, castValue, isFloating } from './dtype';
import { checkShape, numel } from './shape';
import { Generator, defaultGenerator } from './random';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

type Nested = number | boolean | readonly Nested[];

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Accepts `f(2, 3)` and `f([2, 3])` as PyTorch does. */
function shapeOf(args: readonly (number | readonly number[])[]): number[] {
  const shape = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]).slice() : (args as number[]).slice();
  checkShape(shape);
  return shape;
}

/**
 * torch.tensor(data): nested arrays of numbers or booleans, or a typed array. The dtype follows Python's literals
 * as far as JS can tell them apart: all integers → int64, any fraction/NaN/Infinity → float32, booleans → bool.
 * (JS cannot tell `1.0` from `1`: pass `{ dtype: 'float32' }` when you mean floats.)
 */
export function tensor(data: Nested | Float32Array | Float64Array | Uint8Array | Int32Array, opts: TensorOptions = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const dtype = opts.dtype ?? (data instanceof Float64Array ? 'float64' : data instanceof Uint8Array ? 'uint8' : data instanceof Int32Array ? 'int64' : 'float32');
    const s = allocStorage(dtype, data.length);
    for (let i = 0; i < data.length; i++) s[i] = castValue(dtype, data[i]);
    return finish(new Tensor(s, [data.length], dtype), opts);
  }
  const shape: number[] = [];
  let probe: Nested = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const flat: (number | boolean)[] = [];
  const walk = (x: Nested, d: number): void => {
    if (d === shape.length) {
      if (Array.isArray(x)) throw new TypeError(`expected a number at dim ${d}, found a sequence`);
      if (typeof x !== 'number' && typeof x !== 'boolean') {
        throw new TypeError(`Could not infer dtype of ${typeof x}`);
      }
      flat.push(x);
      return;
    }
    if (!Array.isArray(x)) throw new RangeError(`expected sequence of length ${shape[d]} at dim ${d} (got a scalar)`);
    if (x.length !== shape[d]) throw new RangeError(`expected sequence of length ${shape[d]} at dim ${d} (got ${x.length})`);
    for (const e of x) walk(e, d + 1);
  };
  walk(data, 0);
  let dtype = opts.dtype;
  if (!dtype) {
    if (flat.length > 0 && flat.every((v) => typeof v === 'boolean')) dtype = 'bool';
    else if (flat.some((v) => typeof v === 'number' && !Number.isInteger(v))) dtype = 'float32';
    else dtype = flat.length === 0 ? 'float32' : 'int64';
  }
  const s = allocStorage(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) s[i] = castValue(dtype, Number(flat[i]));
  return finish(new Tensor(s, shape, dtype), opts);
}

/** Wraps existing values (no copy) as a tensor of the given shape. */
export function fromStorage(storage: Storage, shape: readonly number[], dtype: DType = storage instanceof Float32Array ? 'float32' : 'float64'): Tensor {
  if (numel(shape) !== storage.length) {
    throw new RangeError(`shape [${shape.join(', ')}] holds ${numel(shape)} elements, the storage has ${storage.length}`);
  }
  return new Tensor(storage, shape, dtype);
}

export function empty(...args: (number | number[])[]): Tensor {
  return zeros(...args);
}

export function zeros(...args: (number | number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = splitOpts<TensorOptions>(args);
  const dtype = opts.dtype ?? 'float32';
  return finish(new Tensor(allocStorage(dtype, numel(shape)), shape, dtype), opts);
}

export function ones(...args: (number | number[] | TensorOptions)[]): Tensor {
  const { shape, opts } = splitOpts<TensorOptions>(args);
  return full(shape, 1, { ...opts, dtype: opts.dtype ?? 'float32' });
}

function splitOpts<O>(args: readonly unknown[]): { shape: number[]; opts: O } {
  const last = args[args.length - 1];
  const hasOpts = typeof last === 'object' && last !== null && !Array.isArray(last);
  const dims = (hasOpts ? args.slice(0, -1) : args) as (number | number[])[];
  return { shape: shapeOf(dims), opts: (hasOpts ? last : {}) as O };
}

/** torch.full(shape, value): int64 for an integer value, bool for a boolean, float32 otherwise. */
export function full(shape: readonly number[], value: number | boolean, opts: TensorOptions = {}): Tensor {
  checkShape(shape);
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : Number.isInteger(value) ? 'int64' : 'float32');
  const s = allocStorage(dtype, numel(shape)).fill(castValue(dtype, Number(value)));
  return finish(new Tensor(s, shape, dtype), opts);
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape.slice(), { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape.slice(), 1, { dtype: t.dtype, ...opts });
}

/** torch.arange(end) / arange(start, end, step): int64 when every argument is an integer. */
export function arange(a: number, b?: number, step = 1, opts: TensorOptions = {}): Tensor {
  const [start, end] = b === undefined ? [0, a] : [a, b];
  if (step === 0) throw new RangeError('step must be nonzero');
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError(`unsupported range: ${start} -> ${end}`);
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new RangeError('upper bound and larger bound inconsistent with step sign');
  }
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int64' : 'float32');
  const n = Math.ceil((end - start) / step);
  const s = allocStorage(dtype, n);
  for (let i = 0; i < n; i++) s[i] = castValue(dtype, start + i * step);
  return finish(new Tensor(s, [n], dtype), opts);
}

/** torch.linspace(start, end, steps), filled from both ends as PyTorch's CPU kernel does. */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError('number of steps must be non-negative');
  const dtype = opts.dtype ?? 'float32';
  const s = allocStorage(dtype, steps);
  const f = dtype === 'float32' ? Math.fround : (x: number) => x;
  if (steps === 1) s[0] = start;
  else if (steps > 1) {
    const step = f((end - start) / (steps - 1));
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) s[i] = i < half ? f(start + f(step * i)) : f(end - f(step * (steps - i - 1)));
  }
  return finish(new Tensor(s, [steps], dtype), opts);
}

export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const t = zeros([n, m], { dtype: opts.dtype ?? 'float32' });
  for (let i = 0; i < Math.min(n, m); i++) t.storage[i * m + i] = 1;
  return finish(t, opts);
}

/** torch.rand: U[0, 1) with PyTorch's 24-bit floats (bit-identical to PyTorch for the same seed). */
export function rand(...args: (number | number[] | RandomOptions)[]): Tensor {
  const { shape, opts } = splitOpts<RandomOptions>(args);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new TypeError(`"check_uniform_bounds" not implemented for '${dtype}'`);
  const g = opts.generator ?? defaultGenerator;
  const s = allocStorage(dtype, numel(shape));
  for (let i = 0; i < s.length; i++) s[i] = dtype === 'float32' ? g.uniformFloat(0, 1) : g.uniformDouble(0, 1);
  return finish(new Tensor(s, shape, dtype), opts);
}

/** torch.randn: standard normal via Box-Muller, matching PyTorch's CPU generator for the same seed. */
export function randn(...args: (number | number[] | RandomOptions)[]): Tensor {
  const { shape, opts } = splitOpts<RandomOptions>(args);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new TypeError(`"normal_kernel_cpu" not implemented for '${dtype}'`);
  const g = opts.generator ?? defaultGenerator;
  const s = allocStorage(dtype, numel(shape));
  g.fillNormal(s, 0, 1, dtype === 'float32');
  return finish(new Tensor(s, shape, dtype), opts);
}

/** torch.randint(low, high, shape): int64 in [low, high). */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high)) throw new TypeError('randint bounds must be integers');
  if (high <= low) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  checkShape(shape);
  const dtype = opts.dtype ?? 'int64';
  const g = opts.generator ?? defaultGenerator;
  const s = allocStorage(dtype, numel(shape));
  for (let i = 0; i < s.length; i++) s[i] = g.randint(low, high);
  return finish(new Tensor(s, shape, dtype), opts);
}

/** torch.randperm(n): int64, the same permutation PyTorch draws for the same seed. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be non-negative, got${n}`);
  const g = opts.generator ?? defaultGenerator;
  return new Tensor(g.randperm(n), [n], 'int64');
}
