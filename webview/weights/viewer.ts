/**
 * The selected tensor as the visualizer shows tensors, with its components: a 2-D view as the heatmap (hover:
 * `W1.weight[12, 340] = -0.0213`), a [R, 784] view also as 28×28 tiles, a 1-D view as a strip, and any view
 * through a slice field (`[0, :, :]`, PyTorch's indexing); under it PyTorch's print of the view, made by the host.
 * A picture the host reduced (max-abs per block) says so, and its hover names the exact element each cell shows.
 */
import type { WeightView } from '../../src/protocol';
import { h } from '../dom';
import { DivergingScale, Heatmap, Legend, maxAbs, Strip, TileGrid, toFloat32, type Theme } from '../components';
import { formatCount } from '../format';
import { cellElement, elementExpression, sourceIndex } from './geometry';
import { formatShapeList, statsLine } from './format';

export interface ViewerHost {
  theme(): Theme;
  /** Asks for `name[index]` ('' = the whole tensor). */
  show(name: string, index: string): void;
}

export class Viewer {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly sliceInput: HTMLInputElement;
  private readonly sliceForm: HTMLFormElement;
  private readonly status: HTMLElement;
  private readonly note: HTMLElement;
  private readonly error: HTMLElement;
  private readonly legend = new Legend(240, 'Colour scale of the shown values');
  private readonly heatmap = new Heatmap({ label: 'Tensor heatmap', minHeight: 120, maxHeight: 520 });
  private readonly strip = new Strip('horizontal', 22, 'Tensor values');
  private readonly tiles = new TileGrid('Rows as 28×28 tiles');
  private readonly tilesCaption: HTMLElement;
  private readonly tilesBox: HTMLElement;
  private readonly print: HTMLPreElement;
  private name: string | null = null;
  private view: WeightView | null = null;
  private width = 600;

  constructor(private readonly host: ViewerHost) {
    this.title = h('h2', { class: 'tensor-title' });
    this.sliceInput = h('input', { type: 'text', class: 'slice', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'Slice of the tensor (PyTorch indexing)' });
    this.sliceForm = h('form', { class: 'slice-form', role: 'search' },
      h('label', { class: 'slice-label' }, 'Slice '), this.sliceInput, h('button', { type: 'submit', text: 'Show' }),
      h('span', { class: 'hint', text: 'e.g. [0, :, :] or [:16, ::2]; empty for the whole tensor' }));
    this.sliceForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (this.name !== null) host.show(this.name, this.sliceInput.value.trim());
    });
    this.status = h('p', { class: 'view-status', 'aria-live': 'polite' });
    this.note = h('p', { class: 'view-note' });
    this.error = h('p', { class: 'view-error', role: 'alert' });
    this.tilesCaption = h('p', { class: 'caption tiles-caption' });
    this.tilesBox = h('div', { class: 'tiles-box' }, this.tilesCaption, this.tiles.element);
    this.print = h('pre', { class: 'tensor-print', tabindex: 0, 'aria-label': 'PyTorch print of the shown tensor' });
    this.element = h('section', { class: 'tensor-view', 'aria-label': 'Selected tensor' },
      this.title, this.sliceForm, this.status, this.error, this.note, this.legend.element, this.heatmap.element, this.strip.element,
      this.tilesBox, h('h3', { class: 'print-title', text: 'print()' }), this.print);
    this.clear();
  }

  private clear(): void {
    for (const e of [this.legend.element, this.heatmap.element, this.strip.element, this.tilesBox, this.note, this.error]) e.hidden = true;
  }

  /** A tensor was chosen: its name, and the slice the field starts with. */
  begin(name: string, dtype: string, shape: readonly number[], index: string): void {
    this.name = name;
    this.title.replaceChildren(h('span', { class: 'tensor-name', text: name }), h('span', { class: 'tensor-meta', text: ` ${dtype} · ${formatShapeList(shape)}` }));
    this.sliceInput.value = index;
    this.sliceInput.placeholder = shape.length >= 3 ? `[${shape.slice(0, -2).map(() => '0').join(', ')}, :, :]` : shape.length === 2 ? '[:16, :]' : '[:100]';
    this.sliceForm.hidden = shape.length === 0;
    this.status.textContent = `Reading ${name}${index}…`;
  }

  progress(fraction: number): void {
    if (this.name !== null) this.status.textContent = `Reading ${this.name}${this.sliceInput.value.trim()}… ${Math.round(fraction * 100)}%`;
  }

  showError(name: string, index: string, message: string): void {
    this.error.hidden = false;
    this.error.textContent = message;
    this.status.textContent = `Cannot show ${name}${index}`;
  }

  setAvailableWidth(w: number): void {
    this.width = w;
    this.heatmap.setAvailableWidth(w);
    if (this.view?.shape.length === 1 && this.view.picture) this.render();
  }

  show(v: WeightView, dtype: string): void {
    this.view = v;
    this.sliceInput.value = v.index;
    this.error.hidden = true;
    const expr = `${v.name}${v.index}`;
    this.status.textContent = `${expr} · ${formatShapeList(v.shape)} · ${formatCount(v.shape.reduce((a, b) => a * b, 1))} values · ${statsLine(v.stats, dtype)}`;
    this.print.textContent = v.print;
    this.render();
  }

  /** Draws the current view (again after a theme change). */
  render(): void {
    const v = this.view;
    this.clear();
    if (!v) return;
    const expr = `${v.name}${v.index}`;
    const p = v.picture;
    if (!p) {
      this.note.hidden = false;
      this.note.textContent = v.shape.length === 0
        ? 'A 0-dimensional tensor: its value is in the print below.'
        : v.shape.reduce((a, b) => a * b, 1) === 0
          ? 'An empty tensor: nothing to draw.'
          : `A ${v.shape.length}-dimensional view has no picture: slice it to 2-D or 1-D, e.g. ${this.sliceInput.placeholder}.`;
      return;
    }
    const data = toFloat32(p.data);
    const positions = p.downsample ? new Uint32Array(p.downsample.positions) : undefined;
    const scale = new DivergingScale(this.host.theme().weights, maxAbs(data));
    const reach = (r: number, c: number): string => elementExpression(v.name, sourceIndex(v, cellElement(v, r, c, positions)));
    if (p.downsample) {
      const [br, bc] = p.downsample.block;
      this.note.hidden = false;
      this.note.textContent = `Downsampled to fit the screen: ${formatCount(p.rows)} × ${formatCount(p.cols)} cells, each showing the value of largest magnitude (max-abs) in its ${br} × ${bc} block of the ${formatShapeList(v.shape)} view; the hover names that element. Slice to see every value.`;
    }
    this.legend.element.hidden = false;
    this.legend.update(scale);
    if (v.shape.length === 2) {
      this.heatmap.element.hidden = false;
      this.heatmap.setData({
        name: expr, rows: p.rows, cols: p.cols, data, scale,
        expression: reach,
        describe: (r, c) => {
          if (!p.downsample) return `row ${r} · column ${c}`;
          const [br, bc] = p.downsample.block;
          return `largest |value| of rows ${r * br}–${Math.min(v.shape[0], (r + 1) * br) - 1}, columns ${c * bc}–${Math.min(v.shape[1], (c + 1) * bc) - 1}`;
        },
      });
      this.heatmap.setAvailableWidth(this.width);
      this.heatmap.render();
    } else {
      this.strip.element.hidden = false;
      this.strip.setData({ name: expr, data, scale, expression: (i) => reach(0, i) });
      this.strip.fit(Math.min(this.width, 900), 24);
      this.strip.render();
    }
    if (v.tiles) {
      const rows = v.shape[0];
      this.tilesBox.hidden = false;
      this.tilesCaption.textContent = `Rows as 28×28 images (784 = 28 × 28)${v.tiles.count < rows ? `: the first ${formatCount(v.tiles.count)} of ${formatCount(rows)} rows` : `: ${formatCount(rows)} rows`}`;
      this.tiles.setData({ name: expr, count: v.tiles.count, tileWidth: 28, tileHeight: 28, data: toFloat32(v.tiles.data), scale });
      this.tiles.render();
    }
  }
}
