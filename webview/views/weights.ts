/**
 * Weights: the selected Linear's `weight` (or its `.grad`) as a heatmap, one pixel per weight, the bias as a strip
 * beside it, and the colour legend. Redrawn on animation frames, only while the section is open.
 */
import type { LayerInfo } from '../../src/protocol';
import { h } from '../dom';
import { Heatmap } from '../components/heatmap';
import { Strip } from '../components/strip';
import { Legend } from '../components/legend';
import { DivergingScale } from '../components/colormap';
import { maxAbs } from '../tensor';
import { formatCount, layerLabel } from '../format';
import type { ViewContext } from './context';

/** `28×28` when a row of `cols` values is an image of the model's input (784 → 28×28), else null. */
export function imageShapeOf(cols: number, inputShape: readonly number[]): [number, number] | null {
  const n = inputShape.reduce((a, b) => a * b, 1);
  if (cols !== n) return null;
  if (inputShape.length >= 2) return [inputShape[inputShape.length - 2], inputShape[inputShape.length - 1]];
  const side = Math.round(Math.sqrt(cols));
  return side * side === cols && side > 1 ? [side, side] : null;
}

export class WeightsView {
  readonly element: HTMLElement;
  private readonly select: HTMLSelectElement;
  private readonly gradBox: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly heatmap: Heatmap;
  private readonly bias: Strip;
  private readonly legend: Legend;
  private readonly biasLabel: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly biasColumn: HTMLElement;

  constructor(private readonly ctx: ViewContext) {
    this.select = h('select', { class: 'layer-select', 'aria-label': 'Linear layer to show' });
    this.select.addEventListener('change', () => ctx.selectLayer(Number(this.select.value)));
    this.gradBox = h('input', { type: 'checkbox', class: 'grad-toggle' });
    this.gradBox.checked = ctx.host.state.showGrad;
    this.gradBox.addEventListener('change', () => {
      ctx.host.state.showGrad = this.gradBox.checked;
      ctx.host.save();
      ctx.requestRender();
    });
    this.status = h('span', { class: 'status' });
    this.bias = new Strip('vertical', 14, 'Bias');
    this.heatmap = new Heatmap({
      label: 'Weight heatmap',
      onView: (v) => {
        this.bias.setGeometry(v.height, v.ty, v.sy);
        this.bias.render();
      },
    });
    this.legend = new Legend(240, 'Weight colour scale');
    this.biasLabel = h('div', { class: 'bias-label' });
    this.empty = h('p', { class: 'empty' });
    this.biasColumn = h('div', { class: 'bias-column' }, this.biasLabel, this.bias.element);
    this.heatmap.stage.append(this.biasColumn);
    this.stage = h('div', { class: 'weights-stage' }, this.heatmap.element);
    this.element = h('div', { class: 'weights' },
      h('div', { class: 'controls' }, h('label', {}, 'Layer ', this.select), h('label', {}, this.gradBox, ' gradient'), this.status),
      this.empty, this.legend.element, this.stage);
  }

  setAvailableWidth(w: number): void {
    this.heatmap.setAvailableWidth(w - 90);
  }

  /** Refills the layer list from the model. */
  updateLayers(selected: number | null): void {
    const linears = this.ctx.store.linears();
    this.select.replaceChildren(...linears.map((l) => h('option', { value: l.index, text: `${layerLabel(l)} [${l.weightShape?.join(', ')}]` })));
    if (selected !== null) this.select.value = String(selected);
    this.select.disabled = linears.length === 0;
  }

  render(layer: LayerInfo | null): void {
    const store = this.ctx.store;
    const wantGrad = this.gradBox.checked;
    const hasGrad = layer ? store.weightOf(layer, true) !== null : false;
    this.gradBox.disabled = !hasGrad;
    const grad = wantGrad && hasGrad;
    const w = layer ? store.weightOf(layer, grad) : null;
    if (!layer || !w) {
      this.empty.hidden = false;
      this.empty.textContent = !layer ? 'This model has no Linear layer.' : `Waiting for ${layer.name}.weight [${layer.weightShape?.join(', ')}]…`;
      this.stage.hidden = true;
      this.legend.element.hidden = true;
      return;
    }
    this.empty.hidden = true;
    this.stage.hidden = false;
    this.legend.element.hidden = false;
    const theme = this.ctx.theme();
    const [rows, cols] = w.shape;
    const name = `${layer.name}.weight${grad ? '.grad' : ''}`;
    const img = imageShapeOf(cols, this.ctx.store.model?.inputShape ?? []);
    const scale = new DivergingScale(theme.weights, maxAbs(w.data));
    const b = store.biasOf(layer, grad);
    if (b) {
      const bs = new DivergingScale(theme.weights, maxAbs(b.data));
      this.bias.setData({ name: `${layer.name}.bias${grad ? '.grad' : ''}`, data: b.data, scale: bs });
      this.biasLabel.textContent = `bias ±${bs.max.toPrecision(2)}`;
    }
    this.bias.element.hidden = !b;
    this.biasLabel.hidden = !b;
    this.heatmap.setData({
      name, rows, cols, data: w.data, scale,
      describe: (r, c) => `row ${r} (unit ${r}) · column ${c}${img ? ` (pixel ${Math.floor(c / img[1])}, ${c % img[1]})` : ''}`,
    });
    this.heatmap.render();
    this.legend.update(scale);
    this.status.textContent = `${name} [${rows}, ${cols}] · ${formatCount(rows * cols)} weights · step ${formatCount(store.step)}`;
  }
}
