/**
 * Training in the editor: runs a model file's `train` settings in the worker thread (src/train's client), with a
 * cancellable progress notification, a status bar item and a log. The worker owns the weights while it runs; its
 * snapshots flow into the model's state (and from there to the panel and the CodeLens). One run at a time.
 * Editing the model file during a run restarts the worker on the edited model with the weights of the layers that
 * did not change; the curves go on (an edit marker shows where).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DataSource, TrainOptions, WorkerToHost } from '../protocol';
import type { ModelSpec } from '../model/spec';
import { TrainingClient } from '../train/client';
import type { ModelState } from './state';
import { errorMessage } from './util';

export type RunResult = 'done' | 'cancelled' | 'error';

export interface TrainingHost {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  status: vscode.StatusBarItem;
  options(state: ModelState): Omit<TrainOptions, 'epochs' | 'batchSize'>;
  dataSource(state: ModelState): DataSource;
  /** Called when a run has started (before the worker's first message). */
  started?(uri: vscode.Uri, state: ModelState): void;
  /** Called when a run has ended. */
  finished(uri: vscode.Uri, state: ModelState, result: RunResult): Promise<void>;
  /** Tells the language features (and the views of `state`) to redraw live values. */
  changed(state?: ModelState): void;
}

export interface ActiveRun {
  uri: vscode.Uri;
  state: ModelState;
  /** The worker's run id (a restart after an edit gets a new one; the state's run id stays). */
  workerRunId: number;
  spec: ModelSpec;
  paused: boolean;
  /** Steps done by earlier worker runs of this run (before edits). */
  stepOffset: number;
  /** The spec to restart with once the worker confirms the cancel. */
  restartWith: ModelSpec | null;
  stopRequested: boolean;
  /** The step of the latest weights the state holds from the worker (null before the first snapshot). */
  snapshotStep: number | null;
  end: Promise<RunResult>;
}

/** The parts of a spec whose change means the worker must restart (not the name). */
function trainingKey(spec: ModelSpec): string {
  return JSON.stringify([spec.input, spec.layers, spec.train, spec.init.scheme]);
}

export class TrainingController implements vscode.Disposable {
  private client: TrainingClient | null = null;
  private active: ActiveRun | null = null;
  private nextRunId = 1;
  private readonly stateChanged = new vscode.EventEmitter<void>();
  readonly onDidChange = this.stateChanged.event;
  /** The longest time one worker message kept the host busy in the latest run, in ms (and which message). */
  longestHandler = { ms: 0, type: '' };

  constructor(private readonly host: TrainingHost) {}

  get current(): ActiveRun | null {
    return this.active;
  }

  isTraining(state?: ModelState): boolean {
    return !!this.active && (!state || this.active.state === state);
  }

  private getClient(): TrainingClient {
    if (!this.client) this.client = new TrainingClient({ workerScript: path.join(this.host.extensionUri.fsPath, 'dist', 'worker.js') });
    return this.client;
  }

  private launch(run: ActiveRun, spec: ModelSpec): void {
    run.workerRunId = this.nextRunId++;
    run.spec = spec;
    const options: TrainOptions = { ...this.host.options(run.state), epochs: spec.train.epochs, batchSize: spec.train.batchSize };
    const data = this.host.dataSource(run.state);
    this.host.log.info(
      `run ${run.workerRunId}: ${path.basename(run.uri.fsPath)}, ${spec.train.epochs} epoch(s), batch ${spec.train.batchSize}, ${spec.train.optimizer.type} lr ${spec.train.optimizer.lr}, shuffle seed ${options.seed}, data: ${data.kind === 'embedded' ? 'the embedded MNIST subset' : data.dir}`,
    );
    this.getClient().start({ runId: run.workerRunId, spec, data, options, weights: run.state.weights() });
  }

  /** Starts training; resolves when the run has ended. */
  async train(uri: vscode.Uri, state: ModelState): Promise<RunResult> {
    if (this.active) throw new Error(`already training ${path.basename(this.active.uri.fsPath)}: stop it first`);
    const spec = state.spec;
    if (!spec) {
      const n = state.analysis.diagnostics.filter((d) => d.severity === 'error').length;
      throw new Error(`${path.basename(uri.fsPath)} has ${n} error${n === 1 ? '' : 's'}: fix ${n === 1 ? 'it' : 'them'} before training (see the Problems panel)`);
    }
    const log = this.host.log;
    const name = path.basename(uri.fsPath);
    let resolveEnd!: (s: RunResult) => void;
    const end = new Promise<RunResult>((r) => (resolveEnd = r));
    const run: ActiveRun = { uri, state, workerRunId: 0, spec, paused: false, stepOffset: 0, restartWith: null, stopRequested: false, snapshotStep: null, end };
    state.startRun(this.nextRunId);
    this.host.started?.(uri, state);
    let stepsPerEpoch = 0;
    let lastEpoch = 0;
    let report: ((text: string, fraction?: number) => void) | null = null;
    this.longestHandler = { ms: 0, type: '' };

    const handle = (m: WorkerToHost): void => {
      const id = run.workerRunId;
      switch (m.type) {
        case 'started':
          stepsPerEpoch = m.stepsPerEpoch;
          state.setStatus('running');
          log.info(`run ${id}: ${m.trainSize} training and ${m.testSize} test images, ${m.stepsPerEpoch} steps per epoch${m.threads ? `, kernels on ${m.threads} thread${m.threads === 1 ? '' : 's'}` : ''}`);
          break;
        case 'progress': {
          const p = { ...m.point, step: m.point.step + run.stepOffset };
          lastEpoch = p.epoch;
          state.addProgress(p);
          const total = stepsPerEpoch * run.spec.train.epochs;
          this.host.status.text = `$(pulse) NN Lens: epoch ${p.epoch}/${run.spec.train.epochs} · step ${p.step} · loss ${p.loss.toFixed(4)} · acc ${(p.accuracy * 100).toFixed(1)}%`;
          report?.(`epoch ${p.epoch}/${run.spec.train.epochs}, step ${m.point.step}/${total}, loss ${p.loss.toFixed(4)}`, total ? m.point.step / total : undefined);
          break;
        }
        case 'snapshot':
          this.safely(() => state.mergeWeights(m.weights, m.step + run.stepOffset, m.grads));
          run.snapshotStep = m.step + run.stepOffset;
          this.host.changed(state);
          break;
        case 'epochEnd':
          lastEpoch = m.epoch;
          state.addEpoch(m.epoch, state.step, m.test);
          log.info(`run ${id}: epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(4)}, train accuracy ${(m.trainAccuracy * 100).toFixed(2)}%, test loss ${m.test.loss.toFixed(4)}, test accuracy ${(m.test.accuracy * 100).toFixed(2)}%`);
          break;
        case 'evaluation':
          state.setEvaluation(m.result);
          log.info(`run ${id}: test accuracy ${(m.result.accuracy * 100).toFixed(2)}% on ${m.result.count} images`);
          break;
        case 'paused':
          run.paused = true;
          state.setStatus('paused');
          this.host.status.text = `$(debug-pause) NN Lens: paused at step ${state.step}`;
          this.updateContext();
          break;
        case 'resumed':
          run.paused = false;
          state.setStatus('running');
          this.updateContext();
          break;
        case 'done': {
          const skipped = this.safely(() => state.mergeWeights(m.weights, m.steps + run.stepOffset)) ?? [];
          const next = run.restartWith;
          if (m.status === 'cancelled' && next && !run.stopRequested) {
            run.restartWith = null;
            run.stepOffset += m.steps;
            run.paused = false;
            log.info(`run ${id}: the model file changed at step ${run.stepOffset}; training goes on with the edited model${skipped.length ? ` (initialised afresh: ${skipped.join(', ')})` : ''}`);
            try {
              this.launch(run, next);
            } catch (e) {
              state.setStatus('error', errorMessage(e));
              resolveEnd('error');
            }
            this.updateContext();
            break;
          }
          if (m.test) state.setEvaluation(m.test);
          const steps = m.steps + run.stepOffset;
          state.setStatus(m.status, m.status === 'done' ? `trained ${steps} steps` : `stopped after ${steps} steps`);
          log.info(`run ${id}: ${m.status} after ${steps} steps${m.test ? `, test accuracy ${(m.test.accuracy * 100).toFixed(2)}%` : ''}`);
          resolveEnd(m.status);
          break;
        }
        case 'error': {
          // The worker's own errors carry its last weights; a worker that died (crashed, killed, out of memory)
          // sends nothing more: the state keeps the weights of the last snapshot, and the next Train starts there.
          if (m.weights) this.safely(() => state.mergeWeights(m.weights ?? [], m.step === undefined ? undefined : m.step + run.stepOffset));
          const kept = m.weights ? '' : run.snapshotStep === null ? '; the weights from before the run are kept' : `; the weights of step ${run.snapshotStep} (the last snapshot) are kept`;
          const message = m.message + kept;
          state.setStatus('error', message);
          log.error(`run ${id}: ${message}`);
          this.host.status.tooltip = `NN Lens: training ${name} failed: ${message}`;
          void vscode.window.showErrorMessage(`NN Lens: training ${name} failed: ${message}`);
          resolveEnd('error');
          break;
        }
        default:
          break;
      }
    };
    const off = this.getClient().onMessage((m: WorkerToHost) => {
      if (m.runId !== run.workerRunId) return;
      const t0 = performance.now();
      handle(m);
      const ms = performance.now() - t0;
      if (ms > this.longestHandler.ms) this.longestHandler = { ms, type: m.type };
    });
    this.active = run;
    this.updateContext();
    this.host.status.text = `$(loading~spin) NN Lens: starting ${name}`;
    this.host.status.tooltip = 'NN Lens: open the visualizer';
    this.host.status.show();
    try {
      this.launch(run, spec);
    } catch (e) {
      state.setStatus('error', errorMessage(e));
      log.error(`training ${name}: ${errorMessage(e)}`);
      resolveEnd('error');
    }
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Training ${name}`, cancellable: true }, (progress, token) => {
      let last = 0;
      report = (message, fraction) => {
        const inc = fraction === undefined ? undefined : Math.max(0, fraction * 100 - last);
        if (inc !== undefined) last += inc;
        progress.report({ message, increment: inc });
      };
      token.onCancellationRequested(() => this.stop());
      return end;
    });
    const result = await end;
    off();
    this.active = null;
    this.updateContext();
    const verb = result === 'error' ? 'training failed' : result === 'done' ? 'trained' : 'stopped';
    this.host.status.text = `$(graph) NN Lens: ${verb} · epoch ${lastEpoch} · step ${state.step}${state.evaluation ? ` · test acc ${(state.evaluation.accuracy * 100).toFixed(1)}%` : ''}`;
    this.host.changed();
    await this.host.finished(uri, state, result);
    return result;
  }

  /** The model file of the active run was edited: restart the worker on the new spec if what it trains changed. */
  edited(state: ModelState): boolean {
    const run = this.active;
    const spec = state.spec;
    if (!run || run.state !== state || !spec || run.stopRequested) return false;
    if (trainingKey(spec) === trainingKey(run.restartWith ?? run.spec)) return false;
    const first = run.restartWith === null;
    run.restartWith = spec;
    if (first) this.getClient().cancel(run.workerRunId);
    return true;
  }

  private safely<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.host.log.error(`training: ${errorMessage(e)}`);
      return undefined;
    }
  }

  pauseResume(): 'paused' | 'resumed' | 'idle' {
    const a = this.active;
    if (!a) return 'idle';
    if (a.paused) this.getClient().resume(a.workerRunId);
    else this.getClient().pause(a.workerRunId);
    return a.paused ? 'resumed' : 'paused';
  }

  stop(): boolean {
    const a = this.active;
    if (!a) return false;
    a.stopRequested = true;
    this.getClient().cancel(a.workerRunId);
    return true;
  }

  /** The training worker thread, if one is running (tests terminate it to check the recovery). */
  workerThread(): import('node:worker_threads').Worker | null {
    return this.client?.thread ?? null;
  }

  /** Test-set evaluation by the worker of the active run's current weights. */
  evaluateActive(): boolean {
    const a = this.active;
    if (!a) return false;
    this.getClient().evaluate(a.workerRunId);
    return true;
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'nnLens.training', !!this.active);
    void vscode.commands.executeCommand('setContext', 'nnLens.paused', !!this.active?.paused);
    this.stateChanged.fire();
  }

  dispose(): void {
    this.stateChanged.dispose();
    void this.client?.dispose();
  }
}
