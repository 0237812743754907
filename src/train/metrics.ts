/** Classification metrics: accuracy, per-class accuracy and the confusion matrix, from logits or probabilities. */
import type { EvalResult } from '../protocol';

/** Row-wise argmax of a contiguous [n, C] array (first maximum wins, as torch.argmax). */
export function argmaxRows(data: ArrayLike<number>, n: number, C: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = data[i * C];
    for (let j = 1; j < C; j++) {
      const v = data[i * C + j];
      if (v > bv || (v !== v && bv === bv)) {
        bv = v;
        best = j;
      }
    }
    out[i] = best;
  }
}

export class ConfusionMatrix {
  /** counts[true * C + predicted]. */
  readonly counts: Float64Array;
  constructor(readonly classes: number) {
    this.counts = new Float64Array(classes * classes);
  }
  add(truth: number, predicted: number): void {
    this.counts[truth * this.classes + predicted]++;
  }
  get total(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }
  get correct(): number {
    let s = 0;
    for (let k = 0; k < this.classes; k++) s += this.counts[k * this.classes + k];
    return s;
  }
  /** Accuracy per true class (0 for a class with no samples). */
  perClass(): number[] {
    return Array.from({ length: this.classes }, (_, k) => {
      let row = 0;
      for (let j = 0; j < this.classes; j++) row += this.counts[k * this.classes + j];
      return row ? this.counts[k * this.classes + k] / row : 0;
    });
  }
  rows(): number[][] {
    return Array.from({ length: this.classes }, (_, k) => Array.from(this.counts.subarray(k * this.classes, (k + 1) * this.classes)));
  }
  result(loss: number): EvalResult {
    const total = this.total;
    return { accuracy: total ? this.correct / total : 0, loss, perClass: this.perClass(), confusion: this.rows(), count: total };
  }
}
