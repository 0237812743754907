/** Softmax outputs as bars (SVG via d3): one bar per class, its probability above it, the prediction highlighted. */
import { scaleBand, scaleLinear } from 'd3-scale';
import { axisBottom, axisLeft } from 'd3-axis';
import { select } from 'd3-selection';
import { svg } from '../dom';

export const BAR_MARGIN = { top: 18, right: 8, bottom: 32, left: 34 };

export class SoftmaxBars {
  readonly element: SVGSVGElement;

  constructor(private readonly width = 360, private readonly height = 170, label = 'Softmax output') {
    this.element = svg('svg', { class: 'bars', width, height, role: 'img', 'aria-label': label });
  }

  /** `probs` per class; `predicted` and `trueLabel` are class indices (trueLabel null when unknown). */
  update(probs: readonly number[], classNames: readonly string[], predicted: number, trueLabel: number | null): void {
    const m = BAR_MARGIN;
    const innerW = this.width - m.left - m.right;
    const innerH = this.height - m.top - m.bottom;
    const names = probs.map((_, i) => classNames[i] ?? String(i));
    const x = scaleBand<number>().domain(probs.map((_, i) => i)).range([0, innerW]).padding(0.2);
    const y = scaleLinear().domain([0, 1]).range([innerH, 0]);
    const root = select(this.element);
    const plot = root.selectAll<SVGGElement, null>('g.plot').data([null]).join('g').attr('class', 'plot').attr('transform', `translate(${m.left},${m.top})`);
    plot.selectAll<SVGGElement, null>('g.y-axis').data([null]).join('g').attr('class', 'axis y-axis')
      .call(axisLeft(y).tickValues([0, 0.5, 1]).tickFormat((v) => Number(v).toFixed(1)).tickSizeOuter(0));
    plot.selectAll<SVGGElement, null>('g.x-axis').data([null]).join('g').attr('class', 'axis x-axis').attr('transform', `translate(0,${innerH})`)
      .call(axisBottom(x).tickFormat((i) => names[i]).tickSizeOuter(0));
    const clamp01 = (p: number): number => (Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0);
    plot.selectAll<SVGRectElement, number>('rect.bar').data(probs).join('rect')
      .attr('class', (_, i) => `bar${i === predicted ? ' predicted' : ''}${i === trueLabel ? ' true' : ''}`)
      .attr('x', (_, i) => x(i) ?? 0)
      .attr('width', x.bandwidth())
      .attr('y', (p) => y(clamp01(p)))
      .attr('height', (p) => innerH - y(clamp01(p)))
      .attr('data-class', (_, i) => i)
      .attr('aria-label', (p, i) => `${names[i]}: ${p.toFixed(4)}`);
    plot.selectAll<SVGTextElement, number>('text.value').data(probs).join('text')
      .attr('class', (_, i) => `value${i === predicted ? ' predicted' : ''}`)
      .attr('x', (_, i) => (x(i) ?? 0) + x.bandwidth() / 2)
      .attr('y', (p) => y(clamp01(p)) - 4)
      .attr('text-anchor', 'middle')
      .text((p) => p.toFixed(2));
    plot.selectAll<SVGPathElement, number>('path.true-marker').data(trueLabel === null ? [] : [trueLabel]).join((enter) => {
      const p = enter.append('path');
      p.append('title').text('true label');
      return p;
    })
      .attr('class', 'true-marker')
      .attr('d', (t) => {
        const cx = (x(t) ?? 0) + x.bandwidth() / 2;
        return `M${cx - 5},${innerH + 31} L${cx + 5},${innerH + 31} L${cx},${innerH + 24} Z`;
      });
    const summary = probs.map((p, i) => `${names[i]} ${p.toFixed(2)}`).join(', ');
    this.element.setAttribute('aria-label', `Softmax output: predicted ${names[predicted] ?? '?'}${trueLabel === null ? '' : `, true ${names[trueLabel]}`}. ${summary}`);
  }

  clear(): void {
    select(this.element).selectAll('*').remove();
  }
}

/** Index of the largest value (the first one on ties), -1 for an empty list. */
export function argmax(v: ArrayLike<number>, start = 0, count = v.length - start): number {
  let best = -1;
  let bv = -Infinity;
  for (let i = 0; i < count; i++) {
    if (v[start + i] > bv) {
      bv = v[start + i];
      best = i;
    }
  }
  return best;
}
