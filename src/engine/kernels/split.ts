/**
 * The kernels of wasm/kernels.c as the rest of the engine calls them: on this thread, or shared with the kernel
 * helper (helper.ts) when one is ready and the product is large enough to pay for the hand-off. A shared call is
 * cut along its output into chunks at multiples of the kernel's block width, so every output element is computed
 * exactly as by one call on one thread. Addresses are byte offsets in the arena.
 */
import { HELPER_SPIN_MS, readyHelper, runJob, type Helper, type Job } from './helper';
import { ScanMemo } from './scan-memo';

export interface Exports {
  gemm_nt(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: number): void;
  gemm_nn(M: number, N: number, K: number, A: number, si: number, sk: number, B: number, ldb: number, C: number, ldc: number, acc: number): void;
  sgd_f32(p: number, g: number, n: number, alpha: number): void;
  zero_f32(p: number, n: number): void;
  relu_f32(out: number, x: number, n: number): void;
  sigmoid_f32(out: number, x: number, n: number): void;
  relu_bwd_f32(out: number, g: number, y: number, n: number): void;
  col_sum_f32(out: number, src: number, rows: number, cols: number): void;
  fwd_segments(M: number, K: number, X: number, ldx: number, segs: number): number;
  linear_fwd_segs(M: number, N: number, K: number, X: number, ldx: number, W: number, ldw: number, C: number, ldc: number, acc: number, segs: number): void;
  u8_to_unit(out: number, src: number, n: number): void;
  wgrad_lists(N: number, R: number, X: number, ldx: number, lists: number): number;
  wgrad_from_lists(M: number, N: number, R: number, G: number, ldg: number, X: number, ldx: number, C: number, ldc: number, acc: number, lists: number): void;
  __heap_base: { value: number };
}

/**
 * Products of fewer multiply-adds than this (about 50 µs) stay on one thread. At batch 10 (the 784-64 layer's
 * half a million) sharing saved 12% of a step in one in-process A/B and cost 10-20% in others an hour later, on
 * the same machine: when the two virtual CPUs land on hyperthreads of one core, the helper spinning between jobs
 * slows everything else the training thread does. Below this the helper is left asleep.
 */
export const SPLIT_MIN_MACS = 1 << 20;
/**
 * SGD steps and zero_grad over fewer parameters than this stay on one thread; larger ones are shared only while the
 * helper is awake from the step's products (awakeHelper): never worth waking it for.
 */
export const SPLIT_MIN_SGD = 16384;
/** About this much work per chunk of a product that is not cut along a weight's rows. */
const CHUNK_MACS = 131072;
/** About this many elements of a weight per chunk of its rows. */
const CHUNK_ELEMENTS = 25000;
const MAX_CHUNKS = 16;

/** When a product was last shared (performance.now()). */
let lastShared = -Infinity;

/** runJob for a product: the helper spins after it, awake for the step's SGD (awakeHelper). */
function shareProduct(h: Helper, fn: (...args: number[]) => void, job: Job): void {
  runJob(h, fn, job);
  lastShared = performance.now();
}

/**
 * The ready helper if a product was shared with it in the last half of its spin time (this training step's), else
 * null: an SGD step or zero_grad is not worth waking it for, and does not itself keep it awake (shared after
 * products that were not, it would find the weight in the other core's cache).
 */
function awakeHelper(): Helper | null {
  return performance.now() - lastShared < HELPER_SPIN_MS / 2 ? readyHelper() : null;
}

/** Elements per chunk when `total` (split in multiples of q) carries `work` multiply-adds. */
function chunkOf(total: number, q: number, work: number): number {
  const n = Math.min(MAX_CHUNKS, Math.max(2, Math.round(work / CHUNK_MACS)));
  return Math.max(q, Math.ceil(total / n / q) * q);
}

/**
 * Rows per chunk of a weight [rows, cols] (a multiple of 4): the same for its forward (cut along the rows of W),
 * its gradient (along the rows of the gradient) and its SGD step and zero_grad (along rows of cols elements), so
 * that the thread that takes a chunk from the same end each time touches the same rows in every step.
 */
export function rowChunk(rows: number, cols: number): number {
  const n = Math.min(MAX_CHUNKS, Math.max(2, Math.round((rows * cols) / CHUNK_ELEMENTS)));
  return Math.max(4, Math.ceil(rows / n / 4) * 4);
}

/** C (+)= A·Bᵀ (B [N, K]: a Linear's weight): split along the rows of B, rowChunk(N, K) at a time. */
export function gemmNT(k: Exports, M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: number): void {
  const h = M * N * K >= SPLIT_MIN_MACS && N >= 8 ? readyHelper() : null;
  if (!h) return k.gemm_nt(M, N, K, A, lda, B, ldb, C, ldc, acc);
  shareProduct(h, k.gemm_nt, { kernel: 'gemm_nt', args: [M, N, K, A, lda, B, ldb, C, ldc, acc], sizeArg: 1, chunk: rowChunk(N, K), adv: [[5, 4 * ldb], [7, 4]] });
}

/**
 * C (+)= A·B (A strided by si, sk). With A transposed (si = 1: a weight's gradient gᵀ·x, C [M, N]), split along the
 * rows of C, rowChunk(M, N) at a time, as the weight's forward and SGD step are. Otherwise split along N in
 * multiples of 8, or along M in multiples of 4 when N is narrow.
 */
export function gemmNN(k: Exports, M: number, N: number, K: number, A: number, si: number, sk: number, B: number, ldb: number, C: number, ldc: number, acc: number): void {
  const rows = si === 1 && sk !== 1 && M >= 8;
  const h = M * N * K >= SPLIT_MIN_MACS && (rows || N >= 16 || M >= 8) ? readyHelper() : null;
  if (!h) return k.gemm_nn(M, N, K, A, si, sk, B, ldb, C, ldc, acc);
  const args = [M, N, K, A, si, sk, B, ldb, C, ldc, acc];
  if (rows) shareProduct(h, k.gemm_nn, { kernel: 'gemm_nn', args, sizeArg: 0, chunk: rowChunk(M, N), adv: [[3, 4], [8, 4 * ldc]] });
  else if (N >= 16) shareProduct(h, k.gemm_nn, { kernel: 'gemm_nn', args, sizeArg: 1, chunk: chunkOf(N, 8, M * N * K), adv: [[6, 4], [8, 4]] });
  else shareProduct(h, k.gemm_nn, { kernel: 'gemm_nn', args, sizeArg: 0, chunk: chunkOf(M, 4, M * N * K), adv: [[3, 4 * si], [8, 4 * ldc]] });
}

/** Scans that keep finding too few zeros are skipped for a while (scan-memo.ts): per shape, for each kernel. */
const fwdScans = new ScanMemo();
const wgradScans = new ScanMemo();

/**
 * The sparse Linear forward: X's non-zero segments listed once (in `segs`), then the rows of W split in multiples
 * of 4; dense (gemm_nt) when X is not sparse enough.
 */
export function linearForward(k: Exports, M: number, N: number, K: number, X: number, ldx: number, W: number, ldw: number, C: number, ldc: number, acc: number, segs: number): void {
  if (!(fwdScans.shouldScan(M, K) && fwdScans.record(M, K, k.fwd_segments(M, K, X, ldx, segs) === 1))) return gemmNT(k, M, N, K, X, ldx, W, ldw, C, ldc, acc);
  const h = M * N * K >= SPLIT_MIN_MACS && N >= 8 ? readyHelper() : null;
  if (!h) return k.linear_fwd_segs(M, N, K, X, ldx, W, ldw, C, ldc, acc, segs);
  shareProduct(h, k.linear_fwd_segs, { kernel: 'linear_fwd_segs', args: [M, N, K, X, ldx, W, ldw, C, ldc, acc, segs], sizeArg: 1, chunk: rowChunk(N, K), adv: [[5, 4 * ldw], [7, 4]] });
}

/**
 * The sparse weight gradient: X's non-zero rows listed once per eight columns (in `lists`), then the rows of C
 * (the output units) split in multiples of 4, as the forward and the SGD step split the same weight, so that a
 * thread keeps its rows in its cache; dense (gemm_nn) when X is not sparse enough.
 */
export function weightGrad(k: Exports, M: number, N: number, R: number, G: number, ldg: number, X: number, ldx: number, C: number, ldc: number, acc: number, lists: number): void {
  if (!(wgradScans.shouldScan(R, N) && wgradScans.record(R, N, k.wgrad_lists(N, R, X, ldx, lists) === 1))) return gemmNN(k, M, N, R, G, 1, ldg, X, ldx, C, ldc, acc);
  const h = M * N * R >= SPLIT_MIN_MACS && M >= 8 ? readyHelper() : null;
  if (!h) return k.wgrad_from_lists(M, N, R, G, ldg, X, ldx, C, ldc, acc, lists);
  shareProduct(h, k.wgrad_from_lists, { kernel: 'wgrad_from_lists', args: [M, N, R, G, ldg, X, ldx, C, ldc, acc, lists], sizeArg: 0, chunk: rowChunk(M, N), adv: [[3, 4], [7, 4 * ldc]] });
}

/** Elements per chunk of a parameter of n elements in rows of `cols` (its last dimension): a vector in fours. */
function paramChunk(n: number, cols: number): number {
  const rows = n / cols;
  return Number.isInteger(rows) && rows >= 8 ? rowChunk(rows, cols) * cols : rowChunk(Math.ceil(n / 4), 4) * 4;
}

/** p += alpha·g over n floats (a parameter in rows of `cols`): split along its rows as its products are. */
export function sgd(k: Exports, p: number, g: number, n: number, alpha: number, cols: number): void {
  const h = n >= SPLIT_MIN_SGD ? awakeHelper() : null;
  if (!h) return k.sgd_f32(p, g, n, alpha);
  runJob(h, k.sgd_f32, { kernel: 'sgd_f32', args: [p, g, n, alpha], sizeArg: 2, chunk: paramChunk(n, cols), adv: [[0, 4], [1, 4]] });
}

/** p[0..n) = 0, split as the SGD step is (a gradient's zero_grad). */
export function zero(k: Exports, p: number, n: number, cols: number): void {
  const h = n >= SPLIT_MIN_SGD ? awakeHelper() : null;
  if (!h) return k.zero_f32(p, n);
  runJob(h, k.zero_f32, { kernel: 'zero_f32', args: [p, n], sizeArg: 1, chunk: paramChunk(n, cols), adv: [[0, 4]] });
}
