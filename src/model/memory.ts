/** What training a model allocates, estimated from shapes alone so a too-large model is refused before it exists. */
import type { Dim } from '../protocol';
import { elementsFor } from './shapes';
import type { OptimizerSpec } from './spec';

/** Float32 tensors per parameter the optimiser keeps: momentum buffer for SGD with momentum, two moments for Adam. */
export function optimizerStates(opt: Pick<OptimizerSpec, 'type' | 'momentum'>): number {
  if (opt.type === 'adam') return 2;
  return (opt.momentum ?? 0) > 0 ? 1 : 0;
}

/**
 * Bytes of float32 storage one training step holds: weights, their gradients and the optimiser state, plus the
 * input batch and every layer's output with its gradient. Unknown shapes count as nothing.
 */
export function estimateTrainingBytes(params: number, shapes: readonly (readonly Dim[] | null)[], batchSize: number, opt: Pick<OptimizerSpec, 'type' | 'momentum'>): number {
  let activations = 0;
  for (const s of shapes) if (s) activations += elementsFor(s, batchSize);
  return 4 * (params * (2 + optimizerStates(opt)) + 2 * activations);
}

/** 1288490188 → "1.2 GiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (!Number.isFinite(v)) return 'an unbounded amount of memory';
  return u === 0 ? `${Math.round(v)} bytes` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
