/**
 * The pure training loop: epochs of DataLoader batches through the model, loss, backward, optimiser step, running
 * accuracy, and test-set evaluation (accuracy, per-class accuracy, confusion matrix). Deterministic for a seed:
 * the weights come from the spec's init seed, the shuffling from `options.seed`. `advance()` does one unit of work
 * (a step, an epoch's evaluation, or the end) so that a worker can pause, resume and cancel between batches.
 *
 * The loss follows shared/DESIGN.md: `cross_entropy` on a model ending in Softmax is computed on the logits before
 * that Softmax (fused log-softmax + NLL, as nn.CrossEntropyLoss), so the views still show the softmax outputs.
 */
import * as torch from '../engine';
import type { ModelSpec, LossType } from '../model/spec';
import { buildModel } from '../model/build';
import { DataLoader } from '../data/loader';
import type { DatasetPair, ImageDataset } from '../data/dataset';
import type { EvalResult } from '../protocol';
import { ConfusionMatrix, argmaxRows } from './metrics';

export interface TrainerOptions {
  epochs: number;
  batchSize: number;
  /** Overrides the spec's optimizer lr. */
  lr?: number;
  /** Seeds the shuffling generator. */
  seed: number;
  shuffle: boolean;
  /** Stop after this many optimiser steps. */
  maxSteps?: number;
  dropLast?: boolean;
  /** Normalize(mean, std) on top of the [0, 1] scaling. */
  normalize?: { mean: number; std: number };
  evalBatchSize?: number;
  /**
   * Trains a plain MLP with cross-entropy through the engine's fused step (the same numbers as the autograd path,
   * without its per-op tensors: torch.FusedMlpStep). Default true; false always takes the autograd path.
   */
  fused?: boolean;
}

export class TrainingError extends Error {
  constructor(message: string, readonly epoch: number, readonly step: number) {
    super(message);
  }
}

export type TrainEvent =
  | { type: 'step'; epoch: number; step: number; loss: number; correct: number; size: number }
  | { type: 'epochEnd'; epoch: number; step: number; trainLoss: number; trainAccuracy: number; test: EvalResult }
  | { type: 'done'; epoch: number; steps: number; test: EvalResult };

export function makeOptimizer(spec: ModelSpec, params: torch.Tensor[], lr?: number): torch.optim.Optimizer {
  const o = spec.train.optimizer;
  const rate = lr ?? o.lr;
  if (!(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) throw new Error(`learning rate must be a non-negative number, got ${rate}`);
  if (o.type === 'adam') return new torch.optim.Adam(params, { lr: rate, betas: o.betas, eps: o.eps, weightDecay: o.weightDecay });
  return new torch.optim.SGD(params, { lr: rate, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov });
}

/** How a batch's loss is computed from the model. */
export class LossHead {
  /** Layers run for the loss (all, or all but a final Softmax). */
  readonly layers: torch.nn.Module[];
  private oneHot: torch.Tensor | null = null;

  /** `inputShape` is the model file's `input.shape`: flat [B, 784] batches are viewed as [B, ...inputShape]. */
  constructor(readonly model: torch.nn.Sequential, readonly loss: LossType, readonly classes: number, readonly inputShape: readonly number[] = []) {
    const children = model.children();
    const last = children[children.length - 1];
    const dropSoftmax = loss === 'cross_entropy' && last instanceof torch.nn.Softmax;
    this.layers = dropSoftmax ? children.slice(0, -1) : children;
  }

  /** The tensor the loss is taken on ([B, C]: logits, log-probabilities or outputs). */
  forward(x: torch.Tensor): torch.Tensor {
    let h = this.inputShape.length > 1 ? x.view([x.shape[0], ...this.inputShape]) : x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }

  lossOf(out: torch.Tensor, y: torch.Tensor): torch.Tensor {
    switch (this.loss) {
      case 'cross_entropy':
        return torch.crossEntropy(out, y);
      case 'nll_loss':
        return torch.nllLoss(out, y);
      case 'mse_loss': {
        const [B, C] = out.shape;
        if (!this.oneHot || this.oneHot.shape[0] !== B || this.oneHot.shape[1] !== C) this.oneHot = torch.zeros([B, C]);
        const s = this.oneHot.storage;
        s.fill(0);
        for (let i = 0; i < B; i++) s[i * C + y.storage[i]] = 1;
        return torch.mseLoss(out, this.oneHot);
      }
    }
  }
}

export class Trainer {
  readonly model: torch.nn.Sequential;
  readonly optimizer: torch.optim.Optimizer;
  readonly loader: DataLoader;
  readonly head: LossHead;
  readonly classes: number;
  /** Epochs started so far (1-based while running). */
  epoch = 0;
  /** Optimiser steps done. */
  step = 0;
  finished = false;
  private iter: Iterator<import('../data/loader').Batch> | null = null;
  private epochLoss = 0;
  private epochBatches = 0;
  private epochCorrect = 0;
  private epochSeen = 0;
  private lastEval: { step: number; result: EvalResult } | null = null;
  private readonly evalLoader: DataLoader;
  private pred = new Int32Array(0);
  /** The fused step when the model and loss allow it (see TrainerOptions.fused), else null. */
  readonly fused: torch.FusedMlpStep | null;

  constructor(readonly spec: ModelSpec, readonly data: DatasetPair, readonly options: TrainerOptions, model?: torch.nn.Sequential) {
    for (const [k, v] of [['epochs', options.epochs], ['batchSize', options.batchSize]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${k} must be a positive integer, got ${v}`);
    }
    if (options.maxSteps !== undefined && (!Number.isInteger(options.maxSteps) || options.maxSteps <= 0)) {
      throw new RangeError(`steps must be a positive integer, got ${options.maxSteps}`);
    }
    this.classes = data.train.classNames.length;
    const features = data.train.rows * data.train.cols;
    const inFeatures = spec.input.shape.reduce((a, b) => a * b, 1);
    if (inFeatures !== features) {
      throw new Error(`the model takes input of shape [${spec.input.shape.join(', ')}] (${inFeatures} values) but ${data.source} has ${data.train.rows}×${data.train.cols} = ${features}-pixel images`);
    }
    this.model = model ?? buildModel(spec);
    this.model.train();
    this.optimizer = makeOptimizer(spec, this.model.parameters(), options.lr);
    this.head = new LossHead(this.model, spec.train.loss, this.classes, spec.input.shape);
    const plain = options.fused !== false && spec.train.loss === 'cross_entropy' && spec.input.shape.length <= 1;
    this.fused = plain ? torch.FusedMlpStep.of(this.head.layers) : null;
    const norm = options.normalize ?? {};
    this.loader = new DataLoader(data.train, { batchSize: options.batchSize, shuffle: options.shuffle, seed: options.seed, dropLast: options.dropLast, ...norm });
    this.evalLoader = new DataLoader(data.test, { batchSize: options.evalBatchSize ?? 1000, ...norm });
    if (this.loader.length === 0) throw new Error(`batch size ${options.batchSize} with drop_last leaves no batch from ${data.train.count} training samples`);
  }

  get stepsPerEpoch(): number {
    return this.loader.length;
  }

  /** Steps the run will take in all. */
  get totalSteps(): number {
    const all = this.options.epochs * this.stepsPerEpoch;
    return this.options.maxSteps === undefined ? all : Math.min(all, this.options.maxSteps);
  }

  /** One unit of work: a training step, the evaluation that ends an epoch, or 'done' (then `finished`). */
  advance(): TrainEvent {
    if (this.finished) throw new Error('training has finished');
    const { maxSteps, epochs } = this.options;
    const stepLimit = maxSteps !== undefined && this.step >= maxSteps;
    if (stepLimit || (this.iter === null && this.epoch >= epochs)) return this.finish();
    if (this.iter === null) {
      this.epoch++;
      this.iter = this.loader[Symbol.iterator]();
      this.epochLoss = this.epochBatches = this.epochCorrect = this.epochSeen = 0;
    }
    const next = this.iter.next();
    if (next.done) {
      this.iter = null;
      const test = this.evaluate();
      return {
        type: 'epochEnd',
        epoch: this.epoch,
        step: this.step,
        trainLoss: this.epochBatches ? this.epochLoss / this.epochBatches : NaN,
        trainAccuracy: this.epochSeen ? this.epochCorrect / this.epochSeen : 0,
        test,
      };
    }
    const { x, y, size } = next.value;
    let lv: number;
    let logits: torch.Tensor | Float32Array;
    let loss: torch.Tensor | null = null;
    if (this.fused) {
      ({ loss: lv, logits } = this.fused.forward(x, y));
    } else {
      logits = this.head.forward(x);
      loss = this.head.lossOf(logits, y);
      lv = loss.item();
    }
    if (!Number.isFinite(lv)) {
      this.finished = true;
      const what = Number.isNaN(lv) ? 'NaN' : lv > 0 ? 'Inf' : '-Inf';
      throw new TrainingError(`loss became ${what} at epoch ${this.epoch}, step ${this.step + 1}: try a smaller learning rate`, this.epoch, this.step + 1);
    }
    if (loss) {
      this.optimizer.zeroGrad();
      loss.backward();
    } else this.fused?.backward(true); // zero_grad and backward in one pass
    this.optimizer.step();
    this.step++;
    const correct = this.countCorrect(logits, y, size);
    this.epochLoss += lv;
    this.epochBatches++;
    this.epochCorrect += correct;
    this.epochSeen += size;
    return { type: 'step', epoch: this.epoch, step: this.step, loss: lv, correct, size };
  }

  /** Runs to the end, calling `onEvent` for each event; returns the final one. */
  runAll(onEvent?: (e: TrainEvent) => void): Extract<TrainEvent, { type: 'done' }> {
    for (;;) {
      const e = this.advance();
      onEvent?.(e);
      if (e.type === 'done') return e;
    }
  }

  private finish(): Extract<TrainEvent, { type: 'done' }> {
    this.finished = true;
    this.iter = null;
    const test = this.lastEval && this.lastEval.step === this.step ? this.lastEval.result : this.evaluate();
    return { type: 'done', epoch: this.epoch, steps: this.step, test };
  }

  /** Correct predictions among `size` rows of logits (a tensor, or the fused step's row-major buffer). */
  private countCorrect(out: torch.Tensor | Float32Array, y: torch.Tensor, size: number): number {
    const rows = out instanceof Float32Array ? out : out.isContiguous() && out.offset === 0 ? out.storage : out.toArray();
    const C = out instanceof Float32Array ? out.length / size : out.shape[1];
    if (this.pred.length < size) this.pred = new Int32Array(size);
    argmaxRows(rows, size, C, this.pred);
    let c = 0;
    for (let i = 0; i < size; i++) if (this.pred[i] === y.storage[i]) c++;
    return c;
  }

  /** Accuracy, mean loss, per-class accuracy and confusion matrix over a dataset (the test set by default). */
  evaluate(ds: ImageDataset = this.data.test): EvalResult {
    const loader = ds === this.data.test ? this.evalLoader : new DataLoader(ds, { batchSize: this.options.evalBatchSize ?? 1000, ...(this.options.normalize ?? {}) });
    const cm = new ConfusionMatrix(this.classes);
    let lossSum = 0;
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      torch.noGrad(() => {
        for (const { x, y, size } of loader) {
          const out = this.head.forward(x);
          lossSum += this.head.lossOf(out, y).item() * size;
          const C = out.shape[1];
          if (this.pred.length < size) this.pred = new Int32Array(size);
          argmaxRows(out.toArray(), size, C, this.pred);
          for (let i = 0; i < size; i++) cm.add(y.storage[i], this.pred[i]);
        }
      });
    } finally {
      this.model.train(wasTraining);
    }
    const result = cm.result(ds.count ? lossSum / ds.count : NaN);
    if (ds === this.data.test) this.lastEval = { step: this.step, result };
    return result;
  }
}
