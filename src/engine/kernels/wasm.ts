/**
 * The WebAssembly SIMD kernels (wasm/kernels.c) and the arena they work in.
 *
 * WebAssembly code only reads its own linear memory, so the tensors a training step touches the most, the
 * parameters and their gradients (and the DataLoader's batch), are allocated there ("pinned") and handed to the
 * kernels by address, without a copy. Everything else (activations) is copied into a scratch block for the call.
 * Large calls are shared with a kernel helper thread when one is attached (split.ts, helper.ts); the module is
 * loaded by wasm-module.ts. The memory has a fixed
 * size and never grows: growing would detach the buffer under every pinned Float32Array. Pinned blocks are freed
 * when their Float32Array is collected; when the arena is full, storage falls back to ordinary arrays (the kernels
 * then copy them too). Where WebAssembly or SIMD is missing, or NNLENS_KERNELS=js, every caller keeps its
 * JavaScript loop: `wasmKernels()` returns null.
 */
import type { Storage } from '../dtype';
import { attachHelper, CONTROL_BYTES, detachHelper, helperThreads, type HelperStarter } from './helper';
import { gemmNN, gemmNT, linearForward, sgd, weightGrad, zero, type Exports } from './split';
import { instantiateKernels, kernelBuilds, type WasmKernels } from './wasm-module';

export { ARENA_BYTES, Heap, instantiateKernels, kernelBuilds, unsharedCopy, type WasmKernels } from './wasm-module';

let state: WasmKernels | null | undefined;
let forced: 'js' | 'wasm' | undefined;

/** NNLENS_KERNELS from the environment, read once (process.env is a slow lookup, and the kernels run per step). */
let env: string | undefined | null = null;
function envBackend(): string | undefined {
  if (env === null) {
    const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
    env = p?.env?.NNLENS_KERNELS;
  }
  return env;
}

function instantiate(): WasmKernels | null {
  let builds: [Uint8Array, boolean][] = [];
  try {
    builds = kernelBuilds();
  } catch {
    return null; // a damaged embedded module: the JavaScript kernels
  }
  for (const [bytes, shared] of builds) {
    try {
      return instantiateKernels(bytes, shared);
    } catch {
      // the next build, else the JavaScript kernels
    }
  }
  return null;
}

/** The kernels, or null when the JavaScript loops must be used. */
export function wasmKernels(): WasmKernels | null {
  if ((forced ?? envBackend()) === 'js') return null;
  if (state === undefined) state = instantiate();
  return state;
}

/** Selects the kernels for tests and benchmarks ('js' forces the JavaScript loops); undefined restores the default. */
export function setKernelBackend(backend: 'js' | 'wasm' | undefined): void {
  forced = backend;
}

/** Which kernels run the float32 products and SGD steps now. */
export function kernelBackend(): 'wasm' | 'js' {
  return wasmKernels() ? 'wasm' : 'js';
}

let controlAt = -1;

/**
 * Starts a second thread for the kernels (helper.ts) with `start`; false when the kernels are not WebAssembly
 * here. Large products and SGD steps are then split between the calling thread and the helper.
 */
export function attachKernelHelper(start: HelperStarter): boolean {
  const w = wasmKernels();
  if (!w || !w.shared) return false;
  if (controlAt < 0) controlAt = w.heap.alloc(CONTROL_BYTES);
  if (controlAt < 0) return false;
  attachHelper(start, w.module, w.memory, controlAt);
  return true;
}

/** Ends the kernel helper thread, if any. */
export function detachKernelHelper(): void {
  detachHelper();
}

/** Threads the kernels use now: 2 while a helper is attached and ready, else 1. */
export function kernelThreads(): number {
  return state ? helperThreads() : 1;
}

/** A zeroed float32 array in the arena (freed when collected), or null when there is no arena or no room. */
export function allocPinned(n: number): Float32Array | null {
  const w = wasmKernels();
  if (!w || n <= 0) return null;
  const at = w.heap.alloc(n * 4);
  if (at < 0) return null;
  const arr = new Float32Array(w.buffer, at, n);
  w.k.zero_f32(at, n); // a reused block holds its previous tensor's values
  w.finalizer.register(arr, at);
  return arr;
}

/** True when `s` lives in the arena (a parameter or gradient the kernels use in place). */
export function isPinned(s: Storage): boolean {
  return state != null && s.buffer === state.buffer;
}

/** The arena's buffer once the kernels are loaded (never loads them), else null. */
export function arenaBuffer(): ArrayBuffer | null {
  return state ? state.buffer : null;
}

/** Bytes of the arena in use by pinned arrays (tests and the memory benchmark). */
export function pinnedBytes(): number {
  return state?.heap.used ?? 0;
}

/**
 * Copies of operands that are not in the arena, for one kernel call: a single scratch block, grown on demand,
 * handed out front to back and reset at the start of each call.
 */
let scratchAt = -1;
let scratchBytes = 0;
let scratchTop = 0;

function beginStaging(w: WasmKernels, bytes: number): boolean {
  if (bytes > scratchBytes) {
    if (scratchAt >= 0) w.heap.release(scratchAt);
    scratchBytes = Math.max(bytes, 2 * scratchBytes, 1 << 16);
    scratchAt = w.heap.alloc(scratchBytes);
    if (scratchAt < 0) { scratchBytes = 0; return false; }
  }
  scratchTop = scratchAt;
  return true;
}

/** Elements a [rows, cols] operand spans from its first to its last element (rows apart by ld). */
export function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** The byte address of s[off..off+n) in the arena: in place when pinned, else a copy in the scratch block. */
function stage(w: WasmKernels, s: Float32Array, off: number, n: number, copy: boolean): number {
  if (s.buffer === w.buffer) return s.byteOffset + off * 4;
  const at = scratchTop;
  scratchTop += Math.ceil((n * 4) / 16) * 16;
  if (copy) w.f32.set(n === s.length - off ? (off === 0 ? s : s.subarray(off)) : s.subarray(off, off + n), at / 4);
  return at;
}

/** `bytes` of scratch for the kernel's own use (no copy). */
function reserve(bytes: number): number {
  const at = scratchTop;
  scratchTop += Math.ceil(bytes / 16) * 16;
  return at;
}

function unstage(w: WasmKernels, s: Float32Array, off: number, n: number, at: number): void {
  if (s.buffer !== w.buffer) s.set(w.f32.subarray(at / 4, at / 4 + n), off);
}

/** Bytes `s`'s span of n elements takes in the scratch block (none when it is pinned). */
function stagedBytes(w: WasmKernels, s: Float32Array, n: number): number {
  return s.buffer === w.buffer ? 0 : Math.ceil((n * 4) / 16) * 16;
}

/** Products smaller than this many multiply-adds stay in JavaScript: the call and the copies cost more. */
export const WASM_MIN_MACS = 2048;

/**
 * True when a product of `macs` multiply-adds over these operands goes to the WebAssembly kernels: all float32,
 * large enough, and the kernels available. The one test both kernels/gemm.ts and ops/linalg.ts ask.
 */
export function wasmTakes(macs: number, a: Storage, b: Storage, c: Storage): boolean {
  return macs >= WASM_MIN_MACS && a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array && wasmKernels() !== null;
}

/** An operand of one call: the array, the offset of its first element and how many elements it spans. */
type Operand = readonly [Float32Array, number, number];

/**
 * Runs one kernel call: the inputs and the output in the arena (in place when pinned, else copied into the scratch
 * block; the output copied in only when `outIn`), `ints` bytes of scratch for the kernel, the output copied back.
 * False when there is no arena or no room in it: the caller does the work in JavaScript.
 */
function call(ins: readonly Operand[], out: Operand, outIn: boolean, ints: number, run: (k: Exports, p: number[], scratch: number) => void): boolean {
  const w = wasmKernels();
  if (!w) return false;
  const [C, cOff, nc] = out;
  let bytes = stagedBytes(w, C, nc) + ints;
  for (const [s, , n] of ins) bytes += stagedBytes(w, s, n);
  if (!beginStaging(w, bytes)) return false;
  const p: number[] = [];
  for (const [s, off, n] of ins) p.push(stage(w, s, off, n, true));
  const pc = stage(w, C, cOff, nc, outIn);
  p.push(pc);
  run(w.k, p, ints > 0 ? reserve(ints) : 0);
  unstage(w, C, cOff, nc, pc);
  return true;
}

/** C (+)= A·Bᵀ (A [M,K], Bt [N,K], row-major with leading dims). False when the caller must do it. */
export function wasmGemmNT(
  M: number, N: number, K: number,
  A: Float32Array, aOff: number, lda: number, B: Float32Array, bOff: number, ldb: number,
  C: Float32Array, cOff: number, ldc: number, accumulate: boolean,
): boolean {
  const nc = span(M, N, ldc);
  return call([[A, aOff, span(M, K, lda)], [B, bOff, span(N, K, ldb)]], [C, cOff, nc], accumulate || nc !== M * N, 0,
    (k, [pa, pb, pc]) => gemmNT(k, M, N, K, pa, lda, pb, ldb, pc, ldc, accumulate ? 1 : 0));
}

/**
 * C (+)= A·B with A(i, k) = A[aOff + i·si + k·sk] (row-major: si = lda, sk = 1; transposed: si = 1, sk = lda)
 * and B [K, N] row-major. False when the caller must do it.
 */
export function wasmGemmNN(
  M: number, N: number, K: number,
  A: Float32Array, aOff: number, si: number, sk: number, B: Float32Array, bOff: number, ldb: number,
  C: Float32Array, cOff: number, ldc: number, accumulate: boolean,
): boolean {
  const na = M === 0 || K === 0 ? 0 : (M - 1) * si + (K - 1) * sk + 1;
  const nc = span(M, N, ldc);
  return call([[A, aOff, na], [B, bOff, span(K, N, ldb)]], [C, cOff, nc], accumulate || nc !== M * N, 0,
    (k, [pa, pb, pc]) => gemmNN(k, M, N, K, pa, si, sk, pb, ldb, pc, ldc, accumulate ? 1 : 0));
}

/**
 * p[pOff..pOff+n) += alpha·g[..n) in float32 with one rounding (plain SGD); `cols` is the parameter's last
 * dimension (a weight is shared with the helper by rows, as its products are). False when the caller must do it:
 * not float32, no kernels, or a small unpinned parameter (a bias), which the JavaScript loop does faster than the
 * copies in and out.
 */
export function wasmSgd(p: Storage, pOff: number, g: Storage, n: number, alpha: number, cols = n): boolean {
  if (!(p instanceof Float32Array && g instanceof Float32Array) || (!isPinned(p) && n < WASM_MIN_SGD_UNPINNED)) return false;
  return call([[g, 0, n]], [p, pOff, n], true, 0, (k, [pg, pp]) => sgd(k, pp, pg, n, alpha, cols));
}

/**
 * The Linear forward C (+)= X·Wᵀ (X [M,K], W [N,K]) skipping, per pair of rows of X, the four-wide segments that
 * are zero in both (exact for finite W; the kernel goes dense otherwise, or when X is too dense: see fwd_segments).
 * MNIST's ~20% non-zero pixels halve the instructions; on Fashion-MNIST (~50%) it pays from batch 32.
 * False when the caller must do it.
 */
export function wasmLinearForward(
  M: number, N: number, K: number,
  X: Float32Array, xOff: number, ldx: number, W: Float32Array, wOff: number, ldw: number,
  C: Float32Array, cOff: number, ldc: number, accumulate: boolean,
): boolean {
  const nc = span(M, N, ldc);
  const ints = 4 * ((M + 1) >> 1) * ((K >> 2) + 1) + 16;
  return call([[X, xOff, span(M, K, ldx)], [W, wOff, span(N, K, ldw)]], [C, cOff, nc], accumulate || nc !== M * N, ints,
    (k, [px, pw, pc], segs) => linearForward(k, M, N, K, px, ldx, pw, ldw, pc, ldc, accumulate ? 1 : 0, segs));
}

/**
 * The weight gradient C (+)= Gᵀ·X (G [R,M], X [R,N], C [M,N]) skipping, per eight columns, the rows of X that are
 * zero there (exact for finite G; dense otherwise). False when the caller must do it.
 */
export function wasmWeightGrad(
  M: number, N: number, R: number,
  G: Float32Array, gOff: number, ldg: number, X: Float32Array, xOff: number, ldx: number,
  C: Float32Array, cOff: number, ldc: number, accumulate: boolean,
): boolean {
  const nc = span(M, N, ldc);
  const ints = 4 * (N >> 3) * (R + 1) + 16;
  return call([[G, gOff, span(R, M, ldg)], [X, xOff, span(R, N, ldx)]], [C, cOff, nc], accumulate || nc !== M * N, ints,
    (k, [pg, px, pc], lists) => weightGrad(k, M, N, R, pg, ldg, px, ldx, pc, ldc, accumulate ? 1 : 0, lists));
}

/**
 * Element-wise loops over more than this many floats go to the kernels (copied in and out of the arena: about
 * ten times faster than the JavaScript loop even so).
 */
export const WASM_MIN_ELEMENTWISE = 4096;
/** The sigmoid's exp makes the kernel pay from far fewer elements. */
export const WASM_MIN_SIGMOID = 64;
/** An SGD step over an unpinned parameter smaller than this (a bias) is quicker in JavaScript than copied over. */
export const WASM_MIN_SGD_UNPINNED = 4096;

/** True when every operand is float32 and there are at least `min` elements: the element-wise kernels' one test. */
function takesElementwise(n: number, min: number, ...arrays: Storage[]): boolean {
  return n >= min && arrays.every((a) => a instanceof Float32Array);
}

/** out[0..n) = relu(x[xOff..xOff+n)) in float32. False when the caller must do it (too few, not float32, no kernels). */
export function wasmRelu(out: Storage, x: Storage, xOff: number, n: number): boolean {
  if (!takesElementwise(n, WASM_MIN_ELEMENTWISE, out, x)) return false;
  return call([[x as Float32Array, xOff, n]], [out as Float32Array, 0, n], false, 0, (k, [px, po]) => k.relu_f32(po, px, n));
}

/** out[0..n) = sigmoid(x[xOff..xOff+n)) in float32 (see sigmoid_f32 in kernels.c). False when the caller must do it. */
export function wasmSigmoid(out: Storage, x: Storage, xOff: number, n: number): boolean {
  if (!takesElementwise(n, WASM_MIN_SIGMOID, out, x)) return false;
  return call([[x as Float32Array, xOff, n]], [out as Float32Array, 0, n], false, 0, (k, [px, po]) => k.sigmoid_f32(po, px, n));
}

/** out[0..n) = g where y > 0, else 0 (ReLU's backward from its output). False when the caller must do it. */
export function wasmReluBackward(out: Storage, g: Storage, gOff: number, y: Storage, yOff: number, n: number): boolean {
  if (!takesElementwise(n, WASM_MIN_ELEMENTWISE, out, g, y)) return false;
  return call([[g as Float32Array, gOff, n], [y as Float32Array, yOff, n]], [out as Float32Array, 0, n], false, 0, (k, [pg, py, po]) => k.relu_bwd_f32(po, pg, py, n));
}

/**
 * out[c] = Σ_r src[off + r·cols + c], accumulated in float64 in row order. False when the caller must do it (a
 * small src outside the arena: the JavaScript loop is faster than the copy).
 */
export function wasmColumnSum(out: Storage, src: Storage, off: number, rows: number, cols: number): boolean {
  if (!takesElementwise(rows * cols, isPinned(src) ? 0 : WASM_MIN_ELEMENTWISE, out, src)) return false;
  return call([[src as Float32Array, off, rows * cols]], [out as Float32Array, 0, cols], false, 0, (k, [ps, po]) => k.col_sum_f32(po, ps, rows, cols));
}

/**
 * a[off..off+n) = 0 when `a` is pinned (a gradient's zero_grad: the kernels' memory.fill, shared with the helper;
 * a JavaScript fill of the shared memory goes element by element), shared with the helper by rows of `cols` as
 * the SGD step is. False when the caller must do it.
 */
export function wasmZero(a: Storage, off: number, n: number, cols = n): boolean {
  const w = wasmKernels();
  if (!w || a.buffer !== w.buffer) return false;
  zero(w.k, a.byteOffset + 4 * off, n, cols);
  return true;
}

/**
 * Rows of image bytes to floats in [0, 1] (each v/255 rounded to float32, the same numbers as
 * `Math.fround(v / 255)`): row r of `out` (from outOff, `cols` apart) is src[starts[r] .. starts[r] + cols).
 * False when the caller must do it.
 */
export function wasmBytesToUnit(out: Float32Array, outOff: number, src: Uint8Array, starts: ArrayLike<number>, rows: number, cols: number): boolean {
  const w = wasmKernels();
  if (!w) return false;
  const n = rows * cols;
  if (!beginStaging(w, stagedBytes(w, out, n) + n + 16)) return false;
  const po = stage(w, out, outOff, n, false);
  const pb = reserve(n);
  for (let r = 0; r < rows; r++) w.u8.set(src.subarray(starts[r], starts[r] + cols), pb + r * cols);
  w.k.u8_to_unit(po, pb, n);
  unstage(w, out, outOff, n, po);
  return true;
}
