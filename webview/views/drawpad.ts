/**
 * The drawing pad: the user draws a digit with the mouse (or pen/touch); each change is preprocessed like MNIST
 * (see preprocess.ts), shown as the 28×28 the network reads, and sent to the host as a `predict` request. The
 * reply's softmax is drawn as bars; replies to older requests are dropped.
 */
import { h, button } from '../dom';
import { DigitImage } from '../components/digit';
import { SoftmaxBars, argmax } from '../components/bars';
import { preprocessDigit } from '../preprocess';
import { Requests } from '../stale';
import type { ViewContext } from './context';

const PAD = 196;

export class DrawPad {
  readonly element: HTMLElement;
  readonly requests = new Requests();
  private readonly pad: HTMLCanvasElement;
  private readonly ctx2d: CanvasRenderingContext2D;
  private readonly preview = new DigitImage(28, 28, 'digit preview');
  private readonly bars: SoftmaxBars;
  private readonly result: HTMLElement;
  private last: { x: number; y: number } | null = null;
  private pending = 0;
  private inked = false;

  constructor(private readonly ctx: ViewContext) {
    this.pad = h('canvas', { class: 'drawpad', role: 'img', 'aria-label': 'Drawing pad: draw a digit with the mouse; the prediction updates as you draw' });
    const dpr = window.devicePixelRatio || 1;
    this.pad.width = Math.round(PAD * dpr);
    this.pad.height = Math.round(PAD * dpr);
    this.pad.style.width = `${PAD}px`;
    this.pad.style.height = `${PAD}px`;
    const c = this.pad.getContext('2d', { willReadFrequently: true });
    if (!c) throw new Error('canvas 2d context unavailable');
    this.ctx2d = c;
    this.bars = new SoftmaxBars(360, 170, 'Softmax output for the drawing');
    this.result = h('p', { class: 'result', 'aria-live': 'polite', text: 'Draw a digit.' });
    this.preview.canvas.setAttribute('aria-label', 'The drawing as the network sees it (28×28)');
    this.element = h('div', { class: 'drawpad-panel' },
      h('div', { class: 'drawpad-row' }, this.pad,
        h('div', { class: 'drawpad-side' }, h('span', { class: 'caption', text: 'network input' }), this.preview.canvas,
          button('Clear', () => this.clear(), { class: 'clear', 'aria-label': 'Clear the drawing pad' }))),
      this.result, this.bars.element);
    this.listen();
  }

  clear(): void {
    this.ctx2d.setTransform(1, 0, 0, 1, 0, 0);
    this.ctx2d.clearRect(0, 0, this.pad.width, this.pad.height);
    this.inked = false;
    this.requests.issue(); // any reply still on its way is now stale
    this.preview.draw(new Float32Array(784), this.ctx.theme().image);
    this.bars.clear();
    this.result.textContent = 'Draw a digit.';
  }

  /** The host's answer to a `predict`: shown only if it answers the latest drawing. */
  onPrediction(requestId: number, probs: number[]): void {
    if (!this.requests.isLatest(requestId) || !this.inked) return;
    const names = this.ctx.store.classNames();
    const p = argmax(probs);
    this.bars.update(probs, names, p, null);
    this.result.textContent = `Predicted ${names[p] ?? p} (${probs[p].toFixed(2)})`;
  }

  private listen(): void {
    const at = (e: PointerEvent): { x: number; y: number } => {
      const c = this.pad;
      const r = c.getBoundingClientRect();
      return {
        x: ((e.clientX - r.left - c.clientLeft) / c.clientWidth) * c.width,
        y: ((e.clientY - r.top - c.clientTop) / c.clientHeight) * c.height,
      };
    };
    this.pad.addEventListener('pointerdown', (e) => {
      this.pad.setPointerCapture(e.pointerId);
      this.last = at(e);
      this.stroke(this.last, this.last);
    });
    this.pad.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      const p = at(e);
      this.stroke(this.last, p);
      this.last = p;
    });
    const end = (): void => {
      this.last = null;
    };
    this.pad.addEventListener('pointerup', end);
    this.pad.addEventListener('pointercancel', end);
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx2d;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.lineWidth = this.pad.width * 0.075;
    c.strokeStyle = '#ffffff';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x + 0.01, b.y);
    c.stroke();
    this.inked = true;
    if (!this.pending) this.pending = requestAnimationFrame(() => this.send());
  }

  /** Reads the pad's ink (alpha), preprocesses it and asks the host for the softmax. */
  private send(): void {
    this.pending = 0;
    const { width, height } = this.pad;
    const rgba = this.ctx2d.getImageData(0, 0, width, height).data;
    const ink = new Float32Array(width * height);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
    const pixels = preprocessDigit({ data: ink, width, height });
    this.preview.draw(pixels, this.ctx.theme().image);
    this.ctx.host.post({ type: 'predict', requestId: this.requests.issue(), pixels: Array.from(pixels, (v) => Math.round(v * 1e4) / 1e4) });
  }
}
