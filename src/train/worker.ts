/**
 * The training worker (bundled to dist/worker.js): a thin worker_threads shell around Trainer speaking
 * HostToWorker / WorkerToHost. The loop yields to the event loop every few milliseconds so that pause, resume,
 * cancel and evaluate arrive between batches; progress and weight snapshots are throttled by the run's options.
 * `paused` and `resumed` come from the loop itself, so every progress of a step before the pause precedes `paused`
 * and none follows it until `resumed`.
 */
import { parentPort } from 'node:worker_threads';
import type { HostToWorker, WorkerToHost } from '../protocol';
import { assertNever } from '../protocol';
import { buildModel } from '../model/build';
import { Trainer, TrainingError } from './trainer';
import { loadDataSource } from './data-source';
import { payloadsToStateDict, snapshotParameters, transferables } from './snapshot';
import { validateHostToWorker } from './validate';
import { defaultKernelThreads, useKernelThreads } from './kernel-threads';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

// A kernel helper thread on a machine of two CPUs or more (NNLENS_THREADS=1, or a run's options.threads of 1:
// none), started ahead of the first run. It sleeps between runs and ends with this worker.
const helperReady = useKernelThreads();

function post(m: WorkerToHost): void {
  const buffers =
    m.type === 'snapshot' ? transferables([...m.weights, ...(m.grads ?? [])]) : m.type === 'done' ? transferables(m.weights) : m.type === 'error' && m.weights ? transferables(m.weights) : [];
  port?.postMessage(m, buffers);
}

interface Run {
  runId: number;
  trainer: Trainer | null;
  paused: boolean;
  cancelled: boolean;
  wake: (() => void) | null;
}

let current: Run | null = null;

const YIELD_EVERY_MS = 5;
const now = (): number => performance.now();
const nextTick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function run(msg: Extract<HostToWorker, { type: 'start' }>, r: Run): Promise<void> {
  const { runId, options } = msg;
  let trainer: Trainer;
  await helperReady;
  const threads = await useKernelThreads(Math.min(options.threads ?? 2, defaultKernelThreads()));
  try {
    const data = loadDataSource(msg.data, msg.spec);
    const model = buildModel(msg.spec);
    if (msg.weights) model.loadStateDict(payloadsToStateDict(msg.weights));
    trainer = new Trainer(msg.spec, data, { epochs: options.epochs, batchSize: options.batchSize, lr: options.lr, seed: options.seed, shuffle: options.shuffle, maxSteps: options.maxSteps }, model);
    r.trainer = trainer;
  } catch (e) {
    post({ type: 'error', runId, message: (e as Error).message });
    return;
  }
  post({ type: 'started', runId, trainSize: trainer.data.train.count, testSize: trainer.data.test.count, stepsPerEpoch: trainer.stepsPerEpoch, threads });
  const t0 = now();
  let lastProgress = t0;
  let lastSnapshot = t0;
  let lastYield = t0;
  let winLoss = 0;
  let winBatches = 0;
  let winCorrect = 0;
  let winSeen = 0;
  let winStart = t0;
  const flush = (): void => {
    if (winBatches === 0) return;
    const t = now();
    post({
      type: 'progress',
      runId,
      point: {
        epoch: trainer.epoch,
        step: trainer.step,
        stepsPerEpoch: trainer.stepsPerEpoch,
        stepInEpoch: trainer.step - (trainer.epoch - 1) * trainer.stepsPerEpoch,
        loss: winLoss / winBatches,
        accuracy: winCorrect / winSeen,
        samplesPerSec: winSeen / Math.max(1e-9, (t - winStart) / 1000),
        time: t - t0,
      },
    });
    winLoss = winBatches = winCorrect = winSeen = 0;
    winStart = lastProgress = t;
  };
  for (;;) {
    if (r.cancelled) {
      flush();
      post({ type: 'done', runId, status: 'cancelled', weights: snapshotParameters(trainer.model), steps: trainer.step });
      return;
    }
    if (r.paused) {
      // The loop itself answers a pause, between two steps: the steps still in the window are reported first, and
      // nothing is stepped or sent after `paused` until `resumed` (a cancel ends the wait without a `resumed`).
      flush();
      post({ type: 'paused', runId });
      await new Promise<void>((res) => (r.wake = res));
      r.wake = null;
      if (!r.cancelled) post({ type: 'resumed', runId });
      winStart = now();
      continue;
    }
    let e;
    try {
      e = trainer.advance();
    } catch (err) {
      flush();
      const te = err instanceof TrainingError ? err : null;
      post({ type: 'error', runId, message: (err as Error).message, epoch: te?.epoch ?? trainer.epoch, step: te?.step ?? trainer.step, weights: snapshotParameters(trainer.model) });
      return;
    }
    const t = now();
    switch (e.type) {
      case 'step':
        winLoss += e.loss;
        winBatches++;
        winCorrect += e.correct;
        winSeen += e.size;
        if (t - lastProgress >= options.progressEveryMs) flush();
        if (t - lastSnapshot >= options.snapshotEveryMs) {
          post({ type: 'snapshot', runId, step: trainer.step, weights: snapshotParameters(trainer.model) });
          lastSnapshot = t;
        }
        break;
      case 'epochEnd':
        flush();
        post({ type: 'epochEnd', runId, epoch: e.epoch, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, test: e.test });
        break;
      case 'done':
        flush();
        post({ type: 'done', runId, status: 'done', weights: snapshotParameters(trainer.model), steps: e.steps, test: e.test });
        return;
      default:
        assertNever(e, 'trainer event');
    }
    if (t - lastYield >= YIELD_EVERY_MS) {
      await nextTick();
      lastYield = now();
    }
  }
}

function handle(raw: unknown): void {
  let msg: HostToWorker;
  try {
    msg = validateHostToWorker(raw);
  } catch (e) {
    const runId = typeof raw === 'object' && raw !== null && typeof (raw as { runId?: unknown }).runId === 'number' ? (raw as { runId: number }).runId : -1;
    post({ type: 'error', runId, message: `bad message to the training worker: ${(e as Error).message}` });
    return;
  }
  const r = current && current.runId === msg.runId ? current : null;
  switch (msg.type) {
    case 'start': {
      if (current) {
        current.cancelled = true;
        current.wake?.();
      }
      const run_: Run = { runId: msg.runId, trainer: null, paused: false, cancelled: false, wake: null };
      current = run_;
      void run(msg, run_).finally(() => {
        if (current === run_) current = run_.trainer ? { ...run_, cancelled: true } : null;
      });
      return;
    }
    case 'pause':
      // Answered by the run's loop before its next step (see run()).
      if (r && !r.paused && !r.cancelled) r.paused = true;
      return;
    case 'resume':
      // A resume that arrives before the loop saw the pause cancels it: neither is answered.
      if (r && r.paused) {
        r.paused = false;
        r.wake?.();
      }
      return;
    case 'cancel':
      if (r) {
        r.cancelled = true;
        r.wake?.();
      }
      return;
    case 'evaluate':
      if (!r?.trainer) {
        post({ type: 'error', runId: msg.runId, message: `run ${msg.runId} has no model to evaluate` });
        return;
      }
      post({ type: 'evaluation', runId: msg.runId, requestId: msg.requestId, result: r.trainer.evaluate() });
      return;
    default:
      assertNever(msg);
  }
}

port.on('message', handle);
