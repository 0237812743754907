/** The colour legend of a diverging scale: a gradient bar from −m to m with d3 ticks, 0 in the middle. */
import { scaleLinear } from 'd3-scale';
import { axisBottom } from 'd3-axis';
import { select } from 'd3-selection';
import { h, svg } from '../dom';
import { LUT_SIZE, type DivergingScale } from './colormap';
import { formatValue } from '../format';

export class Legend {
  readonly element: HTMLElement;
  private readonly bar: HTMLCanvasElement;
  private readonly axis: SVGSVGElement;

  constructor(private readonly width = 240, label = 'Colour scale') {
    this.bar = h('canvas', { class: 'legend-bar', width: LUT_SIZE, height: 1, 'aria-hidden': 'true' });
    this.axis = svg('svg', { class: 'legend-axis', width: width + 48, height: 22, 'aria-hidden': 'true' });
    this.element = h('div', { class: 'legend', role: 'img', 'aria-label': label }, this.bar, this.axis);
    this.bar.style.width = `${width}px`;
  }

  update(scale: DivergingScale): void {
    const img = new ImageData(LUT_SIZE, 1);
    new Uint32Array(img.data.buffer).set(scale.lut.packed);
    this.bar.getContext('2d')?.putImageData(img, 0, 0);
    const x = scaleLinear().domain([-scale.max, scale.max]).range([0, this.width]);
    const g = select(this.axis).selectAll<SVGGElement, null>('g').data([null]).join('g').attr('transform', 'translate(24,0)');
    g.call(axisBottom(x).tickValues([-scale.max, -scale.max / 2, 0, scale.max / 2, scale.max]).tickFormat((v) => formatTick(Number(v))).tickSizeOuter(0));
    this.element.setAttribute('aria-label', `Colour scale from ${formatValue(-scale.max)} (red) through 0 to ${formatValue(scale.max)} (blue)`);
  }
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 0.01 && a < 1000 ? v.toFixed(a >= 1 ? 2 : 3) : v.toExponential(1);
}
