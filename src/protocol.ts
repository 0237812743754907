/**
 * Every message between the extension host, the training worker and the webviews, as string-tagged unions.
 * Types only (plus `assertNever`): each side validates what it receives before use (the host never trusts
 * the webview). Updates carry the document `version` or the training `runId`; receivers drop stale ones.
 */
import type { ModelSpec } from './model/spec';
import type { DiagnosticCode } from './model/codes';

export function assertNever(x: never, what = 'message'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(x)}`);
}

/** A dimension of an inferred shape: a size, or 'B' for the batch. */
export type Dim = number | 'B';

/** Zero-based line/character range in the model file. */
export interface SourceRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export type Severity = 'error' | 'warning' | 'info';

export interface DiagnosticInfo {
  severity: Severity;
  message: string;
  range: SourceRange;
  /** Index of the layer it concerns, when it concerns one. */
  layer?: number;
  /** Stable code (src/model/codes.ts) that quick fixes and tests key on. */
  code?: DiagnosticCode;
}

/** One layer as the views show it. */
export interface LayerInfo {
  index: number;
  /** state_dict prefix (`W1`, or the index as a string). */
  name: string;
  type: string;
  inShape: Dim[] | null;
  outShape: Dim[] | null;
  /** Parameter count (weight + bias). */
  params: number;
  /** [out, in] for a Linear. */
  weightShape?: [number, number];
  hasBias?: boolean;
  range: SourceRange;
}

/** What the views need to know about the model file. */
export interface ModelSummary {
  /** URI of the model file. */
  uri: string;
  name: string;
  inputShape: number[];
  dataset: string;
  classNames: string[];
  layers: LayerInfo[];
  totalParams: number;
  diagnostics: DiagnosticInfo[];
}

/** A float32 tensor crossing a boundary: `data` holds exactly numel*4 bytes. */
export interface TensorPayload {
  /** state_dict key, e.g. `W1.weight`. */
  name: string;
  shape: number[];
  data: ArrayBuffer;
}

export interface EvalResult {
  accuracy: number;
  loss: number;
  perClass: number[];
  /** confusion[true][pred] counts. */
  confusion: number[][];
  count: number;
}

export interface ProgressPoint {
  /** The epoch in progress, 1-based (the Trainer counts from 1: epoch 1 of `epochs`). */
  epoch: number;
  /** Optimiser steps since the start of the run. */
  step: number;
  stepsPerEpoch: number;
  /**
   * Steps done in the epoch in progress (1..stepsPerEpoch). Sent by the worker: after an edit of the model file the
   * run goes on with a restarted worker whose epochs start at the edit, so `step` alone does not tell it.
   */
  stepInEpoch?: number;
  /** Mean training loss over the steps since the previous point. */
  loss: number;
  /** Running training accuracy over the same steps. */
  accuracy: number;
  samplesPerSec: number;
  /** ms since the run started. */
  time: number;
}

export type RunStatus = 'idle' | 'starting' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

/** Where the worker reads its data. */
export type DataSource =
  | { kind: 'embedded'; mediaDir: string }
  | { kind: 'folder'; dir: string };

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr?: number;
  seed: number;
  shuffle: boolean;
  /** Stop after this many optimiser steps (all epochs when absent). */
  maxSteps?: number;
  /** Threads for the engine's kernels (1, or 2: a kernel helper thread where the machine has two CPUs or more). */
  threads?: number;
  /** Throttles, in ms. */
  progressEveryMs: number;
  snapshotEveryMs: number;
}

// ---- host → worker ----
export type HostToWorker =
  | { type: 'start'; runId: number; spec: ModelSpec; weights?: TensorPayload[]; data: DataSource; options: TrainOptions }
  | { type: 'pause'; runId: number }
  | { type: 'resume'; runId: number }
  | { type: 'cancel'; runId: number }
  | { type: 'evaluate'; runId: number; requestId: number };

// ---- worker → host ----
export type WorkerToHost =
  | { type: 'started'; runId: number; trainSize: number; testSize: number; stepsPerEpoch: number; threads?: number }
  | { type: 'progress'; runId: number; point: ProgressPoint }
  | { type: 'snapshot'; runId: number; step: number; weights: TensorPayload[]; grads?: TensorPayload[] }
  | { type: 'epochEnd'; runId: number; epoch: number; trainLoss: number; trainAccuracy: number; test: EvalResult }
  | { type: 'evaluation'; runId: number; requestId: number; result: EvalResult }
  | { type: 'paused'; runId: number }
  | { type: 'resumed'; runId: number }
  | { type: 'done'; runId: number; status: 'done' | 'cancelled'; weights: TensorPayload[]; steps: number; test?: EvalResult }
  | { type: 'error'; runId: number; message: string; epoch?: number; step?: number; weights?: TensorPayload[] };

// ---- host → webview ----
export interface ViewSettings {
  /** Max weight updates per second. */
  updatesPerSecond: number;
}

export interface TrainingState {
  runId: number;
  status: RunStatus;
  points: ProgressPoint[];
  /** Test accuracy/loss after each epoch. */
  epochs: { epoch: number; step: number; test: EvalResult }[];
  /** Steps at which the model file was edited during the run. */
  editMarkers: { step: number; version: number; changed: string[] }[];
  message?: string;
}

/** A batch of test images (uint8, N×784) with labels, for the Predictions and Evaluation views. */
export interface SampleSet {
  images: ArrayBuffer;
  labels: number[];
  /** Softmax outputs of the current weights, N×classes, float32. */
  probs: ArrayBuffer;
}

export type HostToWebview =
  | {
      type: 'init';
      version: number;
      runId: number;
      model: ModelSummary;
      weights: TensorPayload[];
      training: TrainingState;
      samples: SampleSet | null;
      evaluation: EvalResult | null;
      settings: ViewSettings;
      selectedLayer: number | null;
      /** The step the weights belong to (0 before any training). */
      step?: number;
    }
  | { type: 'model'; version: number; model: ModelSummary; reinitialised: string[] }
  | { type: 'weights'; version: number; runId: number; step: number; weights: TensorPayload[]; grads?: TensorPayload[] }
  | { type: 'training'; runId: number; training: TrainingState }
  | { type: 'samples'; version: number; runId: number; step: number; samples: SampleSet }
  | { type: 'evaluation'; runId: number; result: EvalResult }
  | { type: 'cursor'; version: number; layer: number | null }
  | { type: 'prediction'; requestId: number; probs: number[] }
  | { type: 'inspectResult'; requestId: number; expression: string; text: string; tensor?: TensorPayload; error?: string }
  | { type: 'images'; requestId: number; images: ArrayBuffer; labels: number[]; indices: number[] };

// ---- webview → host ----
export type WebviewCommand = 'train' | 'pause' | 'resume' | 'stop' | 'evaluate' | 'reset';

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'revealLayer'; layer: number }
  | { type: 'selectLayer'; layer: number }
  | { type: 'predict'; requestId: number; pixels: number[] }
  | { type: 'inspect'; requestId: number; expression: string }
  | { type: 'command'; command: WebviewCommand }
  | { type: 'requestImages'; requestId: number; trueLabel: number; predicted: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

// ---- weight-file editor (src/extension/weights ↔ webview/weights) ----
/** A number that may be NaN or ±inf: JSON has no such numbers, so they travel as these strings. */
export type WireNumber = number | 'nan' | 'inf' | '-inf';

/** min/max/mean/std (std unbiased, as `torch.std`) over every element; `nan` counts the NaNs. */
export interface TensorStats {
  min: WireNumber;
  max: WireNumber;
  mean: WireNumber;
  std: WireNumber;
  nan: number;
}

/** One tensor of a weight file, from its header alone. */
export interface WeightTensorInfo {
  name: string;
  /** PyTorch's dtype name without `torch.`: float32, float16 (shown widened to float32), int64, ... */
  dtype: string;
  /** As the file names it: F32, BF16, <f4, ... */
  fileDType: string;
  shape: number[];
  numel: number;
  /** Bytes in the file. */
  bytes: number;
  /** Null until the streaming pass reaches it. */
  stats: TensorStats | null;
}

export interface WeightFileInfo {
  /** File name (no folder) and full path. */
  name: string;
  path: string;
  format: 'safetensors' | 'npy' | 'npy-dict';
  bytes: number;
  metadata: Record<string, string>;
  tensors: WeightTensorInfo[];
  /** False in a restricted (untrusted) workspace: loading into a model is off. */
  trusted: boolean;
}

/** A model file beside the weights, checked with matchStateDict. */
export interface ModelOffer {
  uri: string;
  /** The model file's name. */
  label: string;
  ok: boolean;
  /** describeMismatch's lines (empty when ok). */
  mismatch: string[];
}

/** How a view larger than a screen was reduced: each shown cell is the largest-|value| element of its block. */
export interface Downsample {
  method: 'max-abs';
  /** Block size in view elements (rows, cols); 1-D views use [1, n]. */
  block: [number, number];
  /**
   * Uint32 per shown cell: where the shown element sits in its block, (r % blockRows) * blockCols + (c % blockCols),
   * so a hover names the exact element.
   */
  positions: ArrayBuffer;
}

/** One tensor (or a slice of it) as the page draws it. */
export interface WeightView {
  name: string;
  /** The slice typed by the user, as applied (`[0, :, :]`), or '' for the whole tensor. */
  index: string;
  /** Shape of the tensor in the file, and of the view. */
  sourceShape: number[];
  shape: number[];
  /** Element offset and strides of the view inside the tensor (row-major), to name the element under the cursor. */
  offset: number;
  strides: number[];
  /**
   * Float32 values of the picture: rows × cols cells (1-D: 1 × cols). Absent for 0-d and 3-D or more.
   */
  picture?: { rows: number; cols: number; data: ArrayBuffer; downsample?: Downsample };
  /** The first rows of a [R, 784] view as 28×28 tiles (float32, count × 784), exact. */
  tiles?: { count: number; data: ArrayBuffer };
  /** PyTorch's print of the view. */
  print: string;
  stats: TensorStats;
}

export type WeightsHostToWebview =
  | { type: 'file'; file: WeightFileInfo }
  | { type: 'stats'; stats: { name: string; stats: TensorStats }[] }
  | { type: 'view'; requestId: number; view: WeightView }
  | { type: 'viewProgress'; requestId: number; fraction: number }
  | { type: 'viewError'; requestId: number; name: string; index: string; message: string }
  | { type: 'models'; models: ModelOffer[] }
  | { type: 'loaded'; uri: string; ok: boolean; message: string }
  | { type: 'error'; file: string; message: string };

export type WeightsWebviewToHost =
  | { type: 'ready' }
  | { type: 'select'; requestId: number; name: string; index: string }
  | { type: 'load'; uri: string }
  | { type: 'reopenWith' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };
