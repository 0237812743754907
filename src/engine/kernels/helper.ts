/**
 * A second thread for the WebAssembly kernels: the "kernel helper".
 *
 * The arena is a shared WebAssembly memory, so another thread can instantiate the same module on it and compute
 * part of a product in place. A large call is cut along its output into chunks (split.ts); the calling thread and
 * the helper take chunks from opposite ends until none is left, and the call returns when every chunk is done.
 * Each chunk is the same kernel over a range of output rows or columns, so every output element is computed by the
 * same instructions in the same order as by one thread: results are bit-identical with and without the helper
 * (test/unit/engine/kernel-helper.test.ts compares them).
 *
 * The helper is plain JavaScript (HELPER_SOURCE) that a host starts as a thread: src/train/kernel-threads.ts does it
 * with worker_threads for the training worker, the CLI and the benchmark; the engine itself never starts threads.
 * Jobs go through a control block in the arena: the caller writes the kernel, its arguments and how to cut it,
 * then bumps `seq` and notifies; chunks are taken with compareExchange and counted as finished with Atomics.add.
 * Between jobs the helper spins for a short while (the next product of a training step comes within
 * microseconds), then sleeps in Atomics.wait, so an idle or paused run costs no CPU.
 */

/** Int32 slots of the control block. */
const SEQ = 0;
const KERNEL = 2;
const READY = 3;
/** 1 + the chunk the helper failed on (a trap), else 0. */
const FAILED = 4;
/**
 * (job tag << 16) | (front << 8) | back: the chunks not yet taken are [front, back). The calling thread takes them
 * from the front, the helper from the back (with compareExchange), so that each thread keeps working on the same
 * rows of a weight from one step to the next (and finds them in its own cache) unless the other falls behind.
 */
const CLAIM = 5;
const FINISHED = 6;
const NCHUNKS = 7;
const SIZE_ARG = 8;
const CHUNK = 9;
const TOTAL = 10;
const NADV = 11;
const ADV = 12; // three slots
/** 1 + the chunk the helper is running, else 0. */
const HELD = 16;
/** Chunks the helper has run since it started (tests check that it did take work). */
const HELPED = 17;
const INTS = 32;
/** float64 slots from byte 128: the arguments [0, 12), the byte strides of the advancing ones [12, 15). */
const F64_AT = 4 * INTS;
const MAX_ARGS = 12;
const MAX_CHUNKS = 255; // front and back fit in a byte each
export const CONTROL_BYTES = F64_AT + 8 * 16;

/** The kernels the helper can run, by index in the control block. */
export const HELPER_KERNELS = ['gemm_nt', 'gemm_nn', 'linear_fwd_segs', 'wgrad_from_lists', 'sgd_f32', 'zero_f32'] as const;
export type HelperKernel = (typeof HELPER_KERNELS)[number];

/** How long the helper spins for the next job before it sleeps. */
export const HELPER_SPIN_MS = 0.5;

/** A job's tag in CLAIM: its sequence number, so that a late helper never takes a chunk of a newer job. */
const tagOf = (seq: number): number => (seq & 0x3fff) << 16;

/**
 * The helper thread's program: Node worker_threads, started with `eval: true` and workerData
 * { module, memory, control, kernels, spinMs } (a WebAssembly.Module and the shared memory clone across threads).
 * It takes chunks of each job until none is left; a job whose chunks are all taken (the calling thread does them
 * when the helper is late) costs it nothing. `seq` < 0 asks it to end.
 */
export const HELPER_SOURCE = `'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, control, kernels, spinMs } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, control, ${INTS});
const f = new Float64Array(memory.buffer, control + ${F64_AT}, 16);
const fns = kernels.map((name) => k[name]);
const a = new Array(${MAX_ARGS}).fill(0), b = new Array(${MAX_ARGS}).fill(0);
let seen = Atomics.load(ctl, ${SEQ});
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  let s = Atomics.load(ctl, ${SEQ});
  if (s === seen) {
    let t0 = performance.now(), spins = 0;
    while ((s = Atomics.load(ctl, ${SEQ})) === seen) {
      if (++spins < 256) continue;
      spins = 0;
      if (performance.now() - t0 < spinMs) continue;
      Atomics.wait(ctl, ${SEQ}, seen);
      t0 = performance.now();
    }
  }
  if (s < 0) break;
  seen = s;
  const fn = fns[ctl[${KERNEL}]], n = ctl[${NCHUNKS}], sizeArg = ctl[${SIZE_ARG}], cs = ctl[${CHUNK}], total = ctl[${TOTAL}];
  const nadv = ctl[${NADV}], tag = (s & 0x3fff) << 16;
  for (let i = 0; i < ${MAX_ARGS}; i++) a[i] = f[i];
  for (;;) {
    const cur = Atomics.load(ctl, ${CLAIM});
    const back = cur & 0xff;
    if ((cur & ~0xffff) !== tag || ((cur >> 8) & 0xff) >= back || Atomics.load(ctl, ${SEQ}) !== s) break;
    if (Atomics.compareExchange(ctl, ${CLAIM}, cur, cur - 1) !== cur) continue;
    const c = back - 1, start = c * cs;
    Atomics.store(ctl, ${HELD}, c + 1);
    for (let i = 0; i < ${MAX_ARGS}; i++) b[i] = a[i];
    b[sizeArg] = Math.min(cs, total - start);
    for (let i = 0; i < nadv; i++) b[ctl[${ADV} + i]] += f[12 + i] * start;
    try {
      fn(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]);
    } catch (e) {
      Atomics.store(ctl, ${FAILED}, c + 1);
    }
    Atomics.store(ctl, ${HELD}, 0);
    Atomics.add(ctl, ${HELPED}, 1);
    Atomics.add(ctl, ${FINISHED}, 1);
    Atomics.notify(ctl, ${FINISHED});
  }
}
Atomics.store(ctl, ${READY}, 0);
`;

/** What a host returns for the thread it started. */
export interface HelperThread {
  terminate(): unknown;
}

/** Starts HELPER_SOURCE as a thread with this workerData (Node: new Worker(source, { eval: true, workerData })). */
export type HelperStarter = (source: string, workerData: Record<string, unknown>) => HelperThread;

export interface Helper {
  thread: HelperThread;
  ctl: Int32Array;
  f64: Float64Array;
  seq: number;
}

let helper: Helper | null = null;

/** The helper that takes work now: started, ready, and not failed. */
export function readyHelper(): Helper | null {
  const h = helper;
  if (!h || Atomics.load(h.ctl, READY) !== 1) return null;
  return h;
}

/**
 * Attaches a helper thread to the arena `memory` (control block at byte `control`, CONTROL_BYTES long, zeroed).
 * The helper takes work once it has said it is ready.
 */
export function attachHelper(start: HelperStarter, module: object, memory: { buffer: ArrayBufferLike }, control: number): void {
  detachHelper();
  const ctl = new Int32Array(memory.buffer, control, INTS);
  const f64 = new Float64Array(memory.buffer, control + F64_AT, 16);
  ctl.fill(0);
  f64.fill(0);
  const thread = start(HELPER_SOURCE, { module, memory, control, kernels: [...HELPER_KERNELS], spinMs: HELPER_SPIN_MS });
  helper = { thread, ctl, f64, seq: 0 };
}

/** Ends the helper thread (kernels run on the calling thread alone afterwards). */
export function detachHelper(): void {
  const h = helper;
  if (!h) return;
  helper = null;
  Atomics.store(h.ctl, READY, 0);
  Atomics.store(h.ctl, SEQ, -1);
  Atomics.notify(h.ctl, SEQ);
  h.thread.terminate();
}

/** Chunks the attached helper has run (0 without one). */
export function helperChunks(): number {
  return helper ? Atomics.load(helper.ctl, HELPED) : 0;
}

/** 2 while a helper takes work, else 1. */
export function helperThreads(): number {
  return readyHelper() ? 2 : 1;
}

/** A chunk the helper did not finish in this long means it is gone (a thread killed from outside). */
const JOIN_TIMEOUT_MS = 60_000;
/** How long the calling thread spins for the helper's last chunk before it sleeps. */
const JOIN_SPIN_MS = 2;

/**
 * A kernel call split along one dimension: `args[sizeArg]` (= total) is cut into chunks of `chunk` (a multiple of
 * the kernel's block width); chunk c starts at e = c·chunk and moves each `adv` argument (an address) by
 * stride·e bytes. Scratch a kernel reads (the sparse kernels' lists) is shared: it is written before the job.
 */
export interface Job {
  kernel: HelperKernel;
  args: readonly number[];
  sizeArg: number;
  chunk: number;
  adv: readonly (readonly [arg: number, stride: number])[];
}

type Kernel = (...args: number[]) => void;

function runChunk(fn: Kernel, job: Job, c: number): void {
  const b = job.args.slice();
  const start = c * job.chunk;
  b[job.sizeArg] = Math.min(job.chunk, job.args[job.sizeArg] - start);
  for (const [arg, stride] of job.adv) b[arg] += stride * start;
  fn(...b);
}

/**
 * Runs `job` with the helper: this thread and the helper take chunks until none is left (a late or busy helper
 * takes none, and this thread does them all), then this thread waits for the helper's chunk in progress. A chunk
 * the helper failed on, or never finished, is run here (and the helper detached).
 */
export function runJob(h: Helper, fn: Kernel, job: Job): void {
  const { ctl, f64 } = h;
  const total = job.args[job.sizeArg];
  const n = Math.ceil(total / job.chunk);
  if (n > MAX_CHUNKS) throw new Error(`runJob: ${n} chunks (at most ${MAX_CHUNKS})`);
  for (let i = 0; i < MAX_ARGS; i++) f64[i] = i < job.args.length ? job.args[i] : 0;
  for (let i = 0; i < job.adv.length; i++) {
    ctl[ADV + i] = job.adv[i][0];
    f64[12 + i] = job.adv[i][1];
  }
  ctl[KERNEL] = HELPER_KERNELS.indexOf(job.kernel);
  ctl[NCHUNKS] = n;
  ctl[SIZE_ARG] = job.sizeArg;
  ctl[CHUNK] = job.chunk;
  ctl[TOTAL] = total;
  ctl[NADV] = job.adv.length;
  ctl[FAILED] = 0;
  Atomics.store(ctl, FINISHED, 0);
  const seq = (h.seq = (h.seq % 0x3fffff) + 1);
  const tag = tagOf(seq);
  Atomics.store(ctl, CLAIM, tag | n);
  Atomics.store(ctl, SEQ, seq);
  Atomics.notify(ctl, SEQ);
  for (;;) {
    const cur = Atomics.load(ctl, CLAIM);
    const front = (cur >> 8) & 0xff;
    if (front >= (cur & 0xff)) break;
    if (Atomics.compareExchange(ctl, CLAIM, cur, cur + 0x100) !== cur) continue;
    runChunk(fn, job, front);
    Atomics.add(ctl, FINISHED, 1);
  }
  let spins = 0;
  let t0 = 0;
  for (;;) {
    const done = Atomics.load(ctl, FINISHED);
    if (done >= n) break;
    if (++spins < 1024) continue;
    spins = 0;
    const t = performance.now();
    if (t0 === 0) t0 = t;
    else if (t - t0 > JOIN_SPIN_MS) Atomics.wait(ctl, FINISHED, done, 1);
    if (t - t0 > JOIN_TIMEOUT_MS) {
      const held = Atomics.load(ctl, HELD);
      detachHelper();
      if (held > 0) runChunk(fn, job, held - 1);
      return;
    }
  }
  const failed = Atomics.load(ctl, FAILED);
  if (failed > 0) {
    detachHelper();
    runChunk(fn, job, failed - 1);
  }
}
