/**
 * Training: loss and accuracy curves (train per progress point, test per epoch) updating live, with markers where
 * the model file was edited; epoch, step and samples/s; and the run's controls.
 */
import type { RunStatus, TrainingState, WebviewCommand } from '../../src/protocol';
import { h, button } from '../dom';
import { LineChart, type Marker } from '../components/chart';
import { formatCount, formatPercent } from '../format';
import type { ViewContext } from './context';

const ENABLED: Record<WebviewCommand, RunStatus[]> = {
  train: ['idle', 'done', 'cancelled', 'error'],
  pause: ['running', 'starting'],
  resume: ['paused'],
  stop: ['running', 'paused', 'starting'],
  evaluate: ['idle', 'paused', 'done', 'cancelled', 'error', 'running'],
  reset: ['idle', 'done', 'cancelled', 'error', 'paused'],
};

const LABELS: Record<WebviewCommand, string> = { train: 'Train', pause: 'Pause', resume: 'Resume', stop: 'Stop', evaluate: 'Evaluate', reset: 'Reset weights' };

export class TrainingView {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;
  private readonly message: HTMLElement;
  private readonly loss = new LineChart('Loss', null);
  private readonly accuracy = new LineChart('Accuracy', [0, 1]);
  private readonly buttons = new Map<WebviewCommand, HTMLButtonElement>();

  constructor(private readonly ctx: ViewContext) {
    const controls = h('div', { class: 'controls' });
    for (const cmd of Object.keys(LABELS) as WebviewCommand[]) {
      const b = button(LABELS[cmd], () => ctx.host.post({ type: 'command', command: cmd }), { class: `cmd-${cmd}` });
      this.buttons.set(cmd, b);
      controls.append(b);
    }
    this.status = h('p', { class: 'status', 'aria-live': 'polite' });
    this.message = h('p', { class: 'message' });
    this.element = h('div', { class: 'training' }, controls, this.status, this.message, h('div', { class: 'charts' }, this.loss.element, this.accuracy.element));
    this.render(null);
  }

  setAvailableWidth(w: number): void {
    const each = w >= 760 ? (w - 24) / 2 : w;
    this.loss.setWidth(each);
    this.accuracy.setWidth(each);
  }

  render(t: TrainingState | null): void {
    const status: RunStatus = t?.status ?? 'idle';
    for (const [cmd, b] of this.buttons) b.disabled = !ENABLED[cmd].includes(status);
    const last = t?.points[t.points.length - 1];
    const parts = [`${status}`];
    if (last) {
      // The trainer counts epochs from 1 (epoch 1 of `epochs`), as the status bar and the log do.
      const inEpoch = last.stepInEpoch ?? last.step - (last.epoch - 1) * last.stepsPerEpoch;
      const within = last.stepsPerEpoch ? ` (${formatCount(Math.min(last.stepsPerEpoch, Math.max(0, inEpoch)))}/${formatCount(last.stepsPerEpoch)} in epoch)` : '';
      parts.push(`epoch ${last.epoch}`, `step ${formatCount(last.step)}${within}`,
        `${formatCount(last.samplesPerSec)} samples/s`, `loss ${last.loss.toFixed(4)}`, `accuracy ${formatPercent(last.accuracy)}`);
    }
    const lastTest = t?.epochs[t.epochs.length - 1];
    if (lastTest) parts.push(`test accuracy ${formatPercent(lastTest.test.accuracy)}`);
    this.status.textContent = parts.join(' · ');
    this.message.textContent = t?.message ?? '';
    this.message.hidden = !t?.message;
    this.message.classList.toggle('error', status === 'error');
    const points = t?.points ?? [];
    const epochs = t?.epochs ?? [];
    const markers: Marker[] = (t?.editMarkers ?? []).map((m) => ({ x: m.step, label: `model file edited at step ${m.step} (version ${m.version})${m.changed.length ? `: ${m.changed.join(', ')} re-initialised` : ''}` }));
    this.loss.update([
      { name: 'train', className: 'train', points: points.map((p) => ({ x: p.step, y: p.loss })) },
      { name: 'test', className: 'test', points: epochs.map((e) => ({ x: e.step, y: e.test.loss })), dots: true },
    ], markers);
    this.accuracy.update([
      { name: 'train', className: 'train', points: points.map((p) => ({ x: p.step, y: p.accuracy })) },
      { name: 'test', className: 'test', points: epochs.map((e) => ({ x: e.step, y: e.test.accuracy })), dots: true },
    ], markers);
  }
}
