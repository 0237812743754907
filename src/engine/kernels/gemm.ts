/**
 * Matrix products on flat typed arrays with explicit leading dimensions, accumulating in float64.
 *   gemmNN: C = A·B     (A [M,K] row-major, B [K,N] row-major)
 *   gemmNT: C = A·Bᵀ    (Bt [N,K] row-major: the Linear forward, x·Wᵀ)
 *   gemmTN: C = Aᵀ·B    (At [K,M] row-major: the weight gradient, gᵀ·x)
 * `accumulate` adds into C instead of overwriting it (addmm's bias, gradient accumulation).
 * float32 products go to the WebAssembly SIMD kernels (./wasm.ts, accumulating in float32 as BLAS does) when they
 * are available; these loops are the fallback and the reference they are tested against.
 */
import type { Storage } from '../dtype';
import { wasmGemmNN, wasmGemmNT, wasmTakes } from './wasm';

let scratch = new Float64Array(1024);
function rowScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

export function gemmNN(
  M: number, N: number, K: number,
  A: Storage, aOff: number, lda: number,
  B: Storage, bOff: number, ldb: number,
  C: Storage, cOff: number, ldc: number, accumulate: boolean,
): void {
  if (wasmTakes(M * N * K, A, B, C) && wasmGemmNN(M, N, K, A as Float32Array, aOff, lda, 1, B as Float32Array, bOff, ldb, C as Float32Array, cOff, ldc, accumulate)) return;
  rowsTimesB(M, N, K, A, aOff, lda, 1, B, bOff, ldb, C, cOff, ldc, accumulate);
}

export function gemmNT(
  M: number, N: number, K: number,
  A: Storage, aOff: number, lda: number,
  Bt: Storage, bOff: number, ldb: number,
  C: Storage, cOff: number, ldc: number, accumulate: boolean,
): void {
  if (wasmTakes(M * N * K, A, Bt, C) && wasmGemmNT(M, N, K, A as Float32Array, aOff, lda, Bt as Float32Array, bOff, ldb, C as Float32Array, cOff, ldc, accumulate)) return;
  let i = 0;
  // Two rows of A against four rows of Bᵀ: 6 loads for 8 multiply-adds.
  for (; i + 2 <= M; i += 2) {
    const a0 = aOff + i * lda, a1 = a0 + lda;
    const c0 = cOff + i * ldc, c1 = c0 + ldc;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const p0 = bOff + j * ldb, p1 = p0 + ldb, p2 = p1 + ldb, p3 = p2 + ldb;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k], x1 = A[a1 + k];
        const b0 = Bt[p0 + k], b1 = Bt[p1 + k], b2 = Bt[p2 + k], b3 = Bt[p3 + k];
        s00 += x0 * b0; s01 += x0 * b1; s02 += x0 * b2; s03 += x0 * b3;
        s10 += x1 * b0; s11 += x1 * b1; s12 += x1 * b2; s13 += x1 * b3;
      }
      if (accumulate) {
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
        C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
      } else {
        C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
        C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
      }
    }
    for (; j < N; j++) {
      const p0 = bOff + j * ldb;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < K; k++) {
        const b = Bt[p0 + k];
        s0 += A[a0 + k] * b;
        s1 += A[a1 + k] * b;
      }
      if (accumulate) { C[c0 + j] += s0; C[c1 + j] += s1; } else { C[c0 + j] = s0; C[c1 + j] = s1; }
    }
  }
  for (; i < M; i++) {
    const ai = aOff + i * lda;
    const ci = cOff + i * ldc;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const p0 = bOff + j * ldb, p1 = p0 + ldb, p2 = p1 + ldb, p3 = p2 + ldb;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < K; k++) {
        const a = A[ai + k];
        s0 += a * Bt[p0 + k];
        s1 += a * Bt[p1 + k];
        s2 += a * Bt[p2 + k];
        s3 += a * Bt[p3 + k];
      }
      if (accumulate) {
        C[ci + j] += s0; C[ci + j + 1] += s1; C[ci + j + 2] += s2; C[ci + j + 3] += s3;
      } else {
        C[ci + j] = s0; C[ci + j + 1] = s1; C[ci + j + 2] = s2; C[ci + j + 3] = s3;
      }
    }
    for (; j < N; j++) {
      const p0 = bOff + j * ldb;
      let s0 = 0;
      for (let k = 0; k < K; k++) s0 += A[ai + k] * Bt[p0 + k];
      if (accumulate) C[ci + j] += s0;
      else C[ci + j] = s0;
    }
  }
}

export function gemmTN(
  M: number, N: number, K: number,
  At: Storage, aOff: number, lda: number,
  B: Storage, bOff: number, ldb: number,
  C: Storage, cOff: number, ldc: number, accumulate: boolean,
): void {
  if (wasmTakes(M * N * K, At, B, C) && wasmGemmNN(M, N, K, At as Float32Array, aOff, 1, lda, B as Float32Array, bOff, ldb, C as Float32Array, cOff, ldc, accumulate)) return;
  rowsTimesB(M, N, K, At, aOff, 1, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
}

/**
 * C[i, :] (+)= Σ_k A(i, k) · B[k, :] where A(i, k) = A[aOff + i·si + k·sk] (row-major A: si = lda, sk = 1;
 * transposed: si = 1, sk = lda). Two rows of C at a time share each load of B; four k's per pass share each
 * read and write of the float64 accumulators.
 */
function rowsTimesB(
  M: number, N: number, K: number,
  A: Storage, aOff: number, si: number, sk: number,
  B: Storage, bOff: number, ldb: number,
  C: Storage, cOff: number, ldc: number, accumulate: boolean,
): void {
  const acc = rowScratch(2 * N);
  let i = 0;
  for (; i + 2 <= M; i += 2) {
    const c0 = cOff + i * ldc, c1 = c0 + ldc;
    const r0 = aOff + i * si, r1 = r0 + si;
    if (accumulate) for (let j = 0; j < N; j++) { acc[j] = C[c0 + j]; acc[N + j] = C[c1 + j]; }
    else acc.fill(0, 0, 2 * N);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const x0 = A[r0 + k * sk], x1 = A[r0 + (k + 1) * sk], x2 = A[r0 + (k + 2) * sk], x3 = A[r0 + (k + 3) * sk];
      const y0 = A[r1 + k * sk], y1 = A[r1 + (k + 1) * sk], y2 = A[r1 + (k + 2) * sk], y3 = A[r1 + (k + 3) * sk];
      const b0 = bOff + k * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let j = 0; j < N; j++) {
        const v0 = B[b0 + j], v1 = B[b1 + j], v2 = B[b2 + j], v3 = B[b3 + j];
        acc[j] += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3;
        acc[N + j] += y0 * v0 + y1 * v1 + y2 * v2 + y3 * v3;
      }
    }
    for (; k < K; k++) {
      const x0 = A[r0 + k * sk], y0 = A[r1 + k * sk];
      const b0 = bOff + k * ldb;
      for (let j = 0; j < N; j++) {
        const v = B[b0 + j];
        acc[j] += x0 * v;
        acc[N + j] += y0 * v;
      }
    }
    for (let j = 0; j < N; j++) { C[c0 + j] = acc[j]; C[c1 + j] = acc[N + j]; }
  }
  for (; i < M; i++) {
    const ci = cOff + i * ldc;
    const r0 = aOff + i * si;
    if (accumulate) for (let j = 0; j < N; j++) acc[j] = C[ci + j];
    else acc.fill(0, 0, N);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const x0 = A[r0 + k * sk], x1 = A[r0 + (k + 1) * sk], x2 = A[r0 + (k + 2) * sk], x3 = A[r0 + (k + 3) * sk];
      const b0 = bOff + k * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let j = 0; j < N; j++) acc[j] += x0 * B[b0 + j] + x1 * B[b1 + j] + x2 * B[b2 + j] + x3 * B[b3 + j];
    }
    for (; k < K; k++) {
      const x0 = A[r0 + k * sk];
      const b0 = bOff + k * ldb;
      for (let j = 0; j < N; j++) acc[j] += x0 * B[b0 + j];
    }
    for (let j = 0; j < N; j++) C[ci + j] = acc[j];
  }
}
