/** How the weight-file page writes numbers, sizes and statistics (PyTorch's way for values). Pure: no DOM. */
import type { TensorStats, WireNumber } from '../../src/protocol';
import { formatCount, formatValue } from '../format';

const INTEGER_DTYPES = new Set(['int64', 'uint8', 'bool']);

/** A value as PyTorch prints a one-element tensor of the dtype: `-0.0213`, `3.` (float), `3` (int), `nan`. */
export function formatWire(v: WireNumber, dtype = 'float32'): string {
  if (typeof v === 'string') return v;
  if (INTEGER_DTYPES.has(dtype) && Number.isInteger(v)) return String(v);
  return formatValue(v);
}

/** 200704 → `196 KiB`; binary units, as file managers and `ls -h` count. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${formatCount(n)} bytes` : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export function formatShapeList(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The four statistics as the list shows them; min/max keep the dtype (ints print without a dot). */
export function statCells(s: TensorStats | null, dtype: string): [string, string, string, string] {
  if (!s) return ['…', '…', '…', '…'];
  const mm = INTEGER_DTYPES.has(dtype) ? dtype : 'float32';
  return [formatWire(s.min, mm), formatWire(s.max, mm), formatWire(s.mean), formatWire(s.std)];
}

/** `min -0.4321 · max 0.5012 · mean 0.0011 · std 0.0312` (and the NaN count when there are NaNs). */
export function statsLine(s: TensorStats, dtype: string): string {
  const [min, max, mean, std] = statCells(s, dtype);
  return `min ${min} · max ${max} · mean ${mean} · std ${std}${s.nan ? ` · ${formatCount(s.nan)} NaN` : ''}`;
}
