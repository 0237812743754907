/**
 * Test-set evaluation and prediction samples of the current weights, computed in the extension host in small
 * chunks that yield to the event loop (the host stays responsive). Accuracy, per-class accuracy, the confusion
 * matrix, and the mean cross-entropy −log p(true class) of the model's probabilities (what `nn.CrossEntropyLoss`
 * gives on the logits before a final Softmax).
 */
import type { EvalResult, SampleSet } from '../protocol';
import type { ImageDataset } from '../data/dataset';
import type { ModelState } from './state';

const CHUNK = 100;
const yieldNow = () => new Promise<void>((r) => setImmediate(r));

function inputs(ds: ImageDataset, start: number, n: number): Float32Array {
  const size = ds.rows * ds.cols;
  const x = new Float32Array(n * size);
  const src = ds.images.subarray(start * size, (start + n) * size);
  for (let i = 0; i < src.length; i++) x[i] = src[i] / 255;
  return x;
}

export async function evaluateState(state: ModelState, ds: ImageDataset, isCancelled: () => boolean = () => false): Promise<EvalResult> {
  const classes = ds.classNames.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < ds.count; start += CHUNK) {
    if (isCancelled()) throw new Error('evaluation cancelled');
    const n = Math.min(CHUNK, ds.count - start);
    const probs = state.probabilities(inputs(ds, start, n), n);
    const k = probs.length / n;
    if (k !== classes) throw new Error(`the model outputs ${k} values per image but ${ds.name} has ${classes} classes`);
    for (let i = 0; i < n; i++) {
      const y = ds.labels[start + i];
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
      confusion[y][best]++;
      if (best === y) correct++;
      loss -= Math.log(Math.max(probs[i * k + y], 1e-45));
    }
    await yieldNow();
  }
  const perClass = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[c] / total : 0;
  });
  return { accuracy: ds.count ? correct / ds.count : 0, loss: ds.count ? loss / ds.count : Number.NaN, perClass, confusion, count: ds.count };
}

/** The first `n` test images with labels and the model's probabilities, for the Predictions view. */
export function sampleSet(state: ModelState, ds: ImageDataset, n = 100): SampleSet {
  const count = Math.min(n, ds.count);
  const size = ds.rows * ds.cols;
  // A copy in its own buffer (the dataset's bytes may be a view into a larger Node Buffer).
  const images = new Uint8Array(count * size);
  images.set(ds.images.subarray(0, count * size));
  const probs = state.probabilities(inputs(ds, 0, count), count);
  return { images: images.buffer, labels: [...ds.labels.subarray(0, count)], probs: probs.slice().buffer };
}

/** Up to `max` test images whose true label is `t` and predicted label `p` (a confusion-matrix cell). */
export async function imagesOf(state: ModelState, ds: ImageDataset, t: number, p: number, max = 64): Promise<{ images: ArrayBuffer; labels: number[]; indices: number[] }> {
  const size = ds.rows * ds.cols;
  const indices: number[] = [];
  for (let start = 0; start < ds.count && indices.length < max; start += CHUNK) {
    const n = Math.min(CHUNK, ds.count - start);
    const probs = state.probabilities(inputs(ds, start, n), n);
    const k = probs.length / n;
    for (let i = 0; i < n && indices.length < max; i++) {
      if (ds.labels[start + i] !== t) continue;
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
      if (best === p) indices.push(start + i);
    }
    await yieldNow();
  }
  const images = new Uint8Array(indices.length * size);
  indices.forEach((idx, j) => images.set(ds.images.subarray(idx * size, (idx + 1) * size), j * size));
  return { images: images.buffer, labels: indices.map((i) => ds.labels[i]), indices };
}
