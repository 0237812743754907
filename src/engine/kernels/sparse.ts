/**
 * Products with a mostly-zero left operand, for the first Linear of an image model: MNIST pixels are ~80% zero,
 * so multiplying only the non-zero inputs does a fifth of the work. The results equal the dense products exactly
 * when the other operand is finite (0·w = 0); callers fall back to the dense kernels when it is not.
 */
import type { Storage } from '../dtype';

/** Compressed rows (CSR) of a [rows, cols] matrix. */
export interface SparseRows {
  rows: number;
  cols: number;
  rowStart: Int32Array; // rows + 1 entries
  idx: Int32Array;
  val: Float64Array;
}

/** Above this fraction of non-zeros the dense kernels are faster (measured: bench/engine-epoch.bench.ts). */
export const SPARSE_MAX_DENSITY = 0.5;

/** CSR of x (row stride ld), or null when x is too dense for the sparse kernels to pay off. */
export function compressRows(x: Storage, off: number, rows: number, cols: number, ld: number): SparseRows | null {
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    const base = off + r * ld;
    for (let c = 0; c < cols; c++) if (x[base + c] !== 0) nnz++;
  }
  if (nnz > SPARSE_MAX_DENSITY * rows * cols) return null;
  const rowStart = new Int32Array(rows + 1);
  const idx = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let t = 0;
  for (let r = 0; r < rows; r++) {
    rowStart[r] = t;
    const base = off + r * ld;
    for (let c = 0; c < cols; c++) {
      const v = x[base + c];
      if (v !== 0) {
        idx[t] = c;
        val[t++] = v;
      }
    }
  }
  rowStart[rows] = t;
  return { rows, cols, rowStart, idx, val };
}

/**
 * True when every element of the [rows, cols] block is finite. A plain sum is non-finite whenever an element is
 * (inf, -inf or NaN); a sum that overflows on finite elements only sends the caller to the dense kernel.
 */
export function allFinite(a: Storage, off: number, rows: number, cols: number, ld: number): boolean {
  let s0 = 0, s1 = 0;
  for (let r = 0; r < rows; r++) {
    const base = off + r * ld;
    let c = 0;
    for (; c + 2 <= cols; c += 2) {
      s0 += a[base + c];
      s1 += a[base + c + 1];
    }
    if (c < cols) s0 += a[base + c];
  }
  const s = s0 + s1;
  return s - s === 0;
}

/** C[r, j] (+)= Σ_k X[r, k] · Bt[j, k]   (X sparse [M, K], Bt [N, K] row-major): the Linear forward x·Wᵀ. */
export function spmmNT(
  X: SparseRows, N: number, Bt: Storage, bOff: number, ldb: number,
  C: Storage, cOff: number, ldc: number, accumulate: boolean,
): void {
  const { rowStart, idx, val } = X;
  for (let r = 0; r < X.rows; r++) {
    const t0 = rowStart[r];
    const t1 = rowStart[r + 1];
    const ci = cOff + r * ldc;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const p0 = bOff + j * ldb, p1 = p0 + ldb, p2 = p1 + ldb, p3 = p2 + ldb;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let t = t0; t < t1; t++) {
        const k = idx[t];
        const v = val[t];
        s0 += v * Bt[p0 + k];
        s1 += v * Bt[p1 + k];
        s2 += v * Bt[p2 + k];
        s3 += v * Bt[p3 + k];
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
      for (let t = t0; t < t1; t++) s0 += val[t] * Bt[p0 + idx[t]];
      if (accumulate) C[ci + j] += s0;
      else C[ci + j] = s0;
    }
  }
}

/** C[r, :] (+)= Σ_k X[r, k] · B[k, :]   (X sparse [M, K], B [K, N] row-major). */
export function spmmNN(
  X: SparseRows, N: number, B: Storage, bOff: number, ldb: number,
  C: Storage, cOff: number, ldc: number, accumulate: boolean,
): void {
  const { rowStart, idx, val } = X;
  const acc = new Float64Array(N);
  for (let r = 0; r < X.rows; r++) {
    const ci = cOff + r * ldc;
    if (accumulate) for (let j = 0; j < N; j++) acc[j] = C[ci + j];
    else acc.fill(0);
    const t1 = rowStart[r + 1];
    for (let t = rowStart[r]; t < t1; t++) {
      const v = val[t];
      const b = bOff + idx[t] * ldb;
      for (let j = 0; j < N; j++) acc[j] += v * B[b + j];
    }
    for (let j = 0; j < N; j++) C[ci + j] = acc[j];
  }
}

let acc4 = new Float64Array(4 * 1024);
let colPos = new Int32Array(1024);
let cols = new Int32Array(1024);
let stamp = new Int32Array(1024);
let stampValue = 0;
let compact = new Int32Array(1024);

/**
 * C[i, k] (+)= Σ_r G[r, i] · X[r, k]   (G [R, M] row-major, X sparse [R, K]): the weight gradient gᵀ·x.
 * Only the columns that are non-zero somewhere in X are computed (the others are zero: left as they are when
 * accumulating or when `cIsZero`, else zeroed). Four output rows at a time, interleaved in a float64 scratch, so
 * each non-zero is read once per four rows.
 */
export function spgemmTN(
  M: number, G: Storage, gOff: number, ldg: number, X: SparseRows,
  C: Storage, cOff: number, ldc: number, accumulate: boolean, cIsZero = false,
): void {
  const { rowStart, idx, val } = X;
  const K = X.cols;
  if (stamp.length < K) {
    stamp = new Int32Array(K);
    colPos = new Int32Array(K);
    cols = new Int32Array(K);
    stampValue = 0;
  }
  // The union of non-zero columns, and each one's compact position.
  stampValue++;
  let U = 0;
  const nnz = rowStart[X.rows];
  for (let t = 0; t < nnz; t++) {
    const k = idx[t];
    if (stamp[k] !== stampValue) {
      stamp[k] = stampValue;
      colPos[k] = U;
      cols[U++] = k;
    }
  }
  if (!accumulate && !cIsZero) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + K);
  if (acc4.length < 4 * U) acc4 = new Float64Array(4 * U);
  if (compact.length < nnz) compact = new Int32Array(Math.max(nnz, 2 * compact.length));
  const cu = compact;
  for (let t = 0; t < nnz; t++) cu[t] = colPos[idx[t]] << 2;
  const acc = acc4;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    acc.fill(0, 0, 4 * U);
    for (let r = 0; r < X.rows; r++) {
      const gb = gOff + r * ldg + i;
      const a0 = G[gb], a1 = G[gb + 1], a2 = G[gb + 2], a3 = G[gb + 3];
      const t1 = rowStart[r + 1];
      for (let t = rowStart[r]; t < t1; t++) {
        const u4 = cu[t];
        const v = val[t];
        acc[u4] += a0 * v;
        acc[u4 + 1] += a1 * v;
        acc[u4 + 2] += a2 * v;
        acc[u4 + 3] += a3 * v;
      }
    }
    const c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    if (accumulate) {
      for (let u = 0; u < U; u++) {
        const k = cols[u];
        const u4 = u << 2;
        C[c0 + k] += acc[u4]; C[c1 + k] += acc[u4 + 1]; C[c2 + k] += acc[u4 + 2]; C[c3 + k] += acc[u4 + 3];
      }
    } else {
      for (let u = 0; u < U; u++) {
        const k = cols[u];
        const u4 = u << 2;
        C[c0 + k] = acc[u4]; C[c1 + k] = acc[u4 + 1]; C[c2 + k] = acc[u4 + 2]; C[c3 + k] = acc[u4 + 3];
      }
    }
  }
  for (; i < M; i++) {
    const ci = cOff + i * ldc;
    acc.fill(0, 0, U);
    for (let r = 0; r < X.rows; r++) {
      const a = G[gOff + r * ldg + i];
      const t1 = rowStart[r + 1];
      for (let t = rowStart[r]; t < t1; t++) acc[colPos[idx[t]]] += a * val[t];
    }
    if (accumulate) for (let u = 0; u < U; u++) C[ci + cols[u]] += acc[u];
    else for (let u = 0; u < U; u++) C[ci + cols[u]] = acc[u];
  }
}
