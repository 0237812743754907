/**
 * A 1-D tensor as a strip of cells (a bias beside its weight heatmap, or a 1-D inspector result), one canvas
 * pixel per value, upscaled without smoothing. Hover shows `W1.bias[12] = 0.0312`.
 */
import { h } from '../dom';
import { createSurface, sizeSurface, type Surface } from './canvas';
import type { DivergingScale } from './colormap';
import { formatValue } from '../format';

export interface StripData {
  name: string;
  data: Float32Array;
  scale: DivergingScale;
  /** The expression reaching value i; defaults to `${name}[i]` (the weight-file editor names slices and blocks). */
  expression?: (i: number) => string;
}

export class Strip {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly surface: Surface;
  private readonly off = document.createElement('canvas');
  private readonly readout: HTMLElement;
  private s: StripData | null = null;
  /** Where cell 0 starts and how long a cell is, along the strip, in CSS px. */
  private geom = { offset: 0, cell: 4, length: 200 };
  private hover: number | null = null;

  constructor(private readonly orientation: 'vertical' | 'horizontal', private readonly thickness = 14, label = 'Bias') {
    this.canvas = h('canvas', { class: `strip-canvas ${orientation}`, tabindex: 0, role: 'img', 'aria-label': label });
    this.surface = createSurface(this.canvas);
    this.readout = h('div', { class: 'readout strip-readout', 'aria-live': 'polite' }, '\u00a0');
    this.element = h('div', { class: `strip ${orientation}` }, this.canvas, this.readout);
    this.listen();
  }

  setData(s: StripData): void {
    this.s = s;
    const n = Math.max(1, s.data.length);
    this.off.width = this.orientation === 'horizontal' ? n : 1;
    this.off.height = this.orientation === 'horizontal' ? 1 : n;
    const img = new ImageData(this.off.width, this.off.height);
    s.scale.fill(s.data, new Uint32Array(img.data.buffer), 0, s.data.length);
    this.off.getContext('2d')?.putImageData(img, 0, 0);
    this.canvas.setAttribute('aria-label', `${s.name}: ${s.data.length} values, colour range ±${formatValue(s.scale.max)}`);
  }

  /** Lays the cells out along `length` CSS px: cell i covers [offset + i·cell, offset + (i+1)·cell). */
  setGeometry(length: number, offset: number, cell: number): void {
    this.geom = { length, offset, cell };
  }

  /** Fits all cells in `length` CSS px (at most `maxCell` each). */
  fit(length: number, maxCell = 24): void {
    const n = Math.max(1, this.s?.data.length ?? 1);
    const cell = Math.min(maxCell, length / n);
    this.geom = { length: cell * n, offset: 0, cell };
  }

  render(): void {
    const horizontal = this.orientation === 'horizontal';
    const { length, offset, cell } = this.geom;
    sizeSurface(this.surface, horizontal ? length : this.thickness, horizontal ? this.thickness : length);
    const ctx = this.surface.ctx;
    ctx.clearRect(0, 0, this.surface.width, this.surface.height);
    if (!this.s) return;
    const n = this.s.data.length;
    ctx.imageSmoothingEnabled = false;
    if (horizontal) ctx.drawImage(this.off, offset, 0, n * cell, this.thickness);
    else ctx.drawImage(this.off, 0, offset, this.thickness, n * cell);
    if (this.hover !== null) {
      ctx.strokeStyle = getComputedStyle(this.canvas).getPropertyValue('--nnlens-cursor').trim() || '#ffcc00';
      const p = offset + this.hover * cell;
      if (horizontal) ctx.strokeRect(p - 0.5, 0.5, Math.max(2, cell) + 1, this.thickness - 1);
      else ctx.strokeRect(0.5, p - 0.5, this.thickness - 1, Math.max(2, cell) + 1);
    }
  }

  describe(i: number): string {
    if (!this.s) return '';
    return `${this.s.expression ? this.s.expression(i) : `${this.s.name}[${i}]`} = ${formatValue(this.s.data[i])}`;
  }

  private show(i: number | null): void {
    this.hover = i;
    this.readout.textContent = i === null ? '\u00a0' : this.describe(i);
    this.render();
  }

  private listen(): void {
    const at = (e: MouseEvent): number | null => {
      if (!this.s) return null;
      const r = this.canvas.getBoundingClientRect();
      const c = this.canvas;
      const p = this.orientation === 'horizontal' ? e.clientX - r.left - c.clientLeft : e.clientY - r.top - c.clientTop;
      const i = Math.floor((p - this.geom.offset) / this.geom.cell);
      return i >= 0 && i < this.s.data.length ? i : null;
    };
    this.canvas.addEventListener('pointermove', (e) => this.show(at(e)));
    this.canvas.addEventListener('pointerleave', () => this.show(null));
    this.canvas.addEventListener('keydown', (e) => {
      if (!this.s) return;
      const back = this.orientation === 'horizontal' ? 'ArrowLeft' : 'ArrowUp';
      const fwd = this.orientation === 'horizontal' ? 'ArrowRight' : 'ArrowDown';
      if (e.key !== back && e.key !== fwd) return;
      e.preventDefault();
      const cur = this.hover ?? -1;
      this.show(Math.max(0, Math.min(this.s.data.length - 1, cur + (e.key === fwd ? 1 : -1))));
    });
    this.canvas.addEventListener('blur', () => this.show(null));
  }
}
