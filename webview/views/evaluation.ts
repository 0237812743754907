/**
 * Evaluation: the confusion matrix on the test set (rows: true class, columns: predicted), as a table of buttons;
 * clicking a cell asks the host for those images (`requestImages`) and shows them.
 */
import type { EvalResult } from '../../src/protocol';
import { h, button } from '../dom';
import { countColor, textOn } from '../components/colormap';
import { DigitImage } from '../components/digit';
import { formatCount, formatPercent } from '../format';
import { Requests } from '../stale';
import { toUint8, type BinaryLike } from '../tensor';
import type { ViewContext } from './context';

export class EvaluationView {
  readonly element: HTMLElement;
  readonly requests = new Requests();
  private readonly summary: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly gallery: HTMLElement;
  private readonly galleryTitle: HTMLElement;
  private asked: { t: number; p: number } | null = null;

  constructor(private readonly ctx: ViewContext) {
    this.summary = h('p', { class: 'summary', text: 'Not evaluated yet.' });
    this.table = h('table', { class: 'confusion', 'aria-label': 'Confusion matrix: rows are true classes, columns predicted classes' });
    this.galleryTitle = h('p', { class: 'gallery-title', 'aria-live': 'polite' });
    this.gallery = h('div', { class: 'gallery', role: 'list' });
    this.element = h('div', { class: 'evaluation' },
      h('div', { class: 'controls' }, button('Evaluate', () => ctx.host.post({ type: 'command', command: 'evaluate' }), { class: 'cmd-evaluate' })),
      this.summary, this.table, this.galleryTitle, this.gallery);
  }

  render(r: EvalResult | null): void {
    this.table.hidden = !r;
    if (!r) {
      this.summary.textContent = 'Not evaluated yet.';
      return;
    }
    const names = this.ctx.store.classNames();
    const n = r.confusion.length;
    const name = (i: number): string => names[i] ?? String(i);
    this.summary.textContent = `Accuracy ${formatPercent(r.accuracy)} on ${formatCount(r.count)} test images · loss ${r.loss.toFixed(4)}`;
    const max = Math.max(1, ...r.confusion.flatMap((row, i) => row.filter((_, j) => j !== i)), ...r.confusion.map((row, i) => row[i] ?? 0));
    const color = countColor(this.ctx.theme().kind, max);
    const head = h('tr', {}, h('th', { scope: 'col', class: 'corner', text: 'true \\ pred' }), ...Array.from({ length: n }, (_, j) => h('th', { scope: 'col', text: name(j) })), h('th', { scope: 'col', text: 'recall' }));
    const rows = r.confusion.map((row, i) => h('tr', {}, h('th', { scope: 'row', text: name(i) }), ...row.map((count, j) => {
      const b = button(String(count), () => this.ask(i, j), {
        class: `cell${i === j ? ' diagonal' : ''}`, 'data-true': i, 'data-pred': j,
        'aria-label': `${formatCount(count)} images of ${name(i)} predicted as ${name(j)}`,
      });
      const bg = color(count);
      b.style.backgroundColor = bg;
      b.style.color = textOn(bg);
      return h('td', {}, b);
    }), h('td', { class: 'recall', text: r.perClass[i] !== undefined ? formatPercent(r.perClass[i]) : '' })));
    this.table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...rows));
  }

  private ask(trueLabel: number, predicted: number): void {
    this.asked = { t: trueLabel, p: predicted };
    const names = this.ctx.store.classNames();
    this.galleryTitle.textContent = `Loading images of ${names[trueLabel] ?? trueLabel} predicted as ${names[predicted] ?? predicted}…`;
    this.ctx.host.post({ type: 'requestImages', requestId: this.requests.issue(), trueLabel, predicted });
  }

  onImages(requestId: number, images: BinaryLike, labels: number[], indices: number[]): void {
    if (!this.requests.isLatest(requestId) || !this.asked) return;
    const names = this.ctx.store.classNames();
    const pix = toUint8(images);
    const lut = this.ctx.theme().image;
    const { t, p } = this.asked;
    this.galleryTitle.textContent = `${labels.length} image${labels.length === 1 ? '' : 's'} of ${names[t] ?? t} predicted as ${names[p] ?? p}`;
    this.gallery.replaceChildren(...labels.map((label, k) => {
      const d = new DigitImage(28, 28, 'digit small');
      d.draw(pix, lut, k * 784, `test image #${indices[k]}, true ${names[label] ?? label}`);
      return h('figure', { role: 'listitem', class: 'thumb' }, d.canvas, h('figcaption', { text: `#${indices[k]}` }));
    }));
  }
}
