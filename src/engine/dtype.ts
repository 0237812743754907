/** Element types, their storage, and PyTorch's type promotion. */
import { chargeElements } from './limits';
import { allocPinned } from './kernels/wasm';

export type DType = 'float32' | 'float64' | 'int64' | 'uint8' | 'bool';
export type Storage = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'uint8', 'bool'];

/** float32 lives in a Float32Array; everything else in a Float64Array (int64 values are exact up to 2^53). */
export function allocStorage(dtype: DType, n: number): Storage {
  chargeElements(n);
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

/** Below this many elements a parameter stays an ordinary array: the kernels copy it for nothing. */
const PIN_MIN_ELEMENTS = 1024;

/**
 * Storage for a parameter (a Linear's weight): float32 ones live in the WebAssembly kernels' arena when it has
 * room, so the products and the optimizer use them in place (kernels/wasm.ts); else as allocStorage.
 */
export function allocParameterStorage(dtype: DType, n: number): Storage {
  chargeElements(n);
  const pinned = dtype === 'float32' && n >= PIN_MIN_ELEMENTS ? allocPinned(n) : null;
  return pinned ?? (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int64: 2, float32: 3, float64: 4 };

/** torch.promote_types for the dtypes we support. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Result dtype of `tensor op scalar`: a Python-style scalar does not widen a float tensor. */
export function promoteWithScalar(t: DType, scalar: number): DType {
  if (isFloating(t)) return t;
  if (!Number.isInteger(scalar)) return 'float32';
  return t === 'bool' ? 'int64' : t;
}

/** Converts a JS number to what storing it in `dtype` gives (truncation toward zero, uint8 wrap-around). */
export function castValue(dtype: DType, v: number): number {
  switch (dtype) {
    case 'float32': return Math.fround(v);
    case 'float64': return v;
    case 'int64': return Number.isFinite(v) ? Math.trunc(v) : v;
    case 'uint8': return Number.isFinite(v) ? ((Math.trunc(v) % 256) + 256) % 256 : 0;
    case 'bool': return v !== 0 ? 1 : 0;
  }
}

/** PyTorch's name for a dtype: torch.float32, torch.int64, ... */
export function torchDTypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

/** Bytes per element as PyTorch stores it. */
export function itemSize(dtype: DType): number {
  switch (dtype) {
    case 'float32': return 4;
    case 'float64': return 8;
    case 'int64': return 8;
    case 'uint8': return 1;
    case 'bool': return 1;
  }
}
