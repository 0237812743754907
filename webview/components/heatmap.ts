/**
 * A matrix as a heatmap: one canvas pixel per value, upscaled with smoothing off, coloured through the theme's
 * lookup table. Hover (or the arrow keys when focused) shows the value and the PyTorch expression that reaches it,
 * `W1.weight[12, 340] = -0.0213`; Ctrl+wheel, the +/− buttons or keys zoom, dragging or the wheel pans.
 * Used by the Weights view, the tensor inspector and the weight-file editor.
 */
import { h, button } from '../dom';
import { createSurface, sizeSurface, type Surface } from './canvas';
import type { DivergingScale } from './colormap';
import { formatValue } from '../format';

export interface MatrixData {
  /** Expression of the whole matrix, e.g. `W1.weight`. */
  name: string;
  rows: number;
  cols: number;
  /** rows × cols values, row-major. */
  data: Float32Array;
  scale: DivergingScale;
  /** The expression reaching one value; defaults to `${name}[r, c]`. */
  expression?: (r: number, c: number) => string;
  /** Extra words for a cell (`unit 12 · pixel (12, 4)`). */
  describe?: (r: number, c: number) => string;
}

/** Where the matrix is drawn, in CSS pixels: cell (r, c) covers [tx + c·sx, tx + (c+1)·sx) × [ty + r·sy, …). */
export interface HeatmapView {
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  width: number;
  height: number;
}

export interface HeatmapOptions {
  label: string;
  /** Largest cell when the matrix is fitted, in CSS px. */
  maxCell?: number;
  minHeight?: number;
  maxHeight?: number;
  /** Called after every draw with the current view (the bias strip follows it). */
  onView?: (v: HeatmapView) => void;
  /** Called with the cell under the pointer or keyboard cursor (null when it leaves). */
  onCell?: (cell: { r: number; c: number } | null) => void;
}

export class Heatmap {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  /** The row holding the canvas: append an element (a bias strip) to show it beside the matrix, top-aligned. */
  readonly stage: HTMLElement;
  private readonly surface: Surface;
  private readonly off = document.createElement('canvas');
  private readonly readout: HTMLElement;
  private readonly tooltip: HTMLElement;
  private m: MatrixData | null = null;
  private image: ImageData | null = null;
  private dirty = false;
  private available = 600;
  private base = { sx: 1, sy: 1 };
  private k = 1;
  private tx = 0;
  private ty = 0;
  private cursor: { r: number; c: number } | null = null;
  private drag: { x: number; y: number; tx: number; ty: number } | null = null;

  constructor(private readonly opts: HeatmapOptions) {
    this.canvas = h('canvas', { class: 'heatmap-canvas', tabindex: 0, role: 'img', 'aria-label': opts.label });
    this.surface = createSurface(this.canvas);
    this.readout = h('div', { class: 'readout heatmap-readout', 'aria-live': 'polite' }, '\u00a0');
    this.tooltip = h('div', { class: 'tooltip', role: 'presentation' });
    this.tooltip.hidden = true;
    const tools = h('div', { class: 'heatmap-tools' },
      button('+', () => this.zoomBy(2), { 'aria-label': 'Zoom in', title: 'Zoom in (+)' }),
      button('\u2212', () => this.zoomBy(0.5), { 'aria-label': 'Zoom out', title: 'Zoom out (−)' }),
      button('Fit', () => this.fitView(), { 'aria-label': 'Fit the whole matrix', title: 'Fit (0)' }));
    this.stage = h('div', { class: 'heatmap-stage' }, this.canvas, this.tooltip);
    this.element = h('div', { class: 'heatmap' }, tools, this.stage, this.readout);
    this.listen();
  }

  /** New values (same shape keeps the zoom; a new shape fits the view). Drawn on the next `render()`. */
  setData(m: MatrixData): void {
    const reshaped = !this.m || this.m.rows !== m.rows || this.m.cols !== m.cols || this.m.name !== m.name;
    this.m = m;
    this.dirty = true;
    if (reshaped) {
      // Another matrix: the last hovered cell's text no longer describes anything shown.
      this.cursor = null;
      this.readout.textContent = '\u00a0';
      this.tooltip.hidden = true;
      this.image = m.rows * m.cols > 0 ? new ImageData(m.cols, m.rows) : null;
      this.off.width = Math.max(1, m.cols);
      this.off.height = Math.max(1, m.rows);
      this.layout();
    }
    this.canvas.setAttribute('aria-label', `${this.opts.label}: ${m.name}, ${m.rows}×${m.cols}, colour range ±${formatValue(m.scale.max)}`);
  }

  /** Width available to the heatmap, in CSS px. */
  setAvailableWidth(w: number): void {
    if (Math.abs(w - this.available) < 1) return;
    this.available = Math.max(120, w);
    this.layout();
    this.draw();
  }

  get view(): HeatmapView {
    return { sx: this.base.sx * this.k, sy: this.base.sy * this.k, tx: this.tx, ty: this.ty, width: this.surface.width, height: this.surface.height };
  }

  /** Maps the values through the colour table (if they changed) and draws. */
  render(): void {
    const m = this.m;
    if (!m) return;
    // The panel moved to a screen with another pixel ratio: new backing store, same CSS size and zoom.
    if ((window.devicePixelRatio || 1) !== this.surface.dpr) sizeSurface(this.surface, this.surface.width, this.surface.height);
    if (this.dirty && this.image) {
      m.scale.fill(m.data, new Uint32Array(this.image.data.buffer), 0, m.rows * m.cols);
      const ctx = this.off.getContext('2d');
      ctx?.putImageData(this.image, 0, 0);
    }
    this.dirty = false;
    this.draw();
    // A hovered cell's value follows the new data.
    if (this.cursor && !this.tooltip.hidden) this.showCell(this.cursor);
  }

  private layout(): void {
    const m = this.m;
    if (!m) return;
    const maxCell = this.opts.maxCell ?? 32;
    const minH = this.opts.minHeight ?? 200;
    const maxH = this.opts.maxHeight ?? 480;
    const rows = Math.max(1, m.rows);
    const cols = Math.max(1, m.cols);
    // Square cells when the matrix fits; a very wide (or tall) matrix is stretched across so it stays readable.
    const s = Math.min(maxCell, this.available / cols, maxH / rows);
    let sx = s;
    let sy = s;
    if (rows * sy < minH) sy = Math.min(maxCell, minH / rows);
    const minW = Math.min(this.available, 240);
    if (cols * sx < minW) sx = Math.min(maxCell, minW / cols);
    const width = Math.max(1, Math.round(m.cols * sx));
    const height = Math.max(1, Math.round(m.rows * sy));
    this.base = { sx: width / Math.max(1, m.cols), sy: height / Math.max(1, m.rows) };
    sizeSurface(this.surface, width, height);
    this.k = 1;
    this.tx = 0;
    this.ty = 0;
  }

  private fitView(): void {
    this.k = 1;
    this.tx = 0;
    this.ty = 0;
    this.draw();
  }

  /** Zooms by factor f around (x, y) in CSS px (the centre by default). */
  zoomBy(f: number, x = this.surface.width / 2, y = this.surface.height / 2): void {
    const m = this.m;
    if (!m) return;
    const kMax = Math.max(1, 64 / Math.min(this.base.sx, this.base.sy));
    const k = Math.min(kMax, Math.max(1, this.k * f));
    const g = k / this.k;
    this.tx = x - (x - this.tx) * g;
    this.ty = y - (y - this.ty) * g;
    this.k = k;
    this.clampPan();
    this.draw();
  }

  private clampPan(): void {
    const m = this.m;
    if (!m) return;
    const v = this.view;
    this.tx = Math.min(0, Math.max(this.surface.width - m.cols * v.sx, this.tx));
    this.ty = Math.min(0, Math.max(this.surface.height - m.rows * v.sy, this.ty));
  }

  private draw(): void {
    const m = this.m;
    const s = this.surface;
    const ctx = s.ctx;
    ctx.setTransform(s.dpr, 0, 0, s.dpr, 0, 0);
    ctx.clearRect(0, 0, s.width, s.height);
    if (!m || !this.image) return;
    const v = this.view;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.off, v.tx, v.ty, m.cols * v.sx, m.rows * v.sy);
    if (this.cursor) {
      const { r, c } = this.cursor;
      const x = v.tx + c * v.sx;
      const y = v.ty + r * v.sy;
      const pad = Math.max(0, (4 - Math.min(v.sx, v.sy)) / 2);
      ctx.lineWidth = 1;
      ctx.strokeStyle = getComputedStyle(this.canvas).getPropertyValue('--nnlens-cursor').trim() || '#ffcc00';
      ctx.strokeRect(x - pad - 0.5, y - pad - 0.5, v.sx + 2 * pad + 1, v.sy + 2 * pad + 1);
    }
    this.canvas.dataset.cellWidth = String(v.sx);
    this.canvas.dataset.cellHeight = String(v.sy);
    this.canvas.dataset.tx = String(v.tx);
    this.canvas.dataset.ty = String(v.ty);
    this.opts.onView?.(v);
  }

  private cellAt(x: number, y: number): { r: number; c: number } | null {
    const m = this.m;
    if (!m) return null;
    const v = this.view;
    const c = Math.floor((x - v.tx) / v.sx);
    const r = Math.floor((y - v.ty) / v.sy);
    return r >= 0 && r < m.rows && c >= 0 && c < m.cols ? { r, c } : null;
  }

  /** The readout text of a cell: `W1.weight[12, 340] = -0.0213`. */
  describeCell(r: number, c: number): string {
    const m = this.m;
    if (!m) return '';
    const expr = m.expression ? m.expression(r, c) : `${m.name}[${r}, ${c}]`;
    return `${expr} = ${formatValue(m.data[r * m.cols + c])}`;
  }

  private showCell(cell: { r: number; c: number } | null, at?: { x: number; y: number }): void {
    const refresh = !at && cell !== null && cell === this.cursor;
    this.cursor = cell;
    this.draw();
    this.opts.onCell?.(cell);
    if (!cell || !this.m) {
      this.tooltip.hidden = true;
      return;
    }
    const main = this.describeCell(cell.r, cell.c);
    const extra = this.m.describe?.(cell.r, cell.c) ?? `row ${cell.r} · column ${cell.c}`;
    this.readout.textContent = `${main} · ${extra}`;
    this.tooltip.textContent = main;
    if (refresh) return;
    const v = this.view;
    const x = at?.x ?? v.tx + (cell.c + 1) * v.sx;
    const y = at?.y ?? v.ty + cell.r * v.sy;
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${Math.min(x + 12, Math.max(0, this.surface.width - 220))}px`;
    this.tooltip.style.top = `${Math.max(0, y - 28)}px`;
  }

  private listen(): void {
    const c = this.canvas;
    const local = (e: MouseEvent): { x: number; y: number } => {
      const r = c.getBoundingClientRect();
      return { x: e.clientX - r.left - c.clientLeft, y: e.clientY - r.top - c.clientTop };
    };
    c.addEventListener('pointermove', (e) => {
      const p = local(e);
      if (this.drag) {
        this.tx = this.drag.tx + p.x - this.drag.x;
        this.ty = this.drag.ty + p.y - this.drag.y;
        this.clampPan();
      }
      this.showCell(this.cellAt(p.x, p.y), p);
    });
    c.addEventListener('pointerleave', () => {
      this.drag = null;
      this.showCell(null);
    });
    c.addEventListener('pointerdown', (e) => {
      if (this.k === 1) return;
      const p = local(e);
      this.drag = { x: p.x, y: p.y, tx: this.tx, ty: this.ty };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointerup', () => (this.drag = null));
    c.addEventListener('wheel', (e) => {
      const p = local(e);
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
      } else if (this.k > 1) {
        e.preventDefault();
        this.tx -= e.shiftKey ? e.deltaY : e.deltaX;
        this.ty -= e.shiftKey ? 0 : e.deltaY;
        this.clampPan();
        this.draw();
      }
    }, { passive: false });
    c.addEventListener('keydown', (e) => this.onKey(e));
    c.addEventListener('blur', () => this.showCell(null));
  }

  private onKey(e: KeyboardEvent): void {
    const m = this.m;
    if (!m) return;
    const step = e.shiftKey ? 10 : 1;
    const cur = this.cursor ?? { r: 0, c: 0 };
    let next: { r: number; c: number } | null = null;
    switch (e.key) {
      case 'ArrowLeft': next = { r: cur.r, c: Math.max(0, cur.c - step) }; break;
      case 'ArrowRight': next = { r: cur.r, c: Math.min(m.cols - 1, cur.c + step) }; break;
      case 'ArrowUp': next = { r: Math.max(0, cur.r - step), c: cur.c }; break;
      case 'ArrowDown': next = { r: Math.min(m.rows - 1, cur.r + step), c: cur.c }; break;
      case '+': case '=': this.zoomBy(2); break;
      case '-': case '_': this.zoomBy(0.5); break;
      case '0': this.fitView(); break;
      case 'Escape': this.showCell(null); break;
      default: return;
    }
    e.preventDefault();
    if (next) {
      this.revealCell(next);
      this.showCell(next);
    }
  }

  /** Pans so a cell is visible. */
  private revealCell(cell: { r: number; c: number }): void {
    const v = this.view;
    const x = v.tx + cell.c * v.sx;
    const y = v.ty + cell.r * v.sy;
    if (x < 0) this.tx -= x;
    if (x + v.sx > v.width) this.tx -= x + v.sx - v.width;
    if (y < 0) this.ty -= y;
    if (y + v.sy > v.height) this.ty -= y + v.sy - v.height;
    this.clampPan();
  }
}
