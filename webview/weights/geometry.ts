/**
 * Which element of the tensor in the file a cell of the picture shows, and the PyTorch expression that reaches it
 * (`W1.weight[12, 340]`, `conv.weight[0, 2, 4, 1]` for a cell of the slice `[0, :, :, 1]`). Pure: no DOM.
 */
import type { WeightView } from '../../src/protocol';

export type ViewGeometry = Pick<WeightView, 'offset' | 'strides' | 'sourceShape'>;

/** The index in the file's tensor of the view element at `at` (one index per view dimension). */
export function sourceIndex(g: ViewGeometry, at: readonly number[]): number[] {
  let flat = g.offset;
  for (let k = 0; k < at.length; k++) flat += at[k] * g.strides[k];
  const out = new Array<number>(g.sourceShape.length);
  for (let d = g.sourceShape.length - 1; d >= 0; d--) {
    const n = g.sourceShape[d];
    out[d] = n > 0 ? flat % n : 0;
    flat = n > 0 ? Math.floor(flat / n) : 0;
  }
  return out;
}

/** `name[i, j, ...]` (a 0-d tensor is its name alone). */
export function elementExpression(name: string, index: readonly number[]): string {
  return index.length ? `${name}[${index.join(', ')}]` : name;
}

/**
 * The view element a picture cell shows: itself when exact; the block's largest-|value| element when downsampled
 * (`positions[cell]` = its place in the block). A 1-D view is one row.
 */
export function cellElement(view: WeightView, r: number, c: number, positions?: Uint32Array): number[] {
  const d = view.picture?.downsample;
  let vr = r;
  let vc = c;
  if (d && positions) {
    const [br, bc] = d.block;
    const w = positions[r * (view.picture?.cols ?? 0) + c];
    vr = r * br + Math.floor(w / bc);
    vc = c * bc + (w % bc);
  }
  return view.shape.length === 1 ? [vc] : [vr, vc];
}
