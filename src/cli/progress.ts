/** The one-line progress bar `nnlens train` redraws on a terminal. */
import { fixed, int } from './common';

export interface BarState {
  epoch: number;
  epochs: number;
  /** Step within the epoch. */
  stepInEpoch: number;
  stepsPerEpoch: number;
  loss: number;
  accuracy: number;
  samplesPerSec: number;
}

export function progressLine(s: BarState, columns: number): string {
  const head = `epoch ${s.epoch}/${s.epochs} `;
  const tail = ` ${s.stepInEpoch}/${s.stepsPerEpoch} loss ${fixed(s.loss)} acc ${(100 * s.accuracy).toFixed(1)}% ${int(s.samplesPerSec)} samples/s`;
  const width = Math.min(40, columns - head.length - tail.length - 3);
  if (width < 5) return (head.trimEnd() + tail).slice(0, Math.max(0, columns - 1));
  const filled = Math.round((width * s.stepInEpoch) / Math.max(1, s.stepsPerEpoch));
  return `${head}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`;
}
