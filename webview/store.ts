/** What the views show: the latest accepted model, weights, samples, training and evaluation. */
import type { EvalResult, LayerInfo, ModelSummary, TrainingState } from '../src/protocol';
import type { HostTensor } from './tensor';

export interface Samples {
  images: Uint8Array;
  labels: number[];
  probs: Float32Array;
  classes: number;
  count: number;
}

export class Store {
  model: ModelSummary | null = null;
  weights = new Map<string, HostTensor>();
  grads = new Map<string, HostTensor>();
  step = 0;
  samples: Samples | null = null;
  training: TrainingState | null = null;
  evaluation: EvalResult | null = null;

  linears(): LayerInfo[] {
    return this.model?.layers.filter((l) => l.type === 'Linear' && l.weightShape) ?? [];
  }

  /** The layer's weight if it has arrived with the shape the model says (a stale shape is not drawn). */
  weightOf(l: LayerInfo, grad = false): HostTensor | null {
    const t = (grad ? this.grads : this.weights).get(`${l.name}.weight`);
    const ws = l.weightShape;
    return t && ws && t.shape.length === 2 && t.shape[0] === ws[0] && t.shape[1] === ws[1] ? t : null;
  }

  biasOf(l: LayerInfo, grad = false): HostTensor | null {
    const t = (grad ? this.grads : this.weights).get(`${l.name}.bias`);
    const ws = l.weightShape;
    return t && ws && t.shape.length === 1 && t.shape[0] === ws[0] ? t : null;
  }

  classNames(): string[] {
    const n = this.model?.classNames ?? [];
    return n.length ? n : Array.from({ length: this.samples?.classes ?? 10 }, (_, i) => String(i));
  }
}
