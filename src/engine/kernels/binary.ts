/** Strided, broadcasting binary kernels over flat typed arrays: one switch per row, never per element. */
import type { Storage } from '../dtype';

export const enum Bin {
  Add, Sub, Mul, Div, Pow, Max, Min, Eq, Ne, Lt, Le, Gt, Ge, Copy, RSub,
}

/** out[i] = a[i] (op) b[i] over `shape`, each operand with its own offset and (broadcast) strides. */
export function binaryKernel(
  op: Bin, shape: readonly number[],
  out: Storage, oOff: number, oStr: readonly number[],
  a: Storage, aOff: number, aStr: readonly number[],
  b: Storage, bOff: number, bStr: readonly number[],
  alpha = 1,
): void {
  const nd = shape.length;
  if (nd === 0) {
    row(op, out, oOff, 1, a, aOff, 0, b, bOff, 0, 1, alpha);
    return;
  }
  let total = 1;
  for (let d = 0; d < nd; d++) total *= shape[d];
  if (total === 0) return;
  const inner = shape[nd - 1];
  const so = oStr[nd - 1];
  const sa = aStr[nd - 1];
  const sb = bStr[nd - 1];
  const outer = total / inner;
  const idx = new Array<number>(nd).fill(0);
  let po = oOff;
  let pa = aOff;
  let pb = bOff;
  for (let r = 0; r < outer; r++) {
    row(op, out, po, so, a, pa, sa, b, pb, sb, inner, alpha);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      po += oStr[d];
      pa += aStr[d];
      pb += bStr[d];
      if (idx[d] < shape[d]) break;
      po -= oStr[d] * shape[d];
      pa -= aStr[d] * shape[d];
      pb -= bStr[d] * shape[d];
      idx[d] = 0;
    }
  }
}

function row(
  op: Bin, out: Storage, o: number, so: number, a: Storage, pa: number, sa: number,
  b: Storage, pb: number, sb: number, n: number, alpha: number,
): void {
  switch (op) {
    case Bin.Add:
      if (alpha === 1) for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] + b[pb];
      else for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] + alpha * b[pb];
      return;
    case Bin.Sub: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] - b[pb]; return;
    case Bin.RSub: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = b[pb] - a[pa]; return;
    case Bin.Mul: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] * b[pb]; return;
    case Bin.Div: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] / b[pb]; return;
    case Bin.Pow: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = Math.pow(a[pa], b[pb]); return;
    case Bin.Max:
      for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) {
        const x = a[pa];
        const y = b[pb];
        out[o] = x !== x || y !== y ? NaN : x > y ? x : y;
      }
      return;
    case Bin.Min:
      for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) {
        const x = a[pa];
        const y = b[pb];
        out[o] = x !== x || y !== y ? NaN : x < y ? x : y;
      }
      return;
    case Bin.Eq: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] === b[pb] ? 1 : 0; return;
    case Bin.Ne: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] !== b[pb] ? 1 : 0; return;
    case Bin.Lt: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] < b[pb] ? 1 : 0; return;
    case Bin.Le: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] <= b[pb] ? 1 : 0; return;
    case Bin.Gt: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] > b[pb] ? 1 : 0; return;
    case Bin.Ge: for (let i = 0; i < n; i++, o += so, pa += sa, pb += sb) out[o] = a[pa] >= b[pb] ? 1 : 0; return;
    case Bin.Copy: for (let i = 0; i < n; i++, o += so, pb += sb) out[o] = b[pb]; return;
  }
}
