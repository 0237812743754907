/**
 * Matrix products on flat typed arrays with explicit leading dimensions, accumulating in float64.
 *   gemmNN: C = A·B     (A [M,K] row-major, B [K,N] row-major)
 *   gemmNT: C = A·Bᵀ    (Bt [N,K] row-major: the Linear forward, x·Wᵀ)
 *   gemmTN: C = Aᵀ·B    (At [K,M] row-major: the weight gradient, gᵀ·x)
 * `accumulate` adds into C instead of overwriting it (addmm's bias, gradient accumulation).
 */
import type { Storage } from '../dtype';

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
  const acc = rowScratch(N);
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * ldc;
    const ai = aOff + i * lda;
    if (accumulate) for (let j = 0; j < N; j++) acc[j] = C[ci + j];
    else acc.fill(0, 0, N);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const a0 = A[ai + k], a1 = A[ai + k + 1], a2 = A[ai + k + 2], a3 = A[ai + k + 3];
      const b0 = bOff + k * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let j = 0; j < N; j++) acc[j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
    }
    for (; k < K; k++) {
      const a0 = A[ai + k];
      const b0 = bOff + k * ldb;
      for (let j = 0; j < N; j++) acc[j] += a0 * B[b0 + j];
    }
    for (let j = 0; j < N; j++) C[ci + j] = acc[j];
  }
}

export function gemmNT(
  M: number, N: number, K: number,
  A: Storage, aOff: number, lda: number,
  Bt: Storage, bOff: number, ldb: number,
  C: Storage, cOff: number, ldc: number, accumulate: boolean,
): void {
  for (let i = 0; i < M; i++) {
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
  const acc = rowScratch(N);
  for (let i = 0; i < M; i++) {
    const ci = cOff + i * ldc;
    if (accumulate) for (let j = 0; j < N; j++) acc[j] = C[ci + j];
    else acc.fill(0, 0, N);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const a0 = At[aOff + k * lda + i], a1 = At[aOff + (k + 1) * lda + i];
      const a2 = At[aOff + (k + 2) * lda + i], a3 = At[aOff + (k + 3) * lda + i];
      const b0 = bOff + k * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      for (let j = 0; j < N; j++) acc[j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
    }
    for (; k < K; k++) {
      const a0 = At[aOff + k * lda + i];
      const b0 = bOff + k * ldb;
      for (let j = 0; j < N; j++) acc[j] += a0 * B[b0 + j];
    }
    for (let j = 0; j < N; j++) C[ci + j] = acc[j];
  }
}
