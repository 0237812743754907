/**
 * Whether to look for the zeros of a product's input first (the sparse kernels' scans, fwd_segments and
 * wgrad_lists in kernels.c). A scan that finds too few zeros costs its time for nothing (about 1 µs each at batch
 * 10), and a workload's batches are alike: Fashion-MNIST at batch 10 has 22% zero segments, too few to pay, while
 * MNIST's pay every time. After FAILS_TO_REST failed scans in a row of one shape, that shape goes straight to the
 * dense kernel for REST calls, then is scanned again. The sparse and dense kernels give the same numbers, so this
 * moves time only.
 */
export const FAILS_TO_REST = 4;
export const REST = 32;
const MAX_SHAPES = 64;

interface Record {
  fails: number;
  rest: number;
}

export class ScanMemo {
  private readonly shapes = new Map<number, Record>();

  /** True when a product of this shape should be scanned now. */
  shouldScan(rows: number, cols: number): boolean {
    const s = this.shapes.get(key(rows, cols));
    if (!s || s.rest === 0) return true;
    s.rest--;
    return false;
  }

  /** What a scan of this shape found: enough zeros to pay, or not (returned, for the caller's test). */
  record(rows: number, cols: number, paid: boolean): boolean {
    const k = key(rows, cols);
    let s = this.shapes.get(k);
    if (!s) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      s = { fails: 0, rest: 0 };
      this.shapes.set(k, s);
    }
    if (paid) s.fails = 0;
    else if (++s.fails >= FAILS_TO_REST) s.rest = REST;
    return paid;
  }
}

function key(rows: number, cols: number): number {
  return rows * 2 ** 26 + cols;
}
