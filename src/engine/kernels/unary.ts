/** Unary maps over contiguous runs, and the fused backward kernels of the activations. */
import type { Storage } from '../dtype';
import { wasmRelu, wasmReluBackward, wasmSigmoid } from './wasm';

export const enum Un {
  Neg, Exp, Log, Sqrt, Abs, Sigmoid, Tanh, Relu, Clamp, Sign, Square, Reciprocal, Cast,
}

/** out[i] = f(src[s + i]) for n elements; `lo`/`hi` are clamp bounds (NaN = none), `cast` rounds for integers. */
export function unaryKernel(op: Un, n: number, out: Storage, src: Storage, s: number, lo = NaN, hi = NaN): void {
  switch (op) {
    case Un.Neg: for (let i = 0; i < n; i++) out[i] = -src[s + i]; return;
    case Un.Exp: for (let i = 0; i < n; i++) out[i] = Math.exp(src[s + i]); return;
    case Un.Log: for (let i = 0; i < n; i++) out[i] = Math.log(src[s + i]); return;
    case Un.Sqrt: for (let i = 0; i < n; i++) out[i] = Math.sqrt(src[s + i]); return;
    case Un.Abs: for (let i = 0; i < n; i++) out[i] = Math.abs(src[s + i]); return;
    case Un.Sigmoid:
      // float32 outputs follow PyTorch's float arithmetic: exp(-x) overflows past -88.72, giving exactly 0.
      // The kernel computes the same formula with its own float64 exp (four times faster than Math.exp here).
      if (wasmSigmoid(out, src, s, n)) return;
      for (let i = 0; i < n; i++) {
        const x = src[s + i];
        if (x >= 0) out[i] = 1 / (1 + Math.exp(-x));
        else if (x < -88.72283905206835 && out instanceof Float32Array) out[i] = 0;
        else {
          const e = Math.exp(x);
          out[i] = e / (1 + e);
        }
      }
      return;
    case Un.Tanh: for (let i = 0; i < n; i++) out[i] = Math.tanh(src[s + i]); return;
    case Un.Relu:
      if (wasmRelu(out, src, s, n)) return;
      for (let i = 0; i < n; i++) {
        const x = src[s + i];
        out[i] = x > 0 ? x : x !== x ? x : 0;
      }
      return;
    case Un.Clamp:
      for (let i = 0; i < n; i++) {
        let x = src[s + i];
        if (x !== x) { out[i] = x; continue; }
        if (lo === lo && x < lo) x = lo;
        if (hi === hi && x > hi) x = hi;
        out[i] = x;
      }
      return;
    case Un.Sign: for (let i = 0; i < n; i++) { const x = src[s + i]; out[i] = x > 0 ? 1 : x < 0 ? -1 : x; } return;
    case Un.Square: for (let i = 0; i < n; i++) { const x = src[s + i]; out[i] = x * x; } return;
    case Un.Reciprocal: for (let i = 0; i < n; i++) out[i] = 1 / src[s + i]; return;
    case Un.Cast: for (let i = 0; i < n; i++) out[i] = Math.trunc(src[s + i]); return;
  }
}

/** dx = g * y * (1 - y) from the sigmoid's output y. */
export function sigmoidBackward(n: number, out: Storage, g: Storage, gOff: number, y: Storage, yOff: number): void {
  for (let i = 0; i < n; i++) {
    const v = y[yOff + i];
    out[i] = g[gOff + i] * v * (1 - v);
  }
}

/** dx = g * (1 - y^2) from the tanh's output y. */
export function tanhBackward(n: number, out: Storage, g: Storage, gOff: number, y: Storage, yOff: number): void {
  for (let i = 0; i < n; i++) {
    const v = y[yOff + i];
    out[i] = g[gOff + i] * (1 - v * v);
  }
}

/** dx = g where y > 0 (PyTorch's threshold_backward uses the output). */
export function reluBackward(n: number, out: Storage, g: Storage, gOff: number, y: Storage, yOff: number): void {
  if (wasmReluBackward(out, g, gOff, y, yOff, n)) return;
  for (let i = 0; i < n; i++) out[i] = y[yOff + i] > 0 ? g[gOff + i] : 0;
}
