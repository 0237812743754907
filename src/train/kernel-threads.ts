/**
 * How many threads the engine's kernels use where training runs (the training worker, `nnlens train`, the
 * benchmark): with two or more CPUs, a kernel helper thread (src/engine/kernels/helper.ts) takes half of each
 * large product and SGD step. The helper sleeps when no work comes (a paused or finished run costs no CPU) and
 * ends with the thread that started it.
 *
 * NNLENS_THREADS=1 (or a `threads` of 1) keeps the kernels on one thread.
 */
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { attachKernelHelper, detachKernelHelper, kernelThreads } from '../engine';

/** The threads to use by default: 2 when the machine has two CPUs or more, else 1; NNLENS_THREADS overrides. */
export function defaultKernelThreads(): number {
  const env = Number(process.env.NNLENS_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 2);
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cpus >= 2 ? 2 : 1;
}

/**
 * Uses `threads` (1 or 2) threads for the kernels from now on. Resolves with the number in use once the helper is
 * ready (1 when there are no WebAssembly kernels here, or the helper could not start).
 */
export async function useKernelThreads(threads: number = defaultKernelThreads()): Promise<number> {
  if (threads < 2) {
    detachKernelHelper();
    return 1;
  }
  if (kernelThreads() === 2) return 2;
  let failed = false;
  const attached = attachKernelHelper((source, workerData) => {
    const w = new Worker(source, { eval: true, workerData });
    w.unref(); // never keeps a process alive
    w.on('error', () => {
      failed = true;
      detachKernelHelper();
    });
    return w;
  });
  if (!attached) return 1;
  // The helper says it is ready within milliseconds; training may start before, on one thread.
  for (let i = 0; i < 200 && !failed && kernelThreads() < 2; i++) await new Promise((r) => setTimeout(r, 5));
  return kernelThreads();
}
