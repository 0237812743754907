/**
 * Predictions: a test image, the softmax of the current weights as 10 bars with their probabilities, predicted vs
 * true; step through the samples or jump to the next misclassified one; and the drawing pad.
 */
import { h, button } from '../dom';
import { DigitImage } from '../components/digit';
import { SoftmaxBars, argmax } from '../components/bars';
import { DrawPad } from './drawpad';
import type { ViewContext } from './context';

export class PredictionsView {
  readonly element: HTMLElement;
  readonly drawpad: DrawPad;
  private readonly digit = new DigitImage(28, 28, 'digit sample');
  private readonly bars = new SoftmaxBars(360, 170, 'Softmax output for the test image');
  private readonly position: HTMLElement;
  private readonly verdict: HTMLElement;
  private readonly sampleBox: HTMLElement;
  private readonly empty: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    this.position = h('span', { class: 'position', 'aria-live': 'polite' });
    this.verdict = h('p', { class: 'verdict', 'aria-live': 'polite' });
    this.empty = h('p', { class: 'empty', text: 'No test samples yet.' });
    const nav = h('div', { class: 'controls' },
      button('\u25c0 Previous', () => this.go(-1), { 'aria-label': 'Previous sample' }),
      button('Next \u25b6', () => this.go(1), { 'aria-label': 'Next sample' }),
      button('Next misclassified', () => this.nextMisclassified(), { class: 'next-wrong' }),
      this.position);
    this.sampleBox = h('div', { class: 'sample' }, h('div', { class: 'sample-row' }, this.digit.canvas, h('div', {}, this.verdict, this.bars.element)), nav);
    this.drawpad = new DrawPad(ctx);
    this.element = h('div', { class: 'predictions' },
      h('div', { class: 'pred-col' }, h('h3', { text: 'Test images' }), this.empty, this.sampleBox),
      h('div', { class: 'pred-col' }, h('h3', { text: 'Draw a digit' }), this.drawpad.element));
  }

  private get index(): number {
    return this.ctx.host.state.sampleIndex;
  }

  private go(d: number): void {
    const s = this.ctx.store.samples;
    if (!s || !s.count) return;
    this.ctx.host.state.sampleIndex = (((this.index + d) % s.count) + s.count) % s.count;
    this.ctx.host.save();
    this.render();
  }

  private predicted(i: number): number {
    const s = this.ctx.store.samples;
    return s ? argmax(s.probs, i * s.classes, s.classes) : -1;
  }

  nextMisclassified(): void {
    const s = this.ctx.store.samples;
    if (!s || !s.count) return;
    for (let k = 1; k <= s.count; k++) {
      const i = (this.index + k) % s.count;
      if (this.predicted(i) !== s.labels[i]) {
        this.ctx.host.state.sampleIndex = i;
        this.ctx.host.save();
        this.render();
        return;
      }
    }
    this.verdict.textContent = `Every one of the ${s.count} samples is classified correctly.`;
  }

  render(): void {
    const s = this.ctx.store.samples;
    this.empty.hidden = !!s && s.count > 0;
    this.sampleBox.hidden = !s || s.count === 0;
    if (!s || s.count === 0) return;
    if (this.index >= s.count) this.ctx.host.state.sampleIndex = 0;
    const i = this.index;
    const names = this.ctx.store.classNames();
    const probs = Array.from(s.probs.subarray(i * s.classes, (i + 1) * s.classes));
    const p = this.predicted(i);
    const t = s.labels[i];
    this.digit.draw(s.images, this.ctx.theme().image, i * 784, `Test image ${i + 1} of ${s.count}, true label ${names[t] ?? t}`);
    this.bars.update(probs, names, p, t);
    const ok = p === t;
    this.verdict.textContent = `Predicted ${names[p] ?? p} (${probs[p].toFixed(2)}) · true ${names[t] ?? t} ${ok ? '\u2713' : '\u2717'}`;
    this.verdict.className = `verdict ${ok ? 'correct' : 'wrong'}`;
    this.position.textContent = `Sample ${i + 1} / ${s.count}`;
  }
}
