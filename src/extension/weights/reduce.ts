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

/*
 * The hot loops, as small functions of typed arrays and numbers only. Each runs once on a few values when this
 * module loads, through every branch, so that V8 optimizes the long loops later with complete type feedback (an
 * optimized loop entered before some operation after it has run deoptimizes on every call).
 */

/** Sums of (v − shift) and (v − shift)², min, max and the NaN count of values[0..count) → out[0..5). */
function statsKernel(values: Values, count: number, shift: number, out: Float64Array): void {
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
  out[0] = s;
  out[1] = s2;
  out[2] = lo;
  out[3] = hi;
  out[4] = nan;
}

/**
 * One row's values[i0..i1) at columns c0.. of a picture with one column per cell: cell base + c keeps the value
 * of largest magnitude (a NaN wins and stays) and `inRow`, its row in the block.
 */
function maxAbsColumns(values: Values, i0: number, i1: number, c0: number, base: number, inRow: number, best: Float64Array, shown: Float32Array, where: Uint32Array): void {
  for (let i = i0, cell = base + c0; i < i1; i++, cell++) {
    const v = values[i];
    const a = v < 0 ? -v : v;
    const b = best[cell];
    if (a > b || (a !== a && b === b)) {
      best[cell] = a;
      shown[cell] = v;
      where[cell] = inRow;
    }
  }
}

/** The same with blocks `bc` columns wide: values[i0..i1) of one row, from column c0. */
function maxAbsBlocks(values: Values, i0: number, i1: number, c0: number, bc: number, base: number, inRow: number, best: Float64Array, shown: Float32Array, where: Uint32Array): void {
  let i = i0;
  let c = c0;
  while (i < i1) {
    const cb = Math.floor(c / bc);
    const end = Math.min(i1, i + (cb + 1) * bc - c);
    const cell = base + cb;
    let top = best[cell];
    let at = -1;
    let atC = 0;
    for (; i < end; i++, c++) {
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

/** Every branch of the kernels once, on float32 and float64 values (see above). */
function warmUp(): void {
  const out = new Float64Array(5);
  const best = new Float64Array(4).fill(-1);
  const shown = new Float32Array(4);
  const where = new Uint32Array(4);
  for (const v of [Float32Array.from([1, -2, NaN, 3]), Float64Array.from([1, -2, NaN, 3])]) {
    statsKernel(v, 4, 1, out);
    best.fill(-1);
    maxAbsColumns(v, 0, 4, 0, 0, 0, best, shown, where);
    maxAbsColumns(v, 0, 4, 0, 0, 1, best, shown, where);
    best.fill(-1);
    maxAbsBlocks(v, 0, 4, 0, 2, 0, 0, best, shown, where);
    maxAbsBlocks(v, 0, 4, 0, 2, 0, 1, best, shown, where);
  }
}
warmUp();

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

  private readonly acc = new Float64Array(5);

  take(values: Values, count: number): void {
    let shift = NaN;
    for (let i = 0; i < count && shift !== shift; i++) shift = values[i];
    if (shift !== shift) {
      this.nan += count;
      return;
    }
    const acc = this.acc;
    statsKernel(values, count, shift, acc);
    const [s, s2, lo, hi, nan] = acc;
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
    const { cols, blockRows: br, blockCols: bc, cellCols, best, values: shown, positions: where } = this;
    let r = Math.floor(pos / cols);
    let c = pos - r * cols;
    let i = 0;
    while (i < count) {
      // The part of row r in this chunk: values[i..end) at columns c...
      const end = Math.min(count, i + cols - c);
      const base = Math.floor(r / br) * cellCols;
      const inRow = (r % br) * bc;
      if (bc === 1) maxAbsColumns(values, i, end, c, base, inRow, best, shown, where);
      else maxAbsBlocks(values, i, end, c, bc, base, inRow, best, shown, where);
      c += end - i;
      i = end;
      if (c === cols) {
        c = 0;
        r++;
      }
    }
  }
}
