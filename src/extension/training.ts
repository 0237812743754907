/**
 * Training in the editor: runs a model file's `train` settings in the worker thread (src/train's client), with a
 * cancellable progress notification, a status bar item and a log. The worker owns the weights while it runs; its
 * snapshots flow into the model's state (and from there to the panel and the CodeLens). One run at a time.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainOptions, WorkerToHost } from '../protocol';
import { TrainingClient } from '../train/client';
import type { ModelState } from './state';
import { errorMessage } from './util';

export interface TrainingHost {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  status: vscode.StatusBarItem;
  options(state: ModelState): Omit<TrainOptions, 'epochs' | 'batchSize'>;
  dataSource(state: ModelState): import('../protocol').DataSource;
  /** Called when a run ends with weights worth keeping (done or cancelled). */
  finished(uri: vscode.Uri, state: ModelState, status: 'done' | 'cancelled' | 'error'): Promise<void>;
  /** Tells the language features to redraw live values. */
  changed(): void;
}

interface ActiveRun {
  uri: vscode.Uri;
  state: ModelState;
  runId: number;
  paused: boolean;
  end: Promise<'done' | 'cancelled' | 'error'>;
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

  /** Starts training; resolves when the run has ended. */
  async train(uri: vscode.Uri, state: ModelState): Promise<'done' | 'cancelled' | 'error'> {
    if (this.active) throw new Error(`already training ${path.basename(this.active.uri.fsPath)}: stop it first`);
    const spec = state.spec;
    if (!spec) {
      const n = state.analysis.diagnostics.filter((d) => d.severity === 'error').length;
      throw new Error(`${path.basename(uri.fsPath)} has ${n} error${n === 1 ? '' : 's'}: fix ${n === 1 ? 'it' : 'them'} before training (see the Problems panel)`);
    }
    const data = this.host.dataSource(state);
    const options: TrainOptions = { ...this.host.options(state), epochs: spec.train.epochs, batchSize: spec.train.batchSize };
    const runId = this.nextRunId++;
    state.startRun(runId);
    const log = this.host.log;
    const name = path.basename(uri.fsPath);
    log.info(`training ${name} (run ${runId}): ${spec.train.epochs} epoch(s), batch ${spec.train.batchSize}, ${spec.train.optimizer.type} lr ${spec.train.optimizer.lr}, seed ${options.seed}, data: ${data.kind === 'embedded' ? 'embedded MNIST subset' : data.dir}`);
    const client = this.getClient();
    let resolveEnd!: (s: 'done' | 'cancelled' | 'error') => void;
    const end = new Promise<'done' | 'cancelled' | 'error'>((r) => (resolveEnd = r));
    const run: ActiveRun = { uri, state, runId, paused: false, end };
    this.active = run;
    this.updateContext();
    let stepsPerEpoch = 0;
    let lastEpoch = 0;
    let report: ((text: string, fraction?: number) => void) | null = null;
    this.longestHandler = { ms: 0, type: '' };
    const handle = (m: WorkerToHost): void => {
      switch (m.type) {
        case 'started':
          stepsPerEpoch = m.stepsPerEpoch;
          state.setStatus('running');
          log.info(`run ${runId}: ${m.trainSize} training and ${m.testSize} test images, ${m.stepsPerEpoch} steps per epoch`);
          break;
        case 'progress': {
          const p = m.point;
          lastEpoch = p.epoch;
          state.addProgress(p);
          const total = stepsPerEpoch * spec.train.epochs;
          this.host.status.text = `$(pulse) NN Lens: epoch ${p.epoch}/${spec.train.epochs} · step ${p.step} · loss ${p.loss.toFixed(4)} · acc ${(p.accuracy * 100).toFixed(1)}%`;
          report?.(`epoch ${p.epoch}/${spec.train.epochs}, step ${p.step}/${total}, loss ${p.loss.toFixed(4)}`, total ? p.step / total : undefined);
          break;
        }
        case 'snapshot':
          this.safely(() => state.setWeights(m.weights, m.step, m.grads));
          this.host.changed();
          break;
        case 'epochEnd':
          lastEpoch = m.epoch;
          state.addEpoch(m.epoch, state.step, m.test);
          log.info(`run ${runId}: epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(4)}, train accuracy ${(m.trainAccuracy * 100).toFixed(2)}%, test loss ${m.test.loss.toFixed(4)}, test accuracy ${(m.test.accuracy * 100).toFixed(2)}%`);
          break;
        case 'evaluation':
          state.setEvaluation(m.result);
          log.info(`run ${runId}: test accuracy ${(m.result.accuracy * 100).toFixed(2)}% on ${m.result.count} images`);
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
        case 'done':
          this.safely(() => state.setWeights(m.weights, m.steps));
          if (m.test) state.setEvaluation(m.test);
          state.setStatus(m.status, m.status === 'done' ? `trained ${m.steps} steps` : `stopped after ${m.steps} steps`);
          log.info(`run ${runId}: ${m.status} after ${m.steps} steps${m.test ? `, test accuracy ${(m.test.accuracy * 100).toFixed(2)}%` : ''}`);
          resolveEnd(m.status);
          break;
        case 'error':
          if (m.weights) this.safely(() => state.setWeights(m.weights ?? [], m.step));
          state.setStatus('error', m.message);
          log.error(`run ${runId}: ${m.message}`);
          void vscode.window.showErrorMessage(`NN Lens: training ${name} failed: ${m.message}`);
          resolveEnd('error');
          break;
        default:
          break;
      }
    };
    const off = client.onMessage((m: WorkerToHost) => {
      if (m.runId !== runId) return;
      const t0 = performance.now();
      handle(m);
      const ms = performance.now() - t0;
      if (ms > this.longestHandler.ms) this.longestHandler = { ms, type: m.type };
    });
    this.host.status.text = `$(loading~spin) NN Lens: starting ${name}`;
    this.host.status.show();
    try {
      client.start({ runId, spec, data, options, weights: state.weights() });
    } catch (e) {
      resolveEnd('error');
      state.setStatus('error', errorMessage(e));
      log.error(`run ${runId}: ${errorMessage(e)}`);
    }
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${name}`, cancellable: true },
      (progress, token) => {
        let last = 0;
        report = (message, fraction) => {
          const inc = fraction === undefined ? undefined : Math.max(0, fraction * 100 - last);
          if (inc !== undefined) last += inc;
          progress.report({ message, increment: inc });
        };
        token.onCancellationRequested(() => this.stop());
        return end;
      },
    );
    const status = await end;
    off();
    this.active = null;
    this.updateContext();
    this.host.status.text = `$(graph) NN Lens: ${status === 'error' ? 'training failed' : `${status === 'done' ? 'trained' : 'stopped'}`} · epoch ${lastEpoch} · step ${state.step}${state.evaluation ? ` · test acc ${(state.evaluation.accuracy * 100).toFixed(1)}%` : ''}`;
    this.host.changed();
    await this.host.finished(uri, state, status);
    return status;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.host.log.error(`training: ${errorMessage(e)}`);
    }
  }

  pauseResume(): 'paused' | 'resumed' | 'idle' {
    const a = this.active;
    if (!a) return 'idle';
    if (a.paused) this.getClient().resume(a.runId);
    else this.getClient().pause(a.runId);
    return a.paused ? 'resumed' : 'paused';
  }

  stop(): boolean {
    const a = this.active;
    if (!a) return false;
    this.getClient().cancel(a.runId);
    return true;
  }

  /** Test-set evaluation by the worker of the active run's current weights. */
  evaluateActive(): boolean {
    const a = this.active;
    if (!a) return false;
    this.getClient().evaluate(a.runId);
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
