/**
 * Host side of the training worker, shared by the extension and any other host: starts the worker script in a
 * worker thread, sends typed HostToWorker messages and hands out typed WorkerToHost events. An unexpected end of
 * the worker (a crash, running out of memory, `terminate()` from outside) becomes an `error` event for the active
 * run, messages from a dead worker are dropped, and the next `start` starts a new worker.
 */
import { Worker } from 'node:worker_threads';
import type { DataSource, TensorPayload, TrainOptions, WorkerToHost } from '../protocol';
import type { ModelSpec } from '../model/spec';

export interface TrainingClientOptions {
  /** Path of the bundled worker (dist/worker.js). */
  workerScript: string;
  execArgv?: string[];
  /** Passed to the Worker, e.g. { maxOldGenerationSizeMb }. */
  resourceLimits?: import('node:worker_threads').ResourceLimits;
}

export interface StartRequest {
  spec: ModelSpec;
  data: DataSource;
  options: TrainOptions;
  weights?: TensorPayload[];
  /** Defaults to the next id. */
  runId?: number;
}

type Listener = (m: WorkerToHost) => void;
type Of<T extends WorkerToHost['type']> = Extract<WorkerToHost, { type: T }>;

export class TrainingClient {
  private worker: Worker | null = null;
  private readonly listeners = new Set<Listener>();
  private nextRunId = 1;
  private nextRequestId = 1;
  /** The run a crash is reported against. */
  private activeRun: number | null = null;
  private disposed = false;

  constructor(private readonly opts: TrainingClientOptions) {}

  /** Every message; returns a function that removes the listener. */
  onMessage(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Messages of one type, typed. */
  on<T extends WorkerToHost['type']>(type: T, fn: (m: Of<T>) => void): () => void {
    return this.onMessage((m) => {
      if (m.type === type) fn(m as Of<T>);
    });
  }

  /** Resolves with the first message of `type` for `runId` that passes `pred`. */
  waitFor<T extends WorkerToHost['type']>(type: T, runId: number, pred: (m: Of<T>) => boolean = () => true): Promise<Of<T>> {
    return new Promise((resolve, reject) => {
      const off = this.onMessage((m) => {
        if (m.runId !== runId) return;
        if (m.type === type && pred(m as Of<T>)) {
          off();
          resolve(m as Of<T>);
        } else if (m.type === 'error' && type !== 'error') {
          off();
          reject(new Error(m.message));
        }
      });
    });
  }

  get running(): boolean {
    return this.activeRun !== null;
  }

  /** The worker thread, while there is one (the recovery tests terminate it from outside, as a crash would). */
  get thread(): Worker | null {
    return this.worker;
  }

  start(req: StartRequest): number {
    if (this.disposed) throw new Error('the training client has been disposed');
    const runId = req.runId ?? this.nextRunId++;
    this.nextRunId = Math.max(this.nextRunId, runId + 1);
    this.activeRun = runId;
    this.ensureWorker().postMessage({ type: 'start', runId, spec: req.spec, data: req.data, options: req.options, weights: req.weights });
    return runId;
  }

  pause(runId: number): void {
    this.worker?.postMessage({ type: 'pause', runId });
  }
  resume(runId: number): void {
    this.worker?.postMessage({ type: 'resume', runId });
  }
  cancel(runId: number): void {
    this.worker?.postMessage({ type: 'cancel', runId });
  }
  /** Asks for a test-set evaluation of the run's current weights; returns the request id. */
  evaluate(runId: number): number {
    const requestId = this.nextRequestId++;
    this.worker?.postMessage({ type: 'evaluate', runId, requestId });
    return requestId;
  }

  /** Stops the worker (an active run ends without a `done`). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = null;
    this.activeRun = null;
    if (w) await w.terminate();
    this.listeners.clear();
  }

  private emit(m: WorkerToHost): void {
    if ((m.type === 'done' || m.type === 'error') && m.runId === this.activeRun) this.activeRun = null;
    for (const fn of [...this.listeners]) {
      try {
        fn(m);
      } catch (e) {
        // A listener's bug must not stop the others or the worker's messages.
        console.error('nn-lens: training listener failed:', e);
      }
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.opts.workerScript, { execArgv: this.opts.execArgv, resourceLimits: this.opts.resourceLimits });
    this.worker = w;
    // A worker that has been replaced (it crashed, or was killed) has nothing more to say.
    w.on('message', (m: WorkerToHost) => {
      if (this.worker === w) this.emit(m);
    });
    const crashed = (message: string): void => {
      if (this.worker !== w) return;
      this.worker = null;
      const runId = this.activeRun;
      if (runId !== null) this.emit({ type: 'error', runId, message });
    };
    w.on('error', (e: Error) => crashed(`the training worker crashed: ${e.message}`));
    w.on('messageerror', (e: Error) => {
      if (this.activeRun !== null) this.emit({ type: 'error', runId: this.activeRun, message: `the training worker sent an unreadable message: ${e.message}` });
    });
    w.on('exit', (code) => crashed(`the training worker stopped unexpectedly (exit code ${code})`));
    return w;
  }
}
