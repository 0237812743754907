/** Argument binding and conversions for inspector calls, with Python-style error messages. */
import { Tensor } from '../tensor';
import { Size } from '../shape';
import type { DType } from '../dtype';
import type { ComputeLimits } from '../limits';
import { ExpressionError } from './lexer';
import { DTypeValue, PyNum, Seq, Value, typeName } from './values';

/** The most elements an expression may create: a typo must not allocate gigabytes. */
export const MAX_ELEMENTS = 8_000_000;

/**
 * What one evaluation may use in all (enforced by the engine while it runs): any one tensor up to MAX_ELEMENTS,
 * four such in all, and 3·10^8 multiply-adds (a 670×670 by 670×670 product, well under a second): the inspector
 * runs in the extension host, so an evaluation must stay short.
 */
export const INSPECTOR_LIMITS: ComputeLimits = { maxElements: MAX_ELEMENTS, maxTotalElements: 4 * MAX_ELEMENTS, maxMultiplyAdds: 3e8 };

/** The most numbers `tolist()` turns into a printed list. */
export const MAX_LIST_ELEMENTS = 100_000;

export class Args {
  private readonly bound = new Map<string, Value>();

  constructor(readonly fn: string, args: Value[], kwargs: Map<string, Value>, names: readonly string[], readonly rest: Value[] = []) {
    if (args.length > names.length) {
      throw new ExpressionError(`${fn}() takes at most ${names.length} positional argument${names.length === 1 ? '' : 's'} (${args.length} given)`);
    }
    args.forEach((a, i) => this.bound.set(names[i], a));
    for (const [k, v] of kwargs) {
      if (!names.includes(k)) throw new ExpressionError(`${fn}() got an unexpected keyword argument '${k}'`);
      if (this.bound.has(k)) throw new ExpressionError(`${fn}() got multiple values for argument '${k}'`);
      this.bound.set(k, v);
    }
  }

  has(name: string): boolean {
    return this.bound.has(name) && this.bound.get(name) !== null;
  }
  raw(name: string): Value | undefined {
    return this.bound.get(name);
  }
  required(name: string): Value {
    const v = this.bound.get(name);
    if (v === undefined) throw new ExpressionError(`${this.fn}() missing required argument: '${name}'`);
    return v;
  }
  int(name: string, dflt?: number): number {
    const v = this.bound.get(name);
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new ExpressionError(`${this.fn}() missing required argument: '${name}'`);
      return dflt;
    }
    return toInt(v, `${this.fn}(): argument '${name}'`);
  }
  num(name: string, dflt?: number): number {
    const v = this.bound.get(name);
    if (v === undefined || v === null) {
      if (dflt === undefined) throw new ExpressionError(`${this.fn}() missing required argument: '${name}'`);
      return dflt;
    }
    return toNum(v, `${this.fn}(): argument '${name}'`);
  }
  optNum(name: string): number | null {
    const v = this.bound.get(name);
    return v === undefined || v === null ? null : toNum(v, `${this.fn}(): argument '${name}'`);
  }
  bool(name: string, dflt: boolean): boolean {
    const v = this.bound.get(name);
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    if (v instanceof PyNum) return v.value !== 0;
    throw new ExpressionError(`${this.fn}(): argument '${name}' must be bool, not ${typeName(v)}`);
  }
  tensor(name: string): Tensor {
    return toTensor(this.required(name), `${this.fn}(): argument '${name}'`);
  }
  dims(name: string): number | number[] | null {
    const v = this.bound.get(name);
    if (v === undefined || v === null) return null;
    if (v instanceof Seq || v instanceof Size) return toIntList(v, `${this.fn}(): argument '${name}'`);
    return toInt(v, `${this.fn}(): argument '${name}'`);
  }
  dtype(name: string): DType | undefined {
    const v = this.bound.get(name);
    if (v === undefined || v === null) return undefined;
    if (v instanceof DTypeValue) return v.dtype;
    throw new ExpressionError(`${this.fn}(): argument '${name}' must be torch.dtype, not ${typeName(v)}`);
  }
}

export function toInt(v: Value, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyNum && v.isInt) return v.value;
  if (v instanceof Tensor && v.numel() === 1 && !(v.dtype === 'float32' || v.dtype === 'float64')) return v.item();
  throw new ExpressionError(`${what} must be int, not ${typeName(v)}`);
}

export function toNum(v: Value, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyNum) return v.value;
  if (v instanceof Tensor && v.numel() === 1) return v.item();
  throw new ExpressionError(`${what} must be a number, not ${typeName(v)}`);
}

export function toIntList(v: Value, what: string): number[] {
  if (v instanceof Size) return v.slice();
  if (v instanceof Seq) return v.items.map((x, i) => toInt(x, `${what}[${i}]`));
  return [toInt(v, what)];
}

/** Shape arguments given as `f(2, 3)` or `f((2, 3))` / `f([2, 3])`. */
export function shapeArgs(fn: string, args: Value[]): number[] {
  const dims = args.length === 1 && (args[0] instanceof Seq || args[0] instanceof Size) ? toIntList(args[0], fn) : args.map((a, i) => toInt(a, `${fn}(): size[${i}]`));
  let n = 1;
  for (const d of dims) {
    if (d < -1) throw new ExpressionError(`${fn}(): invalid size ${d}`);
    n *= Math.max(d, 1);
  }
  if (n > MAX_ELEMENTS) throw new ExpressionError(`${fn}(): refusing to make ${n.toLocaleString('en-US')} elements (the inspector's limit is ${MAX_ELEMENTS.toLocaleString('en-US')})`);
  return dims;
}

export function toTensor(v: Value, what: string): Tensor {
  if (v instanceof Tensor) return v;
  throw new ExpressionError(`${what} must be Tensor, not ${typeName(v)}`);
}

/** Nested lists of Python numbers → data for torch.tensor (ints stay ints for dtype inference). */
export function toNested(v: Value, what: string, depth = 0): number | boolean | unknown[] {
  if (depth > 32) throw new ExpressionError(`${what}: nested too deeply`);
  if (typeof v === 'boolean') return v;
  if (v instanceof PyNum) return v.value;
  if (v instanceof Seq) return v.items.map((x) => toNested(x, what, depth + 1));
  if (v instanceof Tensor && v.ndim === 0) return v.item();
  throw new ExpressionError(`${what}: could not infer dtype of ${typeName(v)}`);
}

/** True when any leaf of a nested literal is a Python float. */
export function hasFloat(v: Value): boolean {
  if (v instanceof PyNum) return !v.isInt;
  if (v instanceof Seq) return v.items.some(hasFloat);
  return false;
}

export const DTYPE_NAMES: Record<string, DType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', int64: 'int64', long: 'int64',
  uint8: 'uint8', bool: 'bool',
};
