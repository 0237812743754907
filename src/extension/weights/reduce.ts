/**
 * What a pass over a tensor's elements computes, one chunk at a time: statistics (min, max, mean, unbiased std as
 * `torch.std`), an exact copy, or a picture reduced to at most a screen's worth of cells by max-abs per block (each
 * cell keeps the element of largest magnitude in its block, sign included, and where it sits). Pure.
 */
import type { TensorStats, WireNumber } from '../../protocol';
import type { Sink } from './gather';
import type { Values } from './source';

export function wire(v: number): WireNumber {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return v;
}

/**
 * Streaming statistics: per chunk a sum and a sum of squared deviations from the chunk's mean, merged with Chan's
 * formula (stable over hundreds of millions of elements). NaNs are counted, and make every statistic NaN, as in
 * PyTorch.
 */
export class StatsSink implements Sink {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private nan = 0;

  take(values: Values, count: number): void {
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let nan = 0;
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v !== v) {
        nan++;
        continue;
      }
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const k = count - nan;
    this.nan += nan;
    if (k === 0) return;
    const m = sum / k;
    let m2 = 0;
    if (Number.isFinite(m)) {
      for (let i = 0; i < count; i++) {
        const v = values[i];
        if (v === v) m2 += (v - m) * (v - m);
      }
    } else m2 = NaN;
    const n = this.n + k;
    const delta = m - this.mean;
    this.m2 = this.n === 0 ? m2 : this.m2 + m2 + (delta * delta * this.n * k) / n;
    this.mean = this.n === 0 ? m : this.mean + (delta * k) / n;
    this.n = n;
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
  }

  result(): TensorStats {
    const total = this.n + this.nan;
    if (total === 0) return { min: 'nan', max: 'nan', mean: 'nan', std: 'nan', nan: 0 };
    if (this.nan > 0) return { min: 'nan', max: 'nan', mean: 'nan', std: 'nan', nan: this.nan };
    const std = this.n > 1 ? Math.sqrt(this.m2 / (this.n - 1)) : NaN;
    return { min: wire(this.min), max: wire(this.max), mean: wire(this.mean), std: wire(std), nan: 0 };
  }
}

/** Every element, as float32, in view order. */
export class CollectSink implements Sink {
  readonly data: Float32Array<ArrayBuffer>;
  constructor(n: number) {
    this.data = new Float32Array(n);
  }

  take(values: Values, count: number, pos: number): void {
    this.data.set(count === values.length ? values : values.subarray(0, count), pos);
  }
}

/** The first `n` elements of the view, as float32 (the tiles of a downsampled [R, 784] view). */
export class PrefixSink implements Sink {
  readonly data: Float32Array<ArrayBuffer>;
  constructor(readonly n: number) {
    this.data = new Float32Array(n);
  }

  take(values: Values, count: number, pos: number): void {
    if (pos >= this.n) return;
    const k = Math.min(count, this.n - pos);
    this.data.set(values.subarray(0, k), pos);
  }
}

/**
 * A rows × cols view reduced to blocks of blockRows × blockCols: each cell holds the block's element of largest
 * |value| (NaN and ±inf above any finite value) and its place in the block, (r % blockRows) · blockCols + (c % blockCols).
 */
export class MaxAbsBlocks implements Sink {
  readonly cellRows: number;
  readonly cellCols: number;
  readonly values: Float32Array<ArrayBuffer>;
  readonly positions: Uint32Array<ArrayBuffer>;
  private readonly best: Float64Array;

  constructor(readonly rows: number, readonly cols: number, readonly blockRows: number, readonly blockCols: number) {
    this.cellRows = Math.ceil(rows / blockRows);
    this.cellCols = Math.ceil(cols / blockCols);
    const cells = this.cellRows * this.cellCols;
    this.values = new Float32Array(cells);
    this.positions = new Uint32Array(cells);
    this.best = new Float64Array(cells).fill(-1);
  }

  take(values: Values, count: number, pos: number): void {
    const { cols, blockRows: br, blockCols: bc, cellCols } = this;
    const best = this.best;
    let r = Math.floor(pos / cols);
    let c = pos - r * cols;
    let rowBase = Math.floor(r / br) * cellCols;
    let inRow = (r % br) * bc;
    for (let i = 0; i < count; i++) {
      const v = values[i];
      const a = v < 0 ? -v : v === v ? v : Infinity; // NaN ranks with ±inf, above every finite value
      const cb = Math.floor(c / bc);
      const cell = rowBase + cb;
      if (a > best[cell]) {
        best[cell] = a;
        this.values[cell] = v;
        this.positions[cell] = inRow + (c - cb * bc);
      }
      if (++c === cols) {
        c = 0;
        r++;
        rowBase = Math.floor(r / br) * cellCols;
        inRow = (r % br) * bc;
      }
    }
  }
}
