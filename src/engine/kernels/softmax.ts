/** Softmax and log-softmax along one axis of a contiguous block [outer, size, inner], computed in float64. */
import type { Storage } from '../dtype';

export function softmaxKernel(
  x: Storage, xOff: number, out: Storage, outer: number, size: number, inner: number, log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let k = 0; k < size; k++) {
        const v = x[xOff + base + k * inner];
        if (v > max || v !== v) max = v;
        if (v !== v) break;
      }
      let sum = 0;
      for (let k = 0; k < size; k++) sum += Math.exp(x[xOff + base + k * inner] - max);
      if (log) {
        const lse = max + Math.log(sum);
        for (let k = 0; k < size; k++) out[base + k * inner] = x[xOff + base + k * inner] - lse;
      } else {
        for (let k = 0; k < size; k++) out[base + k * inner] = Math.exp(x[xOff + base + k * inner] - max) / sum;
      }
    }
  }
}

/** Softmax backward from the output y: dx = y · (g − Σ g·y). Log-softmax: dx = g − exp(y) · Σ g. */
export function softmaxBackwardKernel(
  g: Storage, gOff: number, y: Storage, out: Storage, outer: number, size: number, inner: number, log: boolean,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let s = 0;
      if (log) {
        for (let k = 0; k < size; k++) s += g[gOff + base + k * inner];
        for (let k = 0; k < size; k++) {
          const p = base + k * inner;
          out[p] = g[gOff + p] - Math.exp(y[p]) * s;
        }
      } else {
        for (let k = 0; k < size; k++) {
          const p = base + k * inner;
          s += g[gOff + p] * y[p];
        }
        for (let k = 0; k < size; k++) {
          const p = base + k * inner;
          out[p] = y[p] * (g[gOff + p] - s);
        }
      }
    }
  }
}
