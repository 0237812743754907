/**
 * PyTorch's print of a tensor in a file, made by the engine's printer (`formatBody`) without reading the whole
 * tensor: up to PRINT_OPTIONS.threshold elements are read and printed in full; above it PyTorch prints a summary
 * (`edgeitems` first and last along each dimension) whose formatting depends only on those elements, so only they
 * are read. Half-precision tensors print as PyTorch prints them (values widened exactly, `dtype=torch.float16`).
 */
import * as torch from '../../engine';
import { engineDType, type FileDType } from '../../data/bytes';
import { contiguousStrides, gather, numel, type Job, type Sink, type ViewGeometry } from './gather';
import { Scratch, type SourceEntry, type TensorSource, type Values } from './source';

/**
 * A summary showing more elements than this (edgeitems² ^ … : 6^ndim for a tensor large in every dimension) is
 * not printed: the page shows its size instead of reading tens of thousands of scattered elements.
 */
export const MAX_PRINT_ELEMENTS = 50_000;

/**
 * `tensor([...])` for values of `shape` in row-major order (`values[i]` is only read where the print shows it),
 * as `print(t)` shows a tensor of the file's dtype.
 */
export function reprOf(values: ArrayLike<number>, shape: readonly number[], dtype: FileDType): string {
  return torch.formatRepr(values, shape, engineDType(dtype), dtype);
}

/** Keeps every element in float64 (exact for every dtype we read), by view position. */
export class ExactSink implements Sink {
  readonly data: Float64Array;
  constructor(n: number) {
    this.data = new Float64Array(n);
  }
  take(values: Values, count: number, pos: number): void {
    this.data.set(values.subarray(0, count), pos);
  }
}

/** The [start, end) ranges PyTorch's summary shows along a dimension of size n. */
function edgeRanges(n: number): [number, number][] {
  const e = torch.PRINT_OPTIONS.edgeitems;
  return n > 2 * e ? [[0, e], [n - e, n]] : [[0, n]];
}

/**
 * The print of `view`: from `exact` (all its elements, when the caller read them) or by reading the summary's
 * elements, box by box (2^ndim boxes of at most edgeitems^ndim elements).
 */
export async function printView(src: TensorSource, entry: SourceEntry, view: ViewGeometry, job: Job, exact?: Float64Array): Promise<string> {
  const n = numel(view.shape);
  if (exact && exact.length === n) return reprOf(exact, view.shape, entry.dtype);
  if (n <= torch.PRINT_OPTIONS.threshold) {
    const all = new ExactSink(n);
    await gather(src, entry, view, [all], job, new Scratch());
    return reprOf(all.data, view.shape, entry.dtype);
  }
  const ranges = view.shape.map(edgeRanges);
  const count = ranges.reduce((a, rs) => a * rs.reduce((b, [lo, hi]) => b + hi - lo, 0), 1);
  if (count > MAX_PRINT_ELEMENTS) return `(the print of a ${view.shape.length}-dimensional tensor of size torch.Size([${view.shape.join(', ')}]) would show ${count.toLocaleString('en-US')} values: slice it to print a part)`;
  const flat = contiguousStrides(view.shape);
  const shown = new Map<number, number>();
  const scratch = new Scratch();
  const boxes = ranges.reduce<[number, number][][]>((acc, rs) => acc.flatMap((b) => rs.map((r) => [...b, r])), [[]]);
  for (const box of boxes) {
    const shape = box.map(([a, b]) => b - a);
    const offset = view.offset + box.reduce((o, [a], d) => o + a * view.strides[d], 0);
    const boxStrides = contiguousStrides(shape);
    const sink: Sink = {
      take(values, count, pos) {
        for (let i = 0; i < count; i++) {
          // Box position → index in the whole view (row-major).
          let p = pos + i;
          let at = 0;
          for (let d = 0; d < shape.length; d++) {
            const k = Math.floor(p / boxStrides[d]);
            p -= k * boxStrides[d];
            at += (box[d][0] + k) * flat[d];
          }
          shown.set(at, values[i]);
        }
      },
    };
    await gather(src, entry, { shape, strides: view.strides, offset }, [sink], job, scratch);
  }
  const lookup = new Proxy({ length: n } as ArrayLike<number>, {
    get: (target, key) => (key === 'length' ? target.length : typeof key === 'string' ? shown.get(Number(key)) ?? NaN : undefined),
  });
  return reprOf(lookup, view.shape, entry.dtype);
}
