/** Hidden units: for a Linear reading the 28×28 input, each unit's weights as a 28×28 tile, updating as it trains. */
import type { LayerInfo } from '../../src/protocol';
import { h } from '../dom';
import { TileGrid } from '../components/tiles';
import { DivergingScale } from '../components/colormap';
import { maxAbs } from '../tensor';
import { imageShapeOf } from './weights';
import type { ViewContext } from './context';

export class HiddenUnitsView {
  readonly element: HTMLElement;
  readonly tiles: TileGrid;
  private readonly caption: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    this.tiles = new TileGrid('Hidden units');
    this.caption = h('p', { class: 'caption' });
    this.element = h('div', { class: 'hidden-units' }, this.caption, this.tiles.element);
  }

  /** The layer to tile: the selected one if it reads the image, else the first Linear that does. */
  pick(selected: LayerInfo | null): LayerInfo | null {
    const input = this.ctx.store.model?.inputShape ?? [];
    const reads = (l: LayerInfo | null): boolean => !!l?.weightShape && imageShapeOf(l.weightShape[1], input) !== null;
    if (reads(selected)) return selected;
    return this.ctx.store.linears().find(reads) ?? null;
  }

  render(selected: LayerInfo | null): void {
    const l = this.pick(selected);
    const w = l ? this.ctx.store.weightOf(l) : null;
    const img = l?.weightShape ? imageShapeOf(l.weightShape[1], this.ctx.store.model?.inputShape ?? []) : null;
    this.tiles.element.hidden = !w;
    if (!l || !img) {
      this.caption.textContent = 'No Linear layer reads the 28×28 input directly.';
      return;
    }
    if (!w) {
      this.caption.textContent = `Waiting for ${l.name}.weight…`;
      return;
    }
    const [th, tw] = img;
    this.caption.textContent = `${w.shape[0]} units of ${l.name}: tile i is ${l.name}.weight[i].view(${th}, ${tw}), coloured like the heatmap (red negative, blue positive).`;
    this.tiles.setData({ name: `${l.name}.weight`, count: w.shape[0], tileWidth: tw, tileHeight: th, data: w.data, scale: new DivergingScale(this.ctx.theme().weights, maxAbs(w.data)) });
    this.tiles.render();
  }
}
