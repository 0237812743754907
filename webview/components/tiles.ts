/**
 * Rows of a matrix as small images: each hidden unit's 784 input weights as a 28×28 tile, in a grid, coloured by
 * the same diverging scale as the heatmap. Each tile is a 28×28 canvas upscaled by CSS without smoothing.
 * Hover or the arrow keys show `W1.weight[12].view(28, 28)` with the unit's range.
 */
import { h } from '../dom';
import { pixelCanvas } from './canvas';
import type { DivergingScale } from './colormap';
import { formatValue } from '../format';

export interface TileData {
  /** The matrix expression, e.g. `W1.weight`. */
  name: string;
  /** Number of tiles (matrix rows). */
  count: number;
  /** Values per tile (matrix columns) = tileWidth × tileHeight. */
  tileWidth: number;
  tileHeight: number;
  data: Float32Array;
  scale: DivergingScale;
}

export class TileGrid {
  readonly element: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly readout: HTMLElement;
  private tiles: HTMLCanvasElement[] = [];
  private images: ImageData[] = [];
  private t: TileData | null = null;
  private selected: number | null = null;

  constructor(label = 'Hidden units') {
    this.grid = h('div', { class: 'tile-grid', tabindex: 0, role: 'group', 'aria-label': label });
    this.readout = h('div', { class: 'readout', 'aria-live': 'polite' }, '\u00a0');
    this.element = h('div', { class: 'tiles' }, this.grid, this.readout);
    this.listen();
  }

  get count(): number {
    return this.tiles.length;
  }

  setData(t: TileData): void {
    const sized = this.t && this.t.tileWidth === t.tileWidth && this.t.tileHeight === t.tileHeight;
    if (!sized) {
      for (const c of this.tiles) c.remove();
      this.tiles = [];
      this.images = [];
    }
    while (this.tiles.length < t.count) {
      const i = this.tiles.length;
      const c = pixelCanvas(t.tileWidth, t.tileHeight, 'tile');
      c.dataset.unit = String(i);
      this.tiles.push(c);
      this.images.push(new ImageData(t.tileWidth, t.tileHeight));
      this.grid.append(c);
    }
    while (this.tiles.length > t.count) {
      this.tiles.pop()?.remove();
      this.images.pop();
    }
    this.t = t;
    if (this.selected !== null && this.selected >= t.count) this.selected = null;
    this.grid.setAttribute('aria-label', `${t.count} tiles: each unit's weights ${t.name}[i].view(${t.tileHeight}, ${t.tileWidth})`);
  }

  render(): void {
    const t = this.t;
    if (!t) return;
    const n = t.tileWidth * t.tileHeight;
    for (let i = 0; i < t.count; i++) {
      const img = this.images[i];
      t.scale.fill(t.data, new Uint32Array(img.data.buffer), 0, n, i * n);
      this.tiles[i].getContext('2d')?.putImageData(img, 0, 0);
    }
    if (this.selected !== null) this.describe(this.selected);
  }

  private describe(i: number): void {
    const t = this.t;
    if (!t) return;
    const n = t.tileWidth * t.tileHeight;
    let min = Infinity;
    let max = -Infinity;
    for (let j = i * n; j < (i + 1) * n; j++) {
      if (t.data[j] < min) min = t.data[j];
      if (t.data[j] > max) max = t.data[j];
    }
    this.readout.textContent = `${t.name}[${i}].view(${t.tileHeight}, ${t.tileWidth}) · unit ${i} · min ${formatValue(min)} · max ${formatValue(max)}`;
  }

  private select(i: number | null): void {
    if (this.selected !== null) this.tiles[this.selected]?.classList.remove('selected');
    this.selected = i;
    if (i === null) {
      this.readout.textContent = '\u00a0';
      return;
    }
    this.tiles[i]?.classList.add('selected');
    this.describe(i);
  }

  private listen(): void {
    this.grid.addEventListener('pointerover', (e) => {
      const u = (e.target as HTMLElement).dataset?.unit;
      if (u !== undefined) this.select(Number(u));
    });
    this.grid.addEventListener('keydown', (e) => {
      const n = this.tiles.length;
      if (!n) return;
      const perRow = Math.max(1, Math.round(this.grid.clientWidth / Math.max(1, this.tiles[0].getBoundingClientRect().width + 4)));
      const cur = this.selected ?? -1;
      const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -perRow, ArrowDown: perRow };
      if (e.key === 'Escape') return this.select(null);
      const d = moves[e.key];
      if (d === undefined) return;
      e.preventDefault();
      this.select(Math.max(0, Math.min(n - 1, cur < 0 ? 0 : cur + d)));
    });
  }
}
