/**
 * Shape inference through the layers, from the per-sample input shape with the batch dimension `B` in front,
 * following PyTorch: Linear maps the last dimension, Flatten(start_dim, end_dim) merges a dimension range,
 * the rest keep the shape. Pure: it reports issues as data and the analyser places them in the text.
 */
import type { Dim } from '../protocol';
import type { LayerType } from './spec';

/** The fields of a layer that shapes depend on (only values that are valid; anything else is left out). */
export interface ShapeLayer {
  type: LayerType | null;
  name: string;
  in?: number;
  out?: number;
  bias?: boolean;
  dim?: number;
  startDim?: number;
  endDim?: number;
}

export interface LayerShape {
  inShape: Dim[] | null;
  outShape: Dim[] | null;
  /** A Linear's `in`: given, or inferred from the incoming last dimension. */
  inFeatures: number | null;
  /** Weight + bias elements (0 for layers without parameters or when unknown). */
  params: number;
  weightShape?: [number, number];
  hasBias?: boolean;
}

export type ShapeIssue =
  | { kind: 'linear-in-mismatch'; layer: number; expected: number; received: number; from: string; shape: Dim[] }
  | { kind: 'needs-flatten'; layer: number; shape: Dim[]; features: number; error: boolean }
  | { kind: 'dim-out-of-range'; layer: number; field: 'dim' | 'startDim' | 'endDim'; value: number; rank: number; shape: Dim[] }
  | { kind: 'flatten-batch'; layer: number }
  | { kind: 'flatten-order'; layer: number }
  | { kind: 'softmax-batch-dim'; layer: number };

export interface ShapeResult {
  layers: LayerShape[];
  /** The model's output shape, or null when some shape on the way is unknown. */
  output: Dim[] | null;
  issues: ShapeIssue[];
}

function numel(shape: readonly Dim[]): number {
  let n = 1;
  for (const d of shape) if (d !== 'B') n *= d;
  return n;
}

/** Normalises a possibly negative dim for a tensor of `rank` dimensions, or null when out of range. */
export function normDim(d: number, rank: number): number | null {
  if (d < -rank || d >= rank) return null;
  return d < 0 ? d + rank : d;
}

export function inferShapes(inputShape: readonly number[] | null, layers: readonly ShapeLayer[]): ShapeResult {
  const issues: ShapeIssue[] = [];
  let shape: Dim[] | null = inputShape ? ['B', ...inputShape] : null;
  /** The layer that last set the feature count, as messages name it. */
  let from = 'the input';
  const out: LayerShape[] = layers.map((l, i): LayerShape => {
    const inShape = shape;
    let next: Dim[] | null = inShape;
    const res: LayerShape = { inShape, outShape: null, inFeatures: null, params: 0 };
    switch (l.type) {
      case 'Linear': {
        const last = inShape ? inShape[inShape.length - 1] : null;
        const received = typeof last === 'number' ? last : null;
        const inF = l.in ?? received;
        res.inFeatures = inF;
        if (inShape && received !== null && inShape.length > 2) {
          const features = numel(inShape);
          issues.push({ kind: 'needs-flatten', layer: i, shape: inShape, features, error: l.in !== undefined && l.in !== received });
        } else if (inShape && received !== null && l.in !== undefined && l.in !== received) {
          issues.push({ kind: 'linear-in-mismatch', layer: i, expected: l.in, received, from, shape: inShape });
        }
        if (l.out !== undefined && inF !== null) {
          const bias = l.bias !== false;
          res.weightShape = [l.out, inF];
          res.hasBias = bias;
          res.params = l.out * inF + (bias ? l.out : 0);
        }
        // A mismatch is reported once, at this layer: the shapes after it follow the layer's `out`, so the
        // layers below still get checked. A flatten error continues as if the Flatten were there.
        if (!inShape || l.out === undefined) next = null;
        else if (inShape.length > 2 && l.in !== undefined && l.in !== received) next = ['B', l.out];
        else next = [...inShape.slice(0, -1), l.out];
        from = l.name;
        break;
      }
      case 'Flatten': {
        if (!inShape) break;
        const rank = inShape.length;
        const sd = l.startDim ?? 1;
        const ed = l.endDim ?? -1;
        const s = normDim(sd, rank);
        const e = normDim(ed, rank);
        if (s === null) issues.push({ kind: 'dim-out-of-range', layer: i, field: 'startDim', value: sd, rank, shape: inShape });
        if (e === null) issues.push({ kind: 'dim-out-of-range', layer: i, field: 'endDim', value: ed, rank, shape: inShape });
        if (s === null || e === null) {
          next = null;
        } else if (s > e) {
          issues.push({ kind: 'flatten-order', layer: i });
          next = null;
        } else if (s === 0) {
          issues.push({ kind: 'flatten-batch', layer: i });
          next = null;
        } else {
          next = [...inShape.slice(0, s), numel(inShape.slice(s, e + 1)), ...inShape.slice(e + 1)];
          if (e > s) from = l.name;
        }
        break;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        if (!inShape) break;
        const d = l.dim ?? 1;
        const nd = normDim(d, inShape.length);
        if (nd === null) {
          issues.push({ kind: 'dim-out-of-range', layer: i, field: 'dim', value: d, rank: inShape.length, shape: inShape });
          next = null;
        } else if (nd === 0) {
          issues.push({ kind: 'softmax-batch-dim', layer: i });
        }
        break;
      }
      case 'Sigmoid':
      case 'ReLU':
      case 'Tanh':
      case 'Dropout':
        break;
      case null:
        next = null;
        break;
    }
    res.outShape = next;
    shape = next;
    return res;
  });
  return { layers: out, output: shape, issues };
}

/** Elements of a shape for a given batch size. */
export function elementsFor(shape: readonly Dim[], batch: number): number {
  return numel(shape) * (shape.includes('B') ? batch : 1);
}
