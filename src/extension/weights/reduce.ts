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
 * Streaming statistics in one pass: per chunk, sums of the values and their squares shifted by the chunk's first
 * value (so they stay small), merged across chunks with Chan's formula (stable over hundreds of millions of
 * elements). NaNs are counted, and make every statistic NaN, as in PyTorch.
 */
export class StatsSink implements Sink {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private min = Infinity;
  private max = -Infinity;
  private nan = 0;

  take(values: Values, count: number): void {
    let shift = NaN;
    for (let i = 0; i < count && shift !== shift; i++) shift = values[i];
    if (shift !== shift) {
      this.nan += count;
      return;
    }
    let s = 0;
    let s2 = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let nan = 0;
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v !== v) {
        nan++;
        continue;
      }
      const d = v - shift;
      s += d;
      s2 += d * d;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const k = count - nan;
    this.nan += nan;
    const m = shift + s / k;
    const m2 = Number.isFinite(shift) ? Math.max(0, s2 - (s * s) / k) : NaN;
    const n = this.n + k;
    if (this.n === 0) {
      this.mean = m;
      this.m2 = m2;
    } else if (!Number.isFinite(this.mean) || !Number.isFinite(m)) {
      // ±inf: the plain weighted mean gives what PyTorch gives (inf, or nan for inf and -inf); std is nan.
      this.mean = (this.mean * this.n + m * k) / n;
      this.m2 = NaN;
    } else {
      const delta = m - this.mean;
      this.m2 = this.m2 + m2 + (delta * delta * this.n * k) / n;
      this.mean = this.mean + (delta * k) / n;
    }
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
 * |value| (a NaN wins, so it shows) and its place in the block, (r % blockRows) · blockCols + (c % blockCols).
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
    const shown = this.values;
    const where = this.positions;
    let r = Math.floor(pos / cols);
    let c = pos - r * cols;
    let i = 0;
    while (i < count) {
      // The part of row r in this chunk: columns c .. c + (rowEnd - i).
      const rowEnd = Math.min(count, i + cols - c);
      const base = Math.floor(r / br) * cellCols;
      const inRow = (r % br) * bc;
      if (bc === 1) {
        for (; i < rowEnd; i++, c++) {
          const v = values[i];
          const a = v < 0 ? -v : v;
          const cell = base + c;
          // NaN (a !== a) wins and stays: nothing compares greater than it.
          if (a > best[cell] || (a !== a && best[cell] === best[cell])) {
            best[cell] = a;
            shown[cell] = v;
            where[cell] = inRow;
          }
        }
      } else {
        while (i < rowEnd) {
          const cb = Math.floor(c / bc);
          const segEnd = Math.min(rowEnd, i + (cb + 1) * bc - c);
          const cell = base + cb;
          let top = best[cell];
          let at = -1;
          let atC = 0;
          for (; i < segEnd; i++, c++) {
            const v = values[i];
            const a = v < 0 ? -v : v;
            if (a > top || (a !== a && top === top)) {
              top = a;
              at = i;
              atC = c;
            }
          }
          if (at >= 0) {
            best[cell] = top;
            shown[cell] = values[at];
            where[cell] = inRow + atC - cb * bc;
          }
        }
      }
      if (c === cols) {
        c = 0;
        r++;
      }
    }
  }
}
