/**
 * The state of one model file as the views see it: the analysis of its text, the engine model with its current
 * weights, the training run, the latest evaluation. Pure (no `vscode`): the panel, the CodeLens and the status bar
 * read it; the extension feeds it document edits and worker messages. Every change is announced as the
 * `HostToWebview` message that tells a webview about it, so the panel forwards them as they are.
 */
import * as torch from '../engine';
import type { EvalResult, HostToWebview, ProgressPoint, SampleSet, TensorPayload, TrainingState, ViewSettings } from '../protocol';
import { buildModel } from '../model/build';
import { rebuildModel } from '../model/rebuild';
import type { ModelSpec } from '../model/spec';
import { analyze, type Analysis, type AnalysisOptions } from './analysis';

type Listener = (m: HostToWebview) => void;

/** A float32 copy of a tensor, as its own ArrayBuffer (safe to transfer or post). */
export function toPayload(name: string, t: torch.Tensor): TensorPayload {
  const src = t.contiguous().float().toArray() as Float32Array;
  const data = new Float32Array(src.length);
  data.set(src);
  return { name, shape: [...t.shape], data: data.buffer };
}

/** The engine tensor of a payload (respects nothing but `data`: payloads hold exactly numel*4 bytes). */
export function fromPayload(p: TensorPayload): torch.Tensor {
  const numel = p.shape.reduce((a, b) => a * b, 1);
  if (p.data.byteLength !== numel * 4) throw new Error(`tensor ${p.name}: ${p.data.byteLength} bytes for shape [${p.shape.join(', ')}] (expected ${numel * 4})`);
  return torch.fromStorage(new Float32Array(p.data.slice(0)), p.shape, 'float32');
}

/**
 * Builds the model for `spec`, keeping the weights of every layer of `old` whose name and parameter shapes did
 * not change (src/model's planRebuild). Returns the layers (state_dict prefixes) initialised afresh.
 */
export function rebuildKeeping(spec: ModelSpec, old: torch.nn.Sequential | null, oldSpec: ModelSpec | null): { model: torch.nn.Sequential; reinitialised: string[] } {
  if (!old || !oldSpec) return { model: buildModel(spec), reinitialised: [] };
  const { model, plan } = rebuildModel(old, oldSpec, spec);
  return { model, reinitialised: plan.reinitialised };
}

export function emptyTraining(runId = 0): TrainingState {
  return { runId, status: 'idle', points: [], epochs: [], editMarkers: [] };
}

export class ModelState {
  version = -1;
  analysis: Analysis;
  /** The engine model; kept while the text is broken, so a typo never loses trained weights. */
  model: torch.nn.Sequential | null = null;
  /** The spec `model` was built from. */
  builtSpec: ModelSpec | null = null;
  runId = 0;
  step = 0;
  training: TrainingState = emptyTraining();
  evaluation: EvalResult | null = null;
  samples: SampleSet | null = null;
  grads: TensorPayload[] | undefined;
  /** The layer the webview selected (its weights view), replayed in `init`. */
  selectedLayer: number | null = null;
  /** The layer under the editor's cursor (highlighted in the architecture view). */
  cursorLayer: number | null = null;
  /** Layers re-initialised by the latest edit. */
  reinitialised: string[] = [];
  /** True once the weights differ from a fresh init (trained or loaded). */
  trained = false;
  private readonly listeners = new Set<Listener>();

  constructor(
    readonly uri: string,
    private readonly options: () => AnalysisOptions,
  ) {
    this.analysis = analyze('', uri, options());
  }

  get spec(): ModelSpec | null {
    return this.analysis.spec;
  }

  onMessage(fn: Listener): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  private post(m: HostToWebview): void {
    for (const fn of [...this.listeners]) fn(m);
  }

  /** Re-analyses the text at `version`; rebuilds the model when the text is valid, keeping unchanged layers. */
  update(text: string, version: number): Analysis {
    this.version = version;
    this.analysis = analyze(text, this.uri, this.options());
    const spec = this.analysis.spec;
    this.reinitialised = [];
    if (spec) {
      const { model, reinitialised } = rebuildKeeping(spec, this.model, this.builtSpec);
      this.model = model;
      this.builtSpec = spec;
      this.reinitialised = reinitialised;
    }
    this.post({ type: 'model', version, model: this.analysis.summary, reinitialised: this.reinitialised });
    if (spec) this.postWeights();
    return this.analysis;
  }

  /** Fresh weights from the file's `init` (Reset Weights). */
  reset(): void {
    if (!this.builtSpec) return;
    this.model = buildModel(this.builtSpec);
    this.trained = false;
    this.grads = undefined;
    this.reinitialised = this.analysis.summary.layers.filter((l) => l.params > 0).map((l) => l.name);
    this.postWeights();
  }

  /** state_dict key → current float32 values (hovers and CodeLens read them). */
  weightValues(key: string): Float32Array | undefined {
    const p = this.model?.namedParameters().find(([k]) => k === key)?.[1];
    return p ? (p.contiguous().toArray() as Float32Array) : undefined;
  }

  /** state_dict key → the latest gradient from the worker, while training. */
  gradValues(key: string): Float32Array | undefined {
    const g = this.grads?.find((p) => p.name === key);
    return g ? new Float32Array(g.data) : undefined;
  }

  weights(): TensorPayload[] {
    return this.model ? this.model.namedParameters().map(([k, p]) => toPayload(k, p)) : [];
  }

  /** Named engine tensors of the current weights (for saving). */
  stateDict(): Map<string, torch.Tensor> {
    return this.model ? this.model.stateDict() : new Map();
  }

  /** Copies weights in (from the worker, or a weights file); unknown keys and shape mismatches are an Error. */
  setWeights(weights: readonly TensorPayload[] | Map<string, torch.Tensor>, step?: number, grads?: TensorPayload[]): void {
    if (!this.model) throw new Error('the model file has errors: fix them before loading weights');
    const sd = weights instanceof Map ? weights : new Map(weights.map((p) => [p.name, fromPayload(p)] as const));
    this.model.loadStateDict(sd, true);
    this.trained = true;
    this.grads = grads;
    if (step !== undefined) this.step = step;
    this.postWeights();
  }

  /**
   * Copies in the tensors whose key and shape match the current model and ignores the rest (worker snapshots
   * taken before an edit of the model file arrive with the old shapes). Returns the keys it skipped.
   */
  mergeWeights(weights: readonly TensorPayload[], step?: number, grads?: TensorPayload[]): string[] {
    if (!this.model) return weights.map((p) => p.name);
    const own = new Map(this.model.namedParameters());
    const fit = new Map<string, torch.Tensor>();
    const skipped: string[] = [];
    for (const p of weights) {
      const t = own.get(p.name);
      if (t && t.shape.length === p.shape.length && t.shape.every((d, i) => d === p.shape[i])) fit.set(p.name, fromPayload(p));
      else skipped.push(p.name);
    }
    for (const [k, t] of own) if (!fit.has(k)) fit.set(k, t.detach());
    this.model.loadStateDict(fit, true);
    this.trained = true;
    this.grads = grads?.filter((g) => !skipped.includes(g.name));
    if (step !== undefined) this.step = step;
    this.postWeights();
    return skipped;
  }

  private postWeights(): void {
    if (this.listeners.size === 0) return;
    this.post({ type: 'weights', version: this.version, runId: this.runId, step: this.step, weights: this.weights(), ...(this.grads ? { grads: this.grads } : {}) });
  }

  /** A new training run (`runId` above every earlier one): empty curves. */
  startRun(runId: number): number {
    this.runId = Math.max(runId, this.runId + 1);
    this.step = 0;
    this.training = { ...emptyTraining(this.runId), status: 'starting' };
    this.postTraining();
    return this.runId;
  }

  /** A run brought back from a checkpoint (the extension host restarted): its curves, step and evaluation. */
  restoreRun(training: TrainingState, step: number, evaluation: EvalResult | null): void {
    this.runId = Math.max(this.runId, training.runId);
    this.training = { ...training, runId: this.runId };
    this.step = step;
    this.evaluation = evaluation;
    if (evaluation) this.post({ type: 'evaluation', runId: this.runId, result: evaluation });
    this.postTraining();
  }

  setStatus(status: TrainingState['status'], message?: string): void {
    this.training = { ...this.training, status, ...(message === undefined ? {} : { message }) };
    this.postTraining();
  }

  addProgress(point: ProgressPoint): void {
    this.step = point.step;
    this.training.points.push(point);
    this.postTraining();
  }

  addEpoch(epoch: number, step: number, test: EvalResult): void {
    this.training.epochs.push({ epoch, step, test });
    this.setEvaluation(test);
    this.postTraining();
  }

  markEdit(changed: string[]): void {
    if (this.training.status !== 'running' && this.training.status !== 'paused') return;
    this.training.editMarkers.push({ step: this.step, version: this.version, changed });
    this.postTraining();
  }

  private postTraining(): void {
    this.post({ type: 'training', runId: this.runId, training: this.training });
  }

  setEvaluation(result: EvalResult): void {
    this.evaluation = result;
    this.post({ type: 'evaluation', runId: this.runId, result });
  }

  setSamples(samples: SampleSet): void {
    this.samples = samples;
    this.post({ type: 'samples', version: this.version, runId: this.runId, step: this.step, samples });
  }

  /** The layer under the editor's cursor (or the one a CodeLens asked to show). */
  setCursor(layer: number | null): void {
    this.cursorLayer = layer;
    this.post({ type: 'cursor', version: this.version, layer });
  }

  /** Everything a webview needs, for `ready` and for replay when a panel is shown again or restored. */
  initMessage(settings: ViewSettings): HostToWebview {
    return {
      type: 'init',
      version: this.version,
      runId: this.runId,
      model: this.analysis.summary,
      weights: this.weights(),
      training: this.training,
      samples: this.samples,
      evaluation: this.evaluation,
      settings,
      selectedLayer: this.selectedLayer,
      step: this.step,
    };
  }

  /** Class probabilities of the current weights for inputs [N, ...input.shape] (flat, row-major). */
  probabilities(inputs: Float32Array, n: number): Float32Array {
    const model = this.model;
    const spec = this.builtSpec;
    if (!model || !spec) throw new Error('the model file has errors: fix them to run predictions');
    const wasTraining = model.training;
    model.eval();
    try {
      return torch.noGrad(() => {
        const x = torch.fromStorage(inputs, [n, ...spec.input.shape], 'float32');
        const out = model.call(x);
        const last = spec.layers[spec.layers.length - 1]?.type;
        const probs = last === 'Softmax' ? out : last === 'LogSoftmax' ? out.exp() : out.softmax(-1);
        return Float32Array.from(probs.contiguous().toArray() as Float32Array);
      });
    } finally {
      model.train(wasTraining);
    }
  }

  /** Softmax of one drawing (pixels in [0, 1]). */
  predict(pixels: readonly number[]): number[] {
    return [...this.probabilities(Float32Array.from(pixels), 1)];
  }
}
