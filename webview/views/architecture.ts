/**
 * Architecture: every layer as a block, in order, with its shapes (`[B, 784] → Linear W1 → [B, 64]`), parameter
 * count and diagnostics; the total below. The layer under the editor's cursor is highlighted; clicking a block
 * reveals it in the editor (and selects a Linear for the weight views).
 */
import type { DiagnosticInfo, LayerInfo, ModelSummary } from '../../src/protocol';
import { h } from '../dom';
import { formatCount, formatShape, layerLabel } from '../format';
import type { ViewContext } from './context';

export function shapeLine(l: LayerInfo): string {
  return `${formatShape(l.inShape)} → ${layerLabel(l)} → ${formatShape(l.outShape)}`;
}

function diagnosticItem(d: DiagnosticInfo): HTMLElement {
  const where = `line ${d.range.start.line + 1}`;
  return h('li', { class: `diagnostic ${d.severity}` }, h('span', { class: 'severity', text: d.severity }), ` ${d.message} `, h('span', { class: 'where', text: `(${where})` }));
}

export class ArchitectureView {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly total: HTMLElement;
  private readonly general: HTMLUListElement;
  private readonly title: HTMLElement;
  private blocks: HTMLButtonElement[] = [];
  private cursor: number | null = null;

  constructor(private readonly ctx: ViewContext) {
    this.title = h('p', { class: 'model-title' });
    this.general = h('ul', { class: 'diagnostics general', 'aria-label': 'Problems in the model file' });
    this.list = h('ol', { class: 'layers', 'aria-label': 'Layers' });
    this.total = h('p', { class: 'total' });
    this.element = h('div', { class: 'architecture' }, this.title, this.general, this.list, this.total);
  }

  update(model: ModelSummary): void {
    const input = `[B, ${model.inputShape.join(', ')}]`;
    this.title.textContent = `${model.name} · input ${input} · ${model.dataset}`;
    this.general.replaceChildren(...model.diagnostics.filter((d) => d.layer === undefined).map(diagnosticItem));
    this.general.hidden = this.general.childElementCount === 0;
    this.blocks = [];
    this.list.replaceChildren(...model.layers.map((l) => {
      const diags = model.diagnostics.filter((d) => d.layer === l.index);
      const worst = diags.some((d) => d.severity === 'error') ? 'error' : diags.some((d) => d.severity === 'warning') ? 'warning' : '';
      const block = h('button', { type: 'button', class: `layer-block ${l.type.toLowerCase()} ${worst}`, 'data-layer': l.index,
        'aria-label': `${shapeLine(l)}, ${formatCount(l.params)} parameters${diags.length ? `, ${diags.length} problem${diags.length > 1 ? 's' : ''}` : ''}. Reveal in editor.` },
        h('span', { class: 'layer-shapes', text: shapeLine(l) }),
        h('span', { class: 'layer-params', text: l.params ? `${formatCount(l.params)} params` : 'no params' }));
      block.addEventListener('click', () => {
        this.ctx.host.post({ type: 'revealLayer', layer: l.index });
        if (l.type === 'Linear' && l.weightShape) this.ctx.selectLayer(l.index);
      });
      this.blocks.push(block);
      const li = h('li', {}, block);
      if (diags.length) li.append(h('ul', { class: 'diagnostics' }, ...diags.map(diagnosticItem)));
      return li;
    }));
    this.total.textContent = `Total: ${formatCount(model.totalParams)} parameters`;
    this.setCursor(this.cursor);
  }

  setCursor(layer: number | null): void {
    this.cursor = layer;
    this.blocks.forEach((b, i) => {
      const on = i === layer;
      b.classList.toggle('current', on);
      if (on) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
  }
}
