/** Number and shape formatting as PyTorch users read it. Pure: no DOM. */
import type { Dim } from '../src/protocol';

/**
 * A scalar the way PyTorch prints a one-element tensor (`tensor(-0.0213)` without the wrapper): 4 decimals,
 * `-3.` for a whole number, scientific notation (`1.5000e-05`) below 1e-4 or above 1e8.
 */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a > 1e8)) {
    const [m, e] = v.toExponential(4).split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (Number.isInteger(v)) return `${Object.is(v, -0) ? '-0' : v}.`;
  return v.toFixed(4);
}

/** `[B, 784]`, or `?` when the shape is unknown. */
export function formatShape(shape: readonly Dim[] | null): string {
  return shape ? `[${shape.join(', ')}]` : '?';
}

/** 50240 → `50,240`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** 0.9123 → `91.2%`. */
export function formatPercent(p: number): string {
  return `${(p * 100).toFixed(1)}%`;
}

/** A layer's label: `Linear W1` for a named layer, `Sigmoid (1)` for one named by its index as nn.Sequential does. */
export function layerLabel(layer: { index: number; name: string; type: string }): string {
  return layer.name === String(layer.index) ? `${layer.type} (${layer.name})` : `${layer.type} ${layer.name}`;
}
